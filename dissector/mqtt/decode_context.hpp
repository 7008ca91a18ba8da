// What the decoders of both versions share (decoder.cpp for 3.1 and 3.1.1, decoder_v5.cpp for
// 5.0): the packet being decoded, and the readers and checks of fields laid out alike in both.
// Internal to the codec.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/topic.hpp"
#include "mqtt/utf8.hpp"

namespace mqttlens::mqtt::detail {

// The packet being decoded: `base` is its first byte, the body runs from `start` to `end`
// (offsets from `base`; `end` stops at the input's end when the packet is truncated).
struct Ctx {
    const std::uint8_t* base;
    std::size_t start;
    std::size_t end;
    Diagnostics& diags;
    FieldTable& fields;
    const DecodeOptions& options;
    Version version;

    void add(Code code, Field field, std::size_t offset) noexcept {
        diags.add(code, field, static_cast<std::uint32_t>(offset));
    }
    /// add() on 3.1.1; on 3.1, which does not state this rule, as a warning.
    void add_unless_v3_1(Code code, Field field, std::size_t offset) noexcept {
        const Severity severity = version == Version::v3_1 ? Severity::warning : code_info(code).severity;
        diags.add(Diagnostic{code, severity, field, static_cast<std::uint32_t>(offset)});
    }
    /// Records where `field` was: [pos, pos + n).
    void at(Field field, std::size_t pos, std::size_t n) noexcept { fields.set(field, pos, n); }
    std::size_t left(std::size_t pos) const noexcept { return pos < end ? end - pos : 0; }
    std::uint16_t u16(std::size_t pos) const noexcept {
        return static_cast<std::uint16_t>((base[pos] << 8) | base[pos + 1]);
    }
};

// A length-prefixed field (§1.5.3 string or binary data) at `pos`.
struct Field16 {
    enum class Status : std::uint8_t { ok, missing, truncated } status;
    std::string_view value;  // ok only
};

// Always inlined: returned through memory, the struct costs a store-forwarding stall per field.
[[gnu::always_inline]] inline Field16 read_field16(const Ctx& c, std::size_t pos) noexcept {
    std::size_t left = c.left(pos);
    if (left == 0) return {Field16::Status::missing, {}};
    if (left < 2) return {Field16::Status::truncated, {}};
    std::size_t n = c.u16(pos);
    if (n > left - 2) return {Field16::Status::truncated, {}};
    return {Field16::Status::ok, {reinterpret_cast<const char*>(c.base) + pos + 2, n}};
}

// Reports the UTF-8 problems of string `s` whose first content byte is at `at`; returns true when
// the string is not a valid MQTT UTF-8 string (ill-formed or U+0000).
inline bool check_string(Ctx& c, std::string_view s, std::size_t at, Field field) noexcept {
    return detail::scan_utf8(s, c.options.warn_control_characters,
                             [&](Utf8Issue issue, std::size_t i) {
                                 Code code = issue == Utf8Issue::malformed ? Code::utf8_malformed
                                             : issue == Utf8Issue::null    ? Code::utf8_null
                                             : issue == Utf8Issue::control ? Code::utf8_control
                                                                           : Code::utf8_noncharacter;
                                 c.add(code, field, at + i);
                             })
        .invalid();
}

struct TopicReport {
    Ctx* c;
    std::size_t prefix;  // offset of the length prefix
    Field field;
};

inline void report_topic_issue(void* context, TopicIssue issue, std::size_t i) {
    static constexpr Code codes[] = {Code::topic_empty, Code::topic_null, Code::topic_name_wildcard,
                                     Code::filter_hash_misplaced, Code::filter_plus_misplaced};
    const auto& r = *static_cast<TopicReport*>(context);
    r.c->add(codes[static_cast<std::size_t>(issue)], r.field, issue == TopicIssue::empty ? r.prefix : r.prefix + 2 + i);
}

// A Topic Name or Filter at `prefix`: the string checks, then the topic checks.
struct TopicCheck {
    bool not_utf8;
    TopicResult topic;
};

inline TopicCheck check_topic(Ctx& c, std::string_view s, std::size_t prefix, Field field,
                       bool filter) noexcept {
    TopicCheck r{};
    if (detail::plain_topic(s)) return r;
    r.not_utf8 = check_string(c, s, prefix + 2, field);
    TopicReport report{&c, prefix, field};
    TopicSink sink{&report, &report_topic_issue};
    r.topic = detail::check_topic(s, filter, sink);
    return r;
}

// True when `f`, a CONNECT field read at `pos`, is whole. Else reports it: `if_missing` when it
// is absent, connect_malformed (a string also string_truncated) when it runs past the packet.
inline bool whole(Ctx& c, const Field16& f, Code if_missing, Field field, bool is_string, std::size_t pos) noexcept {
    if (f.status == Field16::Status::ok) return true;
    if (f.status == Field16::Status::missing) {
        c.add(if_missing, field, pos);
        return false;
    }
    if (is_string) c.add(Code::string_truncated, field, pos);
    c.add(Code::connect_malformed, field, pos);
    return false;
}

// Reads the Packet Identifier that opens SUBSCRIBE, SUBACK and UNSUBSCRIBE; false when absent.
inline bool read_request_id(Ctx& c, std::optional<std::uint16_t>& id, Code zero_code) noexcept {
    if (c.left(c.start) < 2) {
        c.add(Code::packet_id_missing, Field::packet_id, c.start);
        return false;
    }
    id = c.u16(c.start);
    c.at(Field::packet_id, c.start, 2);
    if (*id == 0 && (zero_code == Code::ack_packet_id_zero || !c.options.allow_packet_id_zero))
        c.add(zero_code, Field::packet_id, c.start);
    return true;
}

// Judges one SUBSCRIBE or UNSUBSCRIBE entry beyond the topic rules: the filter at `filter_at`
// (its length prefix) and, in SUBSCRIBE, its options byte (`options`, else -1) at `options_at`.
using EntryCheck = void (*)(Ctx& c, std::string_view filter, std::size_t filter_at, int options,
                            std::size_t options_at) noexcept;

// The entries of SUBSCRIBE or UNSUBSCRIBE from `first`: one or more Topic Filters (strings), each
// followed by its options byte when `with_qos`, every entry judged by `judge` too. Returns the
// view over the whole entries (empty when there are none).
inline Bytes read_filters(Ctx& c, std::size_t first, bool with_qos, Code no_filters, Code not_utf8,
                          EntryCheck judge) noexcept {
    std::size_t pos = first;
    if (pos >= c.end) {
        c.add(no_filters, Field::topic_filter, pos);
        return {};
    }
    std::size_t whole = first;  // end of the last complete entry
    while (pos < c.end) {
        auto filter = read_field16(c, pos);
        if (filter.status != Field16::Status::ok) {
            c.add(Code::string_truncated, Field::topic_filter, pos);
            break;
        }
        auto check = check_topic(c, filter.value, pos, Field::topic_filter, true);
        if (check.not_utf8 || check.topic.null) c.add(not_utf8, Field::topic_filter, pos);
        std::size_t next = pos + 2 + filter.value.size();
        if (with_qos) {
            if (next >= c.end) {
                c.add(Code::subscribe_pair_truncated, Field::requested_qos, next);
                break;
            }
            judge(c, filter.value, pos, c.base[next], next);
            ++next;
        } else {
            judge(c, filter.value, pos, -1, 0);
        }
        pos = whole = next;
    }
    c.at(Field::topic_filter, first, whole - first);
    return Bytes(c.base + first, whole - first);
}

// MQTT 5.0 (decoder_v5.cpp). Reads the Property Length and property list of `scope` at `pos`,
// reports every rule they break (a missing Property Length: property_length_missing) and leaves
// `pos` after them; nullopt when no byte was left for the length (`pos` unchanged) or the length
// has no value (5 bytes, or cut by the packet's end: `pos` at the end).
std::optional<PropertyList> read_property_list(Ctx& c, std::size_t& pos, PropertyScope scope, Field field) noexcept;
// A Will whose Payload Format Indicator is 1 carries UTF-8 (its message at `at`).
void check_will_payload(Ctx& c, const Will& will, std::size_t at) noexcept;
// Decodes the body of any packet but CONNECT on a 5.0 connection.
void decode_body_v5(Ctx& c, Packet& p) noexcept;
// decode()'s shortcut for the usual 5.0 PUBLISH (decoder.cpp's decode_plain_publish for 5.0): reads
// the body [start, end) of `base` into `pub` and `fields` exactly as decode_body_v5 would and
// returns true when it finds nothing wrong and everything is in its plain form: a plain topic
// (topic.hpp; empty only with a Topic Alias), a non-zero identifier, a Property Length of one
// byte, only the properties a PUBLISH may carry, each once (User Property and Subscription
// Identifier may repeat), with values in range, one-byte Subscription Identifiers, strings of
// printable ASCII, and a UTF-8 payload when the Payload Format Indicator says 1. False for
// anything else: the general path then reads it (and reports what is wrong). With `checks` false
// (decode_clean: bytes decode() found nothing wrong with) it only reads, any Property Length
// allowed, and the list's identifiers are left unknown (PropertyList's default).
bool read_plain_publish_v5(const std::uint8_t* base, std::size_t start, std::size_t end, unsigned qos,
                           Publish& pub, FieldTable& fields, bool checks = true) noexcept;
// What plain_qos0_publish_v5 read of a plain PUBLISH.
struct PlainHead {
    std::uint64_t property_ids = 0;
    std::size_t payload = 0;     // where the payload starts, from `base`
    bool utf8_payload = false;   // a Payload Format Indicator of 1 (the payload was found UTF-8)
};
// The verdict of read_plain_publish_v5 for a QoS 0 PUBLISH body, with no Publish to fill: true
// exactly where it would return true; then `head` tells what it read.
bool plain_qos0_publish_v5(const std::uint8_t* base, std::size_t start, std::size_t end, PlainHead& head) noexcept;
// Whether a payload is the UTF-8 that a Payload Format Indicator of 1 promises.
bool utf8_payload(Bytes payload) noexcept;

}  // namespace mqttlens::mqtt::detail
