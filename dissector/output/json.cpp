// JSON lines: issue 2 §5's contract, issue 3's capture keys, and a few more (documented in
// dissector/output/README.md).
#include "output/detail.hpp"
#include "output/prefix_memo.hpp"
#include "output/publish_memo.hpp"
#include "output/v5.hpp"
#include "output/printer.hpp"

#include <fmt/compile.h>

#include <variant>

namespace mqttlens::output {

using detail::it;

namespace {

/// Appends `value` as a JSON string, then `,"key_hex":"..."` when it is not valid UTF-8.
void string_value(Buffer& out, std::string_view key, std::string_view value) {
    if (append_json_string(out, value)) return;
    fmt::format_to(it(out), FMT_COMPILE(",\"{}_hex\":\""), key);
    append_hex(out, mqtt::as_bytes(value));
    out.push_back('"');
}

/// Appends `,"key":` and string_value(), or null without a value.
void string_member(Buffer& out, std::string_view key, std::optional<std::string_view> value) {
    char* w = detail::room(out, key.size() + 4);
    w = detail::put(w, ",\"");
    w = detail::put(w, key);
    w = detail::put(w, "\":");
    detail::finish(out, w);
    if (value) string_value(out, key, *value);
    else append(out, "null");
}

/// `member` is `,"key":`; appends it and the value or null.
void optional_int(Buffer& out, std::string_view member, const auto& value) {
    char* w = detail::put(detail::room(out, member.size() + detail::max_uint_chars), member);
    if (value) w = detail::put_uint(w, *value);
    else w = detail::put(w, "null");
    detail::finish(out, w);
}

std::string_view boolean(bool b) noexcept { return b ? "true" : "false"; }
char* put_boolean(char* w, bool b) noexcept { return b ? detail::put(w, "true") : detail::put(w, "false"); }

struct Members {
    Buffer& out;
    const mqtt::Packet& packet;
    const PrintOptions& options;
    mqtt::Version version;  ///< the packet's: 5.0 names reason codes

    void operator()(const mqtt::Opaque& body) const {
        fmt::format_to(it(out), FMT_COMPILE(",\"body_len\":{}"), body.bytes.size());
    }

    void operator()(const mqtt::Connect& c) const {
        const auto found = [&](mqtt::Field f, auto v) { return packet.fields.has(f) ? std::optional(v) : std::nullopt; };
        string_member(out, "protocol_name", found(mqtt::Field::protocol_name, c.protocol_name));
        fmt::format_to(it(out), FMT_COMPILE(",\"protocol_level\":{}"), c.protocol_level);
        if (c.protocol_level < 3 || c.protocol_level > 5) {
            // The decoder stops after the level of any other version: nothing else is known.
            append(out, ",\"clean_session\":null,\"keep_alive\":null,\"client_id\":null,\"will\":null"
                        ",\"username\":null,\"password_len\":null");
            return;
        }
        fmt::format_to(it(out), FMT_COMPILE(",\"connect_flags\":{},\"clean_session\":{},\"keep_alive\":{}"),
                       c.flags, boolean(c.clean_session()), c.keep_alive);
        string_member(out, "client_id", found(mqtt::Field::client_id, c.client_id));
        if (c.will) {
            append(out, ",\"will\":{\"topic\":");
            string_value(out, "topic", c.will->topic);
            fmt::format_to(it(out), FMT_COMPILE(",\"message_len\":{},\"qos\":{},\"retain\":{}"),
                           c.will->message.size(), c.will_qos(), boolean(c.will_retain()));
            detail::append_properties_json(out, c.will->properties, "properties");
            out.push_back('}');
        } else {
            append(out, ",\"will\":null");
        }
        string_member(out, "username", c.username);
        if (c.password) fmt::format_to(it(out), FMT_COMPILE(",\"password_len\":{}"), c.password->size());
        else append(out, ",\"password_len\":null");
        detail::append_properties_json(out, c.properties, "properties");
    }

    void operator()(const mqtt::Connack& c) const {
        if (c.ack_flags) fmt::format_to(it(out), FMT_COMPILE(",\"session_present\":{}"), boolean(c.session_present()));
        else append(out, ",\"session_present\":null");
        optional_int(out, ",\"return_code\":", c.return_code);
        if (c.properties)  // 5.0: a Connect Reason Code (as mqtt::reason_code_of)
            detail::append_reason_json(out, c.return_code, mqtt::PacketType::connack);
        detail::append_properties_json(out, c.properties, "properties");
    }

    void operator()(const mqtt::Publish& p) const {
        // One reserved run for the fixed text (about 100 bytes, 160 reserved) and the topic; a
        // topic that needs escaping is written the long way where it stands. The payload is
        // written after (append_publish_payload), so that the PublishMemo keeps what comes before.
        constexpr std::string_view topic_key = ",\"topic\":";
        char* w = detail::room(out, 160 + p.topic.size());
        w = detail::put(w, ",\"dup\":");
        w = put_boolean(w, packet.header.dup());
        w = detail::put(w, ",\"qos\":");
        *w++ = static_cast<char>('0' + packet.header.qos());
        w = detail::put(w, ",\"retain\":");
        w = put_boolean(w, packet.header.retain());
        if (char* t = detail::put_quoted_if_plain(detail::put(w, topic_key), p.topic, true)) {
            w = t;
        } else {
            detail::finish(out, w);
            string_member(out, "topic", p.topic);
            w = detail::room(out, 160);
        }
        w = detail::put(w, ",\"packet_id\":");
        w = p.packet_id ? detail::put_uint(w, *p.packet_id) : detail::put(w, "null");
        w = detail::put_uint(detail::put(w, ",\"payload_len\":"), p.payload.size());
        detail::finish(out, w);
        if (p.properties) detail::append_properties_json(out, p.properties, "properties");  // 5.0: before the payload
    }

    void operator()(const mqtt::Ack& a) const {
        optional_int(out, ",\"packet_id\":", a.packet_id);
        detail::append_reason_json(out, a.reason_code, packet.type());
        detail::append_properties_json(out, a.properties, "properties");
    }

    void operator()(const mqtt::Subscribe& s) const {
        optional_int(out, ",\"packet_id\":", s.packet_id);
        detail::append_properties_json(out, s.properties, "properties");
        append(out, ",\"subscriptions\":[");
        bool first = true;
        for (const auto& sub : s.subscriptions) {
            if (!first) out.push_back(',');
            first = false;
            append(out, "{\"filter\":");
            string_value(out, "filter", sub.filter);
            fmt::format_to(it(out), FMT_COMPILE(",\"qos\":{}"), sub.qos());
            if (version == mqtt::Version::v5_0)
                fmt::format_to(it(out), FMT_COMPILE(",\"no_local\":{},\"retain_as_published\":{},\"retain_handling\":{}"),
                               boolean(sub.options & 0x04), boolean(sub.options & 0x08), (sub.options >> 4) & 3);
            if (sub.options & (version == mqtt::Version::v5_0 ? 0xC0 : 0xFC))
                fmt::format_to(it(out), FMT_COMPILE(",\"options\":{}"), sub.options);
            out.push_back('}');
        }
        out.push_back(']');
    }

    void operator()(const mqtt::Suback& s) const {
        optional_int(out, ",\"packet_id\":", s.packet_id);
        detail::append_properties_json(out, s.properties, "properties");
        append(out, ",\"return_codes\":[");
        for (std::size_t i = 0; i < s.return_codes.size(); ++i) {
            if (i > 0) out.push_back(',');
            fmt::format_to(it(out), FMT_COMPILE("{}"), s.return_codes[i]);
        }
        if (version == mqtt::Version::v5_0) {  // each code's name too
            append(out, "],\"reasons\":[");
            for (std::size_t i = 0; i < s.return_codes.size(); ++i) {
                if (i > 0) out.push_back(',');
                const std::string_view name = detail::reason_name(s.return_codes[i], packet.type());
                if (name.empty()) append(out, "null");
                else append_json_string(out, name);
            }
        }
        out.push_back(']');
    }

    void operator()(const mqtt::Unsubscribe& u) const {
        optional_int(out, ",\"packet_id\":", u.packet_id);
        detail::append_properties_json(out, u.properties, "properties");
        append(out, ",\"filters\":[");
        bool first = true;
        for (const auto filter : u.filters) {
            if (!first) out.push_back(',');
            first = false;
            append_json_string(out, filter);
        }
        out.push_back(']');
    }

    void operator()(const mqtt::Empty&) const {}

    void operator()(const mqtt::Reason& r) const {
        // 5.0 DISCONNECT and AUTH: Remaining Length 0 means code 0x00.
        detail::append_reason_json(out, r.reason_code.value_or(0), packet.type());
        detail::append_properties_json(out, r.properties, "properties");
    }
};

void append_diagnostic(Buffer& out, const mqtt::Diagnostic& d, mqtt::Version version, bool& first) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('{');
    append_json_rule(out, d.rule(version));
    fmt::format_to(it(out), FMT_COMPILE(",\"code\":\"{}\",\"offset\":{},\"field\":\"{}\",\"message\":"),
                   mqtt::code_info(d.code).name, d.offset, mqtt::field_name(d.field));
    append_json_string(out, d.message());
    out.push_back('}');
}

/// `opening`: `,"key":[`. `diagnostics`: the decoder's findings, or null.
void diagnostic_list(Buffer& out, std::string_view opening, mqtt::Severity severity,
                     const mqtt::Diagnostics* diagnostics, const Context& context) {
    append(out, opening);
    bool first = true;
    if (diagnostics != nullptr)
        for (const auto& d : *diagnostics)
            if (d.severity == severity) append_diagnostic(out, d, context.version, first);
    for (const auto& d : context.extra)
        if (d.severity == severity) append_diagnostic(out, d, context.version, first);
    out.push_back(']');
}

constinit thread_local detail::PrefixMemo prefix_memo;

/// The payload members of a PUBLISH, which end its object before the diagnostics: "payload" as
/// text, or "payload_hex"; "payload_truncated" when cut at `payload_max`.
void append_publish_payload(Buffer& out, mqtt::Bytes payload, const PrintOptions& options) {
    const bool cut = options.payload_max != 0 && payload.size() > options.payload_max;
    const std::string_view shown = mqtt::as_string(cut ? payload.first(options.payload_max) : payload);
    char* w = detail::room(out, 64 + shown.size());
    // The display test (no DEL): a payload with DEL is not printable text, see append_payload.
    if (char* q = detail::put_quoted_if_plain(detail::put(w, ",\"payload\":"), shown, false)) {
        detail::finish(out, cut ? detail::put(q, ",\"payload_truncated\":true") : q);
        return;
    }
    *w++ = ',';
    detail::finish(out, w);
    detail::append_payload(out, payload, options.payload_max, true);
    if (cut) append(out, ",\"payload_truncated\":true");
}

constinit thread_local detail::PublishMemo publish_memo;  // from "type" to the payload

}  // namespace

void detail::append_json_prefix(Buffer& out, const Context& context) {
    if (prefix_memo.append_to(out, context)) return;
    const std::size_t start = out.size();
    char* w = detail::room(out, 64 + 2 * detail::max_uint_chars + detail::max_time_chars);
    *w++ = '{';
    if (context.frame) { w = detail::put_uint(detail::put(w, "\"frame\":"), *context.frame); *w++ = ','; }
    if (context.ts) { w = detail::put_time(detail::put(w, "\"ts\":"), *context.ts); *w++ = ','; }
    if (context.stream) { w = detail::put_uint(detail::put(w, "\"stream\":"), *context.stream); *w++ = ','; }
    detail::finish(out, w);
    if (!context.src.empty()) { append(out, "\"src\":"); append_json_string(out, context.src); out.push_back(','); }
    if (!context.dst.empty()) { append(out, "\"dst\":"); append_json_string(out, context.dst); out.push_back(','); }
    if (context.direction) {
        append(out, "\"direction\":\"");
        append(out, direction_name(*context.direction));
        append(out, "\",");
    }
    if (!context.transport.empty()) {
        append(out, "\"transport\":\"");
        append(out, context.transport);
        append(out, "\",");
    }
    prefix_memo.store(context, out, start);
}

namespace {

/// Whether the stream found an error in the packet (`"valid"` is false then).
bool stream_error(const Context& context) noexcept {
    for (const auto& d : context.extra)
        if (d.severity == mqtt::Severity::error) return true;
    return false;
}

/// The start of an object: the capture keys and the packet's offset.
void write_start(Buffer& out, const Context& context) {
    detail::append_json_prefix(out, context);
    if (context.offset) {
        char* w = detail::put(detail::room(out, 16 + detail::max_uint_chars), "\"offset\":");
        w = detail::put_uint(w, *context.offset);
        *w++ = ',';
        detail::finish(out, w);
    }
}

/// The end of an object: a PUBLISH's payload (when `payload` is not null), the findings of the
/// decoder (`packet`'s, when not null) and of the stream, "raw_hex" (`packet`'s).
void write_end(Buffer& out, const mqtt::Bytes* payload, const mqtt::Packet* packet, const Context& context,
               const PrintOptions& options) {
    if (payload != nullptr) append_publish_payload(out, *payload, options);
    const mqtt::Diagnostics* diagnostics = packet != nullptr ? &packet->diagnostics : nullptr;
    if ((diagnostics == nullptr || diagnostics->empty()) && context.extra.empty()) {
        append(out, ",\"errors\":[],\"warnings\":[]");
    } else {
        diagnostic_list(out, ",\"errors\":[", mqtt::Severity::error, diagnostics, context);
        diagnostic_list(out, ",\"warnings\":[", mqtt::Severity::warning, diagnostics, context);
    }
    if (diagnostics != nullptr && diagnostics->dropped() > 0)
        fmt::format_to(it(out), FMT_COMPILE(",\"diagnostics_dropped\":{}"), diagnostics->dropped());
    if (options.hex_dump && packet != nullptr) {
        append(out, ",\"raw_hex\":\"");
        append_hex(out, packet->raw);
        out.push_back('"');
    }
    append(out, "}\n");
}

}  // namespace

void print_json(Buffer& out, const mqtt::Packet& packet, const Context& context,
                const PrintOptions& options) {
    write_start(out, context);
    const bool valid = packet.valid() && !stream_error(context);
    const auto* publish = std::get_if<mqtt::Publish>(&packet.body);
    const bool memo = publish != nullptr && context.alias_topic.empty();  // resolved_topic sits inside
    if (memo && publish_memo.find(packet.raw, context.version, valid)) {
        publish_memo.append_to(out);
    } else {
        const std::size_t head = out.size();
        const std::string_view type = mqtt::type_name(packet.type(), context.version);
        char* w = detail::room(out, 128 + type.size() + 3 * detail::max_uint_chars);
        w = detail::put(w, "\"type\":\"");
        w = detail::put(w, type);
        w = detail::put_uint(detail::put(w, "\",\"flags\":"), packet.header.flags());
        w = detail::put_uint(detail::put(w, ",\"remaining_length\":"), packet.header.remaining_length);
        w = detail::put_uint(detail::put(w, ",\"length\":"), packet.raw.size());
        w = detail::put(w, ",\"valid\":");
        w = put_boolean(w, valid);
        detail::finish(out, w);
        if (!context.alias_topic.empty()) {
            append(out, ",\"resolved_topic\":");
            append_json_string(out, context.alias_topic);
        }
        std::visit(Members{out, packet, options, context.version}, packet.body);
        if (memo) publish_memo.store(packet, *publish, context.version, valid, out, head);
    }
    write_end(out, publish != nullptr ? &publish->payload : nullptr, &packet, context, options);
}

bool detail::print_known_json(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options) {
    if (!context.alias_topic.empty()) return false;
    const std::optional<mqtt::Bytes> payload = publish_memo.find(bytes, context.version, !stream_error(context));
    if (!payload) return false;
    write_start(out, context);
    publish_memo.append_to(out);
    write_end(out, &*payload, nullptr, context, options);
    return true;
}

}  // namespace mqttlens::output
