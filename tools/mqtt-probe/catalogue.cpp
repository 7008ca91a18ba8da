// The catalogue put together, the reactions in words, and the 3.1.1 server-side cases. Each breaking
// packet is built with the codec's encoder, broken by EncodeOverrides or by fields the packet's own
// flags contradict; tests/probe checks that the project's decoder finds the case's rule in them.
#include "catalogue.hpp"
#include "catalogue_build.hpp"

#include <fmt/format.h>

#include <array>

namespace mqttlens::probe {

namespace {

using namespace build;

/// The preamble's CONNECT with its Connect Flags byte replaced by `flags`.
Bytes connect_flags(const Identity& who, std::uint8_t flags) {
    mqtt::Connect c = connect_body(who);
    c.flags = flags;
    return encode(mqtt::make_packet(PacketType::connect, c));
}

Bytes connect_will(const Identity& who, std::uint8_t flags, bool fields) {
    mqtt::Connect c = connect_body(who);
    c.flags = flags;
    if (fields) c.will = mqtt::Will{who.topic, mqtt::as_bytes("gone")};
    return encode(mqtt::make_packet(PacketType::connect, c));
}

Bytes connect_client_id(const Identity& who, std::string_view id, bool clean) {
    mqtt::Connect c = connect_body(who);
    c.client_id = id;
    if (!clean) c.flags &= ~0x02;
    return encode(mqtt::make_packet(PacketType::connect, c));
}

Bytes publish(const Identity& who, int qos, std::optional<std::uint16_t> id, std::string_view topic = {},
              std::uint8_t extra_flags = 0, std::string_view payload = "probe") {
    mqtt::Publish p;
    p.topic = topic.empty() ? std::string_view(who.topic) : topic;
    p.packet_id = id;
    p.payload = mqtt::as_bytes(payload);
    return encode(mqtt::make_packet(PacketType::publish, p, static_cast<std::uint8_t>(qos << 1 | extra_flags)));
}

Bytes subscribe(std::initializer_list<mqtt::Subscription> subs, std::uint16_t id = 1, mqtt::EncodeOverrides o = {}) {
    Bytes storage;
    mqtt::Subscribe s;
    s.packet_id = id;
    s.subscriptions = mqtt::build_subscriptions(storage, std::span(subs.begin(), subs.size()));
    return encode(mqtt::make_packet(PacketType::subscribe, s), o);
}

Bytes unsubscribe(std::initializer_list<std::string_view> filters, std::uint16_t id = 1, mqtt::EncodeOverrides o = {}) {
    Bytes storage;
    mqtt::Unsubscribe u;
    u.packet_id = id;
    u.filters = mqtt::build_filters(storage, std::span(filters.begin(), filters.size()));
    return encode(mqtt::make_packet(PacketType::unsubscribe, u), o);
}

constexpr std::string_view s_fixed = "2.2 Fixed header", s_connect = "3.1 CONNECT", s_publish = "3.3 PUBLISH",
                           s_subscribe = "3.8 SUBSCRIBE", s_unsubscribe = "3.10 UNSUBSCRIBE",
                           s_ping = "3.12 PINGREQ", s_disconnect = "3.14 DISCONNECT";

std::vector<Case> connect_cases() {
    const Preamble none = Preamble::none;
    return {
        {"connect-reserved-flag", "MQTT-3.1.2-3", v311, s_connect, "Connect Flags bit 0 set", none, true,
         {{0, [](const Identity& w) { return connect_flags(w, 0x03); }, close_without_reply()}}},
        {"connect-protocol-name", "MQTT-3.1.2-1", v311, s_connect, "Protocol Name \"MQTX\"", none, true,
         {{0, [](const Identity& w) {
               mqtt::Connect c = connect_body(w);
               c.protocol_name = "MQTX";
               return encode(mqtt::make_packet(PacketType::connect, c));
           }, {Expect::close_without_reply, PacketType::reserved0, -1, -1, -1, false, true}}}},
        {"connect-protocol-level", "MQTT-3.1.2-2", v311, s_connect, "Protocol Level 6", none, true,
         {{0, [](const Identity& w) {
               mqtt::Connect c = connect_body(w);
               c.protocol_level = 6;
               return encode(mqtt::make_packet(PacketType::connect, c));
           }, connack_then_close(0x01)}}},
        {"connect-will-fields-missing", "MQTT-3.1.2-9", v311, s_connect, "Will Flag 1, no Will Topic nor Message",
         none, true, {{0, [](const Identity& w) { return connect_will(w, 0x06, false); }, close_without_reply()}}},
        {"connect-will-qos-without-will", "MQTT-3.1.2-13", v311, s_connect, "Will Flag 0, Will QoS 1", none, true,
         {{0, [](const Identity& w) { return connect_flags(w, 0x0A); }, close_without_reply()}}},
        {"connect-will-qos-3", "MQTT-3.1.2-14", v311, s_connect, "Will QoS 3", none, true,
         {{0, [](const Identity& w) { return connect_will(w, 0x1E, true); }, close_without_reply()}}},
        {"connect-will-retain-without-will", "MQTT-3.1.2-15", v311, s_connect, "Will Flag 0, Will Retain 1", none,
         true, {{0, [](const Identity& w) { return connect_flags(w, 0x22); }, close_without_reply()}}},
        {"connect-username-missing", "MQTT-3.1.2-19", v311, s_connect, "User Name Flag 1, no User Name", none, true,
         {{0, [](const Identity& w) { return connect_flags(w, 0x82); }, close_without_reply()}}},
        {"connect-password-without-username", "MQTT-3.1.2-22", v311, s_connect,
         "Password Flag 1 with User Name Flag 0", none, true,
         {{0, [](const Identity& w) {
               mqtt::Connect c = connect_body(w);
               c.flags = 0x42;
               c.username.reset();
               c.password = mqtt::as_bytes("secret");
               return encode(mqtt::make_packet(PacketType::connect, c));
           }, close_without_reply()}}},
        {"connect-client-id-not-utf8", "MQTT-3.1.3-4", v311, s_connect, "Client Identifier C0 AF (overlong)", none,
         true, {{0, [](const Identity& w) { return connect_client_id(w, "\xC0\xAF", true); }, close_without_reply()}}},
        {"connect-client-id-empty-persistent", "MQTT-3.1.3-7", v311, s_connect,
         "empty Client Identifier with Clean Session 0", none, true,
         {{0, [](const Identity& w) { return connect_client_id(w, "", false); }, connack_then_close(0x02)}}},
        {"connect-trailing-bytes", "MQTT-3.1.4-1", v311, s_connect, "a byte after the last field", none, true,
         {{0, [](const Identity& w) {
               Bytes real = connect_flags(w, connect_body(w).flags);
               return encode(mqtt::make_packet(PacketType::connect, connect_body(w)),
                             one_extra_byte(static_cast<std::uint32_t>(real.size() - 2)));
           }, close_without_reply()}}},
        {"first-packet-not-connect", "MQTT-3.1.0-1", v311, s_connect, "PINGREQ before CONNECT", none, true,
         {{0, [](const Identity&) { return empty(PacketType::pingreq); }, close_without_reply()}}},
        {"second-connect", "MQTT-3.1.0-2", v311, s_connect, "a second CONNECT", Preamble::connect, true,
         {{0, [](const Identity& w) { return preamble_connect(w); }, close()}}},
    };
}

std::vector<Case> fixed_header_cases() {
    return {
        {"reserved-type-0", "MQTT-§2.2.1", v311, s_fixed, "packet type 0", Preamble::connect, true,
         {{0, [](const Identity&) { return Bytes{0x00, 0x00}; }, close()}}},
        {"reserved-type-15", "MQTT-§2.2.1", v311, s_fixed, "packet type 15", Preamble::connect, true,
         {{0, [](const Identity&) { return Bytes{0xF0, 0x00}; }, close()}}},
        {"remaining-length-malformed", "MQTT-§2.2.3", v311, s_fixed, "Remaining Length FF FF FF FF 01",
         Preamble::connect, true, {{0, [](const Identity&) {
               mqtt::EncodeOverrides o;
               o.remaining_length_bytes = Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x01};
               return empty(PacketType::pingreq, o);
           }, close()}}},
        {"pingreq-flags", "MQTT-2.2.2-1", v311, s_fixed, "PINGREQ with flags 0001", Preamble::connect, true,
         {{0, [](const Identity&) { return empty(PacketType::pingreq, flags(1)); }, close()}}},
        {"pubrel-flags", "MQTT-3.6.1-1", v311, s_fixed, "PUBREL with flags 0000", Preamble::connect, true,
         {{0, [](const Identity&) { return ack(PacketType::pubrel, 1, flags(0)); }, close()}}},
    };
}

std::vector<Case> publish_cases() {
    return {
        {"publish-qos-3", "MQTT-3.3.1-4", v311, s_publish, "PUBLISH QoS 3", Preamble::connect, true,
         {{0, [](const Identity& w) { return publish(w, 3, 1); }, close()}}},
        {"publish-dup-qos-0", "MQTT-3.3.1-2", v311, s_publish, "PUBLISH DUP 1 with QoS 0", Preamble::connect, true,
         {{0, [](const Identity& w) { return publish(w, 0, std::nullopt, {}, 0x08); }, close()}}},
        {"publish-topic-wildcard", "MQTT-3.3.2-2", v311, s_publish, "PUBLISH to \"a/+/b\"", Preamble::connect,
         true, {{0, [](const Identity& w) { return publish(w, 0, std::nullopt, "a/+/b"); }, close()}}},
        {"publish-topic-not-utf8", "MQTT-3.3.2-1", v311, s_publish, "Topic Name with ED A0 80 (a surrogate)",
         Preamble::connect, true,
         {{0, [](const Identity& w) { return publish(w, 0, std::nullopt, "a/\xED\xA0\x80"); }, close()}}},
        {"publish-packet-id-zero", "MQTT-2.3.1-1", v311, s_publish, "PUBLISH QoS 1 with Packet Identifier 0",
         Preamble::connect, true, {{0, [](const Identity& w) { return publish(w, 1, 0); }, close()}}},
        {"puback-same-id", "MQTT-2.3.1-6", v311, s_publish, "PUBLISH QoS 1 id 4660 gets PUBACK 4660",
         Preamble::connect, false,
         {{0, [](const Identity& w) { return publish(w, 1, 4660); }, reply(PacketType::puback, 4660)}}},
        {"qos-2-flow", "MQTT-2.3.1-6", v311, s_publish, "PUBLISH QoS 2 id 7: PUBREC 7, PUBREL 7: PUBCOMP 7",
         Preamble::connect, false,
         {{0, [](const Identity& w) { return publish(w, 2, 7); }, reply(PacketType::pubrec, 7)},
          {0, [](const Identity&) { return ack(PacketType::pubrel, 7); }, reply(PacketType::pubcomp, 7)}}},
        {"retained-delivered", "MQTT-3.3.1-6", v311, s_publish,
         "a retained PUBLISH reaches a later subscriber with RETAIN 1", Preamble::connect, false,
         {{0, [](const Identity& w) { return publish(w, 1, 1, {}, 0x01); }, reply(PacketType::puback, 1)},
          {1, [](const Identity& w) { return subscribe({{w.topic, 0}}, 2); }, reply(PacketType::publish, -1, -1, true)},
          {0, [](const Identity& w) { return publish(w, 1, 3, {}, 0x01, ""); }, reply(PacketType::puback, 3)}}},
    };
}

std::vector<Case> subscribe_cases() {
    return {
        {"subscribe-flags", "MQTT-3.8.1-1", v311, s_subscribe, "SUBSCRIBE with flags 0000", Preamble::connect, true,
         {{0, [](const Identity& w) { return subscribe({{w.topic, 0}}, 1, flags(0)); }, close()}}},
        {"subscribe-no-filters", "MQTT-3.8.3-3", v311, s_subscribe, "SUBSCRIBE without a Topic Filter",
         Preamble::connect, true, {{0, [](const Identity&) { return subscribe({}); }, close()}}},
        {"subscribe-filter-hash", "MQTT-4.7.1-2", v311, s_subscribe, "Topic Filter \"a/#/b\"", Preamble::connect,
         true, {{0, [](const Identity&) { return subscribe({{"a/#/b", 0}}); }, close()}}},
        {"subscribe-filter-plus", "MQTT-4.7.1-3", v311, s_subscribe, "Topic Filter \"a/b+\"", Preamble::connect,
         true, {{0, [](const Identity&) { return subscribe({{"a/b+", 0}}); }, close()}}},
        {"subscribe-qos-reserved-bits", "MQTT-3-8.3-4", v311, s_subscribe, "Requested QoS byte 0x04",
         Preamble::connect, true, {{0, [](const Identity& w) { return subscribe({{w.topic, 0x04}}); }, close()}}},
        {"subscribe-qos-3", "MQTT-3-8.3-4", v311, s_subscribe, "Requested QoS 3", Preamble::connect, true,
         {{0, [](const Identity& w) { return subscribe({{w.topic, 0x03}}); }, close()}}},
        {"subscribe-packet-id-zero", "MQTT-2.3.1-1", v311, s_subscribe, "SUBSCRIBE with Packet Identifier 0",
         Preamble::connect, true, {{0, [](const Identity& w) { return subscribe({{w.topic, 0}}, 0); }, close()}}},
        {"suback-one-code-per-filter", "MQTT-3.9.3-1", v311, s_subscribe,
         "SUBSCRIBE with 3 filters gets SUBACK with 3 codes", Preamble::connect, false,
         {{0, [](const Identity& w) { return subscribe({{w.topic, 0}, {"x/+", 1}, {"y/#", 2}}, 9); },
           reply(PacketType::suback, 9, 3)}}},
    };
}

std::vector<Case> unsubscribe_ping_disconnect_cases() {
    return {
        {"unsubscribe-no-filters", "MQTT-3.10.3-2", v311, s_unsubscribe, "UNSUBSCRIBE without a Topic Filter",
         Preamble::connect, true, {{0, [](const Identity&) { return unsubscribe({}); }, close()}}},
        {"unsubscribe-flags", "MQTT-3.10.1-1", v311, s_unsubscribe, "UNSUBSCRIBE with flags 0000",
         Preamble::connect, true, {{0, [](const Identity& w) { return unsubscribe({w.topic}, 1, flags(0)); }, close()}}},
        {"unsuback-same-id", "MQTT-3.10.4-4", v311, s_unsubscribe, "UNSUBSCRIBE id 5 gets UNSUBACK 5",
         Preamble::connect, false,
         {{0, [](const Identity& w) { return unsubscribe({w.topic}, 5); }, reply(PacketType::unsuback, 5)}}},
        {"pingreq-length", "MQTT-§3.12.1", v311, s_ping, "PINGREQ with Remaining Length 1", Preamble::connect, true,
         {{0, [](const Identity&) { return empty(PacketType::pingreq, one_extra_byte(0)); }, close()}}},
        {"pingreq-answered", "MQTT-3.12.4-1", v311, s_ping, "PINGREQ gets PINGRESP", Preamble::connect, false,
         {{0, [](const Identity&) { return empty(PacketType::pingreq); }, reply(PacketType::pingresp)}}},
        // A broken DISCONNECT is a protocol violation: the broker closes, and as no valid DISCONNECT
        // came, publishes the Will (MQTT-3.1.2-8), which a second connection subscribed to it sees.
        {"disconnect-flags", "MQTT-3.14.1-1", v311, s_disconnect, "DISCONNECT with flags 0001: closed, Will sent",
         Preamble::will, true,
         {{1, [](const Identity& w) { return subscribe({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity&) { return empty(PacketType::disconnect, flags(1)); }, close()},
          {1, nullptr, reply(PacketType::publish)}}},
        {"disconnect-length", "MQTT-§3.14.1", v311, s_disconnect, "DISCONNECT with Remaining Length 1: closed, Will sent",
         Preamble::will, true,
         {{1, [](const Identity& w) { return subscribe({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity&) { return empty(PacketType::disconnect, one_extra_byte(0)); }, close()},
          {1, nullptr, reply(PacketType::publish)}}},
    };
}

}  // namespace

std::vector<Case> build::cases_311() {
    std::vector<Case> v = fixed_header_cases();
    for (auto&& part : {connect_cases(), publish_cases(), subscribe_cases(), unsubscribe_ping_disconnect_cases()})
        v.insert(v.end(), part.begin(), part.end());
    return v;
}

Bytes preamble_connect(const Identity& who, bool will, bool v5) {
    mqtt::Connect c = connect_body(who);
    if (v5) {
        c.protocol_level = 5;
        c.properties = mqtt::PropertyList{};
    }
    if (will) {
        c.flags |= 0x04;
        c.will = mqtt::Will{who.topic, mqtt::as_bytes("will")};
        if (v5) c.will->properties = mqtt::PropertyList{};
    }
    return encode(mqtt::make_packet(PacketType::connect, c));
}

const std::vector<Case>& catalogue() {
    static const std::vector<Case> all = [] {
        std::vector<Case> v = cases_311();
        for (auto&& part : {cases_v5(), cases_behaviour()}) v.insert(v.end(), part.begin(), part.end());
        return v;
    }();
    return all;
}

namespace {

std::string code_list(const std::vector<std::uint8_t>& codes) {
    std::string s;
    for (std::uint8_t c : codes) s += fmt::format("{}0x{:02X}", s.empty() ? "" : "/", c);
    return s;
}

std::string describe_reply(const Reaction& r) {
    std::string s(mqtt::type_name(r.type, mqtt::Version::v5_0));
    if (!r.codes.empty()) s += " " + code_list(r.codes);
    if (r.packet_id >= 0) s += fmt::format(" id {}", r.packet_id);
    if (r.count >= 0) s += fmt::format(" with {} codes", r.count);
    if (r.qos >= 0) s += fmt::format(" QoS {}", r.qos);
    if (r.retain) s += " RETAIN 1";
    if (!r.topic_end.empty()) s += fmt::format(" to ...{}", r.topic_end);
    if (!r.payload.empty()) s += fmt::format(" \"{}\"", r.payload);
    if (!r.or_disconnect.empty()) s += fmt::format(", or DISCONNECT {} then close", code_list(r.or_disconnect));
    return s;
}

}  // namespace

std::string describe(const Reaction& r) {
    const std::string within = r.within_ms ? fmt::format(" within {} ms", r.within_ms) : "";
    switch (r.expect) {
    case Expect::close_without_reply: return "close without reply";
    case Expect::connack_then_close: return fmt::format("CONNACK 0x{:02X} then close", r.code);
    case Expect::close: return "close" + within;
    case Expect::reply: return describe_reply(r);
    case Expect::refuse: return fmt::format("CONNACK {} then close, or close without reply", code_list(r.codes));
    case Expect::disconnect:
        return fmt::format("DISCONNECT {} then close, or close{}", code_list(r.codes), within);
    case Expect::silence:
        return fmt::format("no {}{}", r.type == PacketType::reserved0 ? "packet" : mqtt::type_name(r.type), within);
    case Expect::accepted:
        return r.session_present < 0 ? std::string("CONNACK 0x00")
                                     : fmt::format("CONNACK 0x00 Session Present {}", r.session_present);
    case Expect::pause: return fmt::format("(pause {} ms)", r.within_ms);
    }
    return "?";
}

std::string expected(const Case& c) {
    std::string out;
    for (const Step& step : c.steps)
        if (step.reaction.expect != Expect::pause) out += (out.empty() ? "" : "; ") + describe(step.reaction);
    return out;
}

}  // namespace mqttlens::probe
