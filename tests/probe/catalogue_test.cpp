// The catalogue as data: ids unique, every rule named is a rule of shared/mqtt-3.1.1-rules.md, and
// each breaking case's bytes really break its rule by the project's own decoder and session rules.
#include "catalogue.hpp"
#include "runner.hpp"

#include "engine/conversation.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace mqttlens;
using namespace mqttlens::probe;

namespace {

/// Every rule ID the rules file writes: "MQTT-3.1.2-3", the shorthand "MQTT-3.1.2-18 / -19" and
/// "MQTT-3.3.2-1, -2", and section rows "(§2.2.3)" as "MQTT-§2.2.3".
/// Every rule ID the rules file at `path` names.
std::set<std::string> rules_in_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    std::set<std::string> ids;
    const std::regex token(R"((MQTT-[0-9][0-9.-]*[0-9])|§([0-9.]*[0-9])|(?:,|/) *-([0-9]+))");
    std::string last;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), token); it != std::sregex_iterator(); ++it) {
        const std::smatch& m = *it;
        if (m[1].matched) ids.insert(last = m[1].str());
        else if (m[2].matched) ids.insert("MQTT-§" + m[2].str());
        else if (!last.empty()) ids.insert(last.substr(0, last.rfind('-') + 1) + m[3].str());
    }
    return ids;
}

Identity test_identity() { return {"mqttlens-test", std::nullopt, std::nullopt, "mqttlens-probe/test"}; }

/// The reply a conforming broker gives to a behaviour step, so the session rules see the flow whole.
std::vector<std::uint8_t> canned_reply(const Reaction& r) {
    const auto type = static_cast<std::uint8_t>(static_cast<unsigned>(r.type) << 4);
    const auto hi = static_cast<std::uint8_t>(r.packet_id >> 8), lo = static_cast<std::uint8_t>(r.packet_id & 0xFF);
    if (r.type == mqtt::PacketType::pingresp) return {0xD0, 0x00};
    if (r.type == mqtt::PacketType::suback) {
        std::vector<std::uint8_t> b{0x90, static_cast<std::uint8_t>(2 + r.count), hi, lo};
        b.resize(b.size() + static_cast<std::size_t>(r.count), 0x00);
        return b;
    }
    return {type, 0x02, hi, lo};
}

/// Every error rule the decoder and the session rules find in what `c` sends on connection 0
/// (the preamble's CONNECT and its CONNACK 0 included), bytes cut by the framer as a broker would.
std::set<std::string> rules_broken(const Case& c) {
    std::set<std::string> rules;
    engine::Conversation conv;
    std::uint64_t ref = 0;
    auto observe = [&](mqtt::Direction d, const std::vector<std::uint8_t>& bytes) {
        mqtt::Framer framer;
        framer.feed(mqtt::Bytes(bytes));
        framer.finish();
        for (mqtt::Frame f = framer.next(); f.status != mqtt::Frame::Status::need_more; f = framer.next()) {
            if (f.status == mqtt::Frame::Status::error) {
                rules.insert(std::string(mqtt::rule_id(f.error, mqtt::Version::v3_1_1).id));
                return;
            }
            const engine::Observed o = conv.observe(d, f.packet, 0, ++ref);
            for (const auto& diag : o.packet.diagnostics)
                if (diag.severity == mqtt::Severity::error) rules.insert(std::string(diag.rule(o.version).id));
            for (const auto& diag : o.stream)
                if (diag.severity == mqtt::Severity::error) rules.insert(std::string(diag.rule(o.version).id));
        }
    };
    if (c.preamble != Preamble::none) {
        observe(mqtt::Direction::c2s, preamble_connect(test_identity(), c.preamble == Preamble::will));
        observe(mqtt::Direction::s2c, {0x20, 0x02, 0x00, 0x00});
    }
    for (const Step& step : c.steps) {
        if (step.connection != 0 || !step.build) continue;
        observe(mqtt::Direction::c2s, step.build(test_identity()));
        if (step.reaction.expect == Expect::reply) observe(mqtt::Direction::s2c, canned_reply(step.reaction));
    }
    return rules;
}

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
    return out;
}

}  // namespace

TEST(Catalogue, HasEnoughCasesWithUniqueIds) {
    std::set<std::string_view> ids;
    std::size_t breaking = 0;
    for (const Case& c : catalogue()) {
        EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
        EXPECT_FALSE(c.steps.empty()) << c.id;
        EXPECT_EQ(c.version, "3.1.1") << c.id;
        breaking += c.breaks_rule;
    }
    EXPECT_GE(breaking, 25u);
    EXPECT_GE(catalogue().size() - breaking, 4u);
}

/// The committed copy of the rules file's IDs (tests/probe/data/rules-3.1.1.txt): one per line.
std::set<std::string> committed_rules() {
    std::set<std::string> ids;
    std::ifstream in(MQTT_RULES_LIST);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#') ids.insert(line);
    return ids;
}

TEST(Catalogue, CommittedRuleListMatchesTheRulesFile) {
    if (!std::ifstream(MQTT_RULES_FILE)) GTEST_SKIP() << MQTT_RULES_FILE << " is not beside this clone: " << MQTT_RULES_LIST << " is used";
    EXPECT_EQ(rules_in_file(MQTT_RULES_FILE), committed_rules()) << "regenerate " << MQTT_RULES_LIST;
}

TEST(Catalogue, EveryRuleIsInTheRulesFile) {
    const std::set<std::string> known = committed_rules();
    ASSERT_GT(known.size(), 50u) << "cannot read " << MQTT_RULES_LIST;
    // Behaviour rules the byte-level rules file does not list: a retained message reaches a new
    // subscriber (MQTT-3.3.1-6).
    const std::set<std::string> behaviour_only = {"MQTT-3.3.1-6"};
    for (const Case& c : catalogue()) {
        const std::string rule(c.rule);
        if (!c.breaks_rule && behaviour_only.count(rule)) continue;
        EXPECT_TRUE(known.count(rule)) << c.id << " names " << rule << ", not in the rules file";
    }
}

TEST(Catalogue, BreakingBytesBreakTheirRule) {
    for (const Case& c : catalogue()) {
        const std::set<std::string> broken = rules_broken(c);
        if (c.breaks_rule)
            EXPECT_TRUE(broken.count(std::string(c.rule))) << c.id << ": wants " << c.rule << ", found: " << join(broken);
        else
            EXPECT_TRUE(broken.empty()) << c.id << " is a behaviour case but breaks: " << join(broken);
    }
}

TEST(Catalogue, DescribesReactions) {
    EXPECT_EQ(describe({Expect::connack_then_close, mqtt::PacketType::connack, 1}), "CONNACK 0x01 then close");
    EXPECT_EQ(describe({Expect::reply, mqtt::PacketType::suback, -1, 9, 3}), "SUBACK id 9 with 3 codes");
    EXPECT_EQ(verdict_name(Verdict::not_applicable), "n/a");
}
