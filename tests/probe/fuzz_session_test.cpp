// mqtt-probe fuzz's sessions: the same seed and case number give the same bytes; the unmutated
// sessions break no rule; the structured mutations (sequence, fields) keep every length right, and
// the overrides and byte mutations break framing some of the time.
#include "fuzz_session.hpp"

#include "engine/conversation.hpp"
#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

using namespace mqttlens;
using namespace mqttlens::probe;

namespace {

/// Whether `packet` is exactly one whole packet by its own Remaining Length.
bool frames_whole(const std::vector<std::uint8_t>& packet) {
    mqtt::Framer framer;
    framer.feed(mqtt::Bytes(packet));
    const mqtt::Frame f = framer.next();
    return f.status == mqtt::Frame::Status::packet && f.packet.size() == packet.size();
}

TEST(FuzzSession, CaseKOfSeedSIsAlwaysTheSameBytes) {
    for (std::uint64_t k = 0; k < 300; ++k) {
        const Session a = make_session(7, k), b = make_session(7, k);
        EXPECT_EQ(a.packets, b.packets) << "case " << k;
        EXPECT_EQ(a.mutations, b.mutations) << "case " << k;
    }
}

TEST(FuzzSession, SeedsAndCasesDiffer) {
    std::size_t same = 0;
    for (std::uint64_t k = 0; k < 100; ++k) {
        same += make_session(1, k).packets == make_session(2, k).packets;
        same += make_session(1, k).packets == make_session(1, k + 1).packets;
    }
    EXPECT_EQ(same, 0u);
}

// CONNACK 0x00 with Topic Alias Maximum 10
const std::vector<std::uint8_t> connack_alias_max_10 = {0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0A};

TEST(FuzzSession, UnmutatedSessionsBreakNoRule) {
    SessionOptions o;
    o.layers = 0;
    std::size_t v5 = 0, with_properties = 0;
    for (std::uint64_t k = 0; k < 200; ++k) {
        const Session s = make_session(3, k, o);
        ASSERT_FALSE(s.packets.empty());
        EXPECT_EQ(s.packets[0][0], 0x10) << "a session opens with CONNECT";
        EXPECT_TRUE(s.mutations.empty());
        engine::Conversation c;
        std::uint64_t ref = 0;
        for (const auto& p : s.packets) {
            ASSERT_TRUE(frames_whole(p));
            const engine::Observed seen = c.observe(mqtt::Direction::c2s, mqtt::Bytes(p), 0, ++ref);
            // 5.0 sessions use Topic Aliases 1 and 2: valid once a CONNACK allows some (mosquitto: 10).
            if (ref == 1 && s.version == mqtt::Version::v5_0)
                c.observe(mqtt::Direction::s2c, mqtt::Bytes(connack_alias_max_10), 0, ++ref);
            std::string codes;
            for (const auto& d : seen.packet.diagnostics) codes += std::string(mqtt::code_info(d.code).name) + " ";
            for (const auto& d : seen.stream) {
                // The probe sends a session at once: PUBREL goes before the broker's PUBREC is seen.
                if (p[0] == 0x62 && d.code == mqtt::Code::ack_unknown_packet_id) continue;
                codes += std::string(mqtt::code_info(d.code).name) + " ";
            }
            EXPECT_EQ(codes, "") << "case " << k << " packet " << ref;
        }
        v5 += s.version == mqtt::Version::v5_0;
        if (s.version == mqtt::Version::v5_0) {
            engine::Conversation five({}, mqtt::Version::v5_0);
            for (const auto& p : s.packets) {
                const engine::Observed o = five.observe(mqtt::Direction::c2s, mqtt::Bytes(p), 0, 0);
                if (const auto* pub = o.packet.get<mqtt::Publish>())
                    with_properties += pub->properties && !pub->properties->raw().empty();
            }
        }
    }
    EXPECT_GT(v5, 20u) << "about one session in four speaks 5.0";
    EXPECT_GT(with_properties, 10u) << "5.0 sessions carry properties";
    EXPECT_LT(v5, 100u);
}

TEST(FuzzSession, SequenceAndFieldMutationsKeepLengthsConsistent) {
    SessionOptions o;
    o.layers = layer_sequence | layer_fields;
    std::size_t mutated = 0;
    for (std::uint64_t k = 0; k < 500; ++k) {
        const Session s = make_session(11, k, o);
        mutated += !s.mutations.empty();
        for (const auto& p : s.packets) EXPECT_TRUE(frames_whole(p)) << "case " << k;
    }
    EXPECT_GT(mutated, 400u) << "nine sessions in ten are mutated";
}

TEST(FuzzSession, OverridesAndBytesBreakFramingSometimes) {
    std::size_t broken = 0, sessions_mutated = 0;
    for (std::uint64_t k = 0; k < 500; ++k) {
        const Session s = make_session(5, k);
        sessions_mutated += !s.mutations.empty();
        for (const auto& p : s.packets) broken += !frames_whole(p);
    }
    EXPECT_GT(sessions_mutated, 400u);
    EXPECT_GT(broken, 50u);
}

TEST(FuzzSession, ThreeOneOneOnlyWhenAsked) {
    SessionOptions o;
    o.v5 = false;
    for (std::uint64_t k = 0; k < 200; ++k) EXPECT_EQ(make_session(9, k, o).version, mqtt::Version::v3_1_1);
}

TEST(FuzzSession, WireBytesAreThePacketsInOrder) {
    const Session s = make_session(1, 1);
    std::vector<std::uint8_t> all;
    for (const auto& p : s.packets) all.insert(all.end(), p.begin(), p.end());
    EXPECT_EQ(wire_bytes(s), all);
}

}  // namespace

TEST(FuzzSession, PropertyMutationsBreakTheRuleTheyName) {
    SessionOptions o;
    o.layers = layer_fields;
    std::size_t unknown = 0, not_allowed = 0;
    for (std::uint64_t k = 0; k < 20000; ++k) {
        const Session s = make_session(5, k, o);
        if (s.version != mqtt::Version::v5_0 || s.mutations.size() != 1) continue;
        const std::string& m = s.mutations[0];
        const bool is_unknown = m.ends_with("unknown identifier 0x04"), is_not_allowed = m.ends_with("a property not allowed here");
        if (!is_unknown && !is_not_allowed) continue;
        const std::size_t i = std::stoul(m.substr(7));  // "packet I (TYPE): ..."
        ASSERT_LT(i, s.packets.size());
        ASSERT_TRUE(frames_whole(s.packets[i])) << "lengths kept right: " << m;
        const mqtt::Packet p = mqtt::decode(mqtt::Bytes(s.packets[i]), mqtt::Version::v5_0);
        EXPECT_TRUE(p.diagnostics.has(is_unknown ? mqtt::Code::property_unknown : mqtt::Code::property_not_allowed))
            << "case " << k << ": " << m;
        (is_unknown ? unknown : not_allowed)++;
    }
    EXPECT_GT(unknown, 5u);
    EXPECT_GT(not_allowed, 5u);
}
