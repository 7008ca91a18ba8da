// Every single-packet rule of shared/mqtt-3.1.1-rules.md (tables "Fixed header", "Strings ... and
// topics", "Per packet") is broken by at least one 3.1.1 vector, and every rule of
// shared/mqtt-5.0-rules.md whose scope is "packet" by at least one 5.0 vector, or sits on the
// commented lists below. The two standards share numbers for different rules: each is matched
// against its own version's vectors.
#include "rule_list.hpp"
#include "vectors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace mqttlens::mqtt::test {
namespace {

// Rules no byte string can break, or that are not rejections; each with the reason.
const std::map<std::string, std::string>& exceptions() {
    static const std::map<std::string, std::string> list = {
        {"MQTT-2.2.2-2", "the receiver's duty to close on bad flags; the flags themselves are MQTT-2.2.2-1"},
        {"MQTT-4.8.0-1", "umbrella: close on any protocol violation; every other rule is that violation"},
        {"MQTT-1.5.3-3", "not a rejection: U+FEFF is kept (DecoderFields.ByteOrderMarkIsKept)"},
        {"MQTT-4.7.3-3", "a 2-byte length prefix cannot exceed 65,535"},
        {"MQTT-3.1.2-11", "stated again as MQTT-3.1.2-13 (Will QoS) and MQTT-3.1.2-15 (Will Retain)"},
        {"MQTT-3.1.3-1", "field order: untagged length-prefixed fields cannot be told apart by content"},
        {"MQTT-3.1.3-5", "not a rejection (Decoder.ClientIdentifierBeyond23CharactersIsAllowed)"},
        {"MQTT-§3.3.3", "not a rejection: a zero-length payload is valid (vector publish/empty payload)"},
    };
    return list;
}

std::string rules_path() { return std::string(MQTTLENS_SOURCE_DIR) + "/../shared/mqtt-3.1.1-rules.md"; }
// The rule IDs of that file's single-packet tables, committed so a clone without ../shared is
// checked too; RulesFile.CommittedListMatchesTheRulesFile keeps the two equal.
std::string committed_path() {
    return std::string(MQTTLENS_SOURCE_DIR) + "/tests/mqtt/data/single-packet-rules.txt";
}

using ::mqttlens::test::read_rule_list;
std::set<std::string> committed_rules() { return read_rule_list(committed_path()); }

std::string trim(std::string s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Rule IDs in one table cell: "MQTT-3.1.2-18 / -19", "(§3.12.1, §3.13.1, §3.14.1)",
// "MQTT-3.3.2-1, -2", "(§2.2.1, Table 2.1)".
std::vector<std::string> ids_in_cell(const std::string& cell) {
    std::vector<std::string> ids;
    std::string last;
    std::string part;
    auto flush = [&] {
        std::string p = trim(part);
        part.clear();
        auto is_id_char = [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '-'; };
        auto strip = [](std::string id) {
            while (!id.empty() && (id.back() == '.' || id.back() == '-')) id.pop_back();
            return id;
        };
        if (auto at = p.find("MQTT-"); at != std::string::npos) {
            std::size_t e = at + 5;
            while (e < p.size() && is_id_char(p[e])) ++e;
            last = strip(p.substr(at, e - at));
            ids.push_back(last);
        } else if (auto sec = p.find("§"); sec != std::string::npos) {
            std::size_t b = sec + std::string("§").size();
            std::size_t e = b;
            while (e < p.size() && is_id_char(p[e])) ++e;
            ids.push_back("MQTT-§" + strip(p.substr(b, e - b)));
        } else if (p.size() > 1 && p[0] == '-' && p[1] >= '0' && p[1] <= '9' && !last.empty()) {
            std::size_t e = 1;
            while (e < p.size() && p[e] >= '0' && p[e] <= '9') ++e;
            ids.push_back(last.substr(0, last.rfind('-')) + p.substr(0, e));
        }
    };
    for (char c : cell) {
        if (c == ',' || c == '/') flush();
        else part += c;
    }
    flush();
    return ids;
}

// The single-packet rule IDs of the rules file.
std::set<std::string> single_packet_rules(std::istream& in) {
    std::set<std::string> ids;
    std::string line;
    int rule_column = -1;  // column index of the rule in the current table; -1 outside
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            if (line.rfind("## Fixed header", 0) == 0 || line.rfind("## Strings", 0) == 0) rule_column = 0;
            else if (line.rfind("## Per packet", 0) == 0) rule_column = 1;
            else rule_column = -1;
            continue;
        }
        if (rule_column < 0 || line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string cell;
        while (std::getline(ss, cell, '|')) cells.push_back(trim(cell));
        if (cells.size() <= static_cast<std::size_t>(rule_column)) continue;
        const std::string& rule = cells[static_cast<std::size_t>(rule_column)];
        if (rule == "rule" || rule.rfind("---", 0) == 0) continue;
        for (auto& id : ids_in_cell(rule)) ids.insert(id);
    }
    return ids;
}

TEST(RulesFile, CellParsing) {
    EXPECT_EQ(ids_in_cell("MQTT-3.1.2-18 / -19"), (std::vector<std::string>{"MQTT-3.1.2-18", "MQTT-3.1.2-19"}));
    EXPECT_EQ(ids_in_cell("MQTT-3.1.2-11, -13, -15"),
              (std::vector<std::string>{"MQTT-3.1.2-11", "MQTT-3.1.2-13", "MQTT-3.1.2-15"}));
    EXPECT_EQ(ids_in_cell("(§3.12.1, §3.13.1, §3.14.1)"),
              (std::vector<std::string>{"MQTT-§3.12.1", "MQTT-§3.13.1", "MQTT-§3.14.1"}));
    EXPECT_EQ(ids_in_cell("(§2.2.1, Table 2.1)"), (std::vector<std::string>{"MQTT-§2.2.1"}));
    EXPECT_EQ(ids_in_cell("MQTT-3-8.3-4"), (std::vector<std::string>{"MQTT-3-8.3-4"}));
    EXPECT_EQ(ids_in_cell("(§3.4.1 …)"), (std::vector<std::string>{"MQTT-§3.4.1"}));
}

TEST(RulesFile, CommittedListMatchesTheRulesFile) {
    std::ifstream in(rules_path());
    if (!in) GTEST_SKIP() << rules_path() << " is not beside this clone: " << committed_path() << " is used";
    auto rules = single_packet_rules(in);
    ASSERT_GT(rules.size(), 50u) << "the rules file's tables were not found";
    std::string want;
    for (const auto& id : rules) want += id + "\n";
    EXPECT_EQ(rules, committed_rules()) << "write this list to " << committed_path() << ":\n" << want;
}

/// The rules the vectors of `version` break (3.1 and 3.1.1 together: 3.1 has no numbers).
std::set<std::string> broken_by(bool v5) {
    std::set<std::string> broken;
    for (const auto& v : vectors())
        if ((v.version == Version::v5_0) == v5)
            for (const auto& e : v.expected) broken.insert(std::string(e.rule));
    return broken;
}

TEST(RulesFile, EverySinglePacketRuleIsBrokenBySomeVector) {
    auto rules = committed_rules();
    ASSERT_GT(rules.size(), 50u) << "cannot read the rule list " << committed_path();

    const std::set<std::string> broken = broken_by(false);

    for (const auto& id : rules) {
        bool excepted = exceptions().count(id) != 0;
        EXPECT_TRUE(broken.count(id) || excepted) << id << " has no vector that breaks it";
        EXPECT_FALSE(broken.count(id) && excepted) << id << " is covered; drop it from the exceptions";
    }
    for (const auto& [id, why] : exceptions())
        EXPECT_TRUE(rules.count(id)) << id << " is excepted but not in the rules file";
}

// The section rules of the acknowledgement family are written once as "(§3.4.1 …)".
TEST(RulesFile, EveryAcknowledgementLengthRuleIsBroken) {
    const std::set<std::string> broken = broken_by(false);
    for (auto id : {"MQTT-§3.4.1", "MQTT-§3.5.1", "MQTT-§3.6.1", "MQTT-§3.7.1", "MQTT-§3.11.1"})
        EXPECT_TRUE(broken.count(id)) << id;
}

// Every decoder code (all but the stream and capture ones) appears in some vector.
// ---------------------------------------------------------------- MQTT 5.0

// 5.0 rules of scope "packet" no 5.0 vector breaks under their own ID; each with the reason.
const std::map<std::string, std::string>& exceptions_v5() {
    static const std::map<std::string, std::string> list = {
        {"MQTT-1.5.4-3", "not a rejection: U+FEFF is kept"},
        {"MQTT-2.2.1-2", "a decoder duty (QoS 0 has no Packet Identifier): two bytes put there read as properties"},
        {"MQTT-2.2.1-4", "a server's PUBLISH with identifier 0: the decoder does not know the sender and names "
                         "MQTT-2.2.1-3 (publish5/packet identifier 0)"},
        {"MQTT-2.2.1-6", "SUBACK and UNSUBACK identifier 0 is reported with the acknowledgements' ack_packet_id_zero, "
                         "MQTT-2.2.1-5"},
        {"MQTT-3.1.3-1", "field order: untagged length-prefixed fields cannot be told apart by content"},
        {"MQTT-3.8.4-7", "stated with MQTT-3.9.3-2 in the same row: suback_reason_code_invalid names that one"},
        {"MQTT-4.3.1-1", "stated with MQTT-3.3.1-2 in the same row: publish_dup_qos0 names that one"},
        {"MQTT-4.7.3-3", "a 2-byte length prefix cannot exceed 65,535"},
    };
    return list;
}

std::string rules_v5_path() { return std::string(MQTTLENS_SOURCE_DIR) + "/../shared/mqtt-5.0-rules.md"; }
std::string committed_v5_path() { return std::string(MQTTLENS_SOURCE_DIR) + "/tests/mqtt/data/packet-rules-5.0.txt"; }

std::set<std::string> committed_v5_rules() { return read_rule_list(committed_v5_path()); }

// The IDs of every table row of the 5.0 rules file whose scope cell is "packet": the rule cell is
// the one before it and holds only IDs, separated by commas.
std::set<std::string> packet_rules_v5(std::istream& in) {
    std::set<std::string> ids;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '|') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string cell;
        while (std::getline(ss, cell, '|')) cells.push_back(trim(cell));
        for (std::size_t i = 1; i < cells.size(); ++i) {
            if (cells[i] != "packet") continue;
            std::stringstream ids_in(cells[i - 1]);
            std::string id;
            while (std::getline(ids_in, id, ','))
                if (id = trim(id); id.rfind("MQTT", 0) == 0 && id.find(' ') == std::string::npos) ids.insert(id);
            break;
        }
    }
    return ids;
}

TEST(RulesFile, CommittedV5ListMatchesTheRulesFile) {
    std::ifstream in(rules_v5_path());
    if (!in) GTEST_SKIP() << rules_v5_path() << " is not beside this clone: " << committed_v5_path() << " is used";
    const auto rules = packet_rules_v5(in);
    ASSERT_GT(rules.size(), 90u) << "the rules file's tables were not found";
    std::string want;
    for (const auto& id : rules) want += id + "\n";
    EXPECT_EQ(rules, committed_v5_rules()) << "write this list to " << committed_v5_path() << ":\n" << want;
}

TEST(RulesFile, EveryV5PacketRuleIsBrokenBySomeV5Vector) {
    const auto rules = committed_v5_rules();
    ASSERT_GT(rules.size(), 90u) << "cannot read the rule list " << committed_v5_path();
    const std::set<std::string> broken = broken_by(true);
    for (const auto& id : rules) {
        const bool excepted = exceptions_v5().count(id) != 0;
        EXPECT_TRUE(broken.count(id) || excepted) << id << " has no 5.0 vector that breaks it";
        EXPECT_FALSE(broken.count(id) && excepted) << id << " is covered; drop it from the exceptions";
    }
    for (const auto& [id, why] : exceptions_v5())
        EXPECT_TRUE(rules.count(id)) << id << " is excepted but not in the 5.0 rules file";
    // And every ID a 5.0 vector names is one of the file's (no rule invented).
    for (const auto& id : broken) EXPECT_TRUE(rules.count(id)) << id << " is not a packet rule of the 5.0 rules file";
}

TEST(RulesFile, EveryDecoderCodeHasAVector) {
    std::set<Code> seen;
    for (const auto& v : vectors())
        for (const auto& e : v.expected) seen.insert(e.code);
    for (std::size_t i = 0; i < code_count; ++i) {
        auto code = static_cast<Code>(i);
        if (code >= Code::first_packet_not_connect && code <= Code::stream_unsynchronised) continue;
        if (code >= Code::second_connack && code <= Code::keep_alive_disconnect_early) continue;  // 5.0 stream rules
        if (code == Code::packet_too_large) continue;  // a framer limit: DecodeOptions has none
        EXPECT_TRUE(seen.count(code)) << code_info(code).name << " has no vector";
    }
}

}  // namespace
}  // namespace mqttlens::mqtt::test
