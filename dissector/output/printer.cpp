#include "output/printer.hpp"

#include <fmt/compile.h>

#include "mqtt/decoder.hpp"
#include "output/detail.hpp"
#include "output/style.hpp"

namespace mqttlens::output {

using detail::it;

std::string_view connack_return_code_name(std::uint8_t code) noexcept {
    switch (code) {
        case 0: return "Connection Accepted";
        case 1: return "Unacceptable Protocol Version";
        case 2: return "Identifier Rejected";
        case 3: return "Server Unavailable";
        case 4: return "Bad User Name or Password";
        case 5: return "Not Authorized";
        default: return "Reserved";
    }
}

std::string_view suback_return_code_name(std::uint8_t code) noexcept {
    switch (code) {
        case 0x00: return "Success - Maximum QoS 0";
        case 0x01: return "Success - Maximum QoS 1";
        case 0x02: return "Success - Maximum QoS 2";
        case 0x80: return "Failure";
        default: return "Invalid";
    }
}

void detail::append_payload(Buffer& out, mqtt::Bytes payload, std::size_t max, bool json) {
    if (const auto text = printable_prefix(payload, max)) {
        const auto s = mqtt::as_string(payload.first(*text));
        if (json) {
            append(out, "\"payload\":");
            append_json_string(out, s);
        } else {
            append_display(out, s);
            if (*text < payload.size()) append(out, "...");
        }
        return;
    }
    const std::size_t shown = (max == 0 || max > payload.size()) ? payload.size() : max;
    append(out, json ? "\"payload_hex\":\"" : "0x");
    append_hex(out, payload.first(shown));
    if (json) out.push_back('"');
    else if (shown < payload.size()) append(out, "...");
}

void print_packet(Buffer& out, const mqtt::Packet& packet, const Context& context,
                  const PrintOptions& options) {
    switch (options.format) {
        case Format::summary:
            print_summary(out, packet, context, options);
            if (options.hex_dump) { print_hex_dump(out, packet.raw); out.push_back('\n'); }
            break;
        case Format::tree:
            print_tree(out, packet, context, options);
            if (options.hex_dump) print_hex_dump(out, packet.raw);
            out.push_back('\n');
            break;
        case Format::json:
            print_json(out, packet, context, options);
            break;
    }
}

void print_clean(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options) {
    if (!options.hex_dump) {
        if (options.format == Format::summary && detail::print_known_summary(out, bytes, context, options)) return;
        if (options.format == Format::json && detail::print_known_json(out, bytes, context, options)) return;
    }
    print_packet(out, mqtt::decode_clean(bytes, context.version), context, options);
}

void print_hex_dump(Buffer& out, mqtt::Bytes bytes) {
    for (std::size_t line = 0; line < bytes.size(); line += 16) {
        const auto row = bytes.subspan(line, std::min<std::size_t>(16, bytes.size() - line));
        fmt::format_to(it(out), FMT_COMPILE("{:04x}  "), line);
        for (std::size_t i = 0; i < 16; ++i) {
            if (i == 8) out.push_back(' ');
            if (i < row.size()) append_hex(out, row.subspan(i, 1));
            else append(out, "  ");
            out.push_back(' ');
        }
        out.push_back(' ');
        for (const auto b : row) out.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '.');
        out.push_back('\n');
    }
}

void print_framing_error(Buffer& out, const FramingError& error, const Context& context,
                         const PrintOptions& options) {
    const auto& info = mqtt::code_info(error.code);
    std::optional<std::uint32_t> claimed;  // the Remaining Length after the broken packet's first byte
    if (const auto length = mqtt::read_remaining_length(error.rest.size() >= 2 ? error.rest.subspan(1) : mqtt::Bytes{});
        length.status == mqtt::LengthResult::Status::ok)
        claimed = length.value;
    if (options.format == Format::json) {
        detail::append_json_prefix(out, context);
        fmt::format_to(it(out), FMT_COMPILE("\"error\":{{\"code\":\"{}\","), info.name);
        append_json_rule(out, mqtt::rule_id(error.code, context.version));
        fmt::format_to(it(out), FMT_COMPILE(",\"offset\":{},\"message\":"), error.offset);
        append_json_string(out, info.message);
        fmt::format_to(it(out), FMT_COMPILE(",\"bytes_left\":{}"), error.rest.size());
        if (claimed) fmt::format_to(it(out), FMT_COMPILE(",\"remaining_length\":{}"), *claimed);
        append(out, "}}\n");
        return;
    }
    if (context.frame) fmt::format_to(it(out), FMT_COMPILE("{:>5} "), *context.frame);
    if (context.rel_time) { detail::append_time(out, *context.rel_time); out.push_back(' '); }
    if (!context.src.empty() || !context.dst.empty())
        fmt::format_to(it(out), FMT_COMPILE("{} \u2192 {} "), context.src, context.dst);
    style::set(out, options.color, style::error);
    fmt::format_to(it(out), FMT_COMPILE("framing error at offset {}: {} ["), error.offset, info.message);
    append_rule(out, mqtt::rule_id(error.code, context.version));
    fmt::format_to(it(out), FMT_COMPILE(" {}]"), info.name);
    style::set(out, options.color, style::reset);
    if (!error.rest.empty())
        fmt::format_to(it(out), FMT_COMPILE("; {} byte{} left"), error.rest.size(), error.rest.size() == 1 ? "" : "s");
    if (claimed)
        fmt::format_to(it(out), FMT_COMPILE(", first byte 0x{:02x} claims Remaining Length {}"), error.rest[0], *claimed);
    out.push_back('\n');
    if (options.format == Format::tree) {
        if (options.hex_dump) print_hex_dump(out, error.rest);
        out.push_back('\n');
    }
}

}  // namespace mqttlens::output
