// One MQTT connection as the protocol sees it: the version it speaks, each packet decoded by that
// version, the session rules across both directions, and who the client says it is. Knows nothing
// of captures, sockets or printing: whatever carries the packets feeds them here in order.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/diagnostic.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/session_checker.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::engine {

/// What the conversation made of one packet. `packet`'s views point into the bytes observed.
struct Observed {
    /// `decode()` gives the packet, built in place. (Initialised as an aggregate from a call, the
    /// object was first cleared whole by GCC, 736 bytes: on QoS 1 traffic about 6 % of the
    /// capture thread's time.)
    template <class Decode>
    Observed(Decode&& decode, mqtt::Version v) noexcept : packet(decode()), version(v) {}

    mqtt::Packet packet;
    mqtt::Diagnostics stream;  ///< session findings about this packet, offsets within it
    mqtt::Version version;     ///< the version it was decoded as
    /// MQTT 5.0: the topic a PUBLISH with an empty Topic Name stands for, by the Topic Alias its
    /// sender mapped earlier on the connection; empty otherwise. Valid until the next observe().
    std::string_view alias_topic;
    /// A rule was broken: an error-severity finding of the decoder or of the session checker.
    bool error() const noexcept { return !packet.valid() || stream.error_count() > 0; }
};

/// The protocol state of one connection. Feed observe() every whole packet of both directions in
/// the order they were sent, lost_data() where bytes were lost, and finish() at the end.
/// Allocates only for the Client Identifier and for a busy connection's in-flight tables.
class Conversation {
public:
    /// `session`: how the session rules see what is observed (SessionOptions::midstream: the
    /// connection began before it; one_direction: only one side is observed). `version`: the
    /// version the connection is known to speak (byte input); otherwise it is learned from the
    /// client's CONNECT, and packets before it are decoded as 3.1.1.
    explicit Conversation(const mqtt::SessionOptions& session = {},
                          std::optional<mqtt::Version> version = std::nullopt) noexcept;

    /// Decodes one whole packet sent in `direction` at `time_us` (microseconds, any origin, the
    /// same for the whole connection), learns the version from the client's CONNECT, and checks
    /// it against the session rules. `ref` is the caller's number for the packet, given back by
    /// finish(). The result's views point into `bytes`.
    Observed observe(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us, std::uint64_t ref) noexcept;

    /// What observe() does, without building a Packet, for the usual packet of a busy connection:
    /// a QoS 0 PUBLISH that neither the decoder nor the session rules find anything to say
    /// about. Does that and returns true; for anything else changes nothing and returns false
    /// (call observe() then). The caller decodes the bytes later, if at all, with
    /// mqtt::decode_clean().
    bool observe_clean_publish(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us,
                               std::uint64_t ref) noexcept;

    /// Bytes were lost between two packets (a capture gap, a resynchronisation): the session rules
    /// stop reporting what lost packets could explain.
    void lost_data() noexcept {
        last_plain_.reset();
        checker_.lost_data();
    }

    /// The connection ended at `end_us`: the findings about earlier packets that only its end
    /// shows (requests never answered, a silent client), ordered by `ref`.
    std::vector<mqtt::EndFinding> finish(std::int64_t end_us, mqtt::ConnectionEnd how) const {
        return checker_.finish(end_us, how);
    }

    /// The version learned or given; nullopt while unknown.
    std::optional<mqtt::Version> version() const noexcept { return version_; }
    /// The version packets are decoded as now: version(), or 3.1.1 while unknown.
    mqtt::Version decoding_version() const noexcept { return version_.value_or(mqtt::Version::v3_1_1); }
    /// The Client Identifier of the first CONNECT observed (5.0: when it was empty, the Assigned
    /// Client Identifier of the CONNACK that accepted it); nullopt before it.
    std::optional<std::string_view> client_id() const noexcept {
        if (!client_id_) return std::nullopt;
        return std::string_view(*client_id_);
    }
    /// Packets observed, both directions.
    std::uint64_t packets() const noexcept { return packets_; }

private:
    /// What the session rules were last asked about a clean QoS 0 PUBLISH, when they found it
    /// plain and nothing reached them since: the same question gets the same answer and changes
    /// nothing (the packets of one capture record share direction, time and frame, and mostly
    /// size and properties), so it is not asked again.
    struct PlainQuestion {
        mqtt::Direction direction;
        std::int64_t time_us;
        std::uint64_t ref;
        std::size_t size;
        bool retain;
        std::uint64_t property_ids;
        friend bool operator==(const PlainQuestion&, const PlainQuestion&) = default;
    };

    mqtt::SessionChecker checker_;
    std::optional<PlainQuestion> last_plain_;
    std::optional<mqtt::Version> version_;
    std::optional<std::string> client_id_;
    std::uint64_t packets_ = 0;
};

}  // namespace mqttlens::engine
