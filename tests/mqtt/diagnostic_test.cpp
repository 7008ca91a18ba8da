// The diagnostic table: one well-formed entry per code, names and rules as documented.
#include "mqtt/diagnostic.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mqttlens::mqtt {
namespace {

bool snake_case(std::string_view s) {
    if (s.empty() || s.front() == '_' || s.back() == '_') return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

TEST(Diagnostic, EveryCodeHasACompleteEntry) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < code_count; ++i) {
        const CodeInfo& info = code_info(static_cast<Code>(i));
        SCOPED_TRACE(std::string(info.name));
        EXPECT_TRUE(snake_case(info.name));
        EXPECT_TRUE(names.insert(info.name).second) << "duplicate name";
        if (info.rule.empty()) {  // a code only MQTT 5.0 has
            EXPECT_EQ(info.rule_v5.rfind("MQTT", 0), 0u);
        } else {
            EXPECT_TRUE(info.rule == "mqttlens" || info.rule.rfind("MQTT-", 0) == 0) << info.rule;
            EXPECT_GT(info.rule.size(), 5u);
        }
        ASSERT_FALSE(info.message.empty());
        EXPECT_NE(info.message.back(), '.') << "messages are phrases without a final period";
        EXPECT_EQ(info.message.find('\n'), std::string_view::npos);
        EXPECT_LT(info.message.size(), 100u);
    }
}

TEST(Diagnostic, SelectedEntries) {
    EXPECT_EQ(code_info(Code::publish_qos_invalid).rule, "MQTT-3.3.1-4");
    EXPECT_EQ(code_info(Code::connack_length).rule, "MQTT-§3.2.1");
    EXPECT_EQ(code_info(Code::connack_length).message, "Remaining Length must be 2 for CONNACK");
    EXPECT_EQ(code_info(Code::subscribe_qos_invalid).rule, "MQTT-3-8.3-4");  // as the standard prints it
    EXPECT_EQ(code_info(Code::stream_gap).rule, "mqttlens");
    EXPECT_EQ(code_info(Code::utf8_control).severity, Severity::warning);
    EXPECT_EQ(code_info(Code::remaining_length_non_minimal).severity, Severity::warning);
    EXPECT_EQ(code_info(Code::ack_packet_id_zero).severity, Severity::warning);
    // §2.3.1: an acknowledgement repeats its request's identifier (MQTT-2.3.1-6, -7); MQTT-2.3.1-1
    // is about the requests only
    EXPECT_EQ(code_info(Code::ack_packet_id_zero).rule, "MQTT-§2.3.1");
    EXPECT_EQ(code_info(Code::client_id_length_v3_1).rule, "MQTT-v3.1-§3.1");  // 3.1 numbers nothing
    EXPECT_EQ(code_info(Code::client_id_length_v3_1).severity, Severity::error);
    EXPECT_EQ(code_info(Code::utf8_malformed).severity, Severity::error);
    EXPECT_EQ(code_info(Code::keep_alive_exceeded).name, "keep_alive_exceeded");
}

// 5.0 reuses 3.1.1 numbers for other rules: a finding names its rule with the version of the
// standard that numbers it, 5.0's where it has one for the code, else 3.1.1's.
TEST(Diagnostic, TheRuleNamedDependsOnThePacketsVersion) {
    EXPECT_EQ(rule_id(Code::utf8_malformed, Version::v3_1_1), (RuleId{"MQTT-1.5.3-1", "3.1.1"}));
    EXPECT_EQ(rule_id(Code::utf8_malformed, Version::v5_0), (RuleId{"MQTT-1.5.4-1", "5.0"}));
    EXPECT_EQ(rule_id(Code::remaining_length_non_minimal, Version::v5_0), (RuleId{"MQTT-1.5.5-1", "5.0"}));
    EXPECT_EQ(rule_id(Code::connect_reserved_flag, Version::v5_0), (RuleId{"MQTT-3.1.2-3", "5.0"}));
    EXPECT_EQ(rule_id(Code::connect_reserved_flag, Version::v3_1), (RuleId{"MQTT-3.1.2-3", "3.1.1"}));
    // The same number, other rules: 3.1.1's Password-needs-User-Name has no 5.0 twin (none given).
    EXPECT_EQ(rule_id(Code::password_without_username, Version::v5_0), (RuleId{"MQTT-3.1.2-22", "3.1.1"}));
    EXPECT_EQ(rule_id(Code::will_qos_invalid, Version::v3_1_1), (RuleId{"MQTT-3.1.2-14", "3.1.1"}));
    EXPECT_EQ(rule_id(Code::will_qos_invalid, Version::v5_0), (RuleId{"MQTT-3.1.2-12", "5.0"}));
    // A code only 5.0 has names its 5.0 rule whatever the version asked.
    EXPECT_EQ(rule_id(Code::topic_alias_zero, Version::v3_1_1), (RuleId{"MQTT-3.3.2-8", "5.0"}));
    EXPECT_EQ(rule_id(Code::client_id_length_v3_1, Version::v3_1), (RuleId{"MQTT-v3.1-§3.1", "3.1"}));
    EXPECT_EQ(rule_id(Code::stream_gap, Version::v5_0), (RuleId{"mqttlens", ""}));
    for (std::size_t i = 0; i < code_count; ++i) {
        const CodeInfo& info = code_info(static_cast<Code>(i));
        if (!info.rule_v5.empty()) {
            EXPECT_EQ(info.rule_v5.rfind("MQTT", 0), 0u) << info.name;
        }
    }
}

TEST(Diagnostic, OutOfRangeCodeHasAnEntryToo) {
    EXPECT_EQ(code_info(Code::count_).name, "unknown");
    EXPECT_EQ(code_info(static_cast<Code>(60'000)).severity, Severity::error);
}

TEST(Diagnostic, FieldAndSeverityNames) {
    std::set<std::string_view> names;
    for (int f = 0; f <= static_cast<int>(Field::trailing); ++f) {
        auto n = field_name(static_cast<Field>(f));
        EXPECT_TRUE(snake_case(n)) << n;
        EXPECT_TRUE(names.insert(n).second) << n;
    }
    EXPECT_EQ(field_name(Field::client_id), "client_id");
    EXPECT_EQ(field_name(Field::requested_qos), "requested_qos");
    EXPECT_EQ(severity_name(Severity::error), "error");
    EXPECT_EQ(severity_name(Severity::warning), "warning");
}

TEST(Diagnostic, ListKeepsSixteenAndCountsTheRest) {
    Diagnostics d;
    for (int i = 0; i < 20; ++i) d.add(Code::utf8_malformed, Field::topic, static_cast<std::uint32_t>(i));
    d.add(Code::utf8_control, Field::topic, 99);
    EXPECT_EQ(d.size(), Diagnostics::capacity);
    EXPECT_EQ(d.dropped(), 5u);
    EXPECT_EQ(d.error_count(), 20u);
    EXPECT_EQ(d[15].offset, 15u);
    EXPECT_EQ(d[0].rule(Version::v3_1_1), (RuleId{"MQTT-1.5.3-1", "3.1.1"}));
}

}  // namespace
}  // namespace mqttlens::mqtt
