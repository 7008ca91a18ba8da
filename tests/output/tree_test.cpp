// The -V tree: offsets and bytes per field, flags bit by bit, diagnostics under their field.
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

using namespace mqttlens;
using output::Format;
using test_util::Decoded;

namespace {

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

/// Index of the first line containing `needle`, or -1.
int find(const std::vector<std::string>& ls, std::string_view needle) {
    for (std::size_t i = 0; i < ls.size(); ++i)
        if (ls[i].find(needle) != std::string::npos) return static_cast<int>(i);
    return -1;
}

}  // namespace

TEST(Tree, PublishFieldsWithOffsetsAndBytes) {
    Decoded d("32 0c  00 03 61 2f 62  00 07  68 65 6c 6c 6f");
    output::Context c;
    c.offset = 0;
    c.direction = output::Direction::c2s;
    EXPECT_EQ(test_util::print(d.packet, Format::tree, c),
              "PUBLISH, 14 bytes at offset 0 (c2s), valid\n"
              "    0  32                       Header Flags: 0x32 (PUBLISH)\n"
              "                                   0011 .... = Message Type: PUBLISH (3)\n"
              "                                   .... 0... = DUP Flag: Not set\n"
              "                                   .... .01. = QoS Level: 1\n"
              "                                   .... ...0 = Retain: Not set\n"
              "    1  0c                       Remaining Length: 12\n"
              "    2  00 03 61 2f 62           Topic: \"a/b\" (3 bytes)\n"
              "    7  00 07                    Packet Identifier: 7\n"
              "    9  68 65 6c 6c 6f           Message: \"hello\" (5 bytes)\n"
              "\n");
}

TEST(Tree, ConnectFlagsBitByBit) {
    Decoded d("10 1e  00 04 4d 51 54 54  04  ce  00 3c  00 02 63 31  00 02 6c 77  00 03 62 79 65"
              "  00 01 75  00 02 70 77");
    const auto ls = lines(test_util::print(d.packet, Format::tree));
    const int flags = find(ls, "Connect Flags: 0xce");
    ASSERT_GE(flags, 0);
    EXPECT_EQ(ls[flags].substr(0, 9), "    9  ce");
    EXPECT_NE(ls[flags + 1].find("1... .... = User Name Flag: Set"), std::string::npos);
    EXPECT_NE(ls[flags + 2].find(".1.. .... = Password Flag: Set"), std::string::npos);
    EXPECT_NE(ls[flags + 3].find("..0. .... = Will Retain: Not set"), std::string::npos);
    EXPECT_NE(ls[flags + 4].find("...0 1... = Will QoS: 1"), std::string::npos);
    EXPECT_NE(ls[flags + 5].find(".... .1.. = Will Flag: Set"), std::string::npos);
    EXPECT_NE(ls[flags + 6].find(".... ..1. = Clean Session: Set"), std::string::npos);
    EXPECT_NE(ls[flags + 7].find(".... ...0 = Reserved: 0"), std::string::npos);
    for (const char* field : {"Protocol Name: \"MQTT\"", "Protocol Level: 4", "Keep Alive: 60",
                              "Client Identifier: \"c1\"", "Will Topic: \"lw\"", "Will Message: \"bye\"",
                              "User Name: \"u\"", "Password: \"pw\""})
        EXPECT_GE(find(ls, field), 0) << field;
    EXPECT_EQ(ls[find(ls, "Will Topic")].substr(0, 20), "   16  00 02 6c 77  ");
}

TEST(Tree, DiagnosticSitsUnderItsField) {
    Decoded d("30 05  00 01 23  68 69");  // PUBLISH topic "#"
    const auto ls = lines(test_util::print(d.packet, Format::tree));
    const int topic = find(ls, "Topic: \"#\"");
    const int diag = find(ls, "MQTT-3.3.2-2");
    const int message = find(ls, "Message: \"hi\"");
    ASSERT_GE(topic, 0);
    EXPECT_GT(diag, topic);
    EXPECT_LT(diag, message);
    EXPECT_EQ(find(ls, "Diagnostics:"), -1) << "every diagnostic found its field";
    EXPECT_NE(ls[0].find("error"), std::string::npos) << ls[0];
}

TEST(Tree, UnparsedBytesAndLeftoverDiagnosticsAreShown) {
    Decoded d("c0 02 00 00");  // PINGREQ with 2 bytes it must not have
    const auto ls = lines(test_util::print(d.packet, Format::tree));
    const int unparsed = find(ls, "Unparsed bytes: 2");
    ASSERT_GE(unparsed, 0);
    EXPECT_EQ(ls[unparsed].substr(0, 12), "    2  00 00");
    EXPECT_GE(find(ls, "pingreq_length"), 0);
}

TEST(Tree, SubscribeRequestedQosReservedBits) {
    Decoded d("82 06  00 01  00 01 62 05");  // Requested QoS byte 0x05: reserved bit 2 set
    const auto ls = lines(test_util::print(d.packet, Format::tree));
    const int qos = find(ls, "Requested QoS: 1 (0x05)");
    ASSERT_GE(qos, 0);
    EXPECT_NE(ls[qos + 1].find("0000 01.. = Reserved: 0x04"), std::string::npos) << ls[qos + 1];
    EXPECT_NE(ls[qos + 2].find(".... ..01 = QoS: 1"), std::string::npos);
    EXPECT_GT(find(ls, "subscribe_qos_invalid"), qos);
}

TEST(Tree, LongFieldsShowTheirFirstBytes) {
    // PUBLISH topic "t", payload of 20 'x'.
    Decoded d("30 17  00 01 74  78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78 78");
    const auto ls = lines(test_util::print(d.packet, Format::tree));
    const int m = find(ls, "Message:");
    ASSERT_GE(m, 0);
    EXPECT_EQ(ls[m].substr(0, 30), "    5  78 78 78 78 78 78 ..   ");
    EXPECT_NE(ls[m].find("(20 bytes)"), std::string::npos);
}

TEST(Tree, CaptureContextInTheHeading) {
    Decoded d("d0 00");
    output::Context c;
    c.frame = 4;
    c.rel_time = output::Timestamp{0, 250000000};
    c.src = "[::1]:1883";
    c.dst = "[::1]:40000";
    c.stream = 2;
    c.direction = output::Direction::s2c;
    c.offset = 8;
    const auto ls = lines(test_util::print(d.packet, Format::tree, c));
    EXPECT_EQ(ls[0], "PINGRESP, 2 bytes at offset 8 (frame 4, 0.250000 s, [::1]:1883 \u2192 [::1]:40000, "
                     "stream 2, s2c), valid");
}

TEST(Tree, NoColourByDefault) {
    Decoded d("30 05  00 01 23  68 69");
    EXPECT_EQ(test_util::print(d.packet, Format::tree).find('\x1b'), std::string::npos);
    output::PrintOptions o;
    o.color = true;
    EXPECT_NE(test_util::print(d.packet, Format::tree, {}, o).find("\x1b[31merror"), std::string::npos);
}

// MQTT 5.0: the Reason Code by name, the property list with its length, then each property at its
// offset with its bytes, title and identifier; a finding in the list sits under it.
TEST(Tree, Mqtt5PropertiesAtTheirOffsets) {
    output::Context c;
    c.version = mqtt::Version::v5_0;
    Decoded connack("20 0b  00 00  08 21 00 0a 21 00 0b 24 01", mqtt::Version::v5_0);
    const auto ls = lines(test_util::print(connack.packet, Format::tree, c));
    EXPECT_GE(find(ls, "    3  00                       Reason Code: 0x00 (Success)"), 0);
    const int list = find(ls, "    4  08 21 00 0a 21 00 ..     Properties: 8 bytes, 3 properties");
    ASSERT_GE(list, 0);
    EXPECT_NE(ls[list + 1].find("error MQTT5-§3.2.2.3 (5.0) connack_property_repeated at 8"), std::string::npos)
        << ls[list + 1];
    EXPECT_GE(find(ls, "    5  21 00 0a                   Receive Maximum (0x21): 10"), list);
    EXPECT_GE(find(ls, "    8  21 00 0b                   Receive Maximum (0x21): 11"), list);
    EXPECT_GE(find(ls, "   11  24 01                      Maximum QoS (0x24): 1"), list);
}
