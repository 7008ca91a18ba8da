// Statistics for `mqtt-dissect --stats`: packets and bytes per type, per connection, per topic,
// findings per rule. Memory is bounded by Limits whatever the capture holds; what does not fit
// is counted, never dropped silently.
#pragma once

#include "mqtt/diagnostic.hpp"
#include "mqtt/packet.hpp"
#include "mqtt/session_checker.hpp"

#include <array>
#include <cstdint>
#include <fmt/format.h>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mqttlens::stats {

struct Counter {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    Counter& operator+=(const Counter& o) noexcept { packets += o.packets; bytes += o.bytes; return *this; }
    friend Counter operator+(Counter a, const Counter& b) noexcept { return a += b; }
    friend bool operator==(const Counter&, const Counter&) = default;
};

/// What one side of an MQTT 5.0 connection declared (its CONNECT or CONNACK properties); a
/// member is 0 when the property was absent (the standard's default applies).
struct Declared {
    std::uint32_t session_expiry_interval = 0;
    std::uint32_t receive_maximum = 0;
    std::uint32_t maximum_packet_size = 0;
    std::uint32_t topic_alias_maximum = 0;
    std::uint32_t server_keep_alive = 0;   ///< CONNACK only
    std::uint32_t maximum_qos = 2;         ///< CONNACK only; 2 when absent
    bool seen = false;                     ///< the packet carried a property list
    friend bool operator==(const Declared&, const Declared&) = default;
};

struct ConnectionStats {
    std::uint64_t id = 0;         ///< the caller's connection number (tcp.stream)
    std::string client;           ///< "ip:port" as given to open_connection()
    std::string server;
    std::string client_id;        ///< from the CONNECT; at most Limits::max_client_id bytes kept
    bool client_id_cut = false;   ///< the Client Identifier was longer than what is kept
    bool connect_seen = false;
    std::uint8_t protocol_level = 0;  ///< from the CONNECT
    std::int64_t first_us = 0;    ///< opened (or first packet)
    std::int64_t last_us = 0;     ///< closed (or last packet so far)
    Counter c2s, s2c, unknown;    ///< packets and bytes per direction
    std::uint64_t errors = 0;     ///< error-severity findings on its packets, decoder and stream
    std::uint64_t warnings = 0;
    bool disconnect = false;      ///< the client sent DISCONNECT
    Declared client_limits;       ///< MQTT 5.0: what the client's CONNECT declared
    Declared server_limits;       ///< MQTT 5.0: what the server's CONNACK declared
    bool closed = false;
    std::string end;              ///< how it ended, as given to close_connection()

    Counter total() const noexcept { return c2s + s2c + unknown; }
    std::int64_t duration_us() const noexcept { return last_us - first_us; }
};

struct TopicStats {
    std::uint64_t messages = 0;       ///< PUBLISH packets, both directions
    std::uint64_t payload_bytes = 0;
    friend bool operator==(const TopicStats&, const TopicStats&) = default;
};

struct Limits {
    std::size_t max_topics = 10'000;         ///< distinct topics tracked
    std::size_t max_topic_bytes = 1 << 20;   ///< sum of the tracked topics' lengths
    std::size_t max_connections = 10'000;    ///< connections with a row of their own
    std::size_t max_client_id = 256;         ///< bytes of a Client Identifier kept
};

/// Accumulates the tables. Feed in capture order; any order of connections.
/// Steady state (a packet of a known connection on a known topic) allocates nothing.
class Accumulator {
public:
    explicit Accumulator(Limits limits = {});

    /// A connection starts at `time_us` (microseconds, the same origin for all calls).
    void open_connection(std::uint64_t id, std::string_view client, std::string_view server,
                         std::int64_t time_us);
    /// One packet of connection `id` (opened implicitly if needed) with its decoder diagnostics
    /// and the session checker's `stream` findings about it. `alias_topic`: the topic a 5.0
    /// PUBLISH with an empty Topic Name stands for (engine's PacketSeen::alias_topic), counted
    /// in its place.
    void add_packet(std::uint64_t id, mqtt::Direction direction, const mqtt::Packet& packet,
                    std::span<const mqtt::Diagnostic> stream, std::int64_t time_us,
                    std::string_view alias_topic = {});
    /// A finding not carried by a packet passed to add_packet (end-of-connection findings,
    /// capture-layer events).
    void add_diagnostic(std::uint64_t id, const mqtt::Diagnostic& diagnostic);
    /// Connection `id` ended at `time_us`; `how` says why ("FIN", "RST", "capture end"...).
    void close_connection(std::uint64_t id, std::int64_t time_us, std::string_view how);

    /// Packets and bytes per packet type (index: type number 0..15; 16: MQTT 5.0 AUTH, type 15 of
    /// a 5.0 connection, which elsewhere is reserved).
    const std::array<Counter, 17>& by_type() const noexcept { return by_type_; }
    /// MQTT 5.0 Reason Codes seen, per packet type (index as by_type()) and code.
    std::uint64_t reason_count(std::size_t type, std::uint8_t code) const noexcept { return reasons_[type][code]; }
    Counter total() const noexcept;
    /// Connections with a row, ordered by id.
    std::vector<const ConnectionStats*> connections() const;
    /// Connections beyond Limits::max_connections, and their traffic.
    std::uint64_t connections_untracked() const noexcept { return connections_untracked_; }
    Counter untracked_connection_traffic() const noexcept { return untracked_traffic_; }
    /// Tracked topics, most messages first (then by name).
    std::vector<std::pair<std::string_view, TopicStats>> topics() const;
    /// Messages on topics that did not fit the limits (counted together).
    const TopicStats& topics_untracked() const noexcept { return topics_untracked_; }
    /// How many findings had this code.
    std::uint64_t count(mqtt::Code code) const noexcept {
        return count(code, mqtt::Severity::error) + count(code, mqtt::Severity::warning);
    }
    /// Findings of `code` at `severity` (a code can be an error in one version and a warning in
    /// another: MQTT 3.1 defines fewer rules).
    std::uint64_t count(mqtt::Code code, mqtt::Severity severity) const noexcept {
        return count(code, severity, mqtt::Version::v3_1_1) + count(code, severity, mqtt::Version::v5_0);
    }
    /// Findings of `code` at `severity` on connections whose CONNECT named 5.0 (`version` 5.0) or
    /// any other (3.1, 3.1.1, none seen): the rule IDs they name differ (mqtt::rule_id).
    std::uint64_t count(mqtt::Code code, mqtt::Severity severity, mqtt::Version version) const noexcept {
        return by_code_[version == mqtt::Version::v5_0][static_cast<std::size_t>(severity)]
                       [static_cast<std::size_t>(code)];
    }
    /// Findings a packet's Diagnostics dropped (beyond its capacity): their codes are unknown.
    std::uint64_t diagnostics_dropped() const noexcept { return dropped_; }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    ConnectionStats* connection(std::uint64_t id, std::int64_t time_us);
    void count_diagnostic(ConnectionStats* c, const mqtt::Diagnostic& d) noexcept;
    void count_topic(std::string_view topic, std::size_t payload);

    Limits limits_;
    std::array<Counter, 17> by_type_{};
    std::array<std::array<std::uint64_t, 256>, 17> reasons_{};
    std::unordered_map<std::uint64_t, ConnectionStats> connections_;
    std::uint64_t connections_untracked_ = 0;
    Counter untracked_traffic_;
    std::unordered_map<std::string, TopicStats, Hash, std::equal_to<>> topics_;
    std::size_t topic_bytes_ = 0;
    TopicStats topics_untracked_;
    // [5.0 connection][severity][code]
    std::array<std::array<std::array<std::uint64_t, mqtt::code_count>, 2>, 2> by_code_{};
    std::uint64_t dropped_ = 0;
};

/// Appends the four tables as aligned text. `max_rows` bounds the connection and topic tables
/// (0: all rows); what is left out is summed up in one line.
void print_text(const Accumulator& stats, fmt::memory_buffer& out, std::size_t max_rows = 0);
/// Appends the tables as one JSON object and a newline:
/// {"packets":{"total":{"packets","bytes"},"by_type":{TYPE:{"packets","bytes"}}},
///  "reason_codes":[{"type","reason_code","reason","count"}],
///  "connections":[{"stream","client","server","client_id","protocol_level","start","duration",
///                  "packets","bytes","c2s","s2c","errors","warnings","disconnect","end",
///                  "limits" (5.0 only: {"client":{...},"server":{...}}, the Declared members)}],
///  "connections_untracked":{"connections","packets","bytes"},
///  "topics":[{"topic","messages","payload_bytes"}],"topics_untracked":{"messages","payload_bytes"},
///  "diagnostics":[{"rule","version","code","severity","count"}],"diagnostics_dropped":N}
/// Times in seconds; "end" is null while open. Strings escaped as the JSON printer does.
void print_json(const Accumulator& stats, fmt::memory_buffer& out);

}  // namespace mqttlens::stats
