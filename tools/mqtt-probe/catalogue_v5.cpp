// The MQTT 5.0 server-side cases (shared/mqtt-5.0-rules.md), run when the broker accepts 5.0.
//
// The reactions follow §4.13.1 and §3.1.4: a server that finds a Malformed Packet or a Protocol
// Error MUST close the connection; before that it MAY send a CONNACK (a broken CONNECT) or SHOULD
// send a DISCONNECT (any other packet), and is told to "use Reason Code 0x81 (Malformed Packet) or
// 0x82 (Protocol Error) unless a more specific Reason Code has been defined". So each case accepts
// a plain close, or that one packet with 0x81 or 0x82 (either: Table 3-10 describes 0x81 as "the
// received packet does not conform to this specification", which every case here is, so the
// sentence does not bind each code to the class a section names), or the more specific code the
// standard names for the rule: 0x94 for a Topic Alias of 0 or above the maximum, and 0x82 for an
// unmapped alias (§3.3.4 names those codes outright), 0x9E for a shared subscription the server
// does not support, 0x99 for a payload that is not what its format indicator says. 0x80
// Unspecified error is not accepted: §4.13.1 asks for 0x81 or 0x82 when no more specific code exists.
#include "catalogue.hpp"
#include "catalogue_build.hpp"

namespace mqttlens::probe {

namespace {

using namespace build;
using mqtt::PropertyId;

constexpr std::string_view v5 = version_5;
constexpr std::string_view s_fixed = "2.1 Fixed header (5.0)", s_props = "2.2.2 Properties (5.0)",
                           s_connect = "3.1 CONNECT (5.0)", s_publish = "3.3 PUBLISH (5.0)",
                           s_subscribe = "3.8 SUBSCRIBE (5.0)", s_unsubscribe = "3.10 UNSUBSCRIBE (5.0)",
                           s_disconnect = "3.14 DISCONNECT (5.0)", s_auth = "4.12 AUTH (5.0)";

/// A 5.0 CONNECT with a Will (Will Properties `will_properties`) and Connect Flags | `flags_or`.
Bytes connect5_will(const Identity& who, std::uint8_t flags_or, const Bytes& will_properties) {
    mqtt::Connect c = connect_body(who);
    c.protocol_level = 5;
    c.flags |= static_cast<std::uint8_t>(0x04 | flags_or);
    c.properties = mqtt::PropertyList{};
    c.will = mqtt::Will{who.topic, mqtt::as_bytes("will"), mqtt::PropertyList(mqtt::Bytes(will_properties))};
    return encode(mqtt::make_packet(PacketType::connect, c));
}

/// A 5.0 QoS 0 PUBLISH to the case's topic whose property list is `bytes`, written as they are.
Bytes publish5_raw_properties(const Identity& w, Bytes bytes, mqtt::PropertyWriting length = {}) {
    mqtt::EncodeOverrides o;
    o.properties = mqtt::PropertyOverride{length, std::move(bytes)};
    return publish5(w, 0, std::nullopt, {}, nullptr, "probe", 0, o);
}

/// §4.13.1 for any packet but CONNECT: DISCONNECT 0x81 or 0x82 then close, or a plain close.
Reaction broken() { return disconnect({rc_malformed, rc_protocol}); }
/// §3.1.4 and §4.13.1 for CONNECT: CONNACK 0x81 or 0x82 then close, or a close without reply.
Reaction refused() { return refuse({rc_malformed, rc_protocol}); }

std::vector<Case> connect_cases() {
    const Preamble none = Preamble::none;
    return {
        {"v5-connect-reserved-flag", "MQTT-3.1.2-3", v5, s_connect, "Connect Flags bit 0 set", none, true,
         {{0, [](const Identity& w) { return connect5(w, {}, 0x01); }, refused()}}},
        {"v5-connect-will-qos-3", "MQTT-3.1.2-12", v5, s_connect, "Will QoS 3", none, true,
         {{0, [](const Identity& w) { return connect5_will(w, 0x18, {}); }, refused()}}},
        {"v5-connect-trailing-bytes", "MQTT5-§2.1.4", v5, s_connect, "a byte after the last field", none, true,
         {{0, [](const Identity& w) {
               const std::size_t real = connect5(w, {}).size() - 2;
               return connect5(w, {}, 0, one_extra_byte(static_cast<std::uint32_t>(real)));
           }, refused()}}},
        {"v5-connect-property-repeated", "MQTT5-§3.1.2.11", v5, s_connect, "Receive Maximum twice", none, true,
         {{0, [](const Identity& w) {
               return connect5(w, props({prop(PropertyId::receive_maximum, 10), prop(PropertyId::receive_maximum, 10)}));
           }, refused()}}},
        {"v5-connect-property-not-allowed", "MQTT5-§2.2.2.2", v5, s_connect, "Topic Alias among CONNECT properties",
         none, true,
         {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::topic_alias, 1)); }, refused()}}},
        {"v5-will-property-not-allowed", "MQTT5-§2.2.2.2", v5, s_connect,
         "Session Expiry Interval among Will Properties", none, true,
         {{0, [](const Identity& w) { return connect5_will(w, 0, prop(PropertyId::session_expiry_interval, 10)); },
           refused()}}},
        {"v5-receive-maximum-zero", "MQTT5-§3.1.2.11.3", v5, s_connect, "CONNECT Receive Maximum 0", none, true,
         {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::receive_maximum, 0)); },
           refused()}}},
        {"v5-maximum-packet-size-zero", "MQTT5-§3.1.2.11.4", v5, s_connect, "CONNECT Maximum Packet Size 0", none,
         true, {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::maximum_packet_size, 0)); },
                 refused()}}},
        {"v5-request-problem-information-2", "MQTT5-§3.1.2.11.7", v5, s_connect, "Request Problem Information 2",
         none, true,
         {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::request_problem_information, 2)); },
           refused()}}},
        {"v5-auth-data-without-method", "MQTT5-§3.1.2.11.10", v5, s_connect,
         "Authentication Data without Authentication Method", none, true,
         {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::authentication_data, "x")); },
           refused()}}},
        {"v5-second-connect", "MQTT-3.1.0-2", v5, s_connect, "a second CONNECT", Preamble::connect, true,
         {{0, [](const Identity& w) { return preamble_connect(w, false, true); }, broken()}}},
    };
}

std::vector<Case> fixed_header_cases() {
    return {
        {"v5-reserved-type-0", "MQTT5-§2.1.2", v5, s_fixed, "packet type 0", Preamble::connect, true,
         {{0, [](const Identity&) { return Bytes{0x00, 0x00}; }, broken()}}},
        {"v5-remaining-length-malformed", "MQTT5-§1.5.5", v5, s_fixed, "Remaining Length FF FF FF FF 01",
         Preamble::connect, true, {{0, [](const Identity&) {
               mqtt::EncodeOverrides o;
               o.remaining_length_bytes = Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x01};
               return empty(PacketType::pingreq, o);
           }, broken()}}},
        {"v5-remaining-length-non-minimal", "MQTT-1.5.5-1", v5, s_fixed, "PINGREQ with Remaining Length 80 00",
         Preamble::connect, true, {{0, [](const Identity&) {
               mqtt::EncodeOverrides o;
               o.remaining_length_width = 2;
               return empty(PacketType::pingreq, o);
           }, broken()}}},
        {"v5-pingreq-flags", "MQTT-2.1.3-1", v5, s_fixed, "PINGREQ with flags 0001", Preamble::connect, true,
         {{0, [](const Identity&) { return empty(PacketType::pingreq, flags(1)); }, broken()}}},
        {"v5-pubrel-flags", "MQTT-3.6.1-1", v5, s_fixed, "PUBREL with flags 0000", Preamble::connect, true,
         {{0, [](const Identity&) { return ack(PacketType::pubrel, 1, flags(0)); }, broken()}}},
        {"v5-pingreq-length", "MQTT5-§2.1.4", v5, s_fixed, "PINGREQ with Remaining Length 1", Preamble::connect,
         true, {{0, [](const Identity&) { return empty(PacketType::pingreq, one_extra_byte(0)); }, broken()}}},
    };
}

std::vector<Case> property_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"v5-property-unknown", "MQTT5-§2.2.2.2", v5, s_props, "PUBLISH with property identifier 0x04", p, true,
         {{0, [](const Identity& w) { return publish5_raw_properties(w, {0x04, 0x00}); }, broken()}}},
        {"v5-property-not-allowed", "MQTT5-§2.2.2.2", v5, s_props, "PUBLISH with Session Expiry Interval", p, true,
         {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, prop(PropertyId::session_expiry_interval, 5)); },
           broken()}}},
        {"v5-property-repeated", "MQTT5-§3.3.2.3", v5, s_props, "PUBLISH with Content Type twice", p, true,
         {{0, [](const Identity& w) {
               return publish5(w, 0, std::nullopt,
                               props({prop(PropertyId::content_type, "a"), prop(PropertyId::content_type, "b")}));
           }, broken()}}},
        {"v5-property-length-past-end", "MQTT5-§2.2.2.1", v5, s_props, "PUBLISH Property Length 200 in a short packet",
         p, true, {{0, [](const Identity& w) { return publish5_raw_properties(w, {}, {200, 0}); }, broken()}}},
        {"v5-property-length-non-minimal", "MQTT-1.5.5-1", v5, s_props, "PUBLISH Property Length 0 as 80 00", p,
         true, {{0, [](const Identity& w) { return publish5_raw_properties(w, {}, {0, 2}); }, broken()}}},
    };
}

std::vector<Case> publish_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"v5-topic-alias-zero", "MQTT-3.3.2-8", v5, s_publish, "PUBLISH with Topic Alias 0", p, true,
         {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, prop(PropertyId::topic_alias, 0)); },
           disconnect({rc_topic_alias_invalid})}}},
        {"v5-topic-alias-above-maximum", "MQTT-3.3.2-9", v5, s_publish,
         "PUBLISH with Topic Alias one above the CONNACK's Topic Alias Maximum", p, true,
         {{0, [](const Identity& w) {
               return publish5(w, 0, std::nullopt, prop(PropertyId::topic_alias, w.topic_alias_maximum + 1u));
           }, disconnect({rc_topic_alias_invalid})}}},
        {"v5-topic-alias-unmapped", "MQTT5-§3.3.4", v5, s_publish, "empty Topic Name with Topic Alias 1 never mapped",
         p, true, {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, prop(PropertyId::topic_alias, 1), ""); },
                    disconnect({rc_protocol})}}, Needs::topic_alias},
        // §4.9: more QoS 1 and 2 PUBLISH unacknowledged than the server's Receive Maximum: "the
        // Server uses a DISCONNECT packet with Reason Code 0x93 (Receive Maximum exceeded)".
        {"v5-receive-maximum-exceeded", "MQTT-3.3.4-7", v5, s_publish,
         "one QoS 2 PUBLISH more than the CONNACK's Receive Maximum, no PUBREL", p, true,
         {{0, [](const Identity& w) {
               Bytes all;
               for (unsigned id = 1; id <= w.receive_maximum + 1u; ++id) {
                   const Bytes one = publish5(w, 2, static_cast<std::uint16_t>(id), {});
                   all.insert(all.end(), one.begin(), one.end());
               }
               return all;
           }, [] {
               Reaction r = disconnect({rc_receive_maximum});
               r.ignore = PacketType::pubrec;
               return r;
           }()}}, Needs::receive_maximum},
        {"v5-topic-empty-without-alias", "MQTT5-§3.3.2.1", v5, s_publish, "empty Topic Name, no Topic Alias", p, true,
         {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, {}, ""); }, broken()}}},
        {"v5-subscription-identifier-from-client", "MQTT-3.3.4-6", v5, s_publish,
         "PUBLISH from the client with Subscription Identifier 1", p, true,
         {{0, [](const Identity& w) {
               return publish5(w, 0, std::nullopt, prop(PropertyId::subscription_identifier, 1));
           }, broken()}}},
        // §3.3.2.3.2: the server MAY check the payload against the indicator, and MAY then answer
        // PUBACK 0x99 or DISCONNECT 0x99; a server that does not check acknowledges it as usual.
        {"v5-payload-format-invalid", "MQTT5-§3.3.2.3.2", v5, s_publish,
         "QoS 1 PUBLISH, Payload Format Indicator 1, payload C0 AF", p, true,
         {{0, [](const Identity& w) {
               return publish5(w, 1, 1, prop(PropertyId::payload_format_indicator, 1), nullptr, "\xC0\xAF");
           }, [] {
               Reaction r = reply(PacketType::puback, 1);
               r.codes = {0x00, 0x10, rc_payload_format};
               r.or_disconnect = {rc_payload_format};
               return r;
           }()}}},
        {"v5-publish-qos-3", "MQTT-3.3.1-4", v5, s_publish, "PUBLISH QoS 3", p, true,
         {{0, [](const Identity& w) { return publish5(w, 3, 1, {}); }, broken()}}},
        {"v5-publish-dup-qos-0", "MQTT-3.3.1-2", v5, s_publish, "PUBLISH DUP 1 with QoS 0", p, true,
         {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, {}, nullptr, "probe", 0x08); },
           broken()}}},
        {"v5-publish-topic-wildcard", "MQTT-3.3.2-2", v5, s_publish, "PUBLISH to \"a/+/b\"", p, true,
         {{0, [](const Identity& w) { return publish5(w, 0, std::nullopt, {}, "a/+/b"); },
           disconnect({rc_malformed, rc_protocol, rc_topic_name_invalid})}}},  // 0x90 Topic Name invalid
        {"v5-publish-packet-id-zero", "MQTT-2.2.1-3", v5, s_publish, "PUBLISH QoS 1 with Packet Identifier 0", p,
         true, {{0, [](const Identity& w) { return publish5(w, 1, 0, {}); }, broken()}}},
    };
}

std::vector<Case> subscribe_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"v5-subscribe-options-reserved", "MQTT-3.8.3-5", v5, s_subscribe, "Subscription Options bits 7..6 set", p,
         true, {{0, [](const Identity& w) { return subscribe5({{w.topic, 0xC0}}); }, broken()}}},
        {"v5-subscribe-retain-handling-3", "MQTT5-§3.8.3.1", v5, s_subscribe, "Retain Handling 3", p, true,
         {{0, [](const Identity& w) { return subscribe5({{w.topic, 0x30}}); }, broken()}}},
        {"v5-subscribe-qos-3", "MQTT5-§3.8.3.1", v5, s_subscribe, "Maximum QoS 3", p, true,
         {{0, [](const Identity& w) { return subscribe5({{w.topic, 0x03}}); }, broken()}}},
        // A server without shared subscriptions answers any $share filter with DISCONNECT 0x9E.
        {"v5-subscribe-no-local-shared", "MQTT-3.8.3-4", v5, s_subscribe, "No Local on \"$share/probe/...\"", p, true,
         {{0, [](const Identity&) { return subscribe5({{"$share/probe/mqttlens-probe/shared", 0x04}}); },
           disconnect({rc_malformed, rc_protocol, rc_shared_unsupported})}}},
        {"v5-subscription-identifier-zero", "MQTT5-§3.8.2.1.2", v5, s_subscribe, "SUBSCRIBE Subscription Identifier 0",
         p, true, {{0, [](const Identity& w) {
               return subscribe5({{w.topic, 0}}, 1, prop(PropertyId::subscription_identifier, 0));
           }, broken()}}},
        {"v5-subscription-identifier-twice", "MQTT5-§3.8.2.1.2", v5, s_subscribe,
         "SUBSCRIBE with two Subscription Identifiers", p, true, {{0, [](const Identity& w) {
               return subscribe5({{w.topic, 0}}, 1, props({prop(PropertyId::subscription_identifier, 1),
                                                           prop(PropertyId::subscription_identifier, 2)}));
           }, broken()}}},
        {"v5-subscribe-no-filters", "MQTT-3.8.3-2", v5, s_subscribe, "SUBSCRIBE without a Topic Filter", p, true,
         {{0, [](const Identity&) { return subscribe5({}); }, broken()}}},
        {"v5-subscribe-packet-id-zero", "MQTT-2.2.1-3", v5, s_subscribe, "SUBSCRIBE with Packet Identifier 0", p,
         true, {{0, [](const Identity& w) { return subscribe5({{w.topic, 0}}, 0); }, broken()}}},
    };
}

/// UNSUBSCRIBE without filters, in 5.0 layout (Packet Identifier, Property Length 0).
Bytes unsubscribe5_empty(std::uint8_t flags_nibble) { return {static_cast<std::uint8_t>(0xA0 | flags_nibble), 0x03, 0x00, 0x01, 0x00}; }

std::vector<Case> other_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"v5-unsubscribe-no-filters", "MQTT-3.10.3-2", v5, s_unsubscribe, "UNSUBSCRIBE without a Topic Filter", p,
         true, {{0, [](const Identity&) { return unsubscribe5_empty(0x02); }, broken()}}},
        // A DISCONNECT whose Reason Code is not 0x00 keeps the Will (MQTT-3.1.2-8), broken or not.
        {"v5-disconnect-reason-invalid", "MQTT-3.14.2-1", v5, s_disconnect,
         "DISCONNECT with Reason Code 0x01: closed, Will sent", Preamble::will, true,
         {{1, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity&) { return reason5(PacketType::disconnect, 0x01); }, broken()},
          {1, nullptr, delivery("will")}}},
        {"v5-disconnect-flags", "MQTT-3.14.1-1", v5, s_disconnect, "DISCONNECT with flags 0001: closed, Will sent",
         Preamble::will, true,
         {{1, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity&) { return reason5(PacketType::disconnect, 0x00, {}, flags(1)); }, broken()},
          {1, nullptr, delivery("will")}}},
        {"v5-disconnect-session-expiry-after-zero", "MQTT5-§3.14.2.2.2", v5, s_disconnect,
         "DISCONNECT Session Expiry Interval 60 after none in CONNECT", p, true,
         {{0, [](const Identity&) {
               return reason5(PacketType::disconnect, 0x00, prop(PropertyId::session_expiry_interval, 60));
           }, broken()}}},
        {"v5-auth-without-method", "MQTT-4.12.0-7", v5, s_auth, "AUTH 0x19 after a CONNECT without a method", p,
         true, {{0, [](const Identity&) {
               return reason5(PacketType::auth, 0x19, prop(PropertyId::authentication_method, "mqttlens"));
           }, broken()}}},
        // Needs a broker that accepts an Authentication Method it may not know: n/a otherwise.
        {"v5-auth-method-changed", "MQTT-4.12.1-1", v5, s_auth, "re-authentication AUTH 0x19 with another method",
         Preamble::none, true,
         {{0, [](const Identity& w) { return connect5(w, prop(PropertyId::authentication_method, "mqttlens-a")); },
           accepted(0)},
          {0, [](const Identity&) {
               return reason5(PacketType::auth, 0x19, prop(PropertyId::authentication_method, "mqttlens-b"));
           }, broken()}}},
    };
}

}  // namespace

std::vector<Case> build::cases_v5() {
    std::vector<Case> v = fixed_header_cases();
    for (auto&& part : {connect_cases(), property_cases(), publish_cases(), subscribe_cases(), other_cases()})
        v.insert(v.end(), part.begin(), part.end());
    return v;
}

}  // namespace mqttlens::probe
