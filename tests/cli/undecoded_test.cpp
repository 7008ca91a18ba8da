// MQTT 5.0 packets in capture mode: the fixed header only, and the CONNECT's Client Identifier.
#include "undecoded.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace mqttlens::dissect {
namespace {

mqtt::Bytes view(const std::vector<std::uint8_t>& v) { return {v.data(), v.size()}; }

// From corpus/captures/mqtt5.pcap (mosquitto_sub -V 5): one property, Receive Maximum.
const std::vector<std::uint8_t> v5_sub = {0x10, 0x16, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c,
                                          0x03, 0x21, 0x00, 0x01, 0x00, 0x06, 'v', '5', '-', 's', 'u', 'b'};

TEST(Mqtt5ClientId, AfterTheProperties) {
    EXPECT_EQ(mqtt5_client_id(view(v5_sub)), "v5-sub");
}

TEST(Mqtt5ClientId, NoPropertiesAndAnEmptyIdentifier) {
    const std::vector<std::uint8_t> p = {0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02,
                                         0x00, 0x3c, 0x00, 0x00, 0x00};
    EXPECT_EQ(mqtt5_client_id(view(p)), "");
}

TEST(Mqtt5ClientId, TwoBytePropertiesLength) {
    // 130 bytes of properties (skipped, not parsed): the length takes two bytes, 0x82 0x01.
    std::vector<std::uint8_t> body = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0x02, 0x00, 0x3c, 0x82, 0x01};
    body.insert(body.end(), 130, 0x26);
    body.insert(body.end(), {0x00, 0x02, 'i', 'd'});
    std::vector<std::uint8_t> p = {0x10, static_cast<std::uint8_t>(0x80 | (body.size() & 0x7F)),
                                   static_cast<std::uint8_t>(body.size() >> 7)};
    p.insert(p.end(), body.begin(), body.end());
    EXPECT_EQ(mqtt5_client_id(view(p)), "id");
}

TEST(Mqtt5ClientId, EveryTruncationIsNulloptOrTheRightIdentifier) {
    for (std::size_t n = 0; n < v5_sub.size(); ++n) {
        const std::vector<std::uint8_t> cut(v5_sub.begin(), v5_sub.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(mqtt5_client_id(view(cut)), std::nullopt) << "cut at " << n;
    }
}

TEST(Mqtt5ClientId, MalformedPropertiesLength) {
    std::vector<std::uint8_t> p = v5_sub;
    p[12] = 0xFF;  // continuation bits on four bytes: not a variable byte integer
    p[13] = 0xFF;
    p[14] = 0xFF;
    p[15] = 0xFF;
    EXPECT_EQ(mqtt5_client_id(view(p)), std::nullopt);
}

TEST(Undecoded, FixedHeaderAndOpaqueBody) {
    const mqtt::Packet p = undecoded(view(v5_sub));
    EXPECT_EQ(p.type(), mqtt::PacketType::connect);
    EXPECT_EQ(p.header.remaining_length, 0x16u);
    ASSERT_NE(p.get<mqtt::Opaque>(), nullptr);
    EXPECT_EQ(p.get<mqtt::Opaque>()->bytes.size(), 0x16u);
}

}  // namespace
}  // namespace mqttlens::dissect
