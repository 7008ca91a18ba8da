// Behaviour cases: valid traffic only, and what the standard requires the server to do with it
// (deliver, acknowledge, keep or drop a session, publish or discard a Will, close a silent client).
// The rule IDs are the standards' own statements; most are outside the byte-level rules files
// (tests/probe lists those it accepts). Every wait is bounded by the reaction or the step bound.
#include "catalogue.hpp"
#include "catalogue_build.hpp"

namespace mqttlens::probe {

namespace {

using namespace build;
using mqtt::PropertyId;

constexpr std::string_view v5 = version_5;
constexpr std::string_view s_311 = "Behaviour (3.1.1)", s_v5 = "Behaviour (5.0)";

/// How long a "no delivery" step listens; a delivery on loopback takes well under a millisecond.
constexpr unsigned quiet_ms = 400;
/// Keep Alive 1 s: 1.5 s, and 1 s of slack for a server whose timer counts whole seconds.
constexpr unsigned keep_alive_bound_ms = 2500;
/// The pause after the probe closes a connection, so the broker has seen the close before the
/// next CONNECT with the same Client Identifier.
constexpr unsigned settle_ms = 100;

Bytes publish311(const Identity& w, int qos, std::optional<std::uint16_t> id, std::string_view payload,
                 bool retain = false) {
    mqtt::Publish p;
    p.topic = w.topic;
    p.packet_id = id;
    p.payload = mqtt::as_bytes(payload);
    return encode(mqtt::make_packet(PacketType::publish, p, static_cast<std::uint8_t>(qos << 1 | (retain ? 1 : 0))));
}

Bytes subscribe311(const Identity& w, std::uint8_t qos, std::uint16_t id = 1) {
    Bytes storage;
    mqtt::Subscription sub{w.topic, qos};
    mqtt::Subscribe s;
    s.packet_id = id;
    s.subscriptions = mqtt::build_subscriptions(storage, std::span(&sub, 1));
    return encode(mqtt::make_packet(PacketType::subscribe, s));
}

/// The preamble's 3.1.1 CONNECT for the case's session (connection 0's Client Identifier).
Bytes connect_session(const Identity& w, bool clean, std::uint16_t keep_alive = 60) {
    mqtt::Connect c = connect_body(w);
    c.client_id = w.session_id;
    c.keep_alive = keep_alive;
    if (!clean) c.flags &= ~0x02;
    return encode(mqtt::make_packet(PacketType::connect, c));
}

/// The 5.0 CONNECT for the case's session with Clean Start `clean`, Keep Alive 60 and `properties`.
Bytes connect5_session(const Identity& w, bool clean, const Bytes& properties, std::uint16_t keep_alive = 60) {
    mqtt::Connect c = connect5_body(w, properties);
    c.client_id = w.session_id;
    c.keep_alive = keep_alive;
    if (!clean) c.flags &= ~0x02;
    return encode(mqtt::make_packet(PacketType::connect, c));
}

Step hang_up(std::uint8_t connection, Bytes (*last)(const Identity&) = nullptr) {
    return {connection, last, pause(settle_ms), true};
}

std::vector<Case> retained_and_qos_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"retained-cleared", "MQTT-3.3.1-10", v311, s_311,
         "an empty retained PUBLISH removes the retained message: a later subscriber gets none", p, false,
         {{0, [](const Identity& w) { return publish311(w, 1, 1, "kept", true); }, reply(PacketType::puback, 1)},
          {0, [](const Identity& w) { return publish311(w, 1, 2, "", true); }, reply(PacketType::puback, 2)},
          {1, [](const Identity& w) { return subscribe311(w, 0); }, reply(PacketType::suback, 1)},
          {1, nullptr, no_delivery(quiet_ms)}}},
        {"qos-1-delivery", "MQTT-3.3.5-1", v311, s_311,
         "QoS 1 PUBLISH: PUBACK, delivered once at QoS 1 to a QoS 1 subscriber", p, false,
         {{1, [](const Identity& w) { return subscribe311(w, 1); }, reply(PacketType::suback, 1)},
          {0, [](const Identity& w) { return publish311(w, 1, 11, "q1"); }, reply(PacketType::puback, 11)},
          {1, nullptr, delivery("q1", 1)},
          {1, [](const Identity& w) { return ack(PacketType::puback, w.received_id); }, no_delivery(quiet_ms)}}},
        {"qos-2-delivery", "MQTT-4.3.3-1", v311, s_311,
         "QoS 2 PUBLISH: PUBREC, PUBCOMP; delivered exactly once at QoS 2, PUBREL after PUBREC", p, false,
         {{1, [](const Identity& w) { return subscribe311(w, 2); }, reply(PacketType::suback, 1)},
          {0, [](const Identity& w) { return publish311(w, 2, 12, "q2"); }, reply(PacketType::pubrec, 12)},
          {0, [](const Identity&) { return ack(PacketType::pubrel, 12); }, reply(PacketType::pubcomp, 12)},
          {1, nullptr, delivery("q2", 2)},
          {1, [](const Identity& w) { return ack(PacketType::pubrec, w.received_id); }, reply(PacketType::pubrel)},
          {1, [](const Identity& w) { return ack(PacketType::pubcomp, w.received_id); }, no_delivery(quiet_ms)}}},
    };
}

std::vector<Case> connection_cases() {
    return {
        {"will-on-abrupt-close", "MQTT-3.1.2-8", v311, s_311,
         "the connection closed without DISCONNECT: the Will reaches a subscriber", Preamble::will, false,
         {{1, [](const Identity& w) { return subscribe311(w, 0); }, reply(PacketType::suback, 1)},
          hang_up(0),
          {1, nullptr, delivery("will")}}},
        {"no-will-after-disconnect", "MQTT-3.14.4-3", v311, s_311, "DISCONNECT, then close: the Will is discarded",
         Preamble::will, false,
         {{1, [](const Identity& w) { return subscribe311(w, 0); }, reply(PacketType::suback, 1)},
          hang_up(0, [](const Identity&) { return empty(PacketType::disconnect); }),
          {1, nullptr, no_delivery(quiet_ms)}}},
        // Keep Alive 1 s: the server closes within 1.5 s of silence; 1 s on top for a timer of
        // one-second resolution and the loopback.
        {"keep-alive-expiry", "MQTT-3.1.2-24", v311, s_311, "Keep Alive 1, then silence: closed within 1.5 s (+1 s)",
         Preamble::none, false,
         {{0, [](const Identity& w) { return connect_session(w, true, 1); }, accepted(0)},
          {0, nullptr, [] { Reaction r = close(); r.within_ms = keep_alive_bound_ms; return r; }()}}},
        {"session-present", "MQTT-3.2.2-2", v311, s_311,
         "Clean Session 0 reconnect: Session Present 1, subscription kept; Clean Session 1 ends it", Preamble::none,
         false,
         {{0, [](const Identity& w) { return connect_session(w, false); }, accepted()},
          {0, [](const Identity& w) { return subscribe311(w, 0); }, reply(PacketType::suback, 1)},
          hang_up(0, [](const Identity&) { return empty(PacketType::disconnect); }),
          {1, [](const Identity& w) { return connect_session(w, false); }, accepted(1)},
          {1, [](const Identity& w) { return publish311(w, 0, std::nullopt, "kept"); }, delivery("kept")},
          hang_up(1, [](const Identity&) { return empty(PacketType::disconnect); }),
          {2, [](const Identity& w) { return connect_session(w, true); }, accepted(0)}}},
    };
}

std::vector<Case> v5_cases() {
    const Preamble p = Preamble::connect;
    return {
        {"v5-topic-alias", "MQTT-3.3.2-12", v5, s_v5,
         "Topic Alias 1 set, used with an empty Topic Name, then remapped: delivered to the mapped topics", p, false,
         {{1, [](const Identity& w) { return subscribe5({{w.topic + "/#", 0}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity& w) {
               return publish5(w, 1, 1, prop(PropertyId::topic_alias, 1), (w.topic + "/a").c_str(), "one");
           }, reply(PacketType::puback, 1)},
          {0, [](const Identity& w) { return publish5(w, 1, 2, prop(PropertyId::topic_alias, 1), "", "two"); },
           reply(PacketType::puback, 2)},
          {1, nullptr, [] { Reaction r = delivery("two"); r.topic_end = "/a"; return r; }()},
          {0, [](const Identity& w) {
               return publish5(w, 1, 3, prop(PropertyId::topic_alias, 1), (w.topic + "/b").c_str(), "three");
           }, reply(PacketType::puback, 3)},
          {0, [](const Identity& w) { return publish5(w, 1, 4, prop(PropertyId::topic_alias, 1), "", "four"); },
           reply(PacketType::puback, 4)},
          {1, nullptr, [] { Reaction r = delivery("four"); r.topic_end = "/b"; return r; }()}},
         Needs::topic_alias},
        {"v5-receive-maximum", "MQTT-3.3.4-9", v5, s_v5,
         "subscriber's Receive Maximum 1: the second QoS 1 delivery waits for the first PUBACK", Preamble::none,
         false,
         {{0, [](const Identity& w) { return connect5(w, {}); }, accepted(0)},
          {1, [](const Identity& w) { return connect5(w, prop(PropertyId::receive_maximum, 1)); }, accepted(0)},
          {1, [](const Identity& w) { return subscribe5({{w.topic, 1}}); }, reply(PacketType::suback, 1)},
          {0, [](const Identity& w) { return publish5(w, 1, 1, {}, nullptr, "m1"); }, reply(PacketType::puback, 1)},
          {0, [](const Identity& w) { return publish5(w, 1, 2, {}, nullptr, "m2"); }, reply(PacketType::puback, 2)},
          {1, nullptr, delivery("m1", 1)},
          {1, nullptr, no_delivery(quiet_ms)},
          {1, [](const Identity& w) { return ack5(PacketType::puback, w.received_id); }, delivery("m2", 1)},
          {1, [](const Identity& w) { return ack5(PacketType::puback, w.received_id); }, no_delivery(50)}}},
        {"v5-session-expiry", "MQTT-3.1.2-23", v5, s_v5,
         "Session Expiry 60 kept the session over a close; Session Expiry 0 ends it at the close", Preamble::none,
         false,
         {{0, [](const Identity& w) { return connect5_session(w, true, prop(PropertyId::session_expiry_interval, 60)); },
           accepted(0)},
          {0, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          hang_up(0),
          {1, [](const Identity& w) { return connect5_session(w, false, {}); }, accepted(1)},
          {1, [](const Identity& w) { return publish5(w, 0, std::nullopt, {}, nullptr, "kept"); }, delivery("kept")},
          hang_up(1, [](const Identity&) { return reason5(PacketType::disconnect, 0x00); }),
          {2, [](const Identity& w) { return connect5_session(w, false, {}); }, accepted(0)}}},
        {"v5-will-on-disconnect-0x04", "MQTT-3.1.2-8", v5, s_v5,
         "DISCONNECT 0x04 (with Will Message): the Will reaches a subscriber", Preamble::will, false,
         {{1, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          hang_up(0, [](const Identity&) { return reason5(PacketType::disconnect, 0x04); }),
          {1, nullptr, delivery("will")}}},
        // The Will goes unless the DISCONNECT carried 0x00: 0x80 Unspecified error keeps it.
        {"v5-will-after-disconnect-0x80", "MQTT-3.1.2-8", v5, s_v5,
         "DISCONNECT 0x80 (Unspecified error): the Will reaches a subscriber", Preamble::will, false,
         {{1, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          hang_up(0, [](const Identity&) { return reason5(PacketType::disconnect, 0x80); }),
          {1, nullptr, delivery("will")}}},
        {"v5-no-will-after-disconnect", "MQTT-3.1.2-8", v5, s_v5, "DISCONNECT 0x00: the Will is discarded",
         Preamble::will, false,
         {{1, [](const Identity& w) { return subscribe5({{w.topic, 0}}); }, reply(PacketType::suback, 1)},
          hang_up(0, [](const Identity&) { return reason5(PacketType::disconnect, 0x00); }),
          {1, nullptr, no_delivery(quiet_ms)}}},
        // MQTT-3.1.2-22: closed within 1.5 x Keep Alive; a DISCONNECT 0x8D first is allowed.
        {"v5-keep-alive-expiry", "MQTT-3.1.2-22", v5, s_v5, "Keep Alive 1, then silence: closed within 1.5 s (+1 s)",
         Preamble::none, false,
         {{0, [](const Identity& w) { return connect5_session(w, true, {}, 1); }, accepted(0)},
          {0, nullptr, [] { Reaction r = disconnect({rc_keep_alive}); r.within_ms = keep_alive_bound_ms; return r; }()}}},
        {"v5-suback-one-code-per-filter", "MQTT-3.8.4-6", v5, s_v5,
         "SUBSCRIBE with 3 filters gets SUBACK with 3 granted codes", p, false,
         {{0, [](const Identity& w) { return subscribe5({{w.topic, 0}, {"x/+", 1}, {"y/#", 2}}, 9); }, [] {
               Reaction r = reply(PacketType::suback, 9, 3);
               r.codes = {0x00, 0x01, 0x02};
               return r;
           }()}}},
        {"v5-pingreq-answered", "MQTT-3.12.4-1", v5, s_v5, "PINGREQ gets PINGRESP", p, false,
         {{0, [](const Identity&) { return empty(PacketType::pingreq); }, reply(PacketType::pingresp)}}},
    };
}

}  // namespace

std::vector<Case> build::cases_behaviour() {
    std::vector<Case> v = retained_and_qos_cases();
    for (auto&& part : {connection_cases(), v5_cases()}) v.insert(v.end(), part.begin(), part.end());
    return v;
}

}  // namespace mqttlens::probe
