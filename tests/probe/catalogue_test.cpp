// The catalogue as data: ids unique, every rule named is a rule of shared/mqtt-3.1.1-rules.md (or,
// for a 5.0 case, of shared/mqtt-5.0-rules.md), and each breaking case's bytes really break its rule,
// under its version, by the project's own decoder and session rules; a behaviour case's bytes, with
// the replies a conforming broker gives, break none.
#include "catalogue.hpp"
#include "rule_list.hpp"
#include "runner.hpp"

#include "engine/conversation.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace mqttlens;
using namespace mqttlens::probe;

namespace {

using Bytes = std::vector<std::uint8_t>;

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Every rule ID the 3.1.1 rules file at `path` names: "MQTT-3.1.2-3", the shorthand
/// "MQTT-3.1.2-18 / -19" and "MQTT-3.3.2-1, -2", and section rows "(§2.2.3)" as "MQTT-§2.2.3".
std::set<std::string> rules_in_file(const std::string& path) {
    const std::string s = read_text(path);
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

/// Every rule ID the 5.0 rules file at `path` names: the "MQTT-3.1.2-3" and "MQTT5-§3.1.2.11" forms.
std::set<std::string> rules_in_v5_file(const std::string& path) {
    const std::string s = read_text(path);
    std::set<std::string> ids;
    const std::regex token(R"(MQTT5?-(§)?[0-9][0-9.-]*[0-9])");
    for (auto it = std::sregex_iterator(s.begin(), s.end(), token); it != std::sregex_iterator(); ++it)
        ids.insert(it->str());
    return ids;
}

Identity test_identity(std::uint8_t connection) {
    Identity w{"mqttlens-test", std::nullopt, std::nullopt, "mqttlens-probe/test"};
    if (connection) w.client_id += "-" + std::to_string(connection);
    w.session_id = "mqttlens-test";
    return w;
}

Bytes with_length(std::uint8_t first, const Bytes& body) {
    Bytes b;
    b.reserve(2 + body.size());
    b.push_back(first);
    b.push_back(static_cast<std::uint8_t>(body.size()));
    for (std::uint8_t x : body) b.push_back(x);
    return b;
}

/// The PUBLISH a conforming broker delivers for `r`: to the test topic, Packet Identifier 1 at QoS
/// 1 and 2 (`who` learns it, as the runner's connection does).
Bytes canned_delivery(const Reaction& r, bool v5, Identity& who) {
    const std::string topic = "mqttlens-probe/test" + std::string(r.topic_end);
    const int qos = std::max(r.qos, 0);
    Bytes body{0x00, static_cast<std::uint8_t>(topic.size())};
    body.insert(body.end(), topic.begin(), topic.end());
    if (qos) {
        body.push_back(0x00);
        body.push_back(0x01);
        who.received_id = 1;
    }
    if (v5) body.push_back(0x00);  // Property Length
    body.insert(body.end(), r.payload.begin(), r.payload.end());
    return with_length(static_cast<std::uint8_t>(0x30 | qos << 1 | (r.retain ? 1 : 0)), body);
}

/// The reply a conforming broker gives to a step, so the session rules see the flow whole; empty
/// where it sends nothing (a close, silence, a pause).
Bytes canned_reply(const Reaction& r, bool v5, Identity& who) {
    const int id = r.packet_id >= 0 ? r.packet_id : who.received_id;
    const auto hi = static_cast<std::uint8_t>(id >> 8), lo = static_cast<std::uint8_t>(id & 0xFF);
    if (r.expect == Expect::accepted) {
        const auto flags = static_cast<std::uint8_t>(r.session_present > 0 ? 1 : 0);
        return v5 ? Bytes{0x20, 0x03, flags, 0x00, 0x00} : Bytes{0x20, 0x02, flags, 0x00};
    }
    if (r.expect != Expect::reply) return {};
    switch (r.type) {
    case mqtt::PacketType::pingresp: return {0xD0, 0x00};
    case mqtt::PacketType::publish: return canned_delivery(r, v5, who);
    case mqtt::PacketType::pubrel: return {0x62, 0x02, hi, lo};
    case mqtt::PacketType::suback: {
        Bytes body{hi, lo};
        if (v5) body.push_back(0x00);
        body.resize(body.size() + static_cast<std::size_t>(std::max(r.count, 1)), 0x00);
        return with_length(0x90, body);
    }
    default: return {static_cast<std::uint8_t>(static_cast<unsigned>(r.type) << 4), 0x02, hi, lo};
    }
}

/// A rule found, with the version that numbers it: "MQTT-3.3.2-8 (5.0)".
std::string versioned(const mqtt::RuleId& rule) { return fmt::format("{} ({})", rule.id, rule.version); }

/// Every error rule the decoder and the session rules find in what `c` sends on each of its
/// connections (the preamble's CONNECT and its CONNACK 0 included) and in the replies a conforming
/// broker gives, bytes cut by the framer as a broker would; each with the version that numbers it.
std::set<std::string> rules_broken(const Case& c) {
    std::set<std::string> rules;
    const bool v5 = c.version == version_5;
    std::map<int, engine::Conversation> conversations;
    std::map<int, Identity> who;
    std::uint64_t ref = 0;
    auto observe = [&](int connection, mqtt::Direction d, const Bytes& bytes) {
        engine::Conversation& conv = conversations[connection];
        mqtt::Framer framer;
        framer.feed(mqtt::Bytes(bytes));
        framer.finish();
        for (mqtt::Frame f = framer.next(); f.status != mqtt::Frame::Status::need_more; f = framer.next()) {
            if (f.status == mqtt::Frame::Status::error) {
                rules.insert(versioned(mqtt::rule_id(f.error, conv.decoding_version())));
                return;
            }
            const engine::Observed o = conv.observe(d, f.packet, 0, ++ref);
            for (const auto& diag : o.packet.diagnostics)
                if (diag.severity == mqtt::Severity::error) rules.insert(versioned(diag.rule(o.version)));
            for (const auto& diag : o.stream)
                if (diag.severity == mqtt::Severity::error) rules.insert(versioned(diag.rule(o.version)));
        }
    };
    for (const Step& step : c.steps) {
        const int n = step.connection;
        if (!who.count(n)) {
            who[n] = test_identity(step.connection);
            if (c.preamble != Preamble::none) {
                observe(n, mqtt::Direction::c2s, preamble_connect(who[n], c.preamble == Preamble::will && n == 0, v5));
                // A case that needs a limit runs only where the CONNACK declares one: Topic Alias
                // Maximum 10, Receive Maximum 2 here.
                Bytes connack = v5 ? Bytes{0x20, 0x03, 0x00, 0x00, 0x00} : Bytes{0x20, 0x02, 0x00, 0x00};
                if (c.needs == Needs::topic_alias)
                    connack = {0x20, 0x06, 0x00, 0x00, 0x03, 0x22, 0x00, 0x0A}, who[n].topic_alias_maximum = 10;
                if (c.needs == Needs::receive_maximum)
                    connack = {0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x02}, who[n].receive_maximum = 2;
                observe(n, mqtt::Direction::s2c, connack);
            }
        }
        if (step.build) observe(n, mqtt::Direction::c2s, step.build(who[n]));
        if (const Bytes reply = canned_reply(step.reaction, v5, who[n]); !reply.empty())
            observe(n, mqtt::Direction::s2c, reply);
    }
    return rules;
}

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
    return out;
}

/// The committed copy of the 3.1.1 rules file's IDs (tests/probe/data/rules-3.1.1.txt).
std::set<std::string> committed_rules() { return test::read_rule_list(MQTT_RULES_LIST); }
/// The 5.0 rules the catalogue covers (tests/probe/data/rules-5.0.txt).
std::set<std::string> committed_v5_rules() { return test::read_rule_list(MQTT_V5_RULES_LIST); }

}  // namespace

TEST(Catalogue, HasEnoughCasesWithUniqueIds) {
    std::set<std::string_view> ids;
    std::map<std::string_view, std::size_t> breaking, behaviour;
    for (const Case& c : catalogue()) {
        EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
        EXPECT_FALSE(c.steps.empty()) << c.id;
        EXPECT_TRUE(c.version == "3.1.1" || c.version == version_5) << c.id;
        EXPECT_EQ(c.id.starts_with("v5-"), c.version == version_5) << c.id << ": 5.0 case ids start with v5-";
        ++(c.breaks_rule ? breaking : behaviour)[c.version];
        for (const Step& step : c.steps) EXPECT_LE(step.connection, 3) << c.id;
    }
    EXPECT_GE(breaking["3.1.1"], 25u);
    EXPECT_GE(behaviour["3.1.1"], 10u);
    EXPECT_GE(breaking[version_5], 35u);
    EXPECT_GE(behaviour[version_5], 8u);
}

TEST(Catalogue, CommittedRuleListMatchesTheRulesFile) {
    if (!std::ifstream(MQTT_RULES_FILE)) GTEST_SKIP() << MQTT_RULES_FILE << " is not beside this clone: " << MQTT_RULES_LIST << " is used";
    EXPECT_EQ(rules_in_file(MQTT_RULES_FILE), committed_rules()) << "regenerate " << MQTT_RULES_LIST;
}

TEST(Catalogue, EveryRuleIsInTheRulesFile) {
    const std::set<std::string> known = committed_rules();
    ASSERT_GT(known.size(), 50u) << "cannot read " << MQTT_RULES_LIST;
    // Behaviour rules the byte-level 3.1.1 rules file does not list: a retained message reaches a
    // new subscriber (MQTT-3.3.1-6) and an empty one removes it (-10), delivery at the granted QoS
    // (MQTT-3.3.5-1), the QoS 2 sender's duties (MQTT-4.3.3-1), the Will published on a close
    // (MQTT-3.1.2-8) and discarded on DISCONNECT (MQTT-3.14.4-3), the Keep Alive close
    // (MQTT-3.1.2-24), Session Present 1 for a stored session (MQTT-3.2.2-2).
    const std::set<std::string> behaviour_only = {"MQTT-3.3.1-6", "MQTT-3.3.1-10", "MQTT-3.3.5-1", "MQTT-4.3.3-1",
                                                  "MQTT-3.1.2-8", "MQTT-3.14.4-3", "MQTT-3.1.2-24", "MQTT-3.2.2-2"};
    for (const Case& c : catalogue()) {
        if (c.version == version_5) continue;  // CommittedV5ListIsTheCatalogues
        const std::string rule(c.rule);
        if (!c.breaks_rule && behaviour_only.count(rule)) continue;
        EXPECT_TRUE(known.count(rule)) << c.id << " names " << rule << ", not in the rules file";
    }
}

TEST(Catalogue, CommittedV5ListIsTheCatalogues) {
    std::set<std::string> covered;
    for (const Case& c : catalogue())
        if (c.version == version_5) covered.insert(std::string(c.rule));
    std::string want;
    for (const auto& id : covered) want += id + "\n";
    EXPECT_EQ(covered, committed_v5_rules()) << "write this list to " << MQTT_V5_RULES_LIST << ":\n" << want;
}

TEST(Catalogue, CommittedV5ListIsInTheRulesFile) {
    const std::set<std::string> listed = committed_v5_rules();
    ASSERT_GT(listed.size(), 25u) << "cannot read " << MQTT_V5_RULES_LIST;
    if (!std::ifstream(MQTT_V5_RULES_FILE)) GTEST_SKIP() << MQTT_V5_RULES_FILE << " is not beside this clone";
    const std::set<std::string> known = rules_in_v5_file(MQTT_V5_RULES_FILE);
    ASSERT_GT(known.size(), 250u) << "cannot read " << MQTT_V5_RULES_FILE;
    for (const auto& id : listed) EXPECT_TRUE(known.count(id)) << id << " is not a rule of " << MQTT_V5_RULES_FILE;
}

TEST(Catalogue, BreakingBytesBreakTheirRule) {
    for (const Case& c : catalogue()) {
        const std::set<std::string> broken = rules_broken(c);
        const std::string want = fmt::format("{} ({})", c.rule, c.version);
        if (c.breaks_rule)
            EXPECT_TRUE(broken.count(want)) << c.id << ": wants " << want << ", found: " << join(broken);
        else
            EXPECT_TRUE(broken.empty()) << c.id << " is a behaviour case but breaks: " << join(broken);
    }
}

TEST(Catalogue, DescribesReactions) {
    EXPECT_EQ(describe({Expect::connack_then_close, mqtt::PacketType::connack, 1}), "CONNACK 0x01 then close");
    EXPECT_EQ(describe({Expect::reply, mqtt::PacketType::suback, -1, 9, 3}), "SUBACK id 9 with 3 codes");
    Reaction d{Expect::disconnect, mqtt::PacketType::disconnect};
    d.codes = {0x81, 0x82};
    EXPECT_EQ(describe(d), "DISCONNECT 0x81/0x82 then close, or close");
    Reaction r{Expect::refuse, mqtt::PacketType::connack};
    r.codes = {0x82};
    EXPECT_EQ(describe(r), "CONNACK 0x82 then close, or close without reply");
    Reaction p{Expect::reply, mqtt::PacketType::publish};
    p.payload = "q1";
    p.qos = 1;
    EXPECT_EQ(describe(p), "PUBLISH QoS 1 \"q1\"");
    Reaction s{Expect::silence, mqtt::PacketType::publish};
    s.within_ms = 400;
    EXPECT_EQ(describe(s), "no PUBLISH within 400 ms");
    Reaction a{Expect::accepted, mqtt::PacketType::connack, 0};
    a.session_present = 1;
    EXPECT_EQ(describe(a), "CONNACK 0x00 Session Present 1");
    EXPECT_EQ(verdict_name(Verdict::not_applicable), "n/a");
}

/// A 5.0 case's preamble is a level-5 CONNECT with an empty property list (and Will Properties),
/// which the decoder takes as valid 5.0.
TEST(Catalogue, PreambleSpeaksTheCaseVersion) {
    const Identity w = test_identity(0);
    const Bytes v4 = preamble_connect(w), v5 = preamble_connect(w, true, true);
    ASSERT_GT(v5.size(), 10u);
    EXPECT_EQ(v4[8], 4);
    EXPECT_EQ(v5[8], 5);
    EXPECT_EQ(v5[9] & 0x04, 0x04) << "Will Flag";
    mqtt::Framer framer;
    framer.feed(mqtt::Bytes(v5));
    const mqtt::Frame f = framer.next();
    ASSERT_EQ(f.status, mqtt::Frame::Status::packet);
    engine::Conversation conv;
    const engine::Observed o = conv.observe(mqtt::Direction::c2s, f.packet, 0, 1);
    EXPECT_EQ(conv.version(), mqtt::Version::v5_0);
    EXPECT_TRUE(o.packet.valid());
    EXPECT_TRUE(o.stream.empty());
}
