// Every breaking option: the packet mqtt-craft writes breaks exactly the rule it was asked to
// break (the decoder finds that code), and the stderr report names the rule.
#include "craft_run.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace mqttlens::mqtt;
using craft_test::BreakCase;
using craft_test::craft;

class CraftBreaks : public ::testing::TestWithParam<BreakCase> {};

TEST_P(CraftBreaks, DecoderFindsTheIntendedRule) { craft_test::expect_break(GetParam(), Version::v3_1_1); }

// Offsets count from the packet's first byte.
INSTANTIATE_TEST_SUITE_P(
    AnyPacket, CraftBreaks,
    ::testing::Values(
        BreakCase{{"pingreq", "--type", "0"}, Code::reserved_packet_type, 0},
        BreakCase{{"pingreq", "--type", "15"}, Code::reserved_packet_type, 0},
        BreakCase{{"puback", "--flags", "1"}, Code::invalid_fixed_header_flags, 0},
        BreakCase{{"pubrel", "--flags", "0"}, Code::pubrel_flags, 0},
        BreakCase{{"subscribe", "--flags", "0"}, Code::subscribe_flags, 0},
        BreakCase{{"unsubscribe", "--flags", "0"}, Code::unsubscribe_flags, 0},
        BreakCase{{"disconnect", "--flags", "8"}, Code::disconnect_flags, 0},
        BreakCase{{"publish", "--remaining-length-bytes", "80 80 80 80 01"}, Code::remaining_length_malformed, 1},
        BreakCase{{"publish", "--remaining-length-width", "5"}, Code::remaining_length_malformed, 1},
        BreakCase{{"publish", "--remaining-length-width", "3"}, Code::remaining_length_non_minimal, 1},
        BreakCase{{"publish", "--remaining-length", "200"}, Code::packet_truncated, 8},
        BreakCase{{"pingreq", "--append", "00"}, Code::packet_length_mismatch, 2},
        BreakCase{{"pingreq", "--remaining-length", "1", "--append", "00"}, Code::pingreq_length, 1},
        BreakCase{{"pingresp", "--remaining-length", "1", "--append", "00"}, Code::pingresp_length, 1},
        BreakCase{{"disconnect", "--remaining-length", "1", "--append", "00"}, Code::disconnect_length, 1}));

INSTANTIATE_TEST_SUITE_P(
    Strings, CraftBreaks,
    ::testing::Values(
        BreakCase{{"publish", "--topic", "a/b", "--topic-length", "40"}, Code::string_truncated, 2},
        BreakCase{{"publish", "--topic", "a\\xffb"}, Code::utf8_malformed, 5},
        BreakCase{{"publish", "--topic", "a\\u{D800}"}, Code::utf8_malformed, 5},
        BreakCase{{"publish", "--topic", "a\\x00b"}, Code::utf8_null, 5},
        BreakCase{{"publish", "--topic", "a\\x00b"}, Code::topic_null, 5},
        BreakCase{{"publish", "--topic", "a\\x01"}, Code::utf8_control, 5},
        BreakCase{{"publish", "--topic", ""}, Code::topic_empty, 2},
        BreakCase{{"publish", "--topic", "a/#"}, Code::topic_name_wildcard, 6},
        BreakCase{{"subscribe", "--filter", "a#"}, Code::filter_hash_misplaced, 7},
        BreakCase{{"subscribe", "--filter", "a+/b"}, Code::filter_plus_misplaced, 7},
        BreakCase{{"subscribe", "--filter", "ok", "--filter", "b", "--length-prefix", "topic_filter:1=9"},
                  Code::string_truncated, 9},
        BreakCase{{"connect", "--client-id", "c\\xc0\\x80"}, Code::client_id_not_utf8, 12},
        BreakCase{{"connect", "--username", "\\xfe", "--password", "p"}, Code::username_not_utf8, 24},
        BreakCase{{"connect", "--will-topic", "\\xff", "--will-message", "m"}, Code::will_topic_not_utf8, 24},
        BreakCase{{"connect", "--client-id-length", "100"}, Code::connect_malformed, 12}));

INSTANTIATE_TEST_SUITE_P(
    Connect, CraftBreaks,
    ::testing::Values(
        BreakCase{{"connect", "--protocol-name", "MQTX"}, Code::protocol_name_invalid, 2},
        BreakCase{{"connect", "--protocol-level", "6"}, Code::protocol_level_unsupported, 8},
        BreakCase{{"connect", "--reserved-flag"}, Code::connect_reserved_flag, 9},
        BreakCase{{"connect", "--connect-flags", "0x06"}, Code::will_fields_missing, 24},
        BreakCase{{"connect", "--will-qos", "1"}, Code::will_qos_without_will, 9},
        BreakCase{{"connect", "--will-topic", "w", "--will-message", "m", "--will-qos", "3"},
                  Code::will_qos_invalid, 9},
        BreakCase{{"connect", "--will-retain"}, Code::will_retain_without_will, 9},
        BreakCase{{"connect", "--username", "u", "--connect-flags", "0x02"}, Code::username_without_flag, 24},
        BreakCase{{"connect", "--connect-flags", "0x82"}, Code::username_missing, 24},
        BreakCase{{"connect", "--username", "u", "--password", "p", "--connect-flags", "0x82"},
                  Code::password_without_flag, 27},
        BreakCase{{"connect", "--connect-flags", "0xC2", "--username", "u"}, Code::password_missing, 27},
        BreakCase{{"connect", "--password", "p"}, Code::password_without_username, 9},
        BreakCase{{"connect", "--remaining-length", "10", "--truncate", "12"}, Code::client_id_missing, 12},
        BreakCase{{"connect", "--client-id", "", "--no-clean-session"}, Code::client_id_empty_persistent, 12},
        BreakCase{{"connect", "--will-topic", "a/+", "--will-message", "m"}, Code::will_topic_invalid, 24},
        BreakCase{{"connect", "--append", "00", "--remaining-length", "23"}, Code::connect_malformed, 24}));

INSTANTIATE_TEST_SUITE_P(
    OtherPackets, CraftBreaks,
    ::testing::Values(
        BreakCase{{"connack", "--remaining-length", "3", "--append", "00"}, Code::connack_length, 1},
        BreakCase{{"connack", "--ack-flags", "2"}, Code::connack_reserved_flags, 2},
        BreakCase{{"connack", "--return-code", "6"}, Code::connack_return_code_invalid, 3},
        BreakCase{{"connack", "--session-present", "--return-code", "1"}, Code::connack_session_present_error, 2},
        BreakCase{{"publish", "--qos", "3"}, Code::publish_qos_invalid, 0},
        BreakCase{{"publish", "--dup"}, Code::publish_dup_qos0, 0},
        BreakCase{{"publish", "--topic", "a/+"}, Code::publish_topic_wildcard, 2},
        BreakCase{{"publish", "--qos", "1", "--packet-id", "0"}, Code::packet_id_zero, 7},
        BreakCase{{"publish", "--qos", "1", "--no-packet-id", "--topic", "t"}, Code::publish_packet_id_missing, 5},
        BreakCase{{"puback", "--no-packet-id"}, Code::puback_length, 1},
        BreakCase{{"pubrec", "--no-packet-id"}, Code::pubrec_length, 1},
        BreakCase{{"pubrel", "--no-packet-id"}, Code::pubrel_length, 1},
        BreakCase{{"pubcomp", "--no-packet-id"}, Code::pubcomp_length, 1},
        BreakCase{{"unsuback", "--no-packet-id"}, Code::unsuback_length, 1},
        BreakCase{{"puback", "--packet-id", "0"}, Code::ack_packet_id_zero, 2},
        BreakCase{{"subscribe", "--packet-id", "0"}, Code::packet_id_zero, 2},
        BreakCase{{"subscribe", "--no-filters"}, Code::subscribe_no_filters, 4},
        BreakCase{{"subscribe", "--filter", "a/b:0xC1"}, Code::subscribe_qos_invalid, 9},
        BreakCase{{"subscribe", "--filter", "a/b", "--qos-byte", "3"}, Code::subscribe_qos_invalid, 9},
        BreakCase{{"subscribe", "--filter", "a/b", "--truncate", "9"}, Code::subscribe_pair_truncated, 9},
        BreakCase{{"subscribe", "--filter", "\\xff"}, Code::subscribe_filter_not_utf8, 4},
        BreakCase{{"subscribe", "--no-packet-id", "--no-filters"}, Code::packet_id_missing, 2},
        BreakCase{{"suback", "--no-return-codes"}, Code::suback_no_return_codes, 4},
        BreakCase{{"suback", "--return-code", "3"}, Code::suback_return_code_invalid, 4},
        BreakCase{{"unsubscribe", "--no-filters"}, Code::unsubscribe_no_filters, 4},
        BreakCase{{"unsubscribe", "--filter", "a\\xff"}, Code::unsubscribe_filter_not_utf8, 4}));

TEST(CraftReport, QuietSilencesAndStrictExitsOne) {
    auto loud = craft({"publish", "--qos", "3", "--out", "raw"});
    EXPECT_EQ(loud.exit_code, 0);
    EXPECT_NE(loud.err.find("MQTT-3.3.1-4"), std::string::npos);
    auto quiet = craft({"publish", "--qos", "3", "--out", "raw", "--quiet"});
    EXPECT_EQ(quiet.exit_code, 0);
    EXPECT_EQ(quiet.err, "");
    EXPECT_EQ(quiet.out, loud.out);
    EXPECT_EQ(craft({"publish", "--qos", "3", "--out", "raw", "-q", "--strict"}).exit_code, 1);
    EXPECT_EQ(craft({"publish", "--qos", "1", "--out", "raw", "--strict"}).exit_code, 0);
}

TEST(CraftReport, GlobalOptionsHoldForEveryChainedPacket) {
    auto r = craft({"-q", "--out", "raw", "connect", "+", "publish", "--qos", "3", "+", "disconnect"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(craft_test::split_packets(r.out).size(), 3u);
    auto loud = craft({"connect", "+", "publish", "--qos", "3", "--out", "raw"});
    EXPECT_NE(loud.err.find("packet 2 PUBLISH (command line segment 2): error MQTT-3.3.1-4"), std::string::npos)
        << loud.err;
}

TEST(CraftReport, ValidPacketsSayNothing) {
    auto r = craft({"connect", "+", "subscribe", "+", "publish", "+", "disconnect", "--out", "raw"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
}

}  // namespace
