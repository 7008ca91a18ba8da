// What the engine's framing layer (MqttStreams) tells its consumer: MQTT connections, whole MQTT
// packets, stream events. engine::Engine is that consumer; tests read it directly.
#pragma once

#include "capture/byte_stream.hpp"
#include "capture/capture_source.hpp"
#include "capture/endpoint.hpp"
#include "mqtt/diagnostic.hpp"
#include "mqtt/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mqttlens::engine {

using capture::Bytes;
using capture::CloseReason;
using capture::Endpoint;
using capture::Record;
using capture::Timestamp;

using mqtt::Direction;
using mqtt::direction_name;

/// One TCP connection the capture layer treats as MQTT (or as MQTT over TLS). The same object is
/// passed to every callback of the connection; roles (client, server, roles_known) and
/// version may be filled in after on_connection_open, when a CONNECT shows them.
struct ConnectionInfo {
    std::uint32_t stream = 0;  ///< numbered in order of appearance from 0, as tshark's tcp.stream
    Endpoint client;           ///< when !roles_known: a guess (the higher port, or not the MQTT port)
    Endpoint server;
    std::string client_text;   ///< "ip:port", IPv6 as "[addr]:port"
    std::string server_text;
    bool roles_known = false;  ///< from the SYN, the MQTT port, or the first CONNECT
    bool syn_seen = false;     ///< false: the capture starts inside this connection
    bool auto_detected = false;///< MQTT found by its CONNECT, not by port
    bool tls = false;          ///< a TLS port (8883): bytes are not framed
    std::optional<mqtt::Version> version;  ///< from the client's CONNECT; nullopt while unknown
    std::uint64_t first_frame = 0;
    Timestamp first_ts;
};

/// One whole MQTT packet. Every view is valid only during the on_packet call.
struct PacketEvent {
    const ConnectionInfo& connection;
    Direction direction;
    std::string_view src;        ///< "ip:port" of the sender
    std::string_view dst;
    std::uint64_t frame;         ///< record in which the packet's last byte arrived
    Timestamp ts;                ///< that record's time
    mqtt::Bytes bytes;           ///< fixed header to the last byte: feed to mqtt::decode
    std::uint64_t stream_offset; ///< offset of the first byte in this direction's byte stream
    std::optional<mqtt::Version> version;  ///< the connection's at this packet (nullopt: unknown)
};

/// Whole MQTT packets that lie one after the other in one delivery of reassembled bytes, in one
/// direction of one connection (a busy connection brings about ten per capture record): what
/// their PacketEvents share, given once. A delivery is usually one record's payload; bytes held
/// while resynchronising or detecting MQTT may span several, and `frame` is then the current
/// record, as on_packet has it. Every view is valid only during the on_packets call.
struct PacketRun {
    const ConnectionInfo& connection;
    Direction direction;
    std::string_view src;
    std::string_view dst;
    std::uint64_t frame;
    Timestamp ts;
    std::optional<mqtt::Version> version;
    mqtt::Bytes bytes;              ///< the packets, back to back
    std::uint64_t stream_offset;    ///< of bytes[0]
    std::span<const std::uint32_t> ends;  ///< where each packet ends in `bytes`, ascending

    std::size_t size() const noexcept { return ends.size(); }
    /// Packet i as on_packet would see it.
    PacketEvent event(std::size_t i) const noexcept {
        const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
        return PacketEvent{connection, direction, src, dst, frame, ts, bytes.subspan(begin, ends[i] - begin),
                           stream_offset + begin, version};
    }
};

enum class StreamEventKind : std::uint8_t {
    gap,             ///< `size` bytes were lost in the capture at `stream_offset`
    midstream_sync,  ///< the capture starts inside the connection; first packet boundary found
                     ///< after skipping `size` bytes
    resync,          ///< after a gap or a framing error: boundary found after skipping `size` bytes
    unsynchronised,  ///< `size` bytes dropped without a packet boundary (partial packet cut by a
                     ///< gap, no boundary before the end, or too much data without one)
    framing_error,   ///< the stream is broken at `stream_offset` (`code`: remaining_length_malformed,
                     ///< packet_too_large or packet_truncated); resynchronising
    tls,             ///< the connection is on a TLS port: its bytes are encrypted, not framed
};
/// "gap", "midstream_sync", "resync", "unsynchronised", "framing_error" or "tls".
std::string_view stream_event_name(StreamEventKind k) noexcept;

struct StreamEvent {
    StreamEventKind kind;
    Direction direction;
    std::string_view src;
    std::string_view dst;
    std::uint64_t frame;          ///< record being processed when it was noticed (0: capture end)
    Timestamp ts;
    std::uint64_t stream_offset;  ///< where in this direction's byte stream
    std::uint64_t size;           ///< bytes lost or skipped (0 for framing_error and tls)
    mqtt::Code code;              ///< gap: stream_gap; midstream_sync: stream_midstream;
                                  ///< resync: stream_gap (after a gap) or stream_unsynchronised
                                  ///< (after a framing error); unsynchronised:
                                  ///< stream_unsynchronised; framing_error: the framer's code;
                                  ///< tls: Code::count_ (none)
};

/// Receives everything. Calls arrive in capture order; for one connection: open, then packets and
/// events, then close. Open comes with the connection's first packet, event or close, not with its
/// SYN, so that an idle connection costs nothing here. Non-MQTT connections are never reported
/// (they still take a stream number).
class Consumer {
public:
    virtual ~Consumer() = default;
    /// Every capture record, before it is parsed (first timestamp, progress, record counts).
    virtual void on_record(const Record&) {}
    virtual void on_connection_open(const ConnectionInfo&) {}
    virtual void on_packet(const PacketEvent&) {}
    /// A run of packets (never a CONNECT, which may change the connection's roles and level);
    /// by default one on_packet each, in order. A consumer that does per-packet work on what
    /// the packets share overrides it.
    virtual void on_packets(const PacketRun& run) {
        for (std::size_t i = 0; i < run.size(); ++i) on_packet(run.event(i));
    }
    virtual void on_stream_event(const ConnectionInfo&, const StreamEvent&) {}
    virtual void on_connection_close(const ConnectionInfo&, CloseReason, std::uint64_t /*frame*/,
                                     Timestamp) {}
};

}  // namespace mqttlens::engine
