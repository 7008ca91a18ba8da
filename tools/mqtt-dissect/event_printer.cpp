#include "event_printer.hpp"

#include "output/text.hpp"

#include <fmt/format.h>

namespace mqttlens::dissect {

namespace {

using output::append;
using output::Buffer;

constexpr std::string_view red = "\x1b[31m";
constexpr std::string_view yellow = "\x1b[33m";
constexpr std::string_view dim = "\x1b[2m";
constexpr std::string_view reset = "\x1b[0m";

void append_time(Buffer& out, const output::Timestamp& ts) {
    if (ts.nsec % 1000 == 0) fmt::format_to(fmt::appender(out), "{}.{:06}", ts.sec, ts.nsec / 1000);
    else fmt::format_to(fmt::appender(out), "{}.{:09}", ts.sec, ts.nsec);
}

std::string_view colour_of(const Event& e) noexcept {
    if (is_error(e)) return red;
    if (e.kind == EventKind::gap || e.kind == EventKind::unsynchronised || e.kind == EventKind::finding)
        return yellow;
    return dim;
}

std::string_view plural(std::uint64_t n) noexcept { return n == 1 ? "" : "s"; }

/// A transport finding's rule with its version: MQTT's chapter 6 statements are the same in
/// 3.1.1 and 5.0, so the connection's version when its CONNECT was seen, else both; RFC rules
/// have none.
mqtt::RuleId transport_rule(const Event& e) noexcept {
    if (!e.rule.starts_with("MQTT-")) return {e.rule, {}};
    if (!e.version_known) return {e.rule, "3.1.1, 5.0"};
    return {e.rule, mqtt::version_name(e.context.version)};
}

void text_body(Buffer& out, const Event& e) {
    auto o = fmt::appender(out);
    const std::uint64_t n = e.context.stream.value_or(0);
    switch (e.kind) {
        case EventKind::gap:
            fmt::format_to(o, "gap: {} byte{} lost at offset {} of connection {}; resynchronising", e.size,
                           plural(e.size), e.offset, n);
            break;
        case EventKind::midstream_sync:
            fmt::format_to(o, "capture starts inside connection {}; first packet boundary at offset {}", n,
                           e.offset + e.size);
            if (e.size > 0) fmt::format_to(o, " ({} byte{} skipped)", e.size, plural(e.size));
            break;
        case EventKind::resync:
            fmt::format_to(o, "connection {} resynchronised at offset {} ({} byte{} skipped)", n,
                           e.offset + e.size, e.size, plural(e.size));
            break;
        case EventKind::unsynchronised:
            fmt::format_to(o, "connection {}: {} byte{} skipped at offset {}, no packet boundary", n, e.size,
                           plural(e.size), e.offset);
            break;
        case EventKind::framing_error: {
            const auto& info = mqtt::code_info(e.diagnostic->code);
            fmt::format_to(o, "framing error in connection {} at offset {}: {} [", n, e.offset, info.message);
            output::append_rule(out, e.diagnostic->rule(e.context.version));
            fmt::format_to(o, " {}]; resynchronising", info.name);
            break;
        }
        case EventKind::tls:
            fmt::format_to(o, "connection {}: TLS on port {}: {}", n, e.port, e.message);
            break;
        case EventKind::transport:
            fmt::format_to(o, "connection {}: {}", n, e.message);
            if (!e.rule.empty()) {
                fmt::format_to(o, " [{} ", transport::severity_name(e.severity));
                output::append_rule(out, transport_rule(e));
                out.push_back(']');
            } else if (e.severity != transport::Severity::note) {
                fmt::format_to(o, " [{}]", transport::severity_name(e.severity));
            }
            break;
        case EventKind::connection_end:
            fmt::format_to(o, "connection {} ended: {}, {} MQTT packet{}", n, e.reason, e.packets,
                           plural(e.packets));
            break;
        case EventKind::finding: {
            const auto& d = *e.diagnostic;
            fmt::format_to(o, "connection {}, frame {}", n, e.request_frame);
            if (e.packet_id) fmt::format_to(o, " packet_id={}", *e.packet_id);
            fmt::format_to(o, ": {} [{} ", d.message(), mqtt::severity_name(d.severity));
            output::append_rule(out, d.rule(e.context.version));
            fmt::format_to(o, " {}]", mqtt::code_info(d.code).name);
            break;
        }
    }
}

void print_text(Buffer& out, const Event& e, const output::PrintOptions& options) {
    const auto& c = e.context;
    if (c.frame) fmt::format_to(fmt::appender(out), "{:>5} ", *c.frame);
    else append(out, "      ");  // noticed at the end of the capture: no record
    if (c.rel_time) {
        append_time(out, *c.rel_time);
        out.push_back(' ');
    }
    if (!c.src.empty() || !c.dst.empty()) fmt::format_to(fmt::appender(out), "{} \u2192 {} ", c.src, c.dst);
    if (options.color) append(out, colour_of(e));
    text_body(out, e);
    if (options.color) append(out, reset);
    out.push_back('\n');
    if (options.format == output::Format::tree) out.push_back('\n');
}

void json_code(Buffer& out, const mqtt::Diagnostic& d, mqtt::Version version) {
    const auto& info = mqtt::code_info(d.code);
    fmt::format_to(fmt::appender(out), ",\"code\":\"{}\",", info.name);
    output::append_json_rule(out, d.rule(version));
    fmt::format_to(fmt::appender(out), ",\"severity\":\"{}\",\"message\":", mqtt::severity_name(d.severity));
    output::append_json_string(out, info.message);
}

void print_json(Buffer& out, const Event& e) {
    auto o = fmt::appender(out);
    const auto& c = e.context;
    out.push_back('{');
    if (c.frame) fmt::format_to(o, "\"frame\":{},", *c.frame);
    if (c.ts) {
        append(out, "\"ts\":");
        append_time(out, *c.ts);
        out.push_back(',');
    }
    if (c.stream) fmt::format_to(o, "\"stream\":{},", *c.stream);
    if (!c.src.empty()) {
        append(out, "\"src\":");
        output::append_json_string(out, c.src);
        out.push_back(',');
    }
    if (!c.dst.empty()) {
        append(out, "\"dst\":");
        output::append_json_string(out, c.dst);
        out.push_back(',');
    }
    if (c.direction) fmt::format_to(o, "\"direction\":\"{}\",", output::direction_name(*c.direction));
    fmt::format_to(o, "\"event\":\"{}\"", event_name(e.kind));
    switch (e.kind) {
        case EventKind::gap:
        case EventKind::midstream_sync:
        case EventKind::resync:
        case EventKind::unsynchronised:
            fmt::format_to(o, ",\"offset\":{},\"size\":{}", e.offset, e.size);
            if (e.diagnostic) json_code(out, *e.diagnostic, c.version);
            break;
        case EventKind::framing_error:
            fmt::format_to(o, ",\"offset\":{}", e.offset);
            json_code(out, *e.diagnostic, c.version);
            break;
        case EventKind::tls:
            fmt::format_to(o, ",\"port\":{},\"message\":", e.port);
            output::append_json_string(out, e.message);
            break;
        case EventKind::transport:
            fmt::format_to(o, ",\"offset\":{}", e.offset);
            if (!e.rule.empty()) {
                out.push_back(',');
                output::append_json_rule(out, transport_rule(e));
            }
            fmt::format_to(o, ",\"severity\":\"{}\",\"message\":", transport::severity_name(e.severity));
            output::append_json_string(out, e.message);
            break;
        case EventKind::connection_end:
            append(out, ",\"reason\":");
            output::append_json_string(out, e.reason);
            fmt::format_to(o, ",\"packets\":{}", e.packets);
            break;
        case EventKind::finding:
            fmt::format_to(o, ",\"request_frame\":{}", e.request_frame);
            if (e.packet_id) fmt::format_to(o, ",\"packet_id\":{}", *e.packet_id);
            else append(out, ",\"packet_id\":null");
            json_code(out, *e.diagnostic, c.version);
            fmt::format_to(o, ",\"offset\":{},\"field\":\"{}\"", e.diagnostic->offset,
                           mqtt::field_name(e.diagnostic->field));
            break;
    }
    append(out, "}\n");
}

}  // namespace

std::string_view event_name(EventKind kind) noexcept {
    if (kind < EventKind::connection_end) return engine::stream_event_name(static_cast<engine::StreamEventKind>(kind));
    return kind == EventKind::connection_end ? "connection_end" : "finding";
}

bool is_error(const Event& event) noexcept {
    if (event.kind == EventKind::framing_error) return true;
    if (event.kind == EventKind::transport) return event.severity == transport::Severity::error;
    return event.kind == EventKind::finding && event.diagnostic &&
           event.diagnostic->severity == mqtt::Severity::error;
}

void print_event(Buffer& out, const Event& event, const output::PrintOptions& options) {
    if (options.format == output::Format::json) print_json(out, event);
    else print_text(out, event, options);
}

}  // namespace mqttlens::dissect
