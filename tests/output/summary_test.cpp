// The one-line summary: key fields per type, payload preview, broken rules, context, colour.
#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace mqttlens;
using output::Format;
using test_util::Decoded;

namespace {

std::string summary(const mqtt::Packet& p, const output::Context& c = {}, output::PrintOptions o = {}) {
    return test_util::print(p, Format::summary, c, o);
}

}  // namespace

TEST(Summary, OneLinePerPacketWithKeyFields) {
    Decoded connect("10 1e  00 04 4d 51 54 54  04  ce  00 3c  00 02 63 31  00 02 6c 77  00 03 62 79 65"
                    "  00 01 75  00 02 70 77");
    EXPECT_EQ(summary(connect.packet),
              "CONNECT client_id=\"c1\" protocol=\"MQTT\" level=4 clean_session keep_alive=60 "
              "will_topic=\"lw\" will_qos=1 will_message_len=3 username=\"u\" password_len=2\n");
    Decoded connack("20 02 00 05");
    EXPECT_EQ(summary(connack.packet), "CONNACK return_code=5 (Not Authorized) session_present=0\n");
    Decoded publish("3b 0c  00 03 61 2f 62  00 07  68 65 6c 6c 6f");  // DUP, QoS 1, RETAIN
    EXPECT_EQ(summary(publish.packet),
              "PUBLISH topic=\"a/b\" qos=1 packet_id=7 retain dup payload_len=5 payload=\"hello\"\n");
    Decoded sub("82 0c  00 03  00 03 61 2f 23 01  00 01 62 00");
    EXPECT_EQ(summary(sub.packet), "SUBSCRIBE packet_id=3 \"a/#\":1 \"b\":0\n");
    Decoded suback("90 05  00 03  01 00 80");
    EXPECT_EQ(summary(suback.packet), "SUBACK packet_id=3 return_codes=1,0,0x80\n");
    Decoded unsub("a2 07  00 04  00 03 61 2f 23");
    EXPECT_EQ(summary(unsub.packet), "UNSUBSCRIBE packet_id=4 \"a/#\"\n");
    Decoded ping("c0 00");
    EXPECT_EQ(summary(ping.packet), "PINGREQ\n");
}

TEST(Summary, PayloadPreviewIsCutAtPayloadMax) {
    Decoded text("30 08  00 01 74  68 65 6c 6c 6f");
    output::PrintOptions o;
    o.payload_max = 2;
    EXPECT_EQ(summary(text.packet, {}, o), "PUBLISH topic=\"t\" qos=0 payload_len=5 payload=\"he\"...\n");
    Decoded binary("30 07  00 01 74  00 01 ff fe");
    EXPECT_EQ(summary(binary.packet, {}, o), "PUBLISH topic=\"t\" qos=0 payload_len=4 payload=0x0001...\n");
    o.payload_max = 0;
    EXPECT_EQ(summary(binary.packet, {}, o), "PUBLISH topic=\"t\" qos=0 payload_len=4 payload=0x0001fffe\n");
}

TEST(Summary, BrokenRulesByRuleIdAndCode) {
    Decoded d("30 05  00 01 23  68 69");  // topic "#" in a PUBLISH
    const std::string line = summary(d.packet);
    EXPECT_NE(line.find("[error MQTT-3.3.2-2 (3.1.1) publish_topic_wildcard]"), std::string::npos) << line;
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "no colour unless asked";
}

TEST(Summary, InvalidUtf8IsShownEscaped) {
    Decoded d("30 05  00 03 61 ff 62");
    EXPECT_EQ(summary(d.packet).rfind("PUBLISH topic=\"a\\xffb\"", 0), 0u) << summary(d.packet);
}

TEST(Summary, CaptureContextComesFirst) {
    Decoded d("c0 00");
    output::Context c;
    c.frame = 7;
    c.rel_time = output::Timestamp{1, 500};
    c.src = "10.0.0.1:50000";
    c.dst = "10.0.0.2:1883";
    c.offset = 99;  // not shown when the frame is known
    EXPECT_EQ(summary(d.packet, c), "    7 1.000000500 10.0.0.1:50000 \u2192 10.0.0.2:1883 PINGREQ\n");
    output::Context byte_input;
    byte_input.offset = 12;
    EXPECT_EQ(summary(d.packet, byte_input), "@12    PINGREQ\n");
}

TEST(Summary, PrefixKeysAndFieldsNeverMixUpTheStartOfALine) {
    // The start of the last line is reused for an equal non-zero prefix_key, or (key 0) for
    // equal fields; any other context gets its own.
    Decoded d("c0 00");
    output::Context a;
    a.frame = 1;
    a.rel_time = output::Timestamp{0, 1000};
    a.src = "10.0.0.1:50000";
    a.dst = "10.0.0.2:1883";
    output::Context b = a;
    b.frame = 2;
    b.src = "10.0.0.3:50000";
    const std::string line_a = "    1 0.000001 10.0.0.1:50000 \u2192 10.0.0.2:1883 PINGREQ\n";
    const std::string line_b = "    2 0.000001 10.0.0.3:50000 \u2192 10.0.0.2:1883 PINGREQ\n";
    a.prefix_key = 7;
    b.prefix_key = 8;
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(summary(d.packet, a), line_a);
        EXPECT_EQ(summary(d.packet, a), line_a);
        EXPECT_EQ(summary(d.packet, b), line_b);
        output::Context keyless = a;
        keyless.prefix_key = 0;
        EXPECT_EQ(summary(d.packet, keyless), line_a);
        EXPECT_EQ(summary(d.packet, b), line_b);
        keyless = b;
        keyless.prefix_key = 0;
        keyless.frame = 3;
        EXPECT_EQ(summary(d.packet, keyless), "    3 0.000001 10.0.0.3:50000 \u2192 10.0.0.2:1883 PINGREQ\n");
        EXPECT_EQ(summary(d.packet, b), line_b);
    }
}

TEST(Summary, AliasTopicAndConnectionDiagnostics) {
    Decoded d("20 02 00 00");
    const mqtt::Diagnostic extra[] = {
        {mqtt::Code::wrong_direction, mqtt::Severity::error, mqtt::Field::fixed_header, 0}};
    output::Context c;
    c.extra = extra;
    c.alias_topic = "a/b\n";
    const std::string line = summary(d.packet, c);
    EXPECT_NE(line.find(" resolved_topic=\"a/b\\n\""), std::string::npos) << line;
    EXPECT_NE(line.find("wrong_direction]"), std::string::npos) << line;
}

TEST(Summary, ColourWhenAsked) {
    Decoded bad("30 05  00 01 23  68 69");
    output::PrintOptions o;
    o.color = true;
    const std::string line = summary(bad.packet, {}, o);
    EXPECT_NE(line.find("\x1b[1;36mPUBLISH\x1b[0m"), std::string::npos) << line;
    EXPECT_NE(line.find("\x1b[31m[error"), std::string::npos) << "errors in red";
    Decoded warn("c0 80 00");  // non-minimal Remaining Length: a warning
    EXPECT_NE(summary(warn.packet, {}, o).find("\x1b[33m[warning"), std::string::npos) << "warnings in yellow";
}

TEST(Summary, HexDumpFollowsTheLine) {
    Decoded d("30 08  00 01 74  68 65 6c 6c 6f");
    output::PrintOptions o;
    o.hex_dump = true;
    EXPECT_EQ(summary(d.packet, {}, o),
              "PUBLISH topic=\"t\" qos=0 payload_len=5 payload=\"hello\"\n"
              "0000  30 08 00 01 74 68 65 6c  6c 6f                    0...thello\n\n");
}

TEST(FramingError, SaysWhereAndWhatInText) {
    const auto rest = test_util::unhex("30 ff ff ff 7f 00");
    output::FramingError error{mqtt::Code::packet_truncated, 17, rest};
    output::Buffer out;
    output::print_framing_error(out, error, {}, {});
    const std::string s = test_util::text(out);
    EXPECT_EQ(s.rfind("framing error at offset 17: ", 0), 0u) << s;
    EXPECT_NE(s.find("packet_truncated"), std::string::npos);
    EXPECT_NE(s.find("6 bytes left, first byte 0x30 claims Remaining Length 268435455"), std::string::npos) << s;
}

// MQTT 5.0: reason codes by name, properties as name=value, AUTH by its name.
TEST(Summary, Mqtt5ReasonCodesAndProperties) {
    output::Context c;
    c.version = mqtt::Version::v5_0;
    Decoded connack("20 09  00 87  06 22 00 0a 21 00 14", mqtt::Version::v5_0);
    EXPECT_EQ(summary(connack.packet, c),
              "CONNACK reason=0x87 (Not authorized) session_present=0 topic_alias_maximum=10 receive_maximum=20\n");
    // Topic "" with Topic Alias 3 and a User Property: the alias is shown (resolving it to its topic
    // is the connection's, not the packet's).
    Decoded publish("30 0f  00 00  0a 23 00 03 26 00 01 6b 00 01 76  68 69", mqtt::Version::v5_0);
    EXPECT_EQ(summary(publish.packet, c),
              "PUBLISH topic=\"\" qos=0 payload_len=2 topic_alias=3 user_property=\"k\":\"v\" payload=\"hi\"\n");
    Decoded puback("40 03  00 07 10", mqtt::Version::v5_0);
    EXPECT_EQ(summary(puback.packet, c), "PUBACK packet_id=7 reason=0x10 (No matching subscribers)\n");
    Decoded disconnect("e0 01 8e", mqtt::Version::v5_0);
    EXPECT_EQ(summary(disconnect.packet, c), "DISCONNECT reason=0x8e (Session taken over)\n");
    Decoded auth("f0 0a  19  08 15 00 05 53 43 52 41 4d", mqtt::Version::v5_0);
    EXPECT_EQ(summary(auth.packet, c), "AUTH reason=0x19 (Re-authenticate) authentication_method=\"SCRAM\"\n");
    Decoded broken("e0 01 8c", mqtt::Version::v5_0);
    EXPECT_EQ(summary(broken.packet, c), "DISCONNECT reason=0x8c (Bad authentication method) "
                                         "[error MQTT-3.14.2-1 (5.0) disconnect_reason_code_invalid]\n");
}
