// The catalogue's own building blocks, shared by catalogue.cpp (3.1.1), catalogue_v5.cpp and
// catalogue_behaviour.cpp: packets written with the codec's encoder (broken through EncodeOverrides
// where a case wants it), 5.0 property bytes, and the reactions in words the tables read as.
// Internal to mqtt_probe_core.
#pragma once

#include "catalogue.hpp"

#include "mqtt/encoder.hpp"

#include <initializer_list>
#include <span>

namespace mqttlens::probe::build {

using mqtt::PacketType;
using Bytes = std::vector<std::uint8_t>;

inline constexpr std::string_view v311 = "3.1.1";

/// The cases of each part of the table, in order.
std::vector<Case> cases_311();
std::vector<Case> cases_v5();
std::vector<Case> cases_behaviour();

inline Bytes encode(const mqtt::Packet& p, const mqtt::EncodeOverrides& o = {}) {
    Bytes out;
    mqtt::encode(p, out, o);
    return out;
}

/// The preamble's CONNECT body (level 4, Clean Session 1, credentials); its views point into `who`.
inline mqtt::Connect connect_body(const Identity& who) {
    mqtt::Connect c;
    c.client_id = who.client_id;
    if (who.username) c.username = std::string_view(*who.username);
    if (who.password) c.password = mqtt::as_bytes(*who.password);
    c.flags = mqtt::Connect::make_flags(true, false, 0, false, who.username.has_value(), who.password.has_value());
    return c;
}

inline mqtt::EncodeOverrides flags(std::uint8_t f) {
    mqtt::EncodeOverrides o;
    o.flags = f;
    return o;
}

/// Remaining Length one above the real one, the extra byte appended: a field-free byte inside.
inline mqtt::EncodeOverrides one_extra_byte(std::uint32_t real_length) {
    mqtt::EncodeOverrides o;
    o.remaining_length = real_length + 1;
    o.append = {0x00};
    return o;
}

inline Bytes empty(PacketType type, mqtt::EncodeOverrides o = {}) {
    return encode(mqtt::make_packet(type, mqtt::Empty{}), o);
}

inline Bytes ack(PacketType type, std::uint16_t id, mqtt::EncodeOverrides o = {}) {
    return encode(mqtt::make_packet(type, mqtt::Ack{id}), o);
}

// ---- MQTT 5.0 property bytes (identifier, then the value as its type takes it)

/// Concatenates property encodings into one list's bytes.
inline Bytes props(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
/// Property `id` with the number `value` (Byte, Two Byte, Four Byte or Variable Byte Integer by its type).
inline Bytes prop(mqtt::PropertyId id, std::uint32_t value) {
    mqtt::Property p{id, {}, value, {}, {}, {}};
    Bytes out;
    mqtt::write_property(p, out);
    return out;
}
/// Property `id` with a UTF-8 string (or Binary Data, by its type) value.
inline Bytes prop(mqtt::PropertyId id, std::string_view text) {
    mqtt::Property p{id, {}, 0, text, {}, mqtt::as_bytes(text)};
    Bytes out;
    mqtt::write_property(p, out);
    return out;
}

/// The preamble's CONNECT body at level 5 with `properties`; its views point into both.
inline mqtt::Connect connect5_body(const Identity& who, const Bytes& properties) {
    mqtt::Connect c = connect_body(who);
    c.protocol_level = 5;
    c.properties = mqtt::PropertyList(mqtt::Bytes(properties));
    return c;
}

/// A 5.0 CONNECT as the preamble's (level 5, Clean Start 1, credentials) with `properties`, its
/// Connect Flags | `flags_or`, broken by `o`.
inline Bytes connect5(const Identity& who, const Bytes& properties, std::uint8_t flags_or = 0,
                      mqtt::EncodeOverrides o = {}) {
    mqtt::Connect c = connect5_body(who, properties);
    c.flags |= flags_or;
    return encode(mqtt::make_packet(PacketType::connect, c), o);
}

/// A 5.0 PUBLISH of `payload` to `topic` (who.topic when null) with `properties`.
inline Bytes publish5(const Identity& who, int qos, std::optional<std::uint16_t> id, const Bytes& properties,
                      const char* topic = nullptr, std::string_view payload = "probe", std::uint8_t extra_flags = 0,
                      mqtt::EncodeOverrides o = {}) {
    mqtt::Publish p;
    p.topic = topic ? std::string_view(topic) : std::string_view(who.topic);
    p.packet_id = id;
    p.payload = mqtt::as_bytes(payload);
    p.properties = mqtt::PropertyList(mqtt::Bytes(properties));
    return encode(mqtt::make_packet(PacketType::publish, p, static_cast<std::uint8_t>(qos << 1 | extra_flags)), o);
}

/// A 5.0 SUBSCRIBE of `subs` (the options byte as given) with `properties`.
inline Bytes subscribe5(std::initializer_list<mqtt::Subscription> subs, std::uint16_t id = 1,
                        const Bytes& properties = {}) {
    Bytes storage;
    mqtt::Subscribe s;
    s.packet_id = id;
    s.subscriptions = mqtt::build_subscriptions(storage, std::span(subs.begin(), subs.size()));
    s.properties = mqtt::PropertyList(mqtt::Bytes(properties));
    return encode(mqtt::make_packet(PacketType::subscribe, s));
}

/// A 5.0 DISCONNECT or AUTH with Reason Code `code` and `properties`.
inline Bytes reason5(PacketType type, std::uint8_t code, const Bytes& properties = {}, mqtt::EncodeOverrides o = {}) {
    mqtt::Reason r;
    r.reason_code = code;
    r.properties = mqtt::PropertyList(mqtt::Bytes(properties));
    return encode(mqtt::make_packet(type, r), o);
}

/// A 5.0 acknowledgement in its short form (Packet Identifier only: Reason Code 0x00).
inline Bytes ack5(PacketType type, std::uint16_t id) { return ack(type, id); }

// ---- reactions

inline Reaction close_without_reply() { return {Expect::close_without_reply}; }
inline Reaction close() { return {Expect::close}; }
inline Reaction connack_then_close(int code) { return {Expect::connack_then_close, PacketType::connack, code}; }
inline Reaction reply(PacketType type, int id = -1, int count = -1, bool retain = false) {
    return {Expect::reply, type, -1, id, count, retain};
}
/// A PUBLISH delivered with `payload` at QoS `qos` (-1 any).
inline Reaction delivery(std::string_view payload, int qos = -1, bool retain = false) {
    Reaction r{Expect::reply, PacketType::publish};
    r.payload = payload;
    r.qos = qos;
    r.retain = retain;
    return r;
}
/// No PUBLISH within `ms`, the connection still open.
inline Reaction no_delivery(unsigned ms) {
    Reaction r{Expect::silence, PacketType::publish};
    r.within_ms = ms;
    return r;
}
/// CONNACK 0 with Session Present `session_present` (-1 any); else the case is n/a.
inline Reaction accepted(int session_present = -1) {
    Reaction r{Expect::accepted, PacketType::connack, 0};
    r.session_present = session_present;
    return r;
}
inline Reaction pause(unsigned ms) {
    Reaction r{Expect::pause};
    r.within_ms = ms;
    return r;
}
/// 5.0 CONNECT error: CONNACK with one of `codes` then close, or a close without reply.
inline Reaction refuse(std::initializer_list<std::uint8_t> codes) {
    Reaction r{Expect::refuse, PacketType::connack};
    r.codes = codes;
    return r;
}
/// 5.0 error in any other packet: DISCONNECT with one of `codes` then close, or a plain close.
inline Reaction disconnect(std::initializer_list<std::uint8_t> codes) {
    Reaction r{Expect::disconnect, PacketType::disconnect};
    r.codes = codes;
    return r;
}

/// Reason Codes of §2.4 the 5.0 cases name.
inline constexpr std::uint8_t rc_malformed = 0x81, rc_protocol = 0x82, rc_unsupported_version = 0x84,
                              rc_keep_alive = 0x8D, rc_topic_name_invalid = 0x90, rc_receive_maximum = 0x93,
                              rc_topic_alias_invalid = 0x94,
                              rc_payload_format = 0x99, rc_shared_unsupported = 0x9E;

}  // namespace mqttlens::probe::build
