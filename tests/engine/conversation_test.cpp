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
    const Observed p = c.observe(Direction::c2s, publish_v5, 1, 2);
    EXPECT_EQ(p.version, Version::v5_0);
    ASSERT_NE(p.packet.get<mqtt::Publish>(), nullptr) << "decoded as 5.0";
    EXPECT_TRUE(p.packet.get<mqtt::Publish>()->properties.has_value());
    EXPECT_EQ(c.client_id(), "c");
    EXPECT_EQ(c.packets(), 2u);
}

TEST(Conversation, AConnectsRulesAreNumberedByTheVersionItDeclares) {
    // CONNECT level 5 with Will QoS 3: MQTT-3.1.2-12 in 5.0, MQTT-3.1.2-14 in 3.1.1
    const auto will_qos3 = hex("10 15 00 04 4D 51 54 54 05 1E 00 3C 00 00 01 78 00 00 01 74 00 01 77");
    for (const std::optional<Version> given : {std::optional<Version>{}, std::optional<Version>{Version::v3_1_1}}) {
        Conversation c({}, given);
        const Observed o = c.observe(Direction::c2s, will_qos3, 0, 1);
        EXPECT_EQ(o.version, Version::v5_0) << "the CONNECT declares 5.0";
        ASSERT_TRUE(o.packet.diagnostics.has(Code::will_qos_invalid));
        EXPECT_EQ(o.packet.diagnostics[0].rule(o.version).id, "MQTT-3.1.2-12");
    }
    EXPECT_EQ(mqtt::judged_version(connect31, Version::v5_0), Version::v3_1);
    EXPECT_EQ(mqtt::judged_version(publish_v5, Version::v5_0), Version::v5_0) << "only a CONNECT declares";
}

TEST(Conversation, Mqtt5AliasesResolveAndAnAssignedClientIdentifierNamesTheClient) {
    Conversation c;
    c.observe(Direction::c2s, hex("10 0D 00 04 4D 51 54 54 05 02 00 3C 00 00 00"), 0, 1);  // ClientID ""
    EXPECT_EQ(c.client_id(), "");
    // CONNACK: Assigned Client Identifier "x", Topic Alias Maximum 2
    EXPECT_TRUE(c.observe(Direction::s2c, hex("20 0A 00 00 07 12 00 01 78 22 00 02"), 0, 2).stream.empty());
    EXPECT_EQ(c.client_id(), "x") << "the assigned identifier is the client's";
    const Observed mapped = c.observe(Direction::c2s, hex("30 0B 00 03 61 2F 62 03 23 00 01 68 69"), 0, 3);
    EXPECT_EQ(mapped.alias_topic, "") << "its Topic Name is given";
    const Observed aliased = c.observe(Direction::c2s, hex("30 08 00 00 03 23 00 01 68 69"), 0, 4);
    EXPECT_TRUE(aliased.packet.valid());
    EXPECT_TRUE(aliased.stream.empty());
    EXPECT_EQ(aliased.alias_topic, "a/b");
    const Observed unmapped = c.observe(Direction::s2c, hex("30 08 00 00 03 23 00 01 68 69"), 0, 5);
    EXPECT_EQ(unmapped.alias_topic, "");
    EXPECT_TRUE(unmapped.stream.has(mqtt::Code::server_topic_alias_invalid)) << "the CONNECT allowed no alias";
    EXPECT_TRUE(unmapped.stream.has(mqtt::Code::topic_alias_unmapped));
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

/// Two conversations side by side on random sessions drawn from `pool`: one observes every
/// packet, the other takes each plain QoS 0 PUBLISH the short way (no Packet built) when it can.
/// They must report the same on every packet and at the end (any state the short way got wrong
/// shows up later: a keep-alive silence, a first packet, the last client packet of a finding).
/// Counts the packets taken the short way and the plain ones it declined.
void expect_short_way_is_observe(const std::vector<std::string>& pool, std::size_t& taken, std::size_t& declined) {
    constexpr std::int64_t sec = 1'000'000;
    std::uint64_t x = 0x2545F4914F6CDD1Du;
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (int session = 0; session < 3000; ++session) {
        const mqtt::SessionOptions options{.midstream = next() % 4 == 0};
        Conversation a(options), b(options);
        std::int64_t t = 0;
        std::uint64_t ref = 0;
        Direction d = Direction::c2s;
        const int length = static_cast<int>(next() % 40);
        for (int i = 0; i < length; ++i) {
            SCOPED_TRACE("session " + std::to_string(session) + ", packet " + std::to_string(i));
            const auto bytes = hex(pool[next() % pool.size()]);
            // Half the time another packet of the same capture record: the same direction, time
            // and frame (what the short way may answer without asking the session rules again).
            if (i == 0 || next() % 2 == 0) {
                d = next() % 16 == 0 ? Direction::unknown : next() % 3 == 0 ? Direction::s2c : Direction::c2s;
                t += static_cast<std::int64_t>(next() % 4 == 0 ? next() % (30 * sec) : next() % sec);
                ++ref;
            }
            if (next() % 32 == 0) {
                a.lost_data();
                b.lost_data();
            }
            const Observed full = a.observe(d, bytes, t, ref);
            if (b.observe_clean_publish(d, bytes, t, ref)) {
                ++taken;
                EXPECT_TRUE(full.packet.diagnostics.empty() && full.stream.empty() && full.alias_topic.empty());
                continue;
            }
            declined += mqtt::is_plain_qos0_publish(bytes, b.decoding_version());
            const Observed slow = b.observe(d, bytes, t, ref);
            ASSERT_EQ(std::vector<mqtt::Diagnostic>(slow.stream.begin(), slow.stream.end()),
                      std::vector<mqtt::Diagnostic>(full.stream.begin(), full.stream.end()));
            ASSERT_EQ(slow.alias_topic, full.alias_topic);
        }
        EXPECT_EQ(a.packets(), b.packets());
        EXPECT_EQ(a.version(), b.version());
        for (const auto how : {mqtt::ConnectionEnd::closed, mqtt::ConnectionEnd::capture_ended})
            ASSERT_EQ(a.finish(t + 100 * sec, how), b.finish(t + 100 * sec, how)) << "session " << session;
    }
}

TEST(Conversation, TheCleanPublishShortWayIsObserve) {
    const std::vector<std::string> pool = {
        "10 0D 00 04 4D 51 54 54 04 02 00 00 00 01 63",  // CONNECT, keep alive 0
        "10 0D 00 04 4D 51 54 54 04 02 00 01 00 01 63",  // keep alive 1 s
        "10 0D 00 04 4D 51 54 54 04 00 00 05 00 01 63",  // Clean Session 0, keep alive 5 s
        "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 63",  // keep alive 60 s
        "20 02 00 00", "20 02 00 05", "20 02 01 00",     // CONNACK 0, refused, Session Present
        "30 07 00 03 61 2F 62 68 69", "30 07 00 03 61 2F 62 68 69", "30 07 00 03 61 2F 62 68 69",
        "30 07 00 03 61 2F 62 68 69",                      // the usual QoS 0 PUBLISH
        "32 07 00 03 61 2F 62 00 01", "32 07 00 03 61 2F 62 00 02", "34 07 00 03 61 2F 62 00 03",
        "40 02 00 01", "40 02 00 02", "50 02 00 03", "62 02 00 03", "70 02 00 03",
        "82 08 00 04 00 03 61 2F 23 01", "90 03 00 04 01", "A2 07 00 05 00 03 61 2F 23", "B0 02 00 05",
        "C0 00", "D0 00", "E0 00",
        "30 04 00 02 61 2B",                                // topic "a+": a decode error
        "10 0E 00 04 4D 51 54 54 05 02 00 3C 00 00 01 63",  // MQTT 5.0
        "10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 63",     // another protocol name
    };
    std::size_t taken = 0, declined = 0;
    expect_short_way_is_observe(pool, taken, declined);
    EXPECT_GE(taken, 3'000u);
    EXPECT_GE(declined, 1'000u);
}

// The short way does not ask the session rules again about a packet just like the one before it
// in the same record; lost bytes between the two make it ask (they forget when the client was
// last heard from, which the repeated packet then tells them again).
TEST(Conversation, TheShortWayAsksAgainAfterLostBytes) {
    const auto connect = hex("10 0D 00 04 4D 51 54 54 04 02 00 01 00 01 63");  // keep alive 1 s
    const auto publish = hex("30 07 00 03 61 2F 62 68 69");
    constexpr std::int64_t sec = 1'000'000;
    Conversation short_way, general;
    for (Conversation* c : {&short_way, &general}) {
        c->observe(Direction::c2s, connect, 0, 1);
        c->observe(Direction::s2c, hex("20 02 00 00"), 0, 2);
    }
    ASSERT_TRUE(short_way.observe_clean_publish(Direction::c2s, publish, sec, 3));
    general.observe(Direction::c2s, publish, sec, 3);
    short_way.lost_data();
    general.lost_data();
    ASSERT_TRUE(short_way.observe_clean_publish(Direction::c2s, publish, sec, 3));  // the same record
    general.observe(Direction::c2s, publish, sec, 3);
    // Ten seconds of silence against a keep alive of one: both see it on the next packet.
    const Observed a = short_way.observe(Direction::c2s, publish, 11 * sec, 4);
    const Observed b = general.observe(Direction::c2s, publish, 11 * sec, 4);
    EXPECT_EQ(std::vector<mqtt::Diagnostic>(a.stream.begin(), a.stream.end()),
              std::vector<mqtt::Diagnostic>(b.stream.begin(), b.stream.end()));
    EXPECT_FALSE(b.stream.empty());
}

TEST(Conversation, TheCleanPublishShortWayIsObserveOnMqtt5) {
    const std::vector<std::string> pool = {
        "10 0E 00 04 4D 51 54 54 05 02 00 01 00 00 01 63",  // CONNECT 5.0, keep alive 1 s
        "10 0E 00 04 4D 51 54 54 05 02 00 3C 00 00 01 63",  // keep alive 60 s
        // Maximum Packet Size 10; Authentication Method "m"
        "10 13 00 04 4D 51 54 54 05 02 00 3C 05 27 00 00 00 0A 00 01 63",
        "10 12 00 04 4D 51 54 54 05 02 00 3C 04 15 00 01 6D 00 01 63",
        "20 03 00 00 00", "20 03 00 87 00",                 // CONNACK 0, refused 0x87
        "20 06 00 00 03 22 00 05",                          // Topic Alias Maximum 5
        "20 05 00 00 02 25 00",                             // Retain Available 0
        "20 08 00 00 05 27 00 00 00 0A",                    // Maximum Packet Size 10
        "30 08 00 03 61 2F 62 00 68 69", "30 08 00 03 61 2F 62 00 68 69",
        "30 08 00 03 61 2F 62 00 68 69",                    // the usual 5.0 QoS 0 PUBLISH
        "31 08 00 03 61 2F 62 00 68 69",                    // RETAIN
        "30 0B 00 03 61 2F 62 03 23 00 01 68 69",           // Topic Alias 1 with its topic
        "30 08 00 00 03 23 00 01 68 69",                    // by alias 1
        "30 0A 00 03 61 2F 62 02 0B 05 68 69",              // Subscription Identifier 5
        "30 10 00 03 61 2F 62 08 26 00 01 6B 00 01 76 68 69", // User Property: 18 bytes
        "32 0A 00 03 61 2F 62 00 01 00 68 69", "40 03 00 01 00", "40 02 00 01",
        "F0 06 18 04 15 00 01 6D", "E0 01 8B", "E0 00", "C0 00", "D0 00",
    };
    std::size_t taken = 0, declined = 0;
    expect_short_way_is_observe(pool, taken, declined);
    EXPECT_GE(taken, 3'000u);
    EXPECT_GE(declined, 1'000u);
}

}  // namespace
}  // namespace mqttlens::engine
