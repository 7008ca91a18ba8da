// The one-line summary, tshark-like: [frame time src → dst] TYPE key=value ... [rule code].
#include "output/detail.hpp"
#include "output/printer.hpp"

#include <fmt/compile.h>
#include "output/style.hpp"

#include <variant>

namespace mqttlens::output {

using detail::it;

namespace {

struct Fields {
    Buffer& out;
    const mqtt::Packet& packet;
    const PrintOptions& options;

    void operator()(const mqtt::Opaque& body) const {
        fmt::format_to(it(out), FMT_COMPILE(" flags=0x{:x} remaining_length={}"), packet.header.flags(),
                       packet.header.remaining_length);
        (void)body;
    }

    void operator()(const mqtt::Connect& c) const {
        if (c.protocol_level != 3 && c.protocol_level != 4) {
            // The decoder stops after the level of any other version.
            append(out, " protocol=");
            append_display(out, c.protocol_name);
            fmt::format_to(it(out), FMT_COMPILE(" level={}"), c.protocol_level);
            return;
        }
        append(out, " client_id=");
        append_display(out, c.client_id);
        append(out, " protocol=");
        append_display(out, c.protocol_name);
        fmt::format_to(it(out), FMT_COMPILE(" level={}"), c.protocol_level);
        if (c.clean_session()) append(out, " clean_session");
        fmt::format_to(it(out), FMT_COMPILE(" keep_alive={}"), c.keep_alive);
        if (c.will) {
            append(out, " will_topic=");
            append_display(out, c.will->topic);
            fmt::format_to(it(out), FMT_COMPILE(" will_qos={}"), c.will_qos());
            if (c.will_retain()) append(out, " will_retain");
            fmt::format_to(it(out), FMT_COMPILE(" will_message_len={}"), c.will->message.size());
        }
        if (c.username) {
            append(out, " username=");
            append_display(out, *c.username);
        }
        if (c.password) fmt::format_to(it(out), FMT_COMPILE(" password_len={}"), c.password->size());
    }

    void operator()(const mqtt::Connack& c) const {
        if (c.return_code)
            fmt::format_to(it(out), FMT_COMPILE(" return_code={} ({})"), *c.return_code,
                           connack_return_code_name(*c.return_code));
        if (c.ack_flags) fmt::format_to(it(out), FMT_COMPILE(" session_present={}"), c.session_present() ? 1 : 0);
    }

    void operator()(const mqtt::Publish& p) const {
        append(out, " topic=");
        append_display(out, p.topic);
        fmt::format_to(it(out), FMT_COMPILE(" qos={}"), packet.header.qos());
        if (p.packet_id) fmt::format_to(it(out), FMT_COMPILE(" packet_id={}"), *p.packet_id);
        if (packet.header.retain()) append(out, " retain");
        if (packet.header.dup()) append(out, " dup");
        fmt::format_to(it(out), FMT_COMPILE(" payload_len={}"), p.payload.size());
        if (!p.payload.empty()) {
            append(out, " payload=");
            detail::append_payload(out, p.payload, options.payload_max, false);
        }
    }

    void operator()(const mqtt::Ack& a) const { packet_id(a.packet_id); }

    void operator()(const mqtt::Subscribe& s) const {
        packet_id(s.packet_id);
        for (const auto& sub : s.subscriptions) {
            out.push_back(' ');
            append_display(out, sub.filter);
            fmt::format_to(it(out), FMT_COMPILE(":{}"), sub.qos());
            if (sub.options & 0xFC) fmt::format_to(it(out), FMT_COMPILE("(0x{:02x})"), sub.options);
        }
    }

    void operator()(const mqtt::Suback& s) const {
        packet_id(s.packet_id);
        append(out, " return_codes=");
        for (std::size_t i = 0; i < s.return_codes.size(); ++i) {
            if (i > 0) out.push_back(',');
            const auto rc = s.return_codes[i];
            if (rc <= 2) fmt::format_to(it(out), FMT_COMPILE("{}"), rc);
            else fmt::format_to(it(out), FMT_COMPILE("0x{:02x}"), rc);
        }
    }

    void operator()(const mqtt::Unsubscribe& u) const {
        packet_id(u.packet_id);
        for (const auto filter : u.filters) {
            out.push_back(' ');
            append_display(out, filter);
        }
    }

    void operator()(const mqtt::Empty&) const {}

    void packet_id(const std::optional<std::uint16_t>& id) const {
        if (id) fmt::format_to(it(out), FMT_COMPILE(" packet_id={}"), *id);
    }
};

void append_diagnostic(Buffer& out, const mqtt::Diagnostic& d, bool color) {
    out.push_back(' ');
    style::set(out, color, style::of(d.severity));
    fmt::format_to(it(out), FMT_COMPILE("[{} {} {}]"), mqtt::severity_name(d.severity), d.rule(),
                   mqtt::code_info(d.code).name);
    style::set(out, color, style::reset);
}

}  // namespace

void print_summary(Buffer& out, const mqtt::Packet& packet, const Context& context,
                   const PrintOptions& options) {
    if (context.frame) fmt::format_to(it(out), FMT_COMPILE("{:>5} "), *context.frame);
    if (context.rel_time) { detail::append_time(out, *context.rel_time); out.push_back(' '); }
    else if (context.ts) { detail::append_time(out, *context.ts); out.push_back(' '); }
    if (!context.src.empty() || !context.dst.empty())
        fmt::format_to(it(out), FMT_COMPILE("{} \u2192 {} "), context.src, context.dst);
    else if (!context.frame && context.offset)
        fmt::format_to(it(out), FMT_COMPILE("@{:<5} "), *context.offset);

    style::set(out, options.color, style::type);
    append(out, mqtt::type_name(packet.type()));
    style::set(out, options.color, style::reset);
    std::visit(Fields{out, packet, options}, packet.body);
    if (!context.note.empty()) fmt::format_to(it(out), FMT_COMPILE(" ({})"), context.note);

    for (const auto& d : packet.diagnostics) append_diagnostic(out, d, options.color);
    if (packet.diagnostics.dropped() > 0)
        fmt::format_to(it(out), FMT_COMPILE(" [+{} more]"), packet.diagnostics.dropped());
    for (const auto& d : context.extra) append_diagnostic(out, d, options.color);
    out.push_back('\n');
}

}  // namespace mqttlens::output
