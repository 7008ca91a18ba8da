// Boundary heuristics: which bytes could start a packet, and which streams open with CONNECT.
#include "harness.hpp"

#include "engine/boundary.hpp"

namespace mqttlens::capture::test {
namespace {

Verdict plausible(const Buffer& b, mqtt::Version version = mqtt::Version::v3_1_1) {
    std::size_t total = 0;
    return plausible_packet_start(b, version, total);
}

TEST(Boundary, PlausiblePacketStarts) {
    struct Case {
        const char* what;
        Buffer bytes;
        Verdict expected;
    } cases[] = {
        {"PUBACK 40 02", puback(1), Verdict::yes},
        {"PUBACK with length 3", {0x40, 0x03, 0, 1, 0}, Verdict::no},
        {"PUBREL needs flags 0010", {0x60, 0x02, 0, 1}, Verdict::no},
        {"PUBREL 62 02", {0x62, 0x02, 0, 1}, Verdict::yes},
        {"PINGREQ C0 00", pingreq(), Verdict::yes},
        {"PINGREQ with a body", {0xC0, 0x01, 0}, Verdict::no},
        {"type 0", {0x00, 0x00}, Verdict::no},
        {"type 15 in 3.1.1", {0xF0, 0x00}, Verdict::no},
        {"PUBLISH QoS 3", {0x36, 0x05, 0, 1, 'a', 0, 1}, Verdict::no},
        {"PUBLISH DUP at QoS 0", {0x38, 0x03, 0, 1, 'a'}, Verdict::no},
        {"PUBLISH empty topic", {0x30, 0x03, 0, 0, 'x'}, Verdict::no},
        {"PUBLISH topic longer than the packet", {0x30, 0x04, 0, 9, 'a', 'b'}, Verdict::no},
        {"PUBLISH", publish("a/b", "hi"), Verdict::yes},
        {"PUBLISH QoS 1 without room for the id", {0x32, 0x03, 0, 1, 'a'}, Verdict::no},
        {"non-minimal Remaining Length", {0xC0, 0x80, 0x00}, Verdict::no},
        {"Remaining Length with a 5th byte", {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, Verdict::no},
        {"Remaining Length cut short", {0x30, 0x80}, Verdict::need_more},
        {"type byte alone", {0x30}, Verdict::need_more},
        {"CONNECT", connect("c1"), Verdict::yes},
        {"CONNECT with another protocol name", packet(0x10, cat({str("HTTP"), Buffer(10, 0)})), Verdict::no},
        {"SUBSCRIBE with flags 0000", {0x80, 0x06, 0, 1, 0, 1, 'a', 0}, Verdict::no},
    };
    for (const auto& c : cases) EXPECT_EQ(plausible(c.bytes), c.expected) << c.what;
}

TEST(Boundary, Mqtt5RelaxesLengthsAndAllowsAuth) {
    EXPECT_EQ(plausible({0x40, 0x03, 0, 1, 0x10}, mqtt::Version::v5_0), Verdict::yes);  // PUBACK with a reason code
    EXPECT_EQ(plausible({0xF0, 0x00}, mqtt::Version::v5_0), Verdict::yes);              // AUTH
    EXPECT_EQ(plausible({0xE0, 0x01, 0x00}, mqtt::Version::v5_0), Verdict::yes);        // DISCONNECT with a reason
}

TEST(Boundary, FindBoundaryWantsTheNextPacketToo) {
    // C0 00 followed by junk is a lone PINGREQ look-alike; PUBACK + PINGREQ is a real boundary.
    const Buffer data = cat({Buffer{'x', 0xC0, 0x00, 'y'}, puback(5), pingreq()});
    const auto r = find_boundary(data, 0, mqtt::Version::v3_1_1, false);
    EXPECT_EQ(r.result, BoundarySearch::Result::found);
    EXPECT_EQ(r.position, 4u);
}

TEST(Boundary, CandidateRunningPastTheDataIsUndecidedUntilTheEnd) {
    const Buffer big = publish("t", std::string(100, 'a'));
    const Buffer data(big.begin(), big.begin() + 20);
    const auto waiting = find_boundary(data, 0, mqtt::Version::v3_1_1, false);
    EXPECT_EQ(waiting.result, BoundarySearch::Result::undecided);
    EXPECT_EQ(waiting.position, 0u);
    EXPECT_EQ(find_boundary(data, 0, mqtt::Version::v3_1_1, true).result, BoundarySearch::Result::none);
    EXPECT_EQ(find_boundary(big, 0, mqtt::Version::v3_1_1, false).result, BoundarySearch::Result::found);  // ends exactly
}

TEST(Boundary, ConnectDetection) {
    const Buffer c = connect("c1");
    EXPECT_EQ(looks_like_connect(c), Verdict::yes);
    EXPECT_EQ(looks_like_connect(Bytes(c).first(connect_probe_size)), Verdict::yes);
    for (std::size_t n = 0; n < 9; ++n) {
        EXPECT_EQ(looks_like_connect(Bytes(c).first(n)), Verdict::need_more) << n;
    }
    Buffer v31 = packet(0x10, cat({str("MQIsdp"), Buffer{3, 2, 0, 60}, str("c")}));
    EXPECT_EQ(looks_like_connect(v31), Verdict::yes);
    EXPECT_EQ(looks_like_connect(connect("c1", 5)), Verdict::yes);
    Buffer wrong_level = connect("c1");
    wrong_level[8] = 9;
    EXPECT_EQ(looks_like_connect(wrong_level), Verdict::no);
    EXPECT_EQ(looks_like_connect(mqtt::as_bytes("GET / HTTP/1.1\r\n")), Verdict::no);
    EXPECT_EQ(looks_like_connect(Buffer{0x10, 0x02, 0, 4}), Verdict::no);  // too short for CONNECT
    EXPECT_EQ(mqtt::connect_version(connect("c1", 5)), mqtt::Version::v5_0);
    EXPECT_EQ(mqtt::connect_version(v31), mqtt::Version::v3_1);
    EXPECT_EQ(mqtt::connect_version(Buffer{0x10, 0x02, 0, 4}), std::nullopt);
}

}  // namespace
}  // namespace mqttlens::capture::test
