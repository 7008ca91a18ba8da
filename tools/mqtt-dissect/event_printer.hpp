// Capture-mode lines that are not packets: stream events (gap, midstream start, resync, skipped
// bytes, framing error, TLS), connection ends, and findings made at a connection's end.
// Text: one line each, in the packet columns. JSON: one object each, with an "event" key and no
// "type" (the shapes are listed in dissector/output/README.md).
#pragma once

#include "engine/connection.hpp"
#include "mqtt/diagnostic.hpp"
#include "output/context.hpp"
#include "output/printer.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace mqttlens::dissect {

/// The engine's stream events (engine::StreamEventKind, in its order and with its names), then
/// what ends a connection.
enum class EventKind : std::uint8_t {
    gap, midstream_sync, resync, unsynchronised, framing_error, tls,
    transport,       ///< what a TLS or WebSocket layer found (rule, severity, message)
    connection_end,  ///< FIN, RST, capture end, reused addresses, evicted
    finding,         ///< a rule broken by a request seen earlier (never answered ...)
};
static_assert(static_cast<int>(EventKind::transport) == static_cast<int>(engine::StreamEventKind::transport));
inline EventKind event_kind(engine::StreamEventKind k) noexcept { return static_cast<EventKind>(k); }
/// stream_event_name() for a stream event, else "connection_end" or "finding".
std::string_view event_name(EventKind kind) noexcept;

struct Event {
    EventKind kind = EventKind::gap;
    output::Context context;        ///< frame, ts, rel_time, stream, src, dst, direction
    std::uint64_t offset = 0;       ///< byte offset in the direction's stream
    std::uint64_t size = 0;         ///< bytes lost or skipped
    std::optional<mqtt::Diagnostic> diagnostic;  ///< the code, with the offset for a finding
    std::uint64_t request_frame = 0;             ///< finding: the frame of the packet it is about
    std::optional<std::uint16_t> packet_id;      ///< finding: the request's identifier
    std::string_view reason;        ///< connection_end: "FIN", "RST", "capture end", "reused"
    std::uint64_t packets = 0;      ///< connection_end: MQTT packets of the connection
    std::uint16_t port = 0;         ///< tls: the server's port
    std::string_view rule;          ///< transport: the rule broken, empty for a note
    transport::Severity severity = transport::Severity::note;  ///< transport
    std::string_view message;       ///< transport: the layer's words (kept by the pipeline)
    bool version_known = false;     ///< context.version is the connection's (from its CONNECT)
};

/// True for what breaks a rule (framing errors, error-severity findings); gaps and skipped bytes
/// are capture damage, not broken rules.
bool is_error(const Event& event) noexcept;

/// Appends `event` as a text line or a JSON object (options.format), ending with a newline.
void print_event(output::Buffer& out, const Event& event, const output::PrintOptions& options);

}  // namespace mqttlens::dissect
