// The protocol version as the codec sees it: named by a CONNECT's Protocol Level, and the key
// decode() dispatches on: a CONNECT by the version it declares, every other packet by its
// connection's (3.1.1 and 5.0 lay the same bytes out differently).
#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace mqttlens::mqtt {
namespace {

Bytes view(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

// From corpus/captures/mqtt5.pcap (mosquitto_sub -V 5): one property, Receive Maximum.
const std::vector<std::uint8_t> v5_sub = {0x10, 0x16, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c,
                                          0x03, 0x21, 0x00, 0x01, 0x00, 0x06, 'v', '5', '-', 's', 'u', 'b'};

std::optional<std::string_view> client_id_of(Bytes connect) {
    const Packet p = decode(connect, Version::v5_0);
    const auto* c = p.get<Connect>();
    if (c == nullptr) return std::nullopt;
    return c->client_id;
}

TEST(Version, NamesAndLevels) {
    EXPECT_EQ(version_name(Version::v3_1), "3.1");
    EXPECT_EQ(version_name(Version::v3_1_1), "3.1.1");
    EXPECT_EQ(version_name(Version::v5_0), "5.0");
    EXPECT_EQ(version_of_level(3), Version::v3_1);
    EXPECT_EQ(version_of_level(4), Version::v3_1_1);
    EXPECT_EQ(version_of_level(5), Version::v5_0);
    for (int level : {0, 1, 2, 6, 0x83, 0xFF}) EXPECT_EQ(version_of_level(std::uint8_t(level)), std::nullopt) << level;
}

TEST(Version, ConnectVersionReadsTheLevelAfterTheName) {
    EXPECT_EQ(connect_version(view(v5_sub)), Version::v5_0);
    const std::vector<std::uint8_t> v31 = {0x10, 0x0c, 0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', 0x03, 0x02, 0x00, 0x3c};
    EXPECT_EQ(connect_version(view(v31)), Version::v3_1);
    for (std::size_t n = 0; n <= 8; ++n) {  // cut before the level: nothing named
        const std::vector<std::uint8_t> cut(v5_sub.begin(), v5_sub.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(connect_version(view(cut)), std::nullopt) << "cut at " << n;
    }
}

TEST(Version, V5ClientIdAfterTheProperties) {
    EXPECT_EQ(client_id_of(view(v5_sub)), "v5-sub");
}

TEST(Version, V5ClientIdWithNoPropertiesAndAnEmptyIdentifier) {
    const std::vector<std::uint8_t> p = {0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02,
                                         0x00, 0x3c, 0x00, 0x00, 0x00};
    EXPECT_EQ(client_id_of(view(p)), "");
}

TEST(Version, V5ClientIdAfterATwoBytePropertiesLength) {
    // 130 bytes of properties (skipped, not parsed): the length takes two bytes, 0x82 0x01.
    std::vector<std::uint8_t> body = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c, 0x82, 0x01};
    body.insert(body.end(), 130, 0x26);
    body.insert(body.end(), {0x00, 0x02, 'i', 'd'});
    std::vector<std::uint8_t> p = {0x10, static_cast<std::uint8_t>(0x80 | (body.size() & 0x7F)),
                                   static_cast<std::uint8_t>(body.size() >> 7)};
    p.insert(p.end(), body.begin(), body.end());
    EXPECT_EQ(client_id_of(view(p)), "id");
}

TEST(Version, V5ClientIdOfEveryTruncationIsNotRead) {
    // The identifier is the last field: any cut leaves it incomplete.
    for (std::size_t n = 1; n < v5_sub.size(); ++n) {
        const std::vector<std::uint8_t> cut(v5_sub.begin(), v5_sub.begin() + static_cast<std::ptrdiff_t>(n));
        const Packet p = decode(view(cut), Version::v5_0);
        if (const auto* c = p.get<Connect>()) {
            EXPECT_TRUE(c->client_id.empty()) << "cut at " << n;
        }
    }
}

TEST(Version, V5ClientIdBehindAMalformedPropertiesLengthIsNotRead) {
    std::vector<std::uint8_t> p = v5_sub;
    p[12] = 0xFF;  // continuation bits on four bytes: not a variable byte integer
    p[13] = 0xFF;
    p[14] = 0xFF;
    p[15] = 0xFF;
    const Packet packet = decode(view(p), Version::v5_0);
    ASSERT_NE(packet.get<Connect>(), nullptr);
    EXPECT_TRUE(packet.get<Connect>()->client_id.empty());
}

TEST(Version, TheSameBytesReadAsEachVersionLaysThemOut) {
    // PUBLISH QoS 0 "a/b", Property Length 0, payload "hi": 3.1.1 reads the 0x00 as payload.
    const std::vector<std::uint8_t> publish = {0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 'h', 'i'};
    const Packet p = decode(view(publish), Version::v5_0);
    ASSERT_NE(p.get<Publish>(), nullptr);
    ASSERT_TRUE(p.get<Publish>()->properties.has_value());
    EXPECT_TRUE(p.get<Publish>()->properties->empty());
    EXPECT_EQ(as_string(p.get<Publish>()->payload), "hi");
    EXPECT_TRUE(p.diagnostics.empty());
    EXPECT_EQ(decode_clean(view(publish), Version::v5_0).body, p.body);
    const Packet q = decode(view(publish), Version::v3_1_1);
    ASSERT_NE(q.get<Publish>(), nullptr);
    EXPECT_FALSE(q.get<Publish>()->properties.has_value());
    EXPECT_EQ(q.get<Publish>()->payload.size(), 3u);
    // AUTH (type 15) is a packet in 5.0 (one that must name its method) and stays reserved in 3.1.1.
    const std::vector<std::uint8_t> auth = {0xF0, 0x00};
    const Packet a = decode(view(auth), Version::v5_0);
    ASSERT_NE(a.get<Reason>(), nullptr);
    EXPECT_FALSE(a.diagnostics.has(Code::reserved_packet_type));
    EXPECT_TRUE(a.diagnostics.has(Code::auth_method_missing));
    EXPECT_TRUE(decode(view(auth), Version::v3_1_1).diagnostics.has(Code::reserved_packet_type));
    // A 5.0 CONNECT is read by the level it declares on any connection.
    const Packet c = decode(view(v5_sub), Version::v3_1_1);
    ASSERT_NE(c.get<Connect>(), nullptr);
    EXPECT_TRUE(c.diagnostics.empty());
    ASSERT_TRUE(c.get<Connect>()->properties.has_value());
    EXPECT_EQ(c.get<Connect>()->properties->find(PropertyId::receive_maximum)->number, 1u);
}

}  // namespace
}  // namespace mqttlens::mqtt
