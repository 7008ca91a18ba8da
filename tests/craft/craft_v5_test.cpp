// MQTT 5.0 in mqtt-craft: --protocol-version 5 writes every packet in the 5.0 layout, each
// property option writes its property, and the breaking options break exactly what they say.
// Byte vectors are annotated field by field; every packet is decoded back as 5.0.
#include "craft_run.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/properties.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace mqttlens::mqtt;
using craft_test::craft;
using craft_test::craft_raw;
using craft_test::split_packets;

std::vector<std::uint8_t> hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    std::istringstream in{std::string(text)};
    for (std::string byte; in >> byte;) out.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
    return out;
}

/// mqtt-craft --protocol-version 5 ARGS..., raw.
std::vector<std::uint8_t> craft5(std::vector<std::string> args) {
    args.insert(args.begin(), {"--protocol-version", "5"});
    return craft_raw(std::move(args));
}

std::string describe(const Packet& p) {
    std::string s;
    for (const Diagnostic& d : p.diagnostics) s += std::string(code_info(d.code).name) + " @" + std::to_string(d.offset) + "; ";
    return s;
}

/// Decodes one 5.0 packet that must be valid and whole.
Packet valid5(const std::vector<std::uint8_t>& bytes) {
    Packet p = decode(bytes, Version::v5_0);
    EXPECT_TRUE(p.valid()) << describe(p);
    EXPECT_EQ(p.header.size() + p.header.remaining_length, bytes.size());
    return p;
}

/// A packet crafted with --protocol-version 5 and decoded as valid 5.0; the packet views `bytes`.
struct Crafted5 {
    std::vector<std::uint8_t> bytes;
    Packet packet;
    explicit Crafted5(std::vector<std::string> args) : bytes(craft5(std::move(args))), packet(valid5(bytes)) {}
    Crafted5(const Crafted5&) = delete;
};

// ---------------------------------------------------------------------------------------------
// Each packet type in the 5.0 layout

TEST(CraftV5, ConnectLevel5WithProperties) {
    const auto bytes = craft5({"connect", "--client-id", "c1", "--session-expiry", "60", "--receive-maximum", "10",
                               "--user-property", "a=b"});
    EXPECT_EQ(bytes, hex("10 1e  00 04 4d 51 54 54  05  02  00 3c"
                         "  0f  11 00 00 00 3c  21 00 0a  26 00 01 61 00 01 62"  // Property Length 15, 3 properties
                         "  00 02 63 31"));
    const Packet p = valid5(bytes);
    const auto* c = p.get<Connect>();
    ASSERT_TRUE(c && c->properties);
    EXPECT_EQ(c->properties->find(PropertyId::session_expiry_interval)->number, 60u);
    EXPECT_EQ(c->properties->find(PropertyId::receive_maximum)->number, 10u);
    EXPECT_EQ(c->properties->find(PropertyId::user_property)->value, "b");
}

TEST(CraftV5, ConnectWillPropertiesAndAuthentication) {
    const Crafted5 crafted({"connect", "--will-topic", "w", "--will-message", "bye", "--will-property",
                            "will_delay_interval=30", "--will-property", "content_type=text/plain", "--auth-method",
                            "SCRAM", "--auth-data-hex", "01 02", "--maximum-packet-size", "1024",
                            "--topic-alias-maximum", "5"});
    const auto* c = crafted.packet.get<Connect>();
    ASSERT_TRUE(c && c->will && c->will->properties);
    EXPECT_TRUE(c->will_flag());
    EXPECT_EQ(c->will->properties->find(PropertyId::will_delay_interval)->number, 30u);
    EXPECT_EQ(c->will->properties->find(PropertyId::content_type)->text, "text/plain");
    EXPECT_EQ(c->properties->find(PropertyId::authentication_method)->text, "SCRAM");
    EXPECT_EQ(c->properties->find(PropertyId::authentication_data)->binary.size(), 2u);
    EXPECT_EQ(c->properties->find(PropertyId::maximum_packet_size)->number, 1024u);
    EXPECT_EQ(c->properties->find(PropertyId::topic_alias_maximum)->number, 5u);
}

TEST(CraftV5, ProtocolLevelOptionWinsOverTheVersion) {
    const auto bytes = craft5({"connect", "--protocol-level", "4"});
    EXPECT_EQ(bytes[8], 4);   // the byte as asked ...
    EXPECT_EQ(bytes[12], 0);  // ... the layout still 5.0: a Property Length after Keep Alive
}

TEST(CraftV5, Version31WritesMQIsdpLevel3) {
    const auto bytes = craft_raw({"--protocol-version", "3.1", "connect", "--client-id", "c"});
    EXPECT_EQ(bytes, hex("10 0f  00 06 4d 51 49 73 64 70  03  02  00 3c  00 01 63"));
}

TEST(CraftV5, ConnackWithReasonCodeAndProperties) {
    const auto bytes = craft5({"connack", "--session-present", "--reason-code", "0", "--topic-alias-maximum", "10",
                               "--assigned-client-id", "x"});
    EXPECT_EQ(bytes, hex("20 0a  01  00  07  22 00 0a  12 00 01 78"));
    valid5(bytes);
    const Crafted5 refused({"connack", "--reason-code", "0x87", "--reason-string", "no"});
    EXPECT_EQ(refused.packet.get<Connack>()->return_code, 0x87);
}

TEST(CraftV5, PublishWithTopicAliasAndUserPropertiesInOrder) {
    const auto bytes = craft5({"publish", "--topic", "", "--topic-alias", "3", "--qos", "1", "--packet-id", "7",
                               "--user-property", "k=v", "--user-property", "k=w", "--payload", "hi"});
    EXPECT_EQ(bytes, hex("32 18  00 00  00 07"
                         "  11  23 00 03  26 00 01 6b 00 01 76  26 00 01 6b 00 01 77"  // alias, then k=v, k=w
                         "  68 69"));
    valid5(bytes);
}

TEST(CraftV5, PublishMessageProperties) {
    const Crafted5 crafted({"publish", "--payload-format", "1", "--message-expiry", "600", "--content-type",
                            "application/json", "--response-topic", "r/1", "--correlation-data", "id-1",
                            "--subscription-identifier", "268435455", "--payload", "{}"});
    const auto& list = *crafted.packet.get<Publish>()->properties;
    EXPECT_EQ(list.size(), 6u);
    EXPECT_EQ(list.find(PropertyId::correlation_data)->binary.size(), 4u);
    EXPECT_EQ(list.find(PropertyId::subscription_identifier)->number, 268435455u);
}

TEST(CraftV5, AcknowledgementsShortUnlessAskedFor) {
    EXPECT_EQ(craft5({"puback"}), hex("40 02  00 01"));                       // Reason Code 0, no properties
    EXPECT_EQ(craft5({"pubrec", "--reason-code", "0x10"}), hex("50 03  00 01  10"));
    EXPECT_EQ(craft5({"pubrel", "--reason-string", "x"}), hex("62 08  00 01  00  04  1f 00 01 78"));
    EXPECT_EQ(craft5({"pubcomp", "--reason-code", "0x92", "--user-property", "a=b"}),
              hex("70 0b  00 01  92  07  26 00 01 61 00 01 62"));
    for (const auto& type : {"puback", "pubrec", "pubrel", "pubcomp"})
        valid5(craft5({type, "--reason-code", "0", "--user-property", "a=b"}));
}

TEST(CraftV5, SubscribeOptionsAndSubscriptionIdentifier) {
    const auto bytes = craft5({"subscribe", "--filter", "a", "--qos", "1", "--no-local", "--retain-as-published",
                               "--retain-handling", "2", "--subscription-identifier", "5"});
    EXPECT_EQ(bytes, hex("82 09  00 01  02 0b 05  00 01 61  2d"));  // options 0x2d: RH 2, RAP, NL, QoS 1
    valid5(bytes);
    // FILTER:OPTIONS gives a filter its own byte.
    EXPECT_EQ(craft5({"subscribe", "--filter", "a:0x2e", "--filter", "b"}),
              hex("82 0b  00 01  00  00 01 61 2e  00 01 62 00"));
}

TEST(CraftV5, SubackAndUnsubackReasonCodes) {
    EXPECT_EQ(craft5({"suback", "--reason-code", "1", "--reason-code", "0x80", "--reason-string", "no"}),
              hex("90 0a  00 01  05  1f 00 02 6e 6f  01 80"));
    EXPECT_EQ(craft5({"unsuback"}), hex("b0 04  00 01  00  00"));
    EXPECT_EQ(craft5({"unsuback", "--reason-code", "0x11", "--reason-code", "0"}), hex("b0 05  00 01  00  11 00"));
    EXPECT_EQ(craft5({"unsubscribe", "--filter", "a"}), hex("a2 06  00 01  00  00 01 61"));
    valid5(craft5({"unsuback", "--reason-code", "0x11"}));
}

TEST(CraftV5, DisconnectAndAuth) {
    EXPECT_EQ(craft5({"disconnect"}), hex("e0 00"));
    EXPECT_EQ(craft5({"disconnect", "--reason-code", "4"}), hex("e0 01  04"));
    EXPECT_EQ(craft5({"disconnect", "--reason-code", "4", "--session-expiry", "0"}),
              hex("e0 07  04  05  11 00 00 00 00"));
    const auto auth = craft5({"auth", "--reason-code", "0x18", "--auth-method", "m", "--auth-data-hex", "0102"});
    EXPECT_EQ(auth, hex("f0 0b  18  09  15 00 01 6d  16 00 02 01 02"));
    const Packet p = valid5(auth);
    ASSERT_NE(p.get<Reason>(), nullptr);
    EXPECT_EQ(p.get<Reason>()->reason_code, 0x18);
}

TEST(CraftV5, EveryPacketOfTheSequenceIn50) {
    const auto bytes = craft5({"connect", "+", "subscribe", "--filter", "a/#", "+", "publish", "--qos", "2", "+",
                               "pubrel", "+", "unsubscribe", "+", "pingreq", "+", "disconnect"});
    const auto packets = split_packets(bytes);
    ASSERT_EQ(packets.size(), 7u);
    for (const auto& packet : packets) valid5(packet);
    EXPECT_EQ(packets[2], hex("34 08  00 03 61 2f 62  00 01  00"));  // PUBLISH: Property Length 0 after the id
}

TEST(CraftV5, GenericPropertyByNameOrNumberEqualsTheNamedOption) {
    const auto named = craft5({"publish", "--topic-alias", "3"});
    EXPECT_EQ(craft5({"publish", "--property", "topic_alias=3"}), named);
    EXPECT_EQ(craft5({"publish", "--property", "35=3"}), named);
    EXPECT_EQ(craft5({"publish", "--property", "0x23=0x3"}), named);
    EXPECT_EQ(craft5({"publish", "--property", "user_property=a\\x3db=c=d"}),  // key "a=b", value "c=d"
              hex("30 11  00 03 61 2f 62  0b  26 00 03 61 3d 62 00 03 63 3d 64"));
    EXPECT_EQ(craft5({"publish", "--property", "correlation_data=cafe"}),
              hex("30 0b  00 03 61 2f 62  05  09 00 02 ca fe"));
}

TEST(CraftV5, PropertiesGivenTo311PacketsAreWrittenAsAsked) {
    // Without --protocol-version 5 the layout is 3.1.1, but an option asked for is written.
    EXPECT_EQ(craft_raw({"puback"}), hex("40 02  00 01"));
    EXPECT_EQ(craft_raw({"puback", "--reason-code", "0x80"}), hex("40 03  00 01  80"));
    EXPECT_EQ(craft_raw({"publish", "--topic-alias", "1"}), hex("30 09  00 03 61 2f 62  03  23 00 01"));
    EXPECT_EQ(craft_raw({"disconnect"}), hex("e0 00"));
    EXPECT_EQ(craft_raw({"auth"}), hex("f0 00"));
}

// ---------------------------------------------------------------------------------------------
// Breaking: the decoder (as 5.0) finds the intended code at the intended offset, and the stderr
// report names its 5.0 rule.

using craft_test::BreakCase;

class CraftV5Breaks : public ::testing::TestWithParam<BreakCase> {};

TEST_P(CraftV5Breaks, DecoderFindsTheIntendedRule) { craft_test::expect_break(GetParam(), Version::v5_0); }

// PUBLISH "a/b" QoS 0: 30 LL 00 03 61 2f 62, the Property Length at offset 7, the first property at 8.
INSTANTIATE_TEST_SUITE_P(
    PropertyLists, CraftV5Breaks,
    ::testing::Values(
        BreakCase{{"publish", "--topic-alias", "1", "--property", "topic_alias=2"}, Code::publish_property_repeated, 11},
        BreakCase{{"publish", "--property", "session_expiry_interval=5"}, Code::property_not_allowed, 8},
        BreakCase{{"publish", "--property", "0x7f=01"}, Code::property_unknown, 8},
        BreakCase{{"publish", "--topic-alias", "1", "--property", "0=", "--topic-alias", "2"},
                  Code::property_unknown, 11},
        BreakCase{{"publish", "--property-length", "100"}, Code::property_length_past_end, 7},
        BreakCase{{"publish", "--topic-alias", "1", "--property-length", "2"}, Code::property_truncated, 8},
        BreakCase{{"publish", "--topic-alias", "1", "--property-length-width", "2"},
                  Code::property_varint_non_minimal, 7},
        BreakCase{{"publish", "--property-length-width", "5"}, Code::property_varint_malformed, 7},
        BreakCase{{"subscribe", "--properties-hex", "0b 81 00"}, Code::property_varint_non_minimal, 6},
        BreakCase{{"connect", "--will-topic", "t", "--will-message", "m", "--will-property-length-width", "2"},
                  Code::property_varint_non_minimal, 25},
        BreakCase{{"connect", "--will-topic", "t", "--will-properties-hex", "11 00 00 00 05"},
                  Code::property_not_allowed, 26}));

INSTANTIATE_TEST_SUITE_P(
    Values, CraftV5Breaks,
    ::testing::Values(
        BreakCase{{"publish", "--topic-alias", "0"}, Code::topic_alias_zero, 9},
        BreakCase{{"publish", "--topic", ""}, Code::publish_topic_empty_without_alias, 2},
        BreakCase{{"publish", "--payload-format", "2"}, Code::publish_payload_format_invalid, 9},
        BreakCase{{"puback", "--reason-code", "0x8e"}, Code::puback_reason_code_invalid, 4},
        BreakCase{{"subscribe", "--retain-handling", "3"}, Code::subscribe_options_invalid, 8},
        BreakCase{{"connect", "--auth-data-hex", "01"}, Code::authentication_data_without_method, 12}));

TEST(CraftV5Usage, BadPropertiesAreUsageErrors) {
    struct Case { std::vector<std::string> args; const char* says; };
    for (const auto& [args, says] : {
             Case{{"publish", "--property", "bogus=1"}, "unknown property 'bogus'"},
             Case{{"publish", "--property", "topic_alias"}, "expected NAME=VALUE"},
             Case{{"publish", "--property", "user_property=novalue"}, "expected KEY=VALUE"},
             Case{{"publish", "--topic-alias", "65536"}, "--topic-alias 65536: 65536 is above 65535"},
             Case{{"publish", "--property", "correlation_data=xyz"}, "not a hex digit"},
             Case{{"publish", "--property", "256=1"}, "256 is above 255"},
         }) {
        std::vector<std::string> all{"--protocol-version", "5"};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = craft(all);
        EXPECT_EQ(r.exit_code, 2) << args[2];
        EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    }
    const auto r = craft({"--protocol-version", "4", "connect"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("expected 3.1, 3.1.1 or 5"), std::string::npos) << r.err;
}

}  // namespace
