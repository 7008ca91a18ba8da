// The conformance catalogue: one table of cases, each a rule of the standard a server must keep,
// the packets that break it (or, for a behaviour case, the valid traffic it must answer), and the
// reaction the standard requires. Plain data: the runner reads it, nothing here touches a socket.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::probe {

/// Who a case's connections say they are, and the topic space the case may use.
struct Identity {
    std::string client_id;                ///< --client-id-prefix + case id (+ "-N" for connection N > 0)
    std::optional<std::string> username;  ///< --username
    std::optional<std::string> password;  ///< --password
    std::string topic;                    ///< "mqttlens-probe/" + client id of connection 0: the case's own
};

/// What a case's connection does before its steps.
enum class Preamble : std::uint8_t {
    none,     ///< nothing: the first step's bytes are the first the broker sees
    connect,  ///< CONNECT (Clean Session 1, the identity's credentials) answered by CONNACK 0
    /// As `connect`, but connection 0's CONNECT carries a Will (QoS 0, the case's topic, "will")
    will,
};

/// The reaction the standard requires to one step.
enum class Expect : std::uint8_t {
    close_without_reply,  ///< the broker closes the connection without sending any packet (no CONNACK)
    connack_then_close,   ///< CONNACK with return code `code`, then the connection closed
    close,                ///< the connection closed; no packet answers the step first
    reply,                ///< a packet of `type` (with `packet_id`, `count` codes, RETAIN as given) arrives
};

struct Reaction {
    Expect expect = Expect::close;
    mqtt::PacketType type = mqtt::PacketType::reserved0;  ///< reply: the packet type awaited
    int code = -1;       ///< connack_then_close: the return code; reply CONNACK: the return code
    int packet_id = -1;  ///< reply: the Packet Identifier it must carry; -1 any
    int count = -1;      ///< reply SUBACK: the number of return codes; -1 any
    bool retain = false; ///< reply PUBLISH: RETAIN must be 1
    /// The standard lets the broker stay silent and open here (a MAY): a timeout is inconclusive.
    bool timeout_inconclusive = false;
};

/// One packet (or run of bytes) sent on one of the case's connections, and what must follow.
struct Step {
    std::uint8_t connection = 0;  ///< 0 or 1; connection 1 opens (with the preamble) at its first step
    /// The bytes to send; nullptr sends nothing and only awaits the reaction (a Will, a delivery).
    std::vector<std::uint8_t> (*build)(const Identity&) = nullptr;
    Reaction reaction;
};

struct Case {
    std::string_view id;       ///< stable, kebab-case: "connect-reserved-flag"
    std::string_view rule;     ///< the rule ID as shared/mqtt-3.1.1-rules.md writes it
    std::string_view version;  ///< the standard numbering `rule`: "3.1.1"
    std::string_view section;  ///< "3.1 CONNECT": the table's grouping
    std::string_view title;    ///< what the case does and wants, one line
    Preamble preamble = Preamble::connect;
    bool breaks_rule = true;   ///< false: a behaviour case, every byte sent is valid
    std::vector<Step> steps;
};

/// Every case, in table order (grouped by section).
const std::vector<Case>& catalogue();

/// The preamble's CONNECT for `who`: level 4, Clean Session 1, Keep Alive 60, credentials as given;
/// with `will`, a Will of QoS 0 on who.topic.
std::vector<std::uint8_t> preamble_connect(const Identity& who, bool will = false);

/// "close without reply", "CONNACK 0x01 then close", "PUBACK id 4660": the reaction in words.
std::string describe(const Reaction& r);

/// Every step's reaction in words, "; " between them: "PUBREC id 7; PUBCOMP id 7".
std::string expected(const Case& c);

}  // namespace mqttlens::probe
