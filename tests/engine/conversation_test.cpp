// engine::Conversation: one connection's version, decode and session rules, as every program
// that reads MQTT (captures, byte input, mqtt-craft --send) gets them.
#include "engine/conversation.hpp"

#include "framer_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mqttlens::engine {
namespace {

using mqtt::Code;
using mqtt::Direction;
using mqtt::Version;
using mqtt::test::hex;

// CONNECT "MQTT" level 4, clean session, keep alive 60, client id "c"
const auto connect4 = hex("10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 63");
// CONNECT "MQTT" level 5, no properties, client id "c"
const auto connect5 = hex("10 0E 00 04 4D 51 54 54 05 02 00 3C 00 00 01 63");
// CONNECT "MQIsdp" level 3, client id "c"
const auto connect31 = hex("10 0F 00 06 4D 51 49 73 64 70 03 02 00 3C 00 01 63");
const auto connack = hex("20 02 00 00");
// PUBLISH QoS 0 "a/b", 5.0 properties length 0, payload "hi"; as 3.1.1 the 0x00 is payload
const auto publish_v5 = hex("30 08 00 03 61 2F 62 00 68 69");
const auto publish = hex("30 07 00 03 61 2F 62 68 69");
const auto pubrel_flags0 = hex("60 02 00 07");

TEST(Conversation, TheClientsConnectNamesTheVersionOfEverythingAfterIt) {
    Conversation c;
    EXPECT_EQ(c.version(), std::nullopt);
    EXPECT_EQ(c.decoding_version(), Version::v3_1_1) << "3.1.1 while unknown";
    const Observed first = c.observe(Direction::c2s, connect5, 0, 1);
    EXPECT_EQ(c.version(), Version::v5_0);
    EXPECT_EQ(first.note, mqtt5_note) << "a 5.0 CONNECT is marked too";
    const Observed p = c.observe(Direction::c2s, publish_v5, 1, 2);
    EXPECT_EQ(p.version, Version::v5_0);
    EXPECT_NE(p.packet.get<mqtt::Opaque>(), nullptr) << "5.0 bodies are not decoded yet";
    EXPECT_EQ(p.note, mqtt5_note);
    EXPECT_EQ(c.client_id(), "c");
    EXPECT_EQ(c.packets(), 2u);
}

TEST(Conversation, AServersConnectNamesNothing) {
    Conversation c;
    c.observe(Direction::s2c, connect5, 0, 1);
    EXPECT_EQ(c.version(), std::nullopt);
    // A CONNECT whose sender cannot be told can only be the client's.
    Conversation u;
    u.observe(Direction::unknown, connect31, 0, 1);
    EXPECT_EQ(u.version(), Version::v3_1);
}

TEST(Conversation, AGivenVersionStaysWhateverTheConnectSays) {
    Conversation c({}, Version::v3_1_1);
    c.observe(Direction::c2s, connect5, 0, 1);
    EXPECT_EQ(c.version(), Version::v3_1_1);
    const Observed p = c.observe(Direction::c2s, publish_v5, 1, 2);
    ASSERT_NE(p.packet.get<mqtt::Publish>(), nullptr);
    EXPECT_EQ(p.packet.get<mqtt::Publish>()->payload.size(), 3u) << "read as 3.1.1: the 0x00 is payload";
}

TEST(Conversation, DecodeAndSessionFindingsComeApart) {
    Conversation c;
    c.observe(Direction::c2s, connect4, 0, 1);
    c.observe(Direction::s2c, connack, 1, 2);
    const Observed second = c.observe(Direction::c2s, connect4, 2, 3);
    EXPECT_TRUE(second.packet.valid()) << "nothing wrong inside the packet";
    ASSERT_EQ(second.stream.size(), 1u);
    EXPECT_EQ(second.stream.begin()->code, Code::second_connect);
    EXPECT_TRUE(second.error());
    const Observed pubrel = c.observe(Direction::c2s, pubrel_flags0, 3, 4);
    EXPECT_TRUE(pubrel.packet.diagnostics.has(Code::pubrel_flags));
    EXPECT_TRUE(pubrel.error());
}

TEST(Conversation, MqttThreeOneIsJudgedByItsOwnText) {
    Conversation c;
    c.observe(Direction::c2s, connect31, 0, 1);
    const Observed pubrel = c.observe(Direction::c2s, pubrel_flags0, 1, 2);
    ASSERT_TRUE(pubrel.packet.diagnostics.has(Code::pubrel_flags));
    EXPECT_TRUE(pubrel.packet.valid()) << "3.1 states no fixed flags: a warning, not an error";
    Conversation v311;
    v311.observe(Direction::c2s, connect4, 0, 1);
    EXPECT_FALSE(v311.observe(Direction::c2s, pubrel_flags0, 1, 2).packet.valid());
}

TEST(Conversation, OneDirectionFollowsNoIdentifiers) {
    // A client that reuses identifier 1 while it seems in flight: in a whole connection a
    // finding; seen from one side only, the PUBACK may simply not be in the input.
    const auto publish_qos1 = hex("32 08 00 03 61 2F 62 00 01 68");
    Conversation both;
    Conversation one(mqtt::SessionOptions{.one_direction = true});
    for (Conversation* c : {&both, &one}) {
        c->observe(Direction::c2s, connect4, 0, 1);
        c->observe(Direction::s2c, connack, 0, 2);
        c->observe(Direction::c2s, publish_qos1, 1, 3);
    }
    EXPECT_TRUE(both.observe(Direction::c2s, publish_qos1, 2, 4).stream.has(Code::packet_id_in_use));
    EXPECT_TRUE(one.observe(Direction::c2s, publish_qos1, 2, 4).stream.empty());
}

TEST(Conversation, TheCleanPublishShortWayIsObserve) {
    // Two conversations side by side: one observes every packet, the other takes a plain QoS 0
    // PUBLISH the short way when it can. Same findings, same counts, same end.
    const std::vector<std::vector<std::uint8_t>> session = {connect4, connack, publish, publish,
                                                            hex("30 04 00 02 61 2B"),  // topic "a+"
                                                            publish, hex("E0 00"), publish};
    Conversation a, b;
    std::size_t short_way = 0;
    std::int64_t t = 0;
    for (const auto& bytes : session) {
        t += 1000;
        const Observed full = a.observe(Direction::c2s, bytes, t, static_cast<std::uint64_t>(t));
        if (b.observe_clean_publish(Direction::c2s, bytes, t, static_cast<std::uint64_t>(t))) {
            ++short_way;
            EXPECT_TRUE(full.packet.diagnostics.empty() && full.stream.empty());
            continue;
        }
        const Observed slow = b.observe(Direction::c2s, bytes, t, static_cast<std::uint64_t>(t));
        EXPECT_EQ(std::vector<mqtt::Diagnostic>(slow.stream.begin(), slow.stream.end()),
                  std::vector<mqtt::Diagnostic>(full.stream.begin(), full.stream.end()));
    }
    EXPECT_EQ(short_way, 3u) << "the three PUBLISHes before DISCONNECT";
    EXPECT_EQ(a.packets(), b.packets());
    EXPECT_EQ(a.finish(t + 1, mqtt::ConnectionEnd::closed), b.finish(t + 1, mqtt::ConnectionEnd::closed));
}

}  // namespace
}  // namespace mqttlens::engine
