// Strict MQTT 5.0 decoder: the bodies of every packet type but CONNECT (decoder.cpp reads CONNECT
// for every version, calling read_property_list() for its two lists), their properties, reason
// codes and short forms. Rule IDs: shared/mqtt-5.0-rules.md.
#include "mqtt/decode_context.hpp"
#include "mqtt/reason_codes.hpp"

#include <cstring>

namespace mqttlens::mqtt::detail {
namespace {

using S = PropertyScope;

// Where a list's findings go: `at` is the offset of its Property Length in the packet.
struct PropertyReport {
    Ctx* c;
    std::size_t at;
    PropertyScope scope;
    Field field;
};

// The code of a second property where only one may be, by the list it is in (each packet's
// property section; SUBSCRIBE's only repeatable-by-mistake property is its Subscription Identifier).
Code repeated_code(PropertyScope scope) noexcept {
    switch (scope) {
        case S::connect: return Code::connect_property_repeated;
        case S::will: return Code::will_property_repeated;
        case S::connack: return Code::connack_property_repeated;
        case S::publish: return Code::publish_property_repeated;
        case S::puback: return Code::puback_property_repeated;
        case S::pubrec: return Code::pubrec_property_repeated;
        case S::pubrel: return Code::pubrel_property_repeated;
        case S::pubcomp: return Code::pubcomp_property_repeated;
        case S::subscribe: return Code::subscribe_subscription_identifier_invalid;
        case S::suback: return Code::suback_property_repeated;
        case S::unsuback: return Code::unsuback_property_repeated;
        case S::disconnect: return Code::disconnect_property_repeated;
        case S::auth: return Code::auth_property_repeated;
        case S::unsubscribe: break;  // User Property only: nothing can repeat wrongly
    }
    return Code::property_not_allowed;
}

// The code of a value out of its range: a flag not 0 or 1, or a 0 where 0 is forbidden.
Code value_code(PropertyId id, PropertyScope scope) noexcept {
    const bool in_connect = scope == S::connect;
    switch (id) {
        case PropertyId::payload_format_indicator:
            return scope == S::will ? Code::will_payload_format_invalid : Code::publish_payload_format_invalid;
        case PropertyId::request_response_information: return Code::request_response_information_invalid;
        case PropertyId::request_problem_information: return Code::request_problem_information_invalid;
        case PropertyId::maximum_qos: return Code::maximum_qos_invalid;
        case PropertyId::retain_available: return Code::retain_available_invalid;
        case PropertyId::wildcard_subscription_available: return Code::wildcard_subscription_available_invalid;
        case PropertyId::subscription_identifier_available: return Code::subscription_identifier_available_invalid;
        case PropertyId::shared_subscription_available: return Code::shared_subscription_available_invalid;
        case PropertyId::receive_maximum:
            return in_connect ? Code::connect_receive_maximum_zero : Code::connack_receive_maximum_zero;
        case PropertyId::maximum_packet_size:
            return in_connect ? Code::connect_maximum_packet_size_zero : Code::connack_maximum_packet_size_zero;
        case PropertyId::topic_alias: return Code::topic_alias_zero;
        case PropertyId::subscription_identifier:
            return scope == S::subscribe ? Code::subscribe_subscription_identifier_invalid
                                         : Code::publish_subscription_identifier_zero;
        default: return Code::property_not_allowed;
    }
}

// A property cut short breaks MQTT5-§2.2.2.1, and its value's own rule when it has one: a string
// (a pair's strings too, MQTT-1.5.7-1) or Binary Data whose length runs past its field.
void report_truncated(Ctx& c, std::uint8_t id, Field field, std::size_t at) noexcept {
    c.add(Code::property_truncated, field, at);
    const PropertyInfo* info = property_info(id);
    const PropertyType type = info ? info->type : PropertyType::byte;
    if (type == PropertyType::utf8_string || type == PropertyType::utf8_string_pair)
        c.add(Code::string_truncated, field, at);
    if (type == PropertyType::utf8_string_pair) c.add(Code::string_pair_not_utf8, field, at);
    if (type == PropertyType::binary_data) c.add(Code::binary_truncated, field, at);
}

void report_property(void* context, const PropertyFinding& f) {
    const auto& r = *static_cast<PropertyReport*>(context);
    Code code = Code::property_unknown;
    switch (f.issue) {
        case PropertyIssue::varint_malformed: code = Code::property_varint_malformed; break;
        case PropertyIssue::varint_non_minimal: code = Code::property_varint_non_minimal; break;
        case PropertyIssue::length_past_end: code = Code::property_length_past_end; break;
        case PropertyIssue::truncated: return report_truncated(*r.c, f.id, r.field, r.at + f.offset);
        case PropertyIssue::unknown: code = Code::property_unknown; break;
        case PropertyIssue::not_allowed: code = Code::property_not_allowed; break;
        case PropertyIssue::repeated: code = repeated_code(r.scope); break;
        case PropertyIssue::not_boolean:
        case PropertyIssue::zero: code = value_code(static_cast<PropertyId>(f.id), r.scope); break;
    }
    r.c->add(code, r.field, r.at + f.offset);
}

// The string checks of the string properties in `list` (MQTT-1.5.4-1, -2; a pair: MQTT-1.5.7-1;
// Response Topic and Content Type: their own rules too).
void check_property_strings(Ctx& c, const PropertyList& list, Field field) noexcept {
    constexpr auto bit = [](PropertyId id) { return std::uint64_t{1} << static_cast<unsigned>(id); };
    constexpr std::uint64_t strings =
        bit(PropertyId::content_type) | bit(PropertyId::response_topic) | bit(PropertyId::assigned_client_identifier) |
        bit(PropertyId::authentication_method) | bit(PropertyId::response_information) |
        bit(PropertyId::server_reference) | bit(PropertyId::reason_string) | bit(PropertyId::user_property);
    if ((list.ids() & strings) == 0) return;
    for (const Property& p : list) {
        const std::size_t at = static_cast<std::size_t>(p.raw.data() - c.base);  // the identifier
        const PropertyInfo* info = property_info(static_cast<std::uint8_t>(p.id));
        if (info->type == PropertyType::utf8_string_pair) {
            const bool name_bad = check_string(c, p.text, at + 3, field);
            if (check_string(c, p.value, at + 5 + p.text.size(), field) || name_bad)
                c.add(Code::string_pair_not_utf8, field, at);
        } else if (info->type == PropertyType::utf8_string) {
            const bool bad = check_string(c, p.text, at + 3, field);
            if (p.id == PropertyId::response_topic) {
                if (bad) c.add(Code::response_topic_not_utf8, field, at);
                if (p.text.find_first_of("+#") != std::string_view::npos)
                    c.add(Code::response_topic_wildcard, field, at);
            } else if (p.id == PropertyId::content_type && bad) {
                c.add(Code::content_type_not_utf8, field, at);
            }
        }
    }
}

// A Payload Format Indicator of 1 announces UTF-8: reports `code` when `payload` is not.
void check_payload_format(Ctx& c, const std::optional<PropertyList>& list, Bytes payload, Code code,
                          Field field, std::size_t at) noexcept {
    if (!list) return;
    const auto indicator = list->find(PropertyId::payload_format_indicator);
    if (indicator && indicator->number == 1 &&
        detail::scan_utf8(as_string(payload), false, [](Utf8Issue, std::size_t) {}).invalid())
        c.add(code, field, at);
}

// Reports bytes left between `pos` and the end of the packet.
void check_end(Ctx& c, std::size_t pos) noexcept {
    if (pos < c.end) c.add(Code::fields_end_early, Field::trailing, pos);
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4-§3.7): Packet Identifier, then (Remaining Length 3 and up)
// a Reason Code of the packet's table, then (4 and up) properties.
void decode_ack(Ctx& c, Packet& p, Code length_code, ReasonScope reasons, PropertyScope scope,
                Code reason_invalid) noexcept {
    auto& ack = p.body.emplace<Ack>();
    if (p.header.remaining_length < 2) c.add(length_code, Field::remaining_length, 1);
    std::size_t pos = c.start;
    if (c.left(pos) < 2) return;
    ack.packet_id = c.u16(pos);
    c.at(Field::packet_id, pos, 2);
    if (*ack.packet_id == 0) c.add(Code::ack_packet_id_zero, Field::packet_id, pos);
    pos += 2;
    if (c.left(pos) == 0) return;
    ack.reason_code = c.base[pos];
    c.at(Field::reason_code, pos, 1);
    if (!reason_code_allowed(*ack.reason_code, reasons)) c.add(reason_invalid, Field::reason_code, pos);
    ++pos;
    if (c.left(pos) == 0) return;
    ack.properties = read_property_list(c, pos, scope, Field::properties);
    check_end(c, pos);
}

void decode_connack(Ctx& c, Packet& p) noexcept {
    // CONNACK (§3.2): Acknowledge Flags (bit 0 Session Present, bits 7..1 zero), Connect Reason
    // Code (Table 3-1), properties.
    auto& ack = p.body.emplace<Connack>(Connack{std::nullopt, std::nullopt, std::nullopt});
    std::size_t pos = c.start;
    if (c.left(pos) < 2) {
        c.add(Code::connack_length, Field::remaining_length, 1);
        if (c.left(pos) == 0) return;
    }
    ack.ack_flags = c.base[pos];
    c.at(Field::ack_flags, pos, 1);
    if (*ack.ack_flags & 0xFE) c.add(Code::connack_reserved_flags, Field::ack_flags, pos);
    if (c.left(++pos) == 0) return;
    ack.return_code = c.base[pos];
    c.at(Field::reason_code, pos, 1);
    if (!reason_code_allowed(*ack.return_code, ReasonScope::connack))
        c.add(Code::connack_reason_code_invalid, Field::reason_code, pos);
    if (ack.session_present() && *ack.return_code != 0)
        c.add(Code::connack_session_present_error, Field::ack_flags, pos - 1);
    ++pos;
    ack.properties = read_property_list(c, pos, S::connack, Field::properties);
    check_end(c, pos);
}

void decode_publish(Ctx& c, Packet& p) noexcept {
    // PUBLISH (§3.3): Topic Name (string; empty only with a Topic Alias), Packet Identifier when
    // QoS > 0, properties, then the payload: every byte left.
    auto& pub = p.body.emplace<Publish>();
    std::size_t pos = c.start;
    const Field16 topic = read_field16(c, pos);
    if (topic.status != Field16::Status::ok) {
        if (topic.status == Field16::Status::truncated) c.add(Code::string_truncated, Field::topic, pos);
        return c.add(Code::publish_topic_invalid, Field::topic, pos);
    }
    pub.topic = topic.value;
    c.at(Field::topic, pos, 2 + topic.value.size());
    if (!topic.value.empty()) {
        const TopicCheck check = check_topic(c, pub.topic, pos, Field::topic, false);
        if (check.not_utf8 || check.topic.null) c.add(Code::publish_topic_invalid, Field::topic, pos);
        if (check.topic.wildcard) c.add(Code::publish_topic_wildcard, Field::topic, pos);
    }
    pos += 2 + topic.value.size();
    if (p.header.qos() != 0) {
        if (c.left(pos) < 2) return c.add(Code::publish_packet_id_missing, Field::packet_id, pos);
        pub.packet_id = c.u16(pos);
        c.at(Field::packet_id, pos, 2);
        if (*pub.packet_id == 0 && !c.options.allow_packet_id_zero) c.add(Code::packet_id_zero, Field::packet_id, pos);
        pos += 2;
    }
    pub.properties = read_property_list(c, pos, S::publish, Field::properties);
    if (topic.value.empty() && !(pub.properties && pub.properties->find(PropertyId::topic_alias)))
        c.add(Code::publish_topic_empty_without_alias, Field::topic, c.start);
    pub.payload = Bytes(c.base + pos, c.left(pos));
    c.at(Field::payload, pos, pub.payload.size());
    check_payload_format(c, pub.properties, pub.payload, Code::publish_payload_format_invalid, Field::payload, pos);
}

// The Packet Identifier and properties that open SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK;
// returns the offset after them, or 0 when the packet ends before them.
std::size_t read_request_head(Ctx& c, std::optional<std::uint16_t>& id, std::optional<PropertyList>& properties,
                              Code zero_code, PropertyScope scope) noexcept {
    if (!read_request_id(c, id, zero_code)) return 0;
    std::size_t pos = c.start + 2;
    properties = read_property_list(c, pos, scope, Field::properties);
    return properties ? pos : 0;
}

// SUBSCRIBE's Subscription Options (§3.8.3.1) and the shared subscription syntax (§4.8.2), per entry.
void check_entry(Ctx& c, std::string_view filter, std::size_t filter_at, int options, std::size_t options_at) noexcept {
    constexpr std::string_view share = "$share/";
    const bool shared = filter.substr(0, share.size()) == share;
    if (shared) {
        const std::string_view rest = filter.substr(share.size());
        const std::size_t slash = rest.find('/');
        const std::string_view name = rest.substr(0, slash);
        if (name.empty()) c.add(Code::share_name_empty, Field::topic_filter, filter_at);
        else if (name.find_first_of("+#") != std::string_view::npos || slash == std::string_view::npos ||
                 slash + 1 == rest.size())
            c.add(Code::share_name_invalid, Field::topic_filter, filter_at);
    }
    if (options < 0) return;
    if (options & 0xC0) c.add(Code::subscribe_options_reserved, Field::requested_qos, options_at);
    if ((options & 0x03) == 3 || (options & 0x30) == 0x30)
        c.add(Code::subscribe_options_invalid, Field::requested_qos, options_at);
    if (shared && (options & 0x04)) c.add(Code::subscribe_no_local_shared, Field::requested_qos, options_at);
}

void decode_subscribe(Ctx& c, Packet& p) noexcept {
    // SUBSCRIBE (§3.8): Packet Identifier, properties, one or more Topic Filters each followed by
    // its Subscription Options byte.
    auto& sub = p.body.emplace<Subscribe>();
    if (const std::size_t pos = read_request_head(c, sub.packet_id, sub.properties, Code::packet_id_zero, S::subscribe))
        sub.subscriptions = SubscriptionList(
            read_filters(c, pos, true, Code::subscribe_no_filters, Code::subscribe_filter_not_utf8, &check_entry));
}

void decode_unsubscribe(Ctx& c, Packet& p) noexcept {
    // UNSUBSCRIBE (§3.10): Packet Identifier, properties, one or more Topic Filters.
    auto& unsub = p.body.emplace<Unsubscribe>();
    if (const std::size_t pos = read_request_head(c, unsub.packet_id, unsub.properties, Code::packet_id_zero,
                                                  S::unsubscribe))
        unsub.filters = FilterList(
            read_filters(c, pos, false, Code::unsubscribe_no_filters, Code::unsubscribe_filter_not_utf8, &check_entry));
}

void decode_suback(Ctx& c, Packet& p, bool unsuback) noexcept {
    // SUBACK (§3.9) and UNSUBACK (§3.11): Packet Identifier, properties, one Reason Code per Topic
    // Filter of the request (Table 3-8, Table 3-9).
    auto& ack = p.body.emplace<Suback>();
    const std::size_t pos = read_request_head(c, ack.packet_id, ack.properties, Code::ack_packet_id_zero,
                                              unsuback ? S::unsuback : S::suback);
    if (pos == 0) return;
    ack.return_codes = Bytes(c.base + pos, c.left(pos));
    c.at(Field::reason_codes, pos, ack.return_codes.size());
    if (ack.return_codes.empty())
        return c.add(unsuback ? Code::unsuback_no_reason_codes : Code::suback_no_return_codes, Field::reason_codes, pos);
    const ReasonScope scope = unsuback ? ReasonScope::unsuback : ReasonScope::suback;
    for (std::size_t i = 0; i < ack.return_codes.size(); ++i)
        if (!reason_code_allowed(ack.return_codes[i], scope))
            c.add(unsuback ? Code::unsuback_reason_code_invalid : Code::suback_reason_code_invalid, Field::reason_codes,
                  pos + i);
}

void decode_reason(Ctx& c, Packet& p, bool auth) noexcept {
    // DISCONNECT (§3.14) and AUTH (§3.15): a Reason Code, then properties; Remaining Length 0 means
    // code 0x00 and no properties. Every AUTH carries an Authentication Method (§3.15.2.2.2).
    auto& r = p.body.emplace<Reason>();
    std::size_t pos = c.start;
    if (c.left(pos) != 0) {
        r.reason_code = c.base[pos];
        c.at(Field::reason_code, pos, 1);
        const bool lenient = !auth && *r.reason_code == 0x8C && c.options.allow_disconnect_bad_authentication_method;
        if (!lenient && !reason_code_allowed(*r.reason_code, auth ? ReasonScope::auth : ReasonScope::disconnect))
            c.add(auth ? Code::auth_reason_code_invalid : Code::disconnect_reason_code_invalid, Field::reason_code, pos);
        ++pos;
        if (c.left(pos) != 0) {
            r.properties = read_property_list(c, pos, auth ? S::auth : S::disconnect, Field::properties);
            check_end(c, pos);
        }
    }
    const bool short_form_allowed = c.start == c.end && c.options.allow_auth_short_form;
    if (auth && !short_form_allowed && !(r.properties && r.properties->find(PropertyId::authentication_method)))
        c.add(Code::auth_method_missing, r.properties ? Field::properties : Field::remaining_length,
              r.properties ? c.start + 1 : 1);
}

void decode_empty(Ctx& c, Packet& p, Code length_code) noexcept {
    // PINGREQ, PINGRESP (§3.12, §3.13): no variable header, no payload.
    p.body.emplace<Empty>();
    if (p.header.remaining_length != 0) c.add(length_code, Field::remaining_length, 1);
}

}  // namespace

std::optional<PropertyList> read_property_list(Ctx& c, std::size_t& pos, PropertyScope scope, Field field) noexcept {
    if (c.left(pos) == 0) {
        c.add(Code::property_length_missing, field, pos);
        return std::nullopt;
    }
    PropertyReport report{&c, pos, scope, field};
    const PropertyRead read = read_properties(Bytes(c.base + pos, c.left(pos)), scope, {&report, &report_property});
    c.at(field, pos, read.end);
    if (!read.length_read) {  // nothing after it can be located
        pos += read.end;
        return std::nullopt;
    }
    check_property_strings(c, read.list, field);
    if (scope == S::connect && read.list.find(PropertyId::authentication_data) &&
        !read.list.find(PropertyId::authentication_method))
        c.add(Code::authentication_data_without_method, field, pos);
    pos += read.end;
    return read.list;
}

void check_will_payload(Ctx& c, const Will& will, std::size_t at) noexcept {
    check_payload_format(c, will.properties, will.message, Code::will_payload_format_invalid, Field::will_message, at);
}

namespace {

std::size_t be16(const std::uint8_t* p) noexcept { return std::size_t(p[0]) << 8 | p[1]; }

// True when the n bytes at `p` are printable ASCII (nothing any string rule reports on), and with
// `topic` hold no wildcard (a Response Topic). Property strings are short: whole words of 8, the
// rest as the word that ends at p + n, its bytes before `p` masked. Needs the 8 bytes before p + n
// readable: a PUBLISH property string starts at least 8 bytes into its packet (fixed header 2,
// Topic Name length 2, Property Length 1, identifier 1, string length 2).
[[gnu::always_inline]] inline bool plain_text(const std::uint8_t* p, std::size_t n, bool topic) noexcept {
    constexpr std::uint64_t pad = 0x6161616161616161ull;  // 'a': printable, no wildcard
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (!printable_ascii8(w)) return false;
    }
    if (i < n) {
        std::uint64_t w;
        std::memcpy(&w, p + n - 8, 8);
        const unsigned before = static_cast<unsigned>(8 - (n - i)) * 8;  // bits of bytes already checked or before p
        const std::uint64_t keep = ~std::uint64_t{0} << before;
        if (!printable_ascii8((w & keep) | (pad & ~keep))) return false;
    }
    if (!topic) return true;
    unsigned bad = 0;
    for (i = 0; i < n; ++i) bad |= p[i] == '+' || p[i] == '#';
    return !bad;
}

// The plain value of PUBLISH property `id` at `v` (`rest` bytes left in the list): its size, or
// 0 when it is not plain (or not a PUBLISH property, or cut short).
std::size_t plain_value(std::uint8_t id, const std::uint8_t* v, std::size_t rest) noexcept {
    switch (static_cast<PropertyId>(id)) {
        case PropertyId::payload_format_indicator: return rest >= 1 && v[0] <= 1 ? 1 : 0;
        case PropertyId::message_expiry_interval: return rest >= 4 ? 4 : 0;
        case PropertyId::subscription_identifier: return rest >= 1 && v[0] != 0 && v[0] < 0x80 ? 1 : 0;
        case PropertyId::topic_alias: return rest >= 2 && be16(v) != 0 ? 2 : 0;
        case PropertyId::content_type:
        case PropertyId::response_topic:
        case PropertyId::correlation_data: {
            if (rest < 2 || be16(v) > rest - 2) return 0;
            const std::size_t n = be16(v);
            if (id != static_cast<std::uint8_t>(PropertyId::correlation_data) &&
                !plain_text(v + 2, n, id == static_cast<std::uint8_t>(PropertyId::response_topic)))
                return 0;
            return 2 + n;
        }
        case PropertyId::user_property: {
            if (rest < 2 || be16(v) > rest - 2) return 0;
            const std::size_t name = be16(v);
            if (rest - 2 - name < 2 || be16(v + 2 + name) > rest - 4 - name) return 0;
            const std::size_t value = be16(v + 2 + name);
            return plain_text(v + 2, name, false) && plain_text(v + 4 + name, value, false) ? 4 + name + value : 0;
        }
        default: return 0;
    }
}

/// The last PUBLISH property list found plain, with what was read of it: a publisher's messages
/// usually carry the same properties, so the next list of the same bytes is not walked and
/// checked again (on the 200,000-message 5.0 capture, most of this function's work). A pure
/// cache: whether a list is plain, its identifiers and its Payload Format Indicator depend on
/// its bytes alone (at most 127: a one-byte Property Length).
class PlainListMemo {
public:
    [[gnu::always_inline]] bool find(const std::uint8_t* list, std::size_t length, std::uint64_t& ids,
                                     bool& utf8_payload) const noexcept {
        if (length != length_ || std::memcmp(list, bytes_, length) != 0) return false;
        ids = ids_;
        utf8_payload = utf8_payload_;
        return true;
    }
    void store(const std::uint8_t* list, std::size_t length, std::uint64_t ids, bool utf8_payload) noexcept {
        std::memcpy(bytes_, list, length);
        length_ = length;
        ids_ = ids;
        utf8_payload_ = utf8_payload;
    }

private:
    std::size_t length_ = ~std::size_t{0};  // none kept
    std::uint64_t ids_ = 0;
    bool utf8_payload_ = false;
    std::uint8_t bytes_[128] = {};
};

constinit thread_local PlainListMemo plain_list_memo;

/// Whether the `length` bytes of the PUBLISH property list at `list` are plain (each property a
/// PUBLISH one, in its plain form, none repeated but User Property and Subscription Identifier);
/// if so, sets `ids` to the identifiers held and `utf8_payload` to a Payload Format Indicator of 1.
[[gnu::always_inline]] inline bool plain_publish_list(const std::uint8_t* list, std::size_t length, std::uint64_t& ids,
                                                     bool& utf8_payload) noexcept {
    if (plain_list_memo.find(list, length, ids, utf8_payload)) return true;
    constexpr std::uint64_t repeatable = std::uint64_t{1} << static_cast<unsigned>(PropertyId::user_property) |
                                         std::uint64_t{1} << static_cast<unsigned>(PropertyId::subscription_identifier);
    ids = 0;
    utf8_payload = false;
    for (std::size_t i = 0; i < length;) {
        const std::uint8_t id = list[i];
        const std::size_t n = plain_value(id, list + i + 1, length - i - 1);
        if (n == 0) return false;
        const std::uint64_t bit = std::uint64_t{1} << id;  // a PUBLISH property: id below 64
        if (ids & bit & ~repeatable) return false;
        ids |= bit;
        if (id == static_cast<std::uint8_t>(PropertyId::payload_format_indicator)) utf8_payload = list[i + 1] == 1;
        i += 1 + n;
    }
    plain_list_memo.store(list, length, ids, utf8_payload);
    return true;
}

/// The parts of a 5.0 PUBLISH body [start, end) found by one of the two readings below: a Topic
/// Name of `topic` bytes at start, then (QoS > 0) the Packet Identifier, then the Property
/// Length at `length_at` in `length_size` bytes, the list of `list_length` bytes (identifiers
/// `ids`, all bits set when unknown), and the payload: every byte left.
struct PublishLayout {
    std::size_t topic = 0;
    std::size_t length_at = 0;
    std::size_t length_size = 0;
    std::size_t list_length = 0;
    std::uint64_t ids = ~std::uint64_t{0};
    bool utf8_payload = false;  ///< plain_layout: a Payload Format Indicator of 1
};

/// The checked reading: true when the body is plain (see read_plain_publish_v5), with its layout.
[[gnu::always_inline]] inline bool plain_layout(const std::uint8_t* base, std::size_t start, std::size_t end,
                                                unsigned qos, PublishLayout& out) noexcept {
    if (end - start < 2 || be16(base + start) > end - start - 2) return false;
    const std::size_t topic = be16(base + start);
    if (topic != 0 && !plain_topic(std::string_view(reinterpret_cast<const char*>(base) + start + 2, topic)))
        return false;
    std::size_t pos = start + 2 + topic;
    if (qos != 0) {
        if (end - pos < 2 || be16(base + pos) == 0) return false;
        pos += 2;
    }
    if (pos == end || base[pos] >= 0x80 || base[pos] > end - pos - 1) return false;
    const std::size_t length = base[pos];
    if (!plain_publish_list(base + pos + 1, length, out.ids, out.utf8_payload)) return false;
    if (topic == 0 && !(out.ids & std::uint64_t{1} << static_cast<unsigned>(PropertyId::topic_alias))) return false;
    out.topic = topic;
    out.length_at = pos;
    out.length_size = 1;
    out.list_length = length;
    const std::size_t payload = pos + 1 + length;
    return !out.utf8_payload || utf8_payload(Bytes(base + payload, end - payload));
}

/// The unchecked reading (decode_clean): the layout of a body decode() found nothing wrong with;
/// false only where the lengths do not fit.
[[gnu::always_inline]] inline bool clean_layout(const std::uint8_t* base, std::size_t start, std::size_t end,
                                                unsigned qos, PublishLayout& out) noexcept {
    if (end - start < 2 || be16(base + start) > end - start - 2) return false;
    out.topic = be16(base + start);
    std::size_t pos = start + 2 + out.topic;
    if (qos != 0) {
        if (end - pos < 2) return false;
        pos += 2;
    }
    const LengthResult length = read_remaining_length(Bytes(base + pos, end - pos));
    if (length.status != LengthResult::Status::ok || length.value > end - pos - length.size) return false;
    out.length_at = pos;
    out.length_size = length.size;
    out.list_length = length.value;
    return true;
}

}  // namespace

bool plain_qos0_publish_v5(const std::uint8_t* base, std::size_t start, std::size_t end, PlainHead& head) noexcept {
    PublishLayout layout;
    if (!plain_layout(base, start, end, 0, layout)) return false;
    head.property_ids = layout.ids;
    head.payload = layout.length_at + layout.length_size + layout.list_length;
    head.utf8_payload = layout.utf8_payload;
    return true;
}

bool utf8_payload(Bytes payload) noexcept {
    return !scan_utf8(as_string(payload), false, [](Utf8Issue, std::size_t) {}).invalid();
}

bool read_plain_publish_v5(const std::uint8_t* base, std::size_t start, std::size_t end, unsigned qos,
                           Publish& pub, FieldTable& fields, bool checks) noexcept {
    PublishLayout layout;
    if (!(checks ? plain_layout(base, start, end, qos, layout) : clean_layout(base, start, end, qos, layout)))
        return false;
    pub.topic = std::string_view(reinterpret_cast<const char*>(base) + start + 2, layout.topic);
    fields.set(Field::topic, start, 2 + layout.topic);
    if (qos != 0) {
        const std::size_t id = start + 2 + layout.topic;
        pub.packet_id = static_cast<std::uint16_t>(be16(base + id));
        fields.set(Field::packet_id, id, 2);
    }
    const std::size_t list = layout.length_at + layout.length_size;
    pub.properties = PropertyList(Bytes(base + list, layout.list_length), layout.ids);
    fields.set(Field::properties, layout.length_at, layout.length_size + layout.list_length);
    const std::size_t payload = list + layout.list_length;
    pub.payload = Bytes(base + payload, end - payload);
    fields.set(Field::payload, payload, end - payload);
    return true;
}

void decode_body_v5(Ctx& c, Packet& p) noexcept {
    switch (p.header.type()) {
        case PacketType::connack: return decode_connack(c, p);
        case PacketType::publish: return decode_publish(c, p);
        case PacketType::puback:
            return decode_ack(c, p, Code::puback_length, ReasonScope::puback, S::puback, Code::puback_reason_code_invalid);
        case PacketType::pubrec:
            return decode_ack(c, p, Code::pubrec_length, ReasonScope::pubrec, S::pubrec, Code::pubrec_reason_code_invalid);
        case PacketType::pubrel:
            return decode_ack(c, p, Code::pubrel_length, ReasonScope::pubrel, S::pubrel, Code::pubrel_reason_code_invalid);
        case PacketType::pubcomp:
            return decode_ack(c, p, Code::pubcomp_length, ReasonScope::pubcomp, S::pubcomp,
                              Code::pubcomp_reason_code_invalid);
        case PacketType::subscribe: return decode_subscribe(c, p);
        case PacketType::suback: return decode_suback(c, p, false);
        case PacketType::unsubscribe: return decode_unsubscribe(c, p);
        case PacketType::unsuback: return decode_suback(c, p, true);
        case PacketType::pingreq: return decode_empty(c, p, Code::pingreq_length);
        case PacketType::pingresp: return decode_empty(c, p, Code::pingresp_length);
        case PacketType::disconnect: return decode_reason(c, p, false);
        case PacketType::auth: return decode_reason(c, p, true);
        case PacketType::connect:  // decoder.cpp's, for every version
        case PacketType::reserved0: break;
    }
    p.body = Opaque{Bytes(c.base + c.start, c.end - c.start)};
}

}  // namespace mqttlens::mqtt::detail
