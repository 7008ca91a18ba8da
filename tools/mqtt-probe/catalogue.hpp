// The conformance catalogue: one table of cases, each a rule of the standard a server must keep,
// the packets that break it (or, for a behaviour case, the valid traffic it must answer), and the
// reaction the standard requires. Plain data: the runner reads it, nothing here touches a socket.
// The cases live by version: catalogue_311.cpp, catalogue_v5.cpp, and the behaviour cases of both
// in catalogue_behaviour.cpp.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::probe {

/// Who a case's connections say they are, the topic space the case may use, and what the
/// connection has learned so far (the runner sets those before each step's bytes are built).
struct Identity {
    std::string client_id;                ///< --client-id-prefix + case id (+ "-N" for connection N > 0)
    std::optional<std::string> username;  ///< --username
    std::optional<std::string> password;  ///< --password
    std::string topic;                    ///< "mqttlens-probe/" + client id of connection 0: the case's own
    std::string session_id = {};          ///< connection 0's client id: a later connection resuming its session
    std::uint16_t received_id = 0;        ///< Packet Identifier of the last PUBLISH the broker sent here (0: none)
    std::uint16_t topic_alias_maximum = 0;  ///< 5.0: this connection's CONNACK Topic Alias Maximum (absent: 0)
    std::uint16_t receive_maximum = 65535;  ///< 5.0: this connection's CONNACK Receive Maximum (absent: 65,535)
};

/// What a 5.0 case needs the broker's CONNACK (to connection 0's preamble) to declare; without it
/// the case is not applicable.
enum class Needs : std::uint8_t {
    nothing,
    topic_alias,      ///< a Topic Alias Maximum above 0
    receive_maximum,  ///< a Receive Maximum of at most max_receive_maximum_sent
};

/// The largest Receive Maximum a case overruns by sending one PUBLISH more in a single step.
inline constexpr std::uint16_t max_receive_maximum_sent = 1000;

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
    /// 5.0, a broken CONNECT (MQTT-3.1.4-1, §4.13.1): the connection closed, after nothing or after
    /// one CONNACK whose Reason Code is one of `codes` (the CONNACK is a MAY)
    refuse,
    /// 5.0, any other broken packet (§4.13.1): the connection closed, after nothing or after one
    /// DISCONNECT whose Reason Code is one of `codes` (the DISCONNECT is a SHOULD)
    disconnect,
    silence,   ///< no packet (of `type`, unless reserved0) within the bound, and the connection still open
    accepted,  ///< CONNACK 0 (Session Present `session_present` unless -1); anything else makes the case n/a
    pause,     ///< nothing awaited: the runner waits the bound (lets the broker see a close)
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
    /// refuse, disconnect: the Reason Codes the standard allows; reply (5.0): the packet's Reason
    /// Code (SUBACK: every one) must be one of them. Empty: any.
    std::vector<std::uint8_t> codes = {};
    int qos = -1;                    ///< reply PUBLISH: its QoS; -1 any
    std::string_view payload = {};   ///< reply PUBLISH: its payload, when not empty
    std::string_view topic_end = {};  ///< reply PUBLISH: its Topic Name ends with this, when not empty
    int session_present = -1;        ///< accepted: the Session Present flag; -1 any
    /// Packets of this type with a success code may come before the reaction and are passed over
    /// (the PUBRECs for the PUBLISH packets within a limit); reserved0: none
    mqtt::PacketType ignore = mqtt::PacketType::reserved0;
    /// reply: a DISCONNECT with one of these Reason Codes, then the close, passes too (a MAY)
    std::vector<std::uint8_t> or_disconnect = {};
    unsigned within_ms = 0;          ///< the bound on this reaction; 0: the run's step bound (--timeout)
};

/// One packet (or run of bytes) sent on one of the case's connections, and what must follow.
struct Step {
    std::uint8_t connection = 0;  ///< 0..3; a connection opens (with the preamble) at its first step
    /// The bytes to send; nullptr sends nothing and only awaits the reaction (a Will, a delivery).
    std::vector<std::uint8_t> (*build)(const Identity&) = nullptr;
    Reaction reaction;
    bool hang_up = false;  ///< after sending, the probe closes the connection itself (no DISCONNECT)
};

struct Case {
    std::string_view id;       ///< stable, kebab-case: "connect-reserved-flag"
    std::string_view rule;     ///< the rule ID as shared/mqtt-3.1.1-rules.md (or mqtt-5.0-rules.md) writes it
    std::string_view version;  ///< the standard numbering `rule` and spoken by the preamble: "3.1.1" or "5.0"
    std::string_view section;  ///< "3.1 CONNECT": the table's grouping
    std::string_view title;    ///< what the case does and wants, one line
    Preamble preamble = Preamble::connect;
    bool breaks_rule = true;   ///< false: a behaviour case, every byte sent is valid
    std::vector<Step> steps;
    Needs needs = Needs::nothing;  ///< 5.0: n/a when connection 0's CONNACK does not declare it
};

/// Case::version of the MQTT 5.0 cases.
inline constexpr std::string_view version_5 = "5.0";

/// Every case, in table order (grouped by section).
const std::vector<Case>& catalogue();

/// The preamble's CONNECT for `who`: level 4 (`v5`: level 5 with an empty property list), Clean
/// Session 1, Keep Alive 60, credentials as given; with `will`, a Will of QoS 0 on who.topic,
/// payload "will".
std::vector<std::uint8_t> preamble_connect(const Identity& who, bool will = false, bool v5 = false);

/// "close without reply", "CONNACK 0x01 then close", "PUBACK id 4660": the reaction in words.
std::string describe(const Reaction& r);

/// Every step's reaction in words, "; " between them: "PUBREC id 7; PUBCOMP id 7".
std::string expected(const Case& c);

}  // namespace mqttlens::probe
