// The one-line summary, tshark-like: [frame time src → dst] TYPE key=value ... [rule code].
#include "output/detail.hpp"
#include "output/prefix_memo.hpp"
#include "output/publish_memo.hpp"
#include "output/v5.hpp"
#include "output/printer.hpp"
#include "output/style.hpp"

#include <fmt/compile.h>

#include <variant>

namespace mqttlens::output {

using detail::it;

namespace {

struct Fields {
    Buffer& out;
    const mqtt::Packet& packet;
    const PrintOptions& options;
    mqtt::Version version;  ///< the packet's: 5.0 names reason codes

    void operator()(const mqtt::Opaque&) const {
        fmt::format_to(it(out), FMT_COMPILE(" flags=0x{:x} remaining_length={}"), packet.header.flags(),
                       packet.header.remaining_length);
    }

    void operator()(const mqtt::Connect& c) const {
        const bool known = c.protocol_level >= 3 && c.protocol_level <= 5;  // the decoder stops after any other level
        if (known) {
            append(out, " client_id=");
            append_display(out, c.client_id);
        }
        append(out, " protocol=");
        append_display(out, c.protocol_name);
        fmt::format_to(it(out), FMT_COMPILE(" level={}"), c.protocol_level);
        if (!known) return;
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
        detail::append_properties_summary(out, c.properties);
        if (c.will && c.will->properties && !c.will->properties->empty()) {
            append(out, " will:");
            detail::append_properties_summary(out, c.will->properties);
        }
    }

    void operator()(const mqtt::Connack& c) const {
        if (c.properties) {  // 5.0: a Connect Reason Code (as mqtt::reason_code_of; `20 02 00 01` is a 3.1.1 refusal)
            detail::append_reason_summary(out, c.return_code, mqtt::PacketType::connack);
            if (c.ack_flags) fmt::format_to(it(out), FMT_COMPILE(" session_present={}"), c.session_present() ? 1 : 0);
            return detail::append_properties_summary(out, c.properties);
        }
        if (c.return_code)
            fmt::format_to(it(out), FMT_COMPILE(" return_code={} ({})"), *c.return_code,
                           connack_return_code_name(*c.return_code));
        if (c.ack_flags) fmt::format_to(it(out), FMT_COMPILE(" session_present={}"), c.session_present() ? 1 : 0);
    }

    void operator()(const mqtt::Publish& p) const {
        // One reserved run for the fixed text (89 bytes at most, 96 reserved) and the topic; a
        // topic that needs escaping is written the long way where it stands. The payload is
        // written after (append_publish_payload), so that the PublishMemo keeps what comes before.
        char* w = detail::put(detail::room(out, 96 + p.topic.size()), " topic=");
        if (char* t = detail::put_quoted_if_plain(w, p.topic, false)) {
            w = t;
        } else {
            detail::finish(out, w);
            append_display(out, p.topic);
            w = detail::room(out, 96);
        }
        w = detail::put(w, " qos=");
        *w++ = static_cast<char>('0' + packet.header.qos());
        if (p.packet_id) w = detail::put_uint(detail::put(w, " packet_id="), *p.packet_id);
        if (packet.header.retain()) w = detail::put(w, " retain");
        if (packet.header.dup()) w = detail::put(w, " dup");
        w = detail::put_uint(detail::put(w, " payload_len="), p.payload.size());
        detail::finish(out, w);
        if (p.properties && !p.properties->empty()) detail::append_properties_summary(out, p.properties);  // 5.0
    }

    void operator()(const mqtt::Ack& a) const {
        packet_id(a.packet_id);
        detail::append_reason_summary(out, a.reason_code, packet.type());
        detail::append_properties_summary(out, a.properties);
    }

    void operator()(const mqtt::Subscribe& s) const {
        packet_id(s.packet_id);
        detail::append_properties_summary(out, s.properties);
        for (const auto& sub : s.subscriptions) {
            out.push_back(' ');
            append_display(out, sub.filter);
            fmt::format_to(it(out), FMT_COMPILE(":{}"), sub.qos());
            if (sub.options & 0xFC) fmt::format_to(it(out), FMT_COMPILE("(0x{:02x})"), sub.options);
        }
    }

    void operator()(const mqtt::Suback& s) const {
        packet_id(s.packet_id);
        detail::append_properties_summary(out, s.properties);
        append(out, version == mqtt::Version::v5_0 ? " reasons=" : " return_codes=");
        for (std::size_t i = 0; i < s.return_codes.size(); ++i) {
            if (i > 0) out.push_back(',');
            const auto rc = s.return_codes[i];
            if (rc <= 2) fmt::format_to(it(out), FMT_COMPILE("{}"), rc);
            else fmt::format_to(it(out), FMT_COMPILE("0x{:02x}"), rc);
        }
    }

    void operator()(const mqtt::Unsubscribe& u) const {
        packet_id(u.packet_id);
        detail::append_properties_summary(out, u.properties);
        for (const auto filter : u.filters) {
            out.push_back(' ');
            append_display(out, filter);
        }
    }

    void operator()(const mqtt::Empty&) const {}

    void operator()(const mqtt::Reason& r) const {
        detail::append_reason_summary(out, r.reason_code.value_or(0), packet.type());
        detail::append_properties_summary(out, r.properties);
    }

    void packet_id(const std::optional<std::uint16_t>& id) const {
        if (!id) return;
        append(out, " packet_id=");
        detail::append_uint(out, *id);
    }
};

/// " payload=..." of a PUBLISH: quoted text, cut at `payload_max` with "...", or hex.
void append_publish_payload(Buffer& out, mqtt::Bytes payload, const PrintOptions& options) {
    if (payload.empty()) return;
    const bool cut = options.payload_max != 0 && payload.size() > options.payload_max;
    const std::string_view shown = mqtt::as_string(cut ? payload.first(options.payload_max) : payload);
    char* w = detail::put(detail::room(out, 16 + shown.size()), " payload=");
    if (char* q = detail::put_quoted_if_plain(w, shown, false)) return detail::finish(out, cut ? detail::put(q, "...") : q);
    detail::finish(out, w);
    detail::append_payload(out, payload, options.payload_max, false);
}

constinit thread_local detail::PublishMemo publish_memo;  // from the type name to the payload

void append_diagnostic(Buffer& out, const mqtt::Diagnostic& d, mqtt::Version version, bool color) {
    out.push_back(' ');
    style::set(out, color, style::of(d.severity));
    fmt::format_to(it(out), FMT_COMPILE("[{} "), mqtt::severity_name(d.severity));
    append_rule(out, d.rule(version));
    fmt::format_to(it(out), FMT_COMPILE(" {}]"), mqtt::code_info(d.code).name);
    style::set(out, color, style::reset);
}

constinit thread_local detail::PrefixMemo prefix_memo;

/// "[frame ][time ][src → dst ]", from the memo when the context is the last one's.
void write_prefix(Buffer& out, const Context& context) {
    if (prefix_memo.append_to(out, context)) return;
    constexpr std::string_view arrow = " \u2192 ";
    const std::size_t start = out.size();
    char* w = detail::room(out, detail::max_uint_chars + 1 + detail::max_time_chars + 1 + context.src.size() +
                                    arrow.size() + context.dst.size() + 1 + context.transport.size() + 3);
    if (context.frame) { w = detail::put_uint_right(w, *context.frame, 5); *w++ = ' '; }
    if (context.rel_time) { w = detail::put_time(w, *context.rel_time); *w++ = ' '; }
    else if (context.ts) { w = detail::put_time(w, *context.ts); *w++ = ' '; }
    if (!context.src.empty() || !context.dst.empty()) {
        w = detail::put(w, context.src);
        w = detail::put(w, arrow);
        w = detail::put(w, context.dst);
        *w++ = ' ';
    }
    if (!context.transport.empty()) {  // "[TLS] ": MQTT carried in TLS or WebSocket
        *w++ = '[';
        w = detail::put(w, context.transport);
        w = detail::put(w, "] ");
    }
    detail::finish(out, w);
    prefix_memo.store(context, out, start);
}

/// The start of a line: the prefix, or the packet's offset when there is nothing to say where it was.
void write_start(Buffer& out, const Context& context) {
    write_prefix(out, context);
    if (context.src.empty() && context.dst.empty() && !context.frame && context.offset)
        fmt::format_to(it(out), FMT_COMPILE("@{:<5} "), *context.offset);
}

/// The end of a line: a PUBLISH's payload (when `payload` is not null), the resolved topic, the
/// findings of the decoder (`diagnostics`, when not null) and of the stream, the newline.
void write_end(Buffer& out, const mqtt::Bytes* payload, const mqtt::Diagnostics* diagnostics,
               const Context& context, const PrintOptions& options) {
    if (payload != nullptr) append_publish_payload(out, *payload, options);
    if (!context.alias_topic.empty()) {
        append(out, " resolved_topic=");
        append_display(out, context.alias_topic);
    }
    if (diagnostics != nullptr) {
        for (const auto& d : *diagnostics) append_diagnostic(out, d, context.version, options.color);
        if (diagnostics->dropped() > 0) fmt::format_to(it(out), FMT_COMPILE(" [+{} more]"), diagnostics->dropped());
    }
    for (const auto& d : context.extra) append_diagnostic(out, d, context.version, options.color);
    out.push_back('\n');
}

}  // namespace

void print_summary(Buffer& out, const mqtt::Packet& packet, const Context& context,
                   const PrintOptions& options) {
    write_start(out, context);
    const auto* publish = std::get_if<mqtt::Publish>(&packet.body);
    if (publish != nullptr && publish_memo.find(packet.raw, context.version, options.color)) {
        publish_memo.append_to(out);
    } else {
        const std::size_t head = out.size();
        const std::string_view type = mqtt::type_name(packet.type(), context.version);
        char* w = detail::room(out, style::type.size() + type.size() + style::reset.size());
        if (options.color) w = detail::put(w, style::type);
        w = detail::put(w, type);
        if (options.color) w = detail::put(w, style::reset);
        detail::finish(out, w);
        std::visit(Fields{out, packet, options, context.version}, packet.body);
        if (publish != nullptr) publish_memo.store(packet, *publish, context.version, options.color, out, head);
    }
    write_end(out, publish != nullptr ? &publish->payload : nullptr, &packet.diagnostics, context, options);
}

bool detail::print_known_summary(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options) {
    const std::optional<mqtt::Bytes> payload = publish_memo.find(bytes, context.version, options.color);
    if (!payload) return false;
    write_start(out, context);
    publish_memo.append_to(out);
    write_end(out, &*payload, nullptr, context, options);
    return true;
}

}  // namespace mqttlens::output
