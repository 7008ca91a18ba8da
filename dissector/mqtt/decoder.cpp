// Strict MQTT decoder: one whole packet in, every field and every finding out. 3.1 and 3.1.1 here,
// and CONNECT for every version (its layout differs in 5.0 by two property lists); the other 5.0
// bodies in decoder_v5.cpp, chosen once in decode().
#include "mqtt/decoder.hpp"

#include "mqtt/decode_context.hpp"

#include <cstring>

namespace mqttlens::mqtt {
namespace {

using detail::Ctx;
using detail::Field16;
using detail::read_field16;
using detail::read_filters;
using detail::read_request_id;

// Byte 0 against Table 2.2 (and the PUBLISH flag rules of §3.3.1). MQTT 3.1 has no Table 2.2:
// its flag findings are warnings, each for the reason quoted (3.1 section numbers).
void check_fixed_header(Ctx& c, std::uint8_t first) noexcept {
    auto type = static_cast<PacketType>(first >> 4);
    std::uint8_t flags = first & 0x0F;
    switch (type) {
        case PacketType::reserved15:  // AUTH in 5.0 (§3.15.1: flags 0000)
            if (c.version != Version::v5_0) return c.add(Code::reserved_packet_type, Field::fixed_header, 0);
            if (flags != 0) c.add(Code::auth_flags, Field::fixed_header, 0);
            return;
        case PacketType::reserved0: c.add(Code::reserved_packet_type, Field::fixed_header, 0); return;
        case PacketType::publish:
            // 3.1 §2.1 QoS table: "3 | 1 | 1 | Reserved": no such level, malformed in 3.1 too.
            if (((flags >> 1) & 3) == 3) c.add(Code::publish_qos_invalid, Field::fixed_header, 0);
            // 3.1 §2.1 DUP "applies to messages where the value of QoS is greater than zero": no MUST.
            if ((flags & 0x08) && ((flags >> 1) & 3) == 0)
                c.add_unless_v3_1(Code::publish_dup_qos0, Field::fixed_header, 0);
            return;
        // 3.1 §3.6, §3.8, §3.10: PUBREL, SUBSCRIBE, UNSUBSCRIBE "use QoS level 1", and §2.1 sets
        // DUP on their retries; 3.1 §3.1 to §3.14: the flags "are not used in the <type> message".
        // No MUST.
        default: {
            if (flags == required_flags(type)) return;
            const Code code = type == PacketType::pubrel        ? Code::pubrel_flags
                              : type == PacketType::subscribe   ? Code::subscribe_flags
                              : type == PacketType::unsubscribe ? Code::unsubscribe_flags
                              : type == PacketType::disconnect  ? Code::disconnect_flags
                                                                : Code::invalid_fixed_header_flags;
            return c.add_unless_v3_1(code, Field::fixed_header, 0);
        }
    }
}

// The version a CONNECT is judged by (§3.1: the one it declares): 3.1 when `body` (the bytes after
// the Remaining Length) opens with Protocol Name "MQIsdp" and Level 3, 3.1.1 with "MQTT" and 4,
// 5.0 with "MQTT" and 5, otherwise `version`, the connection's.
Version declared_version(Bytes body, Version version) noexcept {
    static constexpr std::uint8_t v3_1[] = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3};
    static constexpr std::uint8_t mqtt[] = {0, 4, 'M', 'Q', 'T', 'T'};
    if (body.size() >= sizeof v3_1 && std::memcmp(body.data(), v3_1, sizeof v3_1) == 0) return Version::v3_1;
    if (body.size() <= sizeof mqtt || std::memcmp(body.data(), mqtt, sizeof mqtt) != 0) return version;
    const std::uint8_t level = body[sizeof mqtt];
    return level == 4 ? Version::v3_1_1 : level == 5 ? Version::v5_0 : version;
}

// The characters in `s`, counted up to `limit` (an ill-formed sequence counts as one).
std::size_t characters(std::string_view s, std::size_t limit) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size() && n < limit; ++n) i += detail::utf8_step(p + i, s.size() - i).length;
    return n;
}

// CONNECT's variable header from `pos`: Protocol Name, Protocol Level, Connect Flags, Keep Alive,
// and in 5.0 the properties. Leaves `pos` after it and returns true when the payload follows in the
// layout of the version the CONNECT declares.
bool read_connect_header(Ctx& c, Connect& con, std::size_t& pos) noexcept {
    auto name = read_field16(c, pos);
    if (!whole(c, name, Code::connect_malformed, Field::protocol_name, true, pos)) return false;
    con.protocol_name = name.value;
    c.at(Field::protocol_name, pos, 2 + name.value.size());
    bool v31 = name.value == "MQIsdp";
    if (name.value != "MQTT" && !v31) {
        check_string(c, name.value, pos + 2, Field::protocol_name);
        c.add(Code::protocol_name_invalid, Field::protocol_name, pos);
    }
    pos += 2 + name.value.size();

    if (c.left(pos) < 1) {
        c.add(Code::connect_malformed, Field::protocol_level, pos);
        return false;
    }
    con.protocol_level = c.base[pos];
    c.at(Field::protocol_level, pos, 1);
    const bool v5 = c.version == Version::v5_0;
    if (con.protocol_level != (v31 ? 3 : v5 ? 5 : 4))
        c.add(Code::protocol_level_unsupported, Field::protocol_level, pos);
    // Levels 3, 4 and 5 have a known layout; unknown levels stop here.
    if (con.protocol_level < 3 || con.protocol_level > 5) return false;
    ++pos;

    if (c.left(pos) < 1) {
        c.add(Code::connect_malformed, Field::connect_flags, pos);
        return false;
    }
    con.flags = c.base[pos];
    c.at(Field::connect_flags, pos, 1);
    // 3.1 §3.1 Connect flags: bit 0 is only marked "Reserved", with no rule for its value.
    if (con.reserved_flag()) c.add_unless_v3_1(Code::connect_reserved_flag, Field::connect_flags, pos);
    if (!con.will_flag()) {
        if (con.will_qos() != 0) c.add(Code::will_qos_without_will, Field::connect_flags, pos);
        if (con.will_retain()) c.add(Code::will_retain_without_will, Field::connect_flags, pos);
    } else if (con.will_qos() == 3) {
        c.add(Code::will_qos_invalid, Field::connect_flags, pos);
    }
    if (con.password_flag() && !con.username_flag() && !v5)  // 5.0 allows a Password alone (§3.1.2.9)
        c.add(Code::password_without_username, Field::connect_flags, pos);
    ++pos;

    if (c.left(pos) < 2) {
        c.add(Code::connect_malformed, Field::keep_alive, pos);
        return false;
    }
    con.keep_alive = c.u16(pos);
    c.at(Field::keep_alive, pos, 2);
    pos += 2;
    if (v5) {  // without a readable Property Length nothing after it can be located
        con.properties = detail::read_property_list(c, pos, PropertyScope::connect, Field::properties);
        return con.properties.has_value();
    }
    return true;
}

// CONNECT's Client Identifier, then the Will Topic and Will Message when the Will Flag is set.
// Leaves `pos` after them and returns true when decoding goes on.
bool read_connect_identity(Ctx& c, Connect& con, std::size_t& pos) noexcept {
    auto id = read_field16(c, pos);
    if (!whole(c, id, Code::client_id_missing, Field::client_id, true, pos)) return false;
    con.client_id = id.value;
    c.at(Field::client_id, pos, 2 + id.value.size());
    if (check_string(c, id.value, pos + 2, Field::client_id))
        c.add(Code::client_id_not_utf8, Field::client_id, pos);
    // 3.1 §3.1 Payload: the Client Identifier "is between 1 and 23 characters long"; more are
    // answered with "CONNACK return code 2: Identifier Rejected". 3.1 has no empty identifier.
    if (c.version == Version::v3_1) {
        if (id.value.empty() || characters(id.value, 24) > 23)
            c.add(Code::client_id_length_v3_1, Field::client_id, pos);
    } else if (id.value.empty() && !con.clean_session() && c.version != Version::v5_0) {  // 5.0: §3.1.3.1
        c.add(Code::client_id_empty_persistent, Field::client_id, pos);
    }
    pos += 2 + id.value.size();

    if (con.will_flag()) {
        std::optional<PropertyList> will_properties;
        if (c.version == Version::v5_0) {  // 5.0: the Will Properties come first (§3.1.3.2)
            const bool absent = c.left(pos) == 0;
            will_properties = detail::read_property_list(c, pos, PropertyScope::will, Field::will_properties);
            if (absent) c.add(Code::will_fields_missing, Field::will_properties, pos);
            if (!will_properties) return false;
        }
        auto topic = read_field16(c, pos);
        if (!whole(c, topic, Code::will_fields_missing, Field::will_topic, true, pos)) return false;
        auto check = check_topic(c, topic.value, pos, Field::will_topic, false);
        if (check.not_utf8 || check.topic.null)
            c.add(Code::will_topic_not_utf8, Field::will_topic, pos);
        // 5.0 names these rules by the topic codes alone (MQTT-4.7.0-1, MQTT-4.7.3-1).
        if ((check.topic.empty || check.topic.wildcard) && c.version != Version::v5_0)
            c.add(Code::will_topic_invalid, Field::will_topic, pos);
        pos += 2 + topic.value.size();

        auto message = read_field16(c, pos);
        if (!whole(c, message, Code::will_fields_missing, Field::will_message, false, pos)) return false;
        con.will = Will{topic.value, as_bytes(message.value), will_properties};
        c.at(Field::will_topic, pos - 2 - topic.value.size(), 2 + topic.value.size());
        c.at(Field::will_message, pos, 2 + message.value.size());
        if (will_properties) detail::check_will_payload(c, *con.will, pos);
        pos += 2 + message.value.size();
    }
    return true;
}

// CONNECT's User Name (`user`) or Password at `pos`, read whatever its flag says when bytes are
// left; false when a flagged one runs past the packet (decoding stops).
bool read_credential(Ctx& c, Connect& con, std::size_t& pos, bool user) noexcept {
    const bool flagged = user ? con.username_flag() : con.password_flag();
    const Field field = user ? Field::username : Field::password;
    const auto f = read_field16(c, pos);
    if (f.status != Field16::Status::ok && !flagged) return true;
    if (!whole(c, f, user ? Code::username_missing : Code::password_missing, field, user, pos))
        return f.status == Field16::Status::missing;
    if (user) con.username = f.value;
    else con.password = as_bytes(f.value);
    c.at(field, pos, 2 + f.value.size());
    if (!flagged) c.add(user ? Code::username_without_flag : Code::password_without_flag, field, pos);
    if (user && check_string(c, f.value, pos + 2, Field::username)) c.add(Code::username_not_utf8, field, pos);
    pos += 2 + f.value.size();
    return true;
}

// CONNECT's User Name and Password as the flags say, then what follows them: a User Name or
// Password sent without its flag, or junk.
void read_connect_credentials(Ctx& c, Connect& con, std::size_t pos) noexcept {
    for (const bool flagged : {true, false}) {
        if (con.username_flag() == flagged && !read_credential(c, con, pos, true)) return;
        if (con.password_flag() == flagged && !read_credential(c, con, pos, false)) return;
    }
    if (pos < c.end) c.add(Code::connect_malformed, Field::trailing, pos);
}

void decode_connect(Ctx& c, Packet& p) noexcept {
    // CONNECT (§3.1): variable header = Protocol Name (string "MQTT", or "MQIsdp" for 3.1),
    // Protocol Level (byte), Connect Flags (byte), Keep Alive (two bytes), in 5.0 properties;
    // payload = Client Identifier (string), then, if the Will Flag is set, in 5.0 Will Properties,
    // Will Topic (string) and Will Message (binary); User Name (string) if its flag is set, Password
    // (binary) if its flag is set; nothing else.
    auto& con = p.body.emplace<Connect>();
    con.protocol_name = {};
    con.protocol_level = 0;
    con.flags = 0;
    con.keep_alive = 0;
    std::size_t pos = c.start;
    if (read_connect_header(c, con, pos) && read_connect_identity(c, con, pos)) read_connect_credentials(c, con, pos);
}

void decode_connack(Ctx& c, Packet& p) noexcept {
    // CONNACK (§3.2): Acknowledge Flags (byte: bit 0 Session Present, bits 7..1 reserved),
    // Connect Return Code (byte, 0..5). Remaining Length is exactly 2.
    auto& ack = p.body.emplace<Connack>(Connack{std::nullopt, std::nullopt});
    if (p.header.remaining_length != 2) c.add(Code::connack_length, Field::remaining_length, 1);
    std::size_t pos = c.start;
    if (c.left(pos) >= 1) {
        ack.ack_flags = c.base[pos];
        c.at(Field::ack_flags, pos, 1);
        if (*ack.ack_flags & 0xFE) c.add(Code::connack_reserved_flags, Field::ack_flags, pos);
    }
    if (c.left(pos) >= 2) {
        ack.return_code = c.base[pos + 1];
        c.at(Field::return_code, pos + 1, 1);
        if (*ack.return_code > 5)
            c.add(Code::connack_return_code_invalid, Field::return_code, pos + 1);
        if (ack.session_present() && *ack.return_code != 0)
            c.add(Code::connack_session_present_error, Field::ack_flags, pos);
    }
}

enum class PublishRead : std::uint8_t { ok, topic_missing, topic_truncated, packet_id_missing };

// The one reader of a PUBLISH's fields (§3.3): Topic Name (string), Packet Identifier (two
// bytes) only when `qos` > 0 (QoS 3 is read as if it had one), then the payload: every byte
// left. The body is [start, end) of `base`, start <= end. Sets each field it finds in `pub` and
// `fields`, stops at the first that does not fit, and judges nothing. Always inlined: it is most
// of the work of decoding the usual PUBLISH.
[[gnu::always_inline]] inline PublishRead read_publish(const std::uint8_t* base, std::size_t start, std::size_t end,
                                                       unsigned qos, Publish& pub, FieldTable& fields) noexcept {
    const std::size_t left = end - start;
    if (left < 2) return left == 0 ? PublishRead::topic_missing : PublishRead::topic_truncated;
    const std::size_t topic = (std::size_t(base[start]) << 8) | base[start + 1];
    if (topic > left - 2) return PublishRead::topic_truncated;
    pub.topic = std::string_view(reinterpret_cast<const char*>(base) + start + 2, topic);
    fields.set(Field::topic, start, 2 + topic);
    std::size_t pos = start + 2 + topic;
    if (qos != 0) {
        if (end - pos < 2) return PublishRead::packet_id_missing;
        pub.packet_id = static_cast<std::uint16_t>((base[pos] << 8) | base[pos + 1]);
        fields.set(Field::packet_id, pos, 2);
        pos += 2;
    }
    pub.payload = Bytes(base + pos, end - pos);
    fields.set(Field::payload, pos, end - pos);
    return PublishRead::ok;
}

void decode_publish(Ctx& c, Packet& p) noexcept {
    // PUBLISH (§3.3): Topic Name (string, no wildcards), Packet Identifier (two bytes, non-zero)
    // only when QoS > 0, then the payload: every byte left, binary, possibly empty.
    auto& pub = p.body.emplace<Publish>();
    const PublishRead read = read_publish(c.base, c.start, c.end, p.header.qos(), pub, p.fields);
    if (read == PublishRead::topic_missing || read == PublishRead::topic_truncated) {
        if (read == PublishRead::topic_truncated) c.add(Code::string_truncated, Field::topic, c.start);
        return c.add(Code::publish_topic_invalid, Field::topic, c.start);
    }
    auto check = check_topic(c, pub.topic, c.start, Field::topic, false);
    if (check.not_utf8 || check.topic.null) c.add(Code::publish_topic_invalid, Field::topic, c.start);
    if (check.topic.wildcard) c.add(Code::publish_topic_wildcard, Field::topic, c.start);
    const std::size_t id_at = c.start + 2 + pub.topic.size();
    if (read == PublishRead::packet_id_missing)
        return c.add(Code::publish_packet_id_missing, Field::packet_id, id_at);
    if (pub.packet_id && *pub.packet_id == 0 && !c.options.allow_packet_id_zero)
        c.add(Code::packet_id_zero, Field::packet_id, id_at);
}

void decode_ack(Ctx& c, Packet& p, Code length_code) noexcept {
    // PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4-§3.7), UNSUBACK (§3.11): Packet Identifier (two
    // bytes) and nothing else. Remaining Length is exactly 2.
    auto& ack = p.body.emplace<Ack>();
    if (p.header.remaining_length != 2) c.add(length_code, Field::remaining_length, 1);
    if (c.left(c.start) >= 2) {
        ack.packet_id = c.u16(c.start);
        c.at(Field::packet_id, c.start, 2);
        if (*ack.packet_id == 0) c.add(Code::ack_packet_id_zero, Field::packet_id, c.start);
    }
}

// 3.1.1's Requested QoS byte (§3.8.3.1: bits 7..2 zero, QoS 0..2); 3.1.1 has no shared subscriptions.
void check_requested_qos(Ctx& c, std::string_view, std::size_t, int options, std::size_t options_at) noexcept {
    if (options >= 0 && ((options & 0xFC) || (options & 0x03) == 3))
        c.add(Code::subscribe_qos_invalid, Field::requested_qos, options_at);
}

void decode_subscribe(Ctx& c, Packet& p) noexcept {
    // SUBSCRIBE (§3.8): Packet Identifier (two bytes, non-zero), then one or more pairs of
    // Topic Filter (string) and Requested QoS (byte: bits 7..2 zero, QoS 0..2).
    auto& sub = p.body.emplace<Subscribe>();
    if (!read_request_id(c, sub.packet_id, Code::packet_id_zero)) return;
    sub.subscriptions =
        SubscriptionList(read_filters(c, c.start + 2, true, Code::subscribe_no_filters, Code::subscribe_filter_not_utf8,
                                      &check_requested_qos));
}

void decode_suback(Ctx& c, Packet& p) noexcept {
    // SUBACK (§3.9): Packet Identifier (two bytes), then one or more return codes, each
    // 0x00, 0x01, 0x02 (granted QoS) or 0x80 (failure).
    auto& ack = p.body.emplace<Suback>();
    if (!read_request_id(c, ack.packet_id, Code::ack_packet_id_zero)) return;
    std::size_t pos = c.start + 2;
    ack.return_codes = Bytes(c.base + pos, c.left(pos));
    c.at(Field::return_codes, pos, ack.return_codes.size());
    if (ack.return_codes.empty()) return c.add(Code::suback_no_return_codes, Field::return_codes, pos);
    for (std::size_t i = 0; i < ack.return_codes.size(); ++i) {
        std::uint8_t rc = ack.return_codes[i];
        if (rc > 2 && rc != 0x80) c.add(Code::suback_return_code_invalid, Field::return_codes, pos + i);
    }
}

void decode_unsubscribe(Ctx& c, Packet& p) noexcept {
    // UNSUBSCRIBE (§3.10): Packet Identifier (two bytes, non-zero), then one or more Topic
    // Filters (strings).
    auto& unsub = p.body.emplace<Unsubscribe>();
    if (!read_request_id(c, unsub.packet_id, Code::packet_id_zero)) return;
    unsub.filters = FilterList(read_filters(c, c.start + 2, false, Code::unsubscribe_no_filters,
                                            Code::unsubscribe_filter_not_utf8, &check_requested_qos));
}

void decode_empty(Ctx& c, Packet& p, Code length_code) noexcept {
    // PINGREQ, PINGRESP, DISCONNECT (§3.12-§3.14): no variable header, no payload.
    p.body.emplace<Empty>();
    if (p.header.remaining_length != 0) c.add(length_code, Field::remaining_length, 1);
}

/// `p`'s raw bytes, fixed header and their spans, for a whole packet whose Remaining Length is
/// `length`, written in `length_size` bytes.
[[gnu::always_inline]] inline void set_header(Packet& p, Bytes bytes, std::uint32_t length,
                                              std::uint8_t length_size) noexcept {
    p.raw = bytes;
    p.header.first_byte = bytes[0];
    p.header.remaining_length = length;
    p.header.length_size = length_size;
    p.fields.set(Field::fixed_header, 0, 1);
    p.fields.set(Field::remaining_length, 1, length_size);
}

/// The fixed header of a whole PUBLISH as decode()'s shortcut takes it: a Remaining Length of
/// one or two bytes in the shortest form that covers exactly `bytes` (sets `length` and
/// `start`, where the body begins), valid flags. False for anything else.
[[gnu::always_inline]] inline bool plain_publish_header(Bytes bytes, std::uint32_t& length,
                                                       std::size_t& start) noexcept {
    const std::size_t size = bytes.size();
    if (size < 5) return false;  // fixed header, topic length, one character
    if (bytes[1] < 0x80) {
        length = bytes[1];
        start = 2;
    } else if (bytes[2] != 0 && bytes[2] < 0x80) {
        length = (bytes[1] & 0x7Fu) | (std::uint32_t(bytes[2]) << 7);
        start = 3;
    } else {
        return false;
    }
    const std::uint8_t first = bytes[0];
    const unsigned qos = (first >> 1) & 3;
    return size == start + length && (first >> 4) == 3 && qos != 3 && !((first & 0x08) && qos == 0);
}

/// decode()'s shortcut for the usual PUBLISH, which it finds nothing wrong with: one whole packet,
/// a Remaining Length of one or two bytes in the shortest form, valid flags, a plain topic
/// (topic.hpp), a non-zero identifier; in 5.0 also a plain property list and payload
/// (detail::read_plain_publish_v5). Fills `p` as the general path would and returns true; false
/// for anything else (`p` then holds part of a reading, for the general path to redo).
[[gnu::always_inline]] inline bool decode_plain_publish(Bytes bytes, Packet& p, Version version) noexcept {
    std::uint32_t length;
    std::size_t start;
    if (!plain_publish_header(bytes, length, start)) return false;
    const unsigned qos = (bytes[0] >> 1) & 3;
    auto& pub = p.body.emplace<Publish>();
    if (version == Version::v5_0) {
        if (!detail::read_plain_publish_v5(bytes.data(), start, bytes.size(), qos, pub, p.fields)) return false;
    } else {
        if (read_publish(bytes.data(), start, bytes.size(), qos, pub, p.fields) != PublishRead::ok) return false;
        if (!detail::plain_topic(pub.topic) || (pub.packet_id && *pub.packet_id == 0)) return false;
    }
    set_header(p, bytes, length, static_cast<std::uint8_t>(start - 1));
    return true;
}

constexpr std::uint8_t minimal_length_size(std::uint32_t value) noexcept {
    return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

/// decode_clean's short way: fills `p` as decode() would and returns true for a whole PUBLISH or
/// packet of fixed size; false for anything else.
bool decode_clean_into(Bytes bytes, Packet& p, Version version) noexcept {
    const LengthResult length = read_remaining_length(bytes.subspan(bytes.empty() ? 0 : 1));
    const std::size_t start = 1u + length.size;
    if (length.status != LengthResult::Status::ok || bytes.size() != start + length.value) return false;
    set_header(p, bytes, length.value, length.size);
    const bool v5 = version == Version::v5_0;
    switch (p.header.type()) {
        case PacketType::publish:
            if (v5)
                return detail::read_plain_publish_v5(bytes.data(), start, bytes.size(), p.header.qos(),
                                                     p.body.emplace<Publish>(), p.fields, false);
            return read_publish(bytes.data(), start, bytes.size(), p.header.qos(), p.body.emplace<Publish>(),
                                p.fields) == PublishRead::ok;
        case PacketType::unsuback:
            if (v5) return false;  // a Suback body in 5.0
            [[fallthrough]];
        case PacketType::puback:
        case PacketType::pubrec:
        case PacketType::pubrel:
        case PacketType::pubcomp:
            if (length.value != 2) return false;
            p.body.emplace<Ack>().packet_id = static_cast<std::uint16_t>((bytes[start] << 8) | bytes[start + 1]);
            p.fields.set(Field::packet_id, start, 2);
            return true;
        case PacketType::disconnect:
            if (v5) return false;  // a Reason body in 5.0
            [[fallthrough]];
        case PacketType::pingreq:
        case PacketType::pingresp:
            if (length.value != 0) return false;
            p.body.emplace<Empty>();
            return true;
        default:
            return false;
    }
}

}  // namespace

Packet decode(Bytes bytes, Version version, const DecodeOptions& options) noexcept {
    Packet p;
    if (options.fast_paths) {
        if (decode_plain_publish(bytes, p, version)) return p;
        p.fields.clear();
    }
    p.raw = bytes;
    Ctx c{bytes.data(), 0, bytes.size(), p.diagnostics, p.fields, options, version};
    if (bytes.empty()) {
        c.add(Code::packet_truncated, Field::fixed_header, 0);
        return p;
    }
    p.header.first_byte = bytes[0];
    c.at(Field::fixed_header, 0, 1);
    auto length = read_remaining_length(bytes.subspan(1));
    if (length.size != 0) c.at(Field::remaining_length, 1, length.size);
    // A CONNECT is judged by the version it declares, its fixed header included.
    c.version = judged_version(bytes, version);
    check_fixed_header(c, bytes[0]);

    if (length.status != LengthResult::Status::ok) {
        p.header.remaining_length = length.value;
        p.header.length_size = length.size ? length.size : 1;
        p.body = Opaque{bytes.subspan(1u + length.size)};
        if (length.status == LengthResult::Status::need_more)
            c.add(Code::packet_truncated, Field::remaining_length, bytes.size());
        else
            c.add(Code::remaining_length_malformed, Field::remaining_length, 1);
        return p;
    }
    p.header.remaining_length = length.value;
    p.header.length_size = length.size;
    // MQTT-1.5.5-1: an error in 5.0, a warning (that can be turned off) before.
    if (length.size > minimal_length_size(length.value)) {
        if (c.version == Version::v5_0)
            p.diagnostics.add(Diagnostic{Code::remaining_length_non_minimal, Severity::error, Field::remaining_length, 1});
        else if (options.warn_non_minimal_length)
            c.add(Code::remaining_length_non_minimal, Field::remaining_length, 1);
    }

    const std::size_t total = 1u + length.size + std::size_t(length.value);
    c.start = 1u + length.size;
    c.end = bytes.size() < total ? bytes.size() : total;
    p.raw = bytes.first(c.end);

    // A CONNECT is decoded by the version it declares; the other bodies of a 5.0 connection by
    // decoder_v5.cpp.
    const PacketType type = p.header.type();
    // `20 02 00 01` answering a 5.0 CONNECT is a 3.1.1 server refusing the version
    // (shared/mqtt-5.0-rules.md, CONNACK): read as what it is, not as a malformed 5.0 CONNACK.
    if (c.version == Version::v5_0 && type == PacketType::connack && length.value == 2 && c.end == 4 &&
        bytes[3] == 0x01)
        c.version = Version::v3_1_1;
    if (c.version == Version::v5_0 && type != PacketType::connect) detail::decode_body_v5(c, p);
    else switch (type) {
        case PacketType::connect: decode_connect(c, p); break;
        case PacketType::connack: decode_connack(c, p); break;
        case PacketType::publish: decode_publish(c, p); break;
        case PacketType::puback: decode_ack(c, p, Code::puback_length); break;
        case PacketType::pubrec: decode_ack(c, p, Code::pubrec_length); break;
        case PacketType::pubrel: decode_ack(c, p, Code::pubrel_length); break;
        case PacketType::pubcomp: decode_ack(c, p, Code::pubcomp_length); break;
        case PacketType::subscribe: decode_subscribe(c, p); break;
        case PacketType::suback: decode_suback(c, p); break;
        case PacketType::unsubscribe: decode_unsubscribe(c, p); break;
        case PacketType::unsuback: decode_ack(c, p, Code::unsuback_length); break;
        case PacketType::pingreq: decode_empty(c, p, Code::pingreq_length); break;
        case PacketType::pingresp: decode_empty(c, p, Code::pingresp_length); break;
        case PacketType::disconnect: decode_empty(c, p, Code::disconnect_length); break;
        case PacketType::reserved0:
        case PacketType::reserved15:
            p.body = Opaque{Bytes(c.base + c.start, c.end - c.start)};
            break;
    }

    if (bytes.size() < total) c.add(Code::packet_truncated, Field::none, bytes.size());
    else if (bytes.size() > total) c.add(Code::packet_length_mismatch, Field::trailing, total);
    return p;
}

Packet decode_clean(Bytes bytes, Version version, const DecodeOptions& options) noexcept {
    Packet p;  // one object returned on every path: no copy of the Packet
    if (!decode_clean_into(bytes, p, version)) p = decode(bytes, version, options);
    return p;
}

namespace {

/// The last QoS 0 PUBLISH is_plain_qos0_publish() found plain: its bytes before the payload, and
/// what they hold. A publisher's next message usually differs in its payload alone; it is then
/// answered without reading its topic and properties again. A pure cache: whether a QoS 0
/// PUBLISH is plain depends on its bytes before the payload (fixed header, topic, property list),
/// its size and version, and where its Payload Format Indicator is 1 on its payload being UTF-8,
/// which is checked every time.
class PlainPublishMemo {
public:
    /// Whether `bytes` are plain, when their bytes before the payload, size and version are
    /// those stored (then `ids` receives the identifiers of the property list); else nullopt.
    [[gnu::always_inline]] std::optional<bool> answer(Bytes bytes, Version version, std::uint64_t& ids) const noexcept {
        if (bytes.size() != size_ || version != version_ || std::memcmp(bytes.data(), bytes_, head_.payload) != 0)
            return std::nullopt;
        ids = head_.property_ids;
        return !head_.utf8_payload || detail::utf8_payload(bytes.subspan(head_.payload));
    }
    void store(Bytes bytes, Version version, const detail::PlainHead& head) noexcept {
        size_ = ~std::size_t{0};
        if (head.payload > sizeof bytes_) return;  // too long to keep
        std::memcpy(bytes_, bytes.data(), head.payload);
        head_ = head;
        version_ = version;
        size_ = bytes.size();
    }

private:
    std::size_t size_ = ~std::size_t{0};  // of the packet kept; ~0: none
    Version version_ = Version::v3_1_1;
    detail::PlainHead head_;
    std::uint8_t bytes_[128] = {};
};

constinit thread_local PlainPublishMemo plain_publish_memo;

}  // namespace

bool is_plain_qos0_publish(Bytes bytes, Version version, std::uint64_t* property_ids) noexcept {
    // decode_plain_publish's checks, with nothing filled in: QoS 0, no DUP, any RETAIN.
    if (bytes.empty() || (bytes[0] & 0xFE) != 0x30) return false;
    std::uint64_t ids = 0;
    if (const std::optional<bool> known = plain_publish_memo.answer(bytes, version, ids)) {
        if (*known && property_ids) *property_ids = ids;
        return *known;
    }
    std::uint32_t length;
    std::size_t start;
    if (!plain_publish_header(bytes, length, start)) return false;
    detail::PlainHead head;
    if (version == Version::v5_0) {
        if (!detail::plain_qos0_publish_v5(bytes.data(), start, bytes.size(), head)) return false;
    } else {
        Publish pub;
        FieldTable fields;
        if (read_publish(bytes.data(), start, bytes.size(), 0, pub, fields) != PublishRead::ok ||
            !detail::plain_topic(pub.topic))
            return false;
        head.payload = start + 2 + pub.topic.size();
    }
    plain_publish_memo.store(bytes, version, head);
    if (property_ids) *property_ids = head.property_ids;
    return true;
}

Version judged_version(Bytes bytes, Version version) noexcept {
    if (bytes.empty() || static_cast<PacketType>(bytes[0] >> 4) != PacketType::connect) return version;
    const LengthResult length = read_remaining_length(bytes.subspan(1));
    if (length.status != LengthResult::Status::ok) return version;
    return declared_version(bytes.subspan(1u + length.size), version);
}

std::optional<Version> connect_version(Bytes connect) noexcept {
    const LengthResult length = read_remaining_length(connect.subspan(connect.empty() ? 0 : 1));
    if (connect.empty() || length.status != LengthResult::Status::ok) return std::nullopt;
    const Bytes body = connect.subspan(1u + length.size);
    if (body.size() < 2) return std::nullopt;
    const std::size_t name = std::size_t(body[0]) << 8 | body[1];
    if (body.size() < 2 + name + 1) return std::nullopt;
    return version_of_level(body[2 + name]);
}

}  // namespace mqttlens::mqtt
