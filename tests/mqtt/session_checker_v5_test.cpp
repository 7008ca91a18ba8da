// Session checker, MQTT 5.0: the rules of shared/mqtt-5.0-rules.md "Across one connection", one
// test per rule or group, each asserting the code, its 5.0 rule ID and the packet (and offset)
// it is reported on. Packets are written out byte by byte with the builders below.
#include "mqtt/session_checker.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::mqtt {
namespace {

using ByteVec = std::vector<std::uint8_t>;

constexpr auto c2s = Direction::c2s;
constexpr auto s2c = Direction::s2c;

// ---- builders: the wire forms of §1.5 and §2.2.2 ------------------------------------------

ByteVec u16(std::uint16_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
ByteVec u32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
            static_cast<std::uint8_t>(v)};
}
ByteVec vbi(std::uint32_t v) {
    ByteVec out;
    do {
        std::uint8_t b = v & 0x7F;
        v >>= 7;
        out.push_back(static_cast<std::uint8_t>(b | (v ? 0x80 : 0)));
    } while (v);
    return out;
}
ByteVec str(std::string_view s) {
    ByteVec out = u16(static_cast<std::uint16_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
    return out;
}
ByteVec cat(std::initializer_list<ByteVec> parts) {
    ByteVec out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
/// A property list with its Property Length.
ByteVec props(std::initializer_list<ByteVec> list = {}) {
    const ByteVec body = cat(list);
    return cat({vbi(static_cast<std::uint32_t>(body.size())), body});
}
ByteVec p8(PropertyId id, std::uint8_t v) { return {static_cast<std::uint8_t>(id), v}; }
ByteVec p16(PropertyId id, std::uint16_t v) { return cat({{static_cast<std::uint8_t>(id)}, u16(v)}); }
ByteVec p32(PropertyId id, std::uint32_t v) { return cat({{static_cast<std::uint8_t>(id)}, u32(v)}); }
ByteVec pvbi(PropertyId id, std::uint32_t v) { return cat({{static_cast<std::uint8_t>(id)}, vbi(v)}); }
ByteVec pstr(PropertyId id, std::string_view s) { return cat({{static_cast<std::uint8_t>(id)}, str(s)}); }
ByteVec user(std::string_view k, std::string_view v) { return cat({{0x26}, str(k), str(v)}); }
/// A whole packet: first byte, Remaining Length, body.
ByteVec packet(std::uint8_t first, const ByteVec& body) {
    return cat({{first}, vbi(static_cast<std::uint32_t>(body.size())), body});
}

// CONNECT, Clean Start, keep alive `keep_alive`, ClientID `id`, the properties given
ByteVec connect(const ByteVec& properties = props(), std::string_view id = "c", std::uint8_t flags = 0x02,
                std::uint16_t keep_alive = 60, const ByteVec& will = {}) {
    return packet(0x10, cat({str("MQTT"), {5, flags}, u16(keep_alive), properties, str(id), will}));
}
ByteVec connack(const ByteVec& properties = props(), std::uint8_t code = 0, std::uint8_t flags = 0) {
    return packet(0x20, cat({{flags, code}, properties}));
}
ByteVec publish(std::string_view topic, std::uint8_t qos = 0, std::uint16_t id = 0, const ByteVec& properties = props(),
                bool retain = false) {
    const auto first = static_cast<std::uint8_t>(0x30 | qos << 1 | (retain ? 1 : 0));
    return packet(first, cat({str(topic), qos ? u16(id) : ByteVec{}, properties, {'h', 'i'}}));
}
ByteVec ack(std::uint8_t first, std::uint16_t id, std::uint8_t code, const ByteVec& properties = props()) {
    return packet(first, cat({u16(id), {code}, properties}));
}
ByteVec subscribe(std::uint16_t id, std::string_view filter, const ByteVec& properties = props()) {
    return packet(0x82, cat({u16(id), properties, str(filter), {0x01}}));
}
ByteVec disconnect(std::uint8_t code, const ByteVec& properties = props()) {
    return packet(0xE0, cat({{code}, properties}));
}
ByteVec auth(std::uint8_t code, const ByteVec& properties) { return packet(0xF0, cat({{code}, properties})); }

using P = PropertyId;
using Codes = std::vector<Code>;
const Codes none;

/// One 5.0 connection, packet by packet; every packet's bytes live as long as the session.
class Session {
public:
    Session() = default;
    explicit Session(const SessionOptions& options, std::optional<Version> version = std::nullopt)
        : checker_(options, version) {}

    Codes send(Direction d, ByteVec bytes, std::int64_t time_us = 0) { return codes(send_full(d, std::move(bytes), time_us)); }
    Diagnostics send_full(Direction d, ByteVec bytes, std::int64_t time_us = 0) {
        bytes_.push_back(std::move(bytes));
        const Packet p = decode(bytes_.back(), Version::v5_0);
        last_valid_ = p.valid();
        return checker_.observe(d, p, time_us, ++count_);
    }
    /// CONNECT and CONNACK 0x00 with these properties, both expected to pass.
    void open(const ByteVec& connect_properties = props(), const ByteVec& connack_properties = props()) {
        EXPECT_EQ(send(c2s, connect(connect_properties)), none);
        EXPECT_EQ(send(s2c, connack(connack_properties)), none);
    }
    bool last_valid() const { return last_valid_; }
    SessionChecker& checker() { return checker_; }

    static Codes codes(const Diagnostics& d) {
        Codes out;
        for (const auto& x : d) out.push_back(x.code);
        return out;
    }

private:
    SessionChecker checker_;
    std::deque<ByteVec> bytes_;
    std::uint64_t count_ = 0;
    bool last_valid_ = true;
};

std::string rule5(Code code) { return std::string(rule_id(code, Version::v5_0).id); }

// ---------------------------------------------------------------------------------------------
// A clean 5.0 session breaks nothing

TEST(SessionCheckerV5, CleanSessionWithEveryFeatureHasNoFindings) {
    Session s;
    s.open(props({p16(P::topic_alias_maximum, 4), p16(P::receive_maximum, 2), p32(P::maximum_packet_size, 1000)}),
           props({p16(P::topic_alias_maximum, 4), p16(P::receive_maximum, 2), p16(P::server_keep_alive, 30)}));
    EXPECT_EQ(s.send(c2s, subscribe(1, "a/#", props({pvbi(P::subscription_identifier, 7)}))), none);
    EXPECT_EQ(s.send(s2c, packet(0x90, cat({u16(1), props(), {0x01}}))), none);
    EXPECT_EQ(s.send(c2s, publish("a/b", 1, 2, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.send(c2s, publish("", 1, 3, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.send(s2c, ack(0x40, 2, 0x00)), none);
    EXPECT_EQ(s.send(s2c, ack(0x40, 3, 0x10)), none) << "0x10 No matching subscribers is the server's";
    EXPECT_EQ(s.send(s2c, publish("a/b", 2, 1, props({p16(P::topic_alias, 4), pvbi(P::subscription_identifier, 7)}))), none);
    EXPECT_EQ(s.send(c2s, ack(0x50, 1, 0x00)), none);
    EXPECT_EQ(s.send(s2c, ack(0x62, 1, 0x00)), none);
    EXPECT_EQ(s.send(c2s, ack(0x70, 1, 0x00)), none);
    EXPECT_EQ(s.send(c2s, disconnect(0x04)), none) << "0x04 Disconnect with Will Message is the client's";
    EXPECT_TRUE(s.checker().finish(0, ConnectionEnd::closed).empty());
}

// ---------------------------------------------------------------------------------------------
// Topic aliases, each direction on its own: MQTT-3.3.2-9, MQTT-3.3.2-11, MQTT5-§3.3.4

TEST(SessionCheckerV5, ClientAliasAboveTheServersMaximum) {
    EXPECT_EQ(rule5(Code::client_topic_alias_invalid), "MQTT-3.3.2-9");
    Session s;
    s.open(props(), props({p16(P::topic_alias_maximum, 2)}));
    const auto d = s.send_full(c2s, publish("a/b", 0, 0, props({p16(P::topic_alias, 3)})));
    ASSERT_EQ(Session::codes(d), Codes{Code::client_topic_alias_invalid});
    EXPECT_EQ(d[0].offset, 8u) << "at the Topic Alias property: 30 0B 00 03 a / b 03 [23 00 03]";
    EXPECT_EQ(d[0].field, Field::properties);
    EXPECT_EQ(s.send(c2s, publish("a/b", 0, 0, props({p16(P::topic_alias, 2)}))), none);
}

TEST(SessionCheckerV5, AnyClientAliasWhenTheServerDeclaredNone) {
    Session s;
    s.open();  // CONNACK without Topic Alias Maximum: 0
    EXPECT_EQ(s.send(c2s, publish("a/b", 0, 0, props({p16(P::topic_alias, 1)}))), Codes{Code::client_topic_alias_invalid});
    Session early;  // before the CONNACK the client knows no maximum
    EXPECT_EQ(early.send(c2s, connect()), none);
    EXPECT_EQ(early.send(c2s, publish("a/b", 0, 0, props({p16(P::topic_alias, 1)}))), Codes{Code::client_topic_alias_invalid});
}

TEST(SessionCheckerV5, ServerAliasAboveTheClientsMaximum) {
    EXPECT_EQ(rule5(Code::server_topic_alias_invalid), "MQTT-3.3.2-11");
    Session s;
    s.open(props({p16(P::topic_alias_maximum, 1)}), props({p16(P::topic_alias_maximum, 10)}));
    EXPECT_EQ(s.send(s2c, publish("a/b", 0, 0, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.send(s2c, publish("a/c", 0, 0, props({p16(P::topic_alias, 2)}))), Codes{Code::server_topic_alias_invalid})
        << "the server's 10 bounds the client, not the server";
}

TEST(SessionCheckerV5, AnEmptyTopicStandsForItsAliasInItsDirection) {
    EXPECT_EQ(rule5(Code::topic_alias_unmapped), "MQTT5-§3.3.4");
    Session s;
    s.open(props({p16(P::topic_alias_maximum, 5)}), props({p16(P::topic_alias_maximum, 5)}));
    EXPECT_EQ(s.send(c2s, publish("a/b", 0, 0, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.checker().alias_topic(), "") << "a Topic Name given is not resolved";
    EXPECT_EQ(s.send(c2s, publish("", 0, 0, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.checker().alias_topic(), "a/b");
    const auto d = s.send_full(s2c, publish("", 0, 0, props({p16(P::topic_alias, 1)})));
    EXPECT_EQ(Session::codes(d), Codes{Code::topic_alias_unmapped}) << "the client's mapping is not the server's";
    EXPECT_EQ(d[0].offset, 5u);
    EXPECT_EQ(s.checker().alias_topic(), "");
    // A new Topic Name replaces the mapping
    EXPECT_EQ(s.send(c2s, publish("x/y", 0, 0, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.send(c2s, publish("", 0, 0, props({p16(P::topic_alias, 1)}))), none);
    EXPECT_EQ(s.checker().alias_topic(), "x/y");
    EXPECT_EQ(s.send(c2s, publish("", 0, 0, props({p16(P::topic_alias, 2)}))), Codes{Code::topic_alias_unmapped});
}

TEST(SessionCheckerV5, AfterLostDataAnUnmappedAliasIsNotReported) {
    Session s;
    s.open(props(), props({p16(P::topic_alias_maximum, 5)}));
    s.checker().lost_data();
    EXPECT_EQ(s.send(c2s, publish("", 0, 0, props({p16(P::topic_alias, 1)}))), none) << "it may have been mapped in the gap";
    Session midstream(SessionOptions{.midstream = true}, Version::v5_0);
    EXPECT_EQ(midstream.send(c2s, publish("", 0, 0, props({p16(P::topic_alias, 9)}))), none);
}

// ---------------------------------------------------------------------------------------------
// Receive Maximum: MQTT-3.3.4-7, MQTT-3.3.4-9

TEST(SessionCheckerV5, ClientPublishesPastTheServersReceiveMaximum) {
    EXPECT_EQ(rule5(Code::client_receive_maximum_exceeded), "MQTT-3.3.4-7");
    Session s;
    s.open(props(), props({p16(P::receive_maximum, 2)}));
    EXPECT_EQ(s.send(c2s, publish("a", 1, 1)), none);
    EXPECT_EQ(s.send(c2s, publish("a", 2, 2)), none);
    const auto d = s.send_full(c2s, publish("a", 1, 3));
    EXPECT_EQ(Session::codes(d), Codes{Code::client_receive_maximum_exceeded});
    EXPECT_EQ(d[0].offset, 5u) << "at the Packet Identifier";
    EXPECT_EQ(s.send(s2c, ack(0x40, 1, 0)), none);
    EXPECT_EQ(s.send(s2c, ack(0x50, 2, 0x80)), none) << "PUBREC 0x80 ends the flow: identifier 2 is free";
    EXPECT_EQ(s.send(s2c, ack(0x40, 3, 0)), none);
    EXPECT_EQ(s.send(c2s, publish("a", 1, 4)), none);
    EXPECT_EQ(s.send(c2s, publish("a", 1, 2)), none) << "two in flight again";
    EXPECT_EQ(s.send(c2s, publish("a", 0)), none) << "QoS 0 does not count";
}

TEST(SessionCheckerV5, ServerPublishesPastTheClientsReceiveMaximum) {
    EXPECT_EQ(rule5(Code::server_receive_maximum_exceeded), "MQTT-3.3.4-9");
    Session s;
    s.open(props({p16(P::receive_maximum, 1)}));
    EXPECT_EQ(s.send(s2c, publish("a", 2, 1)), none);
    EXPECT_EQ(s.send(c2s, ack(0x50, 1, 0)), none);
    EXPECT_EQ(s.send(s2c, publish("a", 1, 2)), Codes{Code::server_receive_maximum_exceeded})
        << "a QoS 2 message stays in flight until PUBCOMP";
}

// ---------------------------------------------------------------------------------------------
// Maximum Packet Size: MQTT-3.2.2-15, MQTT-3.1.2-24

TEST(SessionCheckerV5, PacketsAboveTheReceiversMaximumPacketSize) {
    EXPECT_EQ(rule5(Code::client_packet_too_large), "MQTT-3.2.2-15");
    EXPECT_EQ(rule5(Code::server_packet_too_large), "MQTT-3.1.2-24");
    Session s;
    s.open(props({p32(P::maximum_packet_size, 11)}), props({p32(P::maximum_packet_size, 10)}));
    EXPECT_EQ(s.send(c2s, publish("a/b", 0)), none) << "30 08 ...: 10 bytes, at the limit";
    EXPECT_EQ(s.send(c2s, publish("a/bc", 0)), Codes{Code::client_packet_too_large});
    EXPECT_EQ(s.send(s2c, publish("a/bc", 0)), none) << "11 bytes: the client's limit is 11";
    EXPECT_EQ(s.send(s2c, publish("a/bcd", 0)), Codes{Code::server_packet_too_large});
    Session connack_too(SessionOptions{});
    EXPECT_EQ(connack_too.send(c2s, connect(props({p32(P::maximum_packet_size, 4)}))), none);
    EXPECT_EQ(connack_too.send(s2c, connack()), Codes{Code::server_packet_too_large}) << "CONNACK (5 bytes) included";
}

// ---------------------------------------------------------------------------------------------
// Capabilities the server declared: MQTT-3.2.2-11, MQTT-3.2.2-14, MQTT5-§3.2.2.3.11..13

TEST(SessionCheckerV5, ClientPublishAboveMaximumQosOrRetainUnavailable) {
    EXPECT_EQ(rule5(Code::publish_qos_above_maximum), "MQTT-3.2.2-11");
    EXPECT_EQ(rule5(Code::publish_retain_unavailable), "MQTT-3.2.2-14");
    Session s;
    s.open(props(), props({p8(P::maximum_qos, 1), p8(P::retain_available, 0)}));
    EXPECT_EQ(s.send(c2s, publish("a", 1, 1)), none);
    EXPECT_EQ(s.send(c2s, publish("a", 2, 2)), Codes{Code::publish_qos_above_maximum});
    EXPECT_EQ(s.send(c2s, publish("a", 0, 0, props(), true)), Codes{Code::publish_retain_unavailable});
    EXPECT_EQ(s.send(s2c, publish("a", 2, 1, props(), true)), none) << "they bind the client only";
}

TEST(SessionCheckerV5, SubscriptionsTheServerSaidItHasNot) {
    EXPECT_EQ(rule5(Code::subscribe_wildcard_unavailable), "MQTT5-§3.2.2.3.11");
    EXPECT_EQ(rule5(Code::subscribe_identifier_unavailable), "MQTT5-§3.2.2.3.12");
    EXPECT_EQ(rule5(Code::subscribe_shared_unavailable), "MQTT5-§3.2.2.3.13");
    Session s;
    s.open(props(), props({p8(P::wildcard_subscription_available, 0), p8(P::subscription_identifier_available, 0),
                           p8(P::shared_subscription_available, 0)}));
    EXPECT_EQ(s.send(c2s, subscribe(1, "a/b")), none);
    const auto d = s.send_full(c2s, subscribe(2, "a/+"));
    EXPECT_EQ(Session::codes(d), Codes{Code::subscribe_wildcard_unavailable});
    EXPECT_EQ(d[0].offset, 7u) << "82 09 00 02 00 00 03 [a / +]";
    EXPECT_EQ(s.send(c2s, subscribe(3, "$share/g/a")), Codes{Code::subscribe_shared_unavailable});
    EXPECT_EQ(s.send(c2s, subscribe(4, "a", props({pvbi(P::subscription_identifier, 1)}))),
              Codes{Code::subscribe_identifier_unavailable});
}

TEST(SessionCheckerV5, SubscriptionIdentifierFromTheClient) {
    EXPECT_EQ(rule5(Code::publish_subscription_identifier_from_client), "MQTT-3.3.4-6");
    Session s;
    s.open();
    EXPECT_EQ(s.send(c2s, publish("a", 0, 0, props({pvbi(P::subscription_identifier, 1)}))),
              Codes{Code::publish_subscription_identifier_from_client});
    EXPECT_EQ(s.send(s2c, publish("a", 0, 0, props({pvbi(P::subscription_identifier, 1)}))), none);
}

// ---------------------------------------------------------------------------------------------
// CONNACK: MQTT-3.2.0-2, MQTT-3.1.3-7, MQTT-3.2.2-12, MQTT-3.2.2-13, MQTT-3.1.2-28, MQTT-3.2.2-2

TEST(SessionCheckerV5, ConnackAgainstWhatTheConnectAsked) {
    Session twice;
    twice.open();
    EXPECT_EQ(twice.send(s2c, connack()), Codes{Code::second_connack});
    EXPECT_EQ(rule5(Code::second_connack), "MQTT-3.2.0-2");

    Session empty_id;
    EXPECT_EQ(empty_id.send(c2s, connect(props(), "")), none) << "an empty ClientID is fine in 5.0";
    EXPECT_EQ(empty_id.send(s2c, connack()), Codes{Code::connack_without_assigned_client_id});
    EXPECT_EQ(rule5(Code::connack_without_assigned_client_id), "MQTT-3.1.3-7");
    Session assigned;
    EXPECT_EQ(assigned.send(c2s, connect(props(), "")), none);
    EXPECT_EQ(assigned.send(s2c, connack(props({pstr(P::assigned_client_identifier, "auto-1")}))), none);

    // Will QoS 2, Will Retain: flags 0x36 = Will Retain, Will QoS 2, Will Flag, Clean Start
    const ByteVec will = cat({props(), str("w"), str("x")});
    Session wills;
    EXPECT_EQ(wills.send(c2s, connect(props(), "c", 0x36, 60, will)), none);
    EXPECT_EQ(wills.send(s2c, connack(props({p8(P::maximum_qos, 1), p8(P::retain_available, 0)}))),
              (Codes{Code::connack_maximum_qos_below_will, Code::connack_retain_unavailable_will}));

    Session response;
    EXPECT_EQ(response.send(c2s, connect()), none);
    EXPECT_EQ(response.send(s2c, connack(props({pstr(P::response_information, "r/")}))),
              Codes{Code::response_information_unrequested});
    Session asked;
    EXPECT_EQ(asked.send(c2s, connect(props({p8(P::request_response_information, 1)}))), none);
    EXPECT_EQ(asked.send(s2c, connack(props({pstr(P::response_information, "r/")}))), none);

    Session present;
    EXPECT_EQ(present.send(c2s, connect()), none);
    EXPECT_EQ(present.send(s2c, connack(props(), 0, 0x01)), Codes{Code::session_present_clean});
    EXPECT_EQ(rule5(Code::session_present_clean), "MQTT-3.2.2-2");
}

TEST(SessionCheckerV5, AMalformedConnectIsRefusedNotAccepted) {
    Session refused;  // reserved flag bit 0: Malformed; the server answers 0x81 and closes
    EXPECT_EQ(refused.send(c2s, connect(props(), "c", 0x03)), none);
    EXPECT_FALSE(refused.last_valid());
    EXPECT_EQ(refused.send(s2c, connack(props(), 0x81)), none);
    EXPECT_EQ(refused.send(s2c, packet(0xD0, {})), Codes{Code::data_after_connack_error});
    EXPECT_EQ(rule5(Code::data_after_connack_error), "MQTT-3.2.2-7");
    Session accepted;
    EXPECT_EQ(accepted.send(c2s, connect(props(), "c", 0x03)), none);
    EXPECT_EQ(accepted.send(s2c, connack()), Codes{Code::connack_after_bad_connect});
}

TEST(SessionCheckerV5, ServerKeepAliveReplacesTheClients) {
    Session s;
    EXPECT_EQ(s.send(c2s, connect(props(), "c", 0x02, 10), 0), none);
    EXPECT_EQ(s.send(s2c, connack(props({p16(P::server_keep_alive, 100)})), 0), none);
    EXPECT_EQ(s.send(c2s, packet(0xC0, {}), 60'000'000), none) << "60 s: within 1.5 x 100 s";
    EXPECT_EQ(s.send(c2s, packet(0xC0, {}), 220'000'000), Codes{Code::keep_alive_exceeded});
}

// ---------------------------------------------------------------------------------------------
// Reason codes by sender, DISCONNECT: MQTT-3.14.2-1, MQTT5-§2.4, MQTT-3.14.0-1, MQTT-3.14.2-2,
// MQTT5-§3.14.2.2.2, MQTT-3.2.2-22, MQTT-3.1.2-29

TEST(SessionCheckerV5, DisconnectCodesBySender) {
    EXPECT_EQ(rule5(Code::disconnect_reason_wrong_sender), "MQTT-3.14.2-1");
    Session client;
    client.open();
    const auto d = client.send_full(c2s, disconnect(0x8D));  // Keep Alive timeout: the server's
    EXPECT_EQ(Session::codes(d), Codes{Code::disconnect_reason_wrong_sender});
    EXPECT_EQ(d[0].offset, 2u);
    Session server;
    server.open();
    EXPECT_EQ(server.send(s2c, disconnect(0x04)), Codes{Code::disconnect_reason_wrong_sender});
    Session qos;  // 0x9B from the client: Table 3-10 says server only; lenient by name
    qos.open();
    EXPECT_EQ(qos.send(c2s, disconnect(0x9B)), Codes{Code::disconnect_reason_wrong_sender});
    Session lenient(SessionOptions{.allow_client_disconnect_qos_not_supported = true});
    lenient.open();
    EXPECT_EQ(lenient.send(c2s, disconnect(0x9B)), none);
}

TEST(SessionCheckerV5, AcknowledgementCodesBySender) {
    EXPECT_EQ(rule5(Code::reason_code_wrong_sender), "MQTT5-§2.4");
    Session s;
    s.open();
    EXPECT_EQ(s.send(s2c, publish("a", 1, 1)), none);
    EXPECT_EQ(s.send(c2s, ack(0x40, 1, 0x10)), Codes{Code::reason_code_wrong_sender})
        << "No matching subscribers is the server's to say";
}

TEST(SessionCheckerV5, ServerDisconnectBeforeConnackAndAfterIt) {
    EXPECT_EQ(rule5(Code::disconnect_before_connack), "MQTT-3.14.0-1");
    Session early;
    EXPECT_EQ(early.send(c2s, connect()), none);
    EXPECT_EQ(early.send(s2c, disconnect(0x80)), Codes{Code::disconnect_before_connack});
    Session after;
    after.open();
    EXPECT_EQ(after.send(s2c, disconnect(0x8B)), none) << "Server shutting down";
    EXPECT_EQ(after.send(s2c, publish("a")), Codes{Code::data_after_server_disconnect});
    EXPECT_EQ(rule5(Code::data_after_server_disconnect), "MQTT-3.14.4-1");
}

TEST(SessionCheckerV5, SessionExpiryOnDisconnect) {
    EXPECT_EQ(rule5(Code::server_disconnect_session_expiry), "MQTT-3.14.2-2");
    EXPECT_EQ(rule5(Code::disconnect_session_expiry_after_zero), "MQTT5-§3.14.2.2.2");
    Session zero;
    zero.open();  // no Session Expiry Interval: 0
    EXPECT_EQ(zero.send(c2s, disconnect(0, props({p32(P::session_expiry_interval, 60)}))),
              Codes{Code::disconnect_session_expiry_after_zero});
    Session kept;
    kept.open(props({p32(P::session_expiry_interval, 10)}));
    EXPECT_EQ(kept.send(c2s, disconnect(0, props({p32(P::session_expiry_interval, 60)}))), none);
    Session server;
    server.open();
    EXPECT_EQ(server.send(s2c, disconnect(0x8B, props({p32(P::session_expiry_interval, 0)}))),
              Codes{Code::server_disconnect_session_expiry});
}

TEST(SessionCheckerV5, KeepAliveTimeoutBeforeItsTime) {
    EXPECT_EQ(rule5(Code::keep_alive_disconnect_early), "MQTT-3.2.2-22");
    Session s;
    EXPECT_EQ(s.send(c2s, connect(props(), "c", 0x02, 10), 0), none);
    EXPECT_EQ(s.send(s2c, connack(), 0), none);
    EXPECT_EQ(s.send(s2c, disconnect(0x8D), 5'000'000), Codes{Code::keep_alive_disconnect_early});
    Session late;
    EXPECT_EQ(late.send(c2s, connect(props(), "c", 0x02, 10), 0), none);
    EXPECT_EQ(late.send(s2c, connack(), 0), none);
    EXPECT_EQ(late.send(s2c, disconnect(0x8D), 15'000'001), none);
}

TEST(SessionCheckerV5, RequestProblemInformationZero) {
    EXPECT_EQ(rule5(Code::problem_information_unrequested), "MQTT-3.1.2-29");
    Session s;
    s.open(props({p8(P::request_problem_information, 0)}));
    EXPECT_EQ(s.send(c2s, publish("a", 1, 1)), none);
    const auto d = s.send_full(s2c, ack(0x40, 1, 0x00, props({pstr(P::reason_string, "ok")})));
    EXPECT_EQ(Session::codes(d), Codes{Code::problem_information_unrequested});
    EXPECT_EQ(d[0].offset, 6u) << "40 08 00 01 00 05 [1F ...]";
    EXPECT_EQ(s.send(s2c, publish("a", 0, 0, props({user("k", "v")}))), none) << "PUBLISH may carry it";
    EXPECT_EQ(s.send(s2c, disconnect(0x8B, props({pstr(P::reason_string, "bye")}))), none) << "and DISCONNECT";
}

// ---------------------------------------------------------------------------------------------
// Enhanced authentication: MQTT-3.1.2-30, MQTT-4.12.0-2..7, MQTT-4.12.1-1

TEST(SessionCheckerV5, AnAuthenticationExchange) {
    const ByteVec method = pstr(P::authentication_method, "SCRAM-SHA-1");
    Session s;
    EXPECT_EQ(s.send(c2s, connect(props({method}))), none);
    EXPECT_EQ(s.send(s2c, auth(0x18, props({method}))), none);
    EXPECT_EQ(s.send(c2s, auth(0x18, props({method}))), none);
    EXPECT_EQ(s.send(s2c, connack(props({method}))), none);
    EXPECT_EQ(s.send(c2s, auth(0x19, props({method}))), none) << "re-authentication";
    EXPECT_EQ(s.send(s2c, auth(0x00, props({method}))), none);
    EXPECT_EQ(s.send(c2s, auth(0x19, props({pstr(P::authentication_method, "PLAIN")}))),
              Codes{Code::reauthentication_method_changed});
    EXPECT_EQ(rule5(Code::reauthentication_method_changed), "MQTT-4.12.1-1");
}

TEST(SessionCheckerV5, AuthenticationRulesBroken) {
    const ByteVec method = pstr(P::authentication_method, "SCRAM-SHA-1");
    Session before;
    EXPECT_EQ(before.send(c2s, connect(props({method}))), none);
    EXPECT_EQ(before.send(c2s, publish("a")), Codes{Code::packet_before_authentication});
    EXPECT_EQ(rule5(Code::packet_before_authentication), "MQTT-3.1.2-30");
    EXPECT_EQ(before.send(s2c, auth(0x00, props({method}))), Codes{Code::server_auth_not_continue});
    EXPECT_EQ(rule5(Code::server_auth_not_continue), "MQTT-4.12.0-2");

    Session answer;
    EXPECT_EQ(answer.send(c2s, connect(props({method}))), none);
    EXPECT_EQ(answer.send(s2c, auth(0x18, props({method}))), none);
    EXPECT_EQ(answer.send(c2s, auth(0x19, props({method}))),
              (Codes{Code::client_auth_not_continue}));
    EXPECT_EQ(rule5(Code::client_auth_not_continue), "MQTT-4.12.0-3");

    Session other;
    EXPECT_EQ(other.send(c2s, connect(props({method}))), none);
    EXPECT_EQ(other.send(s2c, auth(0x18, props({pstr(P::authentication_method, "PLAIN")}))),
              Codes{Code::auth_method_mismatch});
    EXPECT_EQ(other.send(s2c, connack()), Codes{Code::auth_method_mismatch}) << "CONNACK 0x00 names the method too";
    EXPECT_EQ(rule5(Code::auth_method_mismatch), "MQTT-4.12.0-5");

    Session unasked;
    unasked.open();
    EXPECT_EQ(unasked.send(s2c, auth(0x18, props({method}))), Codes{Code::server_auth_unrequested});
    EXPECT_EQ(unasked.send(c2s, auth(0x19, props({method}))), Codes{Code::client_auth_unrequested});
    EXPECT_EQ(rule5(Code::server_auth_unrequested), "MQTT-4.12.0-6");
    EXPECT_EQ(rule5(Code::client_auth_unrequested), "MQTT-4.12.0-7");
    Session method_in_connack;
    EXPECT_EQ(method_in_connack.send(c2s, connect()), none);
    EXPECT_EQ(method_in_connack.send(s2c, connack(props({method}))), Codes{Code::server_auth_unrequested});
}

// ---------------------------------------------------------------------------------------------
// The rules both versions share, as 5.0 has them

TEST(SessionCheckerV5, UnsubackCountsItsReasonCodes) {
    EXPECT_EQ(rule5(Code::unsuback_count_mismatch), "MQTT-3.11.3-1");
    Session s;
    s.open();
    EXPECT_EQ(s.send(c2s, packet(0xA2, cat({u16(5), props(), str("a"), str("b")}))), none);
    EXPECT_EQ(s.send(s2c, packet(0xB0, cat({u16(5), props(), {0x00}}))), Codes{Code::unsuback_count_mismatch});
    EXPECT_EQ(s.send(s2c, packet(0xB0, cat({u16(5), props(), {0x00, 0x00}}))), Codes{Code::ack_unknown_packet_id})
        << "answered once already";
}

TEST(SessionCheckerV5, ARefusingPubrecFreesTheIdentifier) {
    Session s;
    s.open();
    EXPECT_EQ(s.send(c2s, publish("a", 2, 7)), none);
    EXPECT_EQ(s.send(s2c, ack(0x50, 7, 0x97)), none) << "Quota exceeded";
    EXPECT_EQ(s.send(c2s, ack(0x62, 7, 0x00)), Codes{Code::ack_unknown_packet_id}) << "no PUBREL after a refusal";
    EXPECT_EQ(s.send(c2s, publish("a", 2, 7)), none) << "7 is free again";
}

}  // namespace
}  // namespace mqttlens::mqtt
