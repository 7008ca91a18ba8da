// What the engine reports besides packets: the MQTT connections and their stream events.
#pragma once

#include "capture/byte_stream.hpp"
#include "capture/capture_source.hpp"
#include "capture/endpoint.hpp"
#include "mqtt/diagnostic.hpp"
#include "mqtt/packet.hpp"
#include "transport/layer.hpp"

#include <cstdint>
#include <optional>
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
/// version may be filled in after Listener::on_open, when a CONNECT shows them.
struct ConnectionInfo {
    std::uint32_t stream = 0;  ///< numbered in order of appearance from 0, as tshark's tcp.stream
    Endpoint client;           ///< when !roles_known: a guess (the higher port, or not the MQTT port)
    Endpoint server;
    std::string client_text;   ///< "ip:port", IPv6 as "[addr]:port"
    std::string server_text;
    bool roles_known = false;  ///< from the SYN, the MQTT port, or the first CONNECT
    bool syn_seen = false;     ///< false: the capture starts inside this connection
    bool auto_detected = false;///< MQTT found by its CONNECT, not by port
    bool tls = false;          ///< carried in TLS (a TLS port, or a ClientHello offering ALPN mqtt)
    bool websocket = false;    ///< carried in WebSocket frames (plain, or inside TLS)
    /// The layers under MQTT as lines show them: "TLS", "WebSocket", "TLS+WebSocket"; empty for
    /// plain TCP. Set when the connection is opened (WebSocket inside TLS: once its upgrade is seen).
    std::string_view transport;
    std::optional<mqtt::Version> version;  ///< from the client's CONNECT; nullopt while unknown
    std::uint64_t first_frame = 0;
    Timestamp first_ts;
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
    tls,             ///< the connection is carried in TLS: listed once, with `message` saying what its
                     ///< handshake showed and whether it is decrypted (at its end if no handshake)
    transport,       ///< a transport layer (TLS, WebSocket) says something: `rule`, `severity`,
                     ///< `message`; `stream_offset` is in that layer's input on this side
};
/// "gap", "midstream_sync", "resync", "unsynchronised", "framing_error", "tls" or "transport".
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
                                  ///< tls, transport: Code::count_ (none)
    /// transport: the rule broken ("MQTT-6.0.0-1", "RFC6455-5.1"; empty for a note), its
    /// severity and the layer's message. Views valid during the Listener call.
    std::string_view rule = {};
    transport::Severity severity = transport::Severity::note;
    std::string_view message = {};
};

}  // namespace mqttlens::engine
