// What the printers know about a packet beyond its bytes: where and when it was seen.
#pragma once

#include "mqtt/packet.hpp"
#include "mqtt/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mqttlens::output {

using mqtt::Direction;
using mqtt::direction_name;

using mqttlens::Timestamp;

/// Everything here is optional; printers show only what is set. Views must outlive the print call.
struct Context {
    std::optional<std::uint64_t> frame;      ///< 1-based capture record number
    std::optional<Timestamp> ts;             ///< capture time, epoch
    std::optional<Timestamp> rel_time;       ///< time since the first record
    std::optional<std::uint64_t> stream;     ///< connection number, 0-based as tshark's tcp.stream
    std::string_view src;                    ///< "ip:port" or "[ip6]:port"; empty when unknown
    std::string_view dst;
    std::optional<Direction> direction;
    /// The layers MQTT came in: "TLS", "WebSocket", "TLS+WebSocket"; empty for plain TCP.
    /// Summary lines show it in brackets after the addresses; JSON as "transport".
    std::string_view transport;
    std::optional<std::uint64_t> offset;     ///< byte offset of the packet in the input stream
    std::span<const mqtt::Diagnostic> extra; ///< connection-level findings about this packet
    /// MQTT 5.0: the topic a PUBLISH with an empty Topic Name stands for by its Topic Alias, as
    /// its connection mapped it (engine::Observed::alias_topic); empty when not known.
    std::string_view alias_topic;
    /// The version the packet was decoded as (its connection's): the standard whose rule IDs its
    /// findings name, beside them.
    mqtt::Version version = mqtt::Version::v3_1_1;
    /// Not printed. Non-zero: the caller's promise that every Context with this value has the
    /// same frame, ts, rel_time, stream, src, dst and direction (a capture record's packets in
    /// one direction), so that the printers need not compare them to reuse the start of the
    /// last line. Never reuse a value for other fields; 0 promises nothing.
    std::uint64_t prefix_key = 0;
};

/// A broken stream: the framer's error, where it happened, and the bytes left from there.
struct FramingError {
    mqtt::Code code = mqtt::Code::packet_truncated;
    std::uint64_t offset = 0;  ///< input offset of the broken packet's first byte
    mqtt::Bytes rest;          ///< bytes from `offset` to the end of the input (may be empty)
};

}  // namespace mqttlens::output
