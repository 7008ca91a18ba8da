// Statistics: what each table counts, the limits that bound memory, and the printed forms.
#include "stats/stats.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/session_checker.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "framer_util.hpp"

namespace mqttlens::stats {
namespace {

using mqtt::Code;
using mqtt::Direction;
using mqtt::PacketType;
using mqtt::test::hex;

constexpr auto c2s = Direction::c2s;
constexpr auto s2c = Direction::s2c;

// CONNECT "MQTT" 4, clean session, keep alive 60, client id "c": 15 bytes
const std::string connect = "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 63";
const std::string connack = "20 02 00 00";               // 4 bytes
const std::string publish_ab = "30 07 00 03 61 2F 62 68 69";  // "a/b" payload "hi": 9 bytes
const std::string publish_x = "30 06 00 01 78 31 32 33";      // "x" payload "123": 8 bytes
const std::string publish_y = "30 03 00 01 79";               // "y" empty payload: 5 bytes
const std::string disconnect = "E0 00";

/// Feeds packets to an Accumulator through a SessionChecker, as the CLI does.
class Feed {
public:
    explicit Feed(Limits limits = {}) : stats(limits) {}

    void packet(std::uint64_t conn, Direction direction, std::string_view text, std::int64_t t,
                mqtt::Version version = mqtt::Version::v3_1_1) {
        bytes_.push_back(hex(text));
        const mqtt::Packet p = mqtt::decode(bytes_.back(), version);
        auto& checker = checkers_[conn];
        const mqtt::Diagnostics found = checker.observe(direction, p, t, ++frame_);
        stats.add_packet(conn, direction, p, {found.begin(), found.end()}, t, checker.alias_topic());
    }
    void close(std::uint64_t conn, std::int64_t t, std::string_view how) {
        for (const auto& f : checkers_[conn].finish(t, mqtt::ConnectionEnd::closed))
            stats.add_diagnostic(conn, f.diagnostic);
        stats.close_connection(conn, t, how);
    }

    Accumulator stats;

private:
    std::deque<std::vector<std::uint8_t>> bytes_;
    std::unordered_map<std::uint64_t, mqtt::SessionChecker> checkers_;
    std::uint64_t frame_ = 0;
};

std::string text(const Accumulator& a, std::size_t max_rows = 0) {
    fmt::memory_buffer out;
    print_text(a, out, max_rows);
    return fmt::to_string(out);
}
std::string json(const Accumulator& a) {
    fmt::memory_buffer out;
    print_json(a, out);
    return fmt::to_string(out);
}

TEST(Stats, PacketsAndBytesPerType) {
    Feed f;
    f.packet(0, c2s, connect, 0);
    f.packet(0, s2c, connack, 1);
    f.packet(0, c2s, publish_ab, 2);
    f.packet(0, s2c, publish_ab, 3);
    const auto& t = f.stats.by_type();
    EXPECT_EQ(t[int(PacketType::connect)], (Counter{1, 15}));
    EXPECT_EQ(t[int(PacketType::connack)], (Counter{1, 4}));
    EXPECT_EQ(t[int(PacketType::publish)], (Counter{2, 18}));
    EXPECT_EQ(t[int(PacketType::puback)], (Counter{0, 0}));
    EXPECT_EQ(f.stats.total(), (Counter{4, 37}));
}

TEST(Stats, ConnectionRow) {
    Feed f;
    f.stats.open_connection(7, "127.0.0.1:40000", "127.0.0.1:1883", 1'000'000);
    f.packet(7, c2s, connect, 1'100'000);
    f.packet(7, s2c, connack, 1'200'000);
    f.packet(7, c2s, publish_ab, 1'300'000);
    f.packet(7, c2s, disconnect, 1'400'000);
    f.close(7, 2'500'000, "FIN");
    const auto rows = f.stats.connections();
    ASSERT_EQ(rows.size(), 1u);
    const ConnectionStats& c = *rows[0];
    EXPECT_EQ(c.id, 7u);
    EXPECT_EQ(c.client, "127.0.0.1:40000");
    EXPECT_EQ(c.server, "127.0.0.1:1883");
    EXPECT_TRUE(c.connect_seen);
    EXPECT_EQ(c.client_id, "c");
    EXPECT_EQ(c.protocol_level, 4);
    EXPECT_EQ(c.duration_us(), 1'500'000);
    EXPECT_EQ(c.c2s, (Counter{3, 26}));
    EXPECT_EQ(c.s2c, (Counter{1, 4}));
    EXPECT_EQ(c.total(), (Counter{4, 30}));
    EXPECT_EQ(c.errors, 0u);
    EXPECT_TRUE(c.disconnect);
    EXPECT_TRUE(c.closed);
    EXPECT_EQ(c.end, "FIN");
}

TEST(Stats, ConnectionsAreOrderedAndOpenedByTheirFirstPacket) {
    Feed f;
    f.packet(5, c2s, connect, 10);
    f.packet(2, c2s, connect, 20);
    const auto rows = f.stats.connections();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0]->id, 2u);
    EXPECT_EQ(rows[1]->id, 5u);
    EXPECT_EQ(rows[1]->first_us, 10);
    EXPECT_TRUE(rows[1]->client.empty());
    EXPECT_FALSE(rows[1]->closed);
}

TEST(Stats, LongClientIdIsCut) {
    Feed f(Limits{.max_client_id = 2});
    f.packet(0, c2s, "10 0F 00 04 4D 51 54 54 04 02 00 3C 00 03 61 62 63", 0);  // client id "abc"
    const auto rows = f.stats.connections();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]->client_id, "ab");
    EXPECT_TRUE(rows[0]->client_id_cut);
}

TEST(Stats, TopicsCountMessagesAndPayloadBytes) {
    Feed f;
    f.packet(0, c2s, connect, 0);
    f.packet(0, c2s, publish_x, 1);
    f.packet(0, c2s, publish_ab, 2);
    f.packet(0, s2c, publish_ab, 3);
    f.packet(0, c2s, publish_y, 4);
    using Row = std::pair<std::string_view, TopicStats>;
    EXPECT_EQ(f.stats.topics(), (std::vector<Row>{{"a/b", {2, 4}}, {"x", {1, 3}}, {"y", {1, 0}}}));
    EXPECT_EQ(f.stats.topics_untracked(), (TopicStats{0, 0}));
}

TEST(Stats, TopicTableIsBoundedAndCountsTheRest) {
    Feed few(Limits{.max_topics = 2});
    few.packet(0, c2s, publish_ab, 0);
    few.packet(0, c2s, publish_x, 1);
    few.packet(0, c2s, publish_y, 2);  // a third topic: counted apart
    few.packet(0, c2s, publish_y, 3);
    few.packet(0, c2s, publish_x, 4);  // a tracked topic still counts
    EXPECT_EQ(few.stats.topics().size(), 2u);
    EXPECT_EQ(few.stats.topics_untracked(), (TopicStats{2, 0}));
    EXPECT_EQ(few.stats.topics()[0].second, (TopicStats{2, 6}));

    Feed short_names(Limits{.max_topic_bytes = 2});
    short_names.packet(0, c2s, publish_x, 0);   // 1 byte of name
    short_names.packet(0, c2s, publish_ab, 1);  // 3 more would pass the limit
    short_names.packet(0, c2s, publish_y, 2);
    using Row = std::pair<std::string_view, TopicStats>;
    EXPECT_EQ(short_names.stats.topics(), (std::vector<Row>{{"x", {1, 3}}, {"y", {1, 0}}}));
    EXPECT_EQ(short_names.stats.topics_untracked(), (TopicStats{1, 2}));
}

TEST(Stats, ConnectionTableIsBoundedAndCountsTheRest) {
    Feed f(Limits{.max_connections = 1});
    f.stats.open_connection(0, "a:1", "b:1883", 0);
    f.stats.open_connection(1, "a:2", "b:1883", 0);
    f.packet(0, c2s, connect, 1);
    f.packet(1, c2s, connect, 2);
    f.packet(1, s2c, connack, 3);
    EXPECT_EQ(f.stats.connections().size(), 1u);
    EXPECT_EQ(f.stats.connections_untracked(), 1u);
    EXPECT_EQ(f.stats.untracked_connection_traffic(), (Counter{2, 19}));
    EXPECT_EQ(f.stats.total(), (Counter{3, 34})) << "every packet is in the type table";
}

TEST(Stats, FindingsPerRuleFromDecoderAndChecker) {
    Feed f;
    f.packet(0, c2s, publish_ab, 0);                         // first_packet_not_connect
    f.packet(0, c2s, "36 09 00 03 61 2F 62 00 02 68 69", 1);  // QoS 3: publish_qos_invalid
    f.packet(0, c2s, "82 08 00 01 00 03 61 2F 23 01", 2);     // SUBSCRIBE, never answered
    f.close(0, 3, "RST");
    EXPECT_EQ(f.stats.count(Code::first_packet_not_connect), 1u);
    EXPECT_EQ(f.stats.count(Code::publish_qos_invalid), 1u);
    EXPECT_EQ(f.stats.count(Code::subscribe_unanswered), 0u)
        << "after a malformed client packet no answer is owed";
    const auto rows = f.stats.connections();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]->errors, 2u);

    Feed g;
    g.packet(0, c2s, connect, 0);
    g.packet(0, c2s, "82 08 00 01 00 03 61 2F 23 01", 1);
    g.close(0, 2, "FIN");
    EXPECT_EQ(g.stats.count(Code::subscribe_unanswered), 1u);
    EXPECT_EQ(g.stats.connections()[0]->errors, 1u);
}

TEST(Stats, AnMqtt5PublishByAliasCountsUnderItsTopic) {
    Feed f;
    const auto v5 = mqtt::Version::v5_0;
    f.packet(0, c2s, "10 0E 00 04 4D 51 54 54 05 02 00 3C 00 00 01 63", 0, v5);
    f.packet(0, s2c, "20 06 00 00 03 22 00 05", 0, v5);                      // Topic Alias Maximum 5
    f.packet(0, c2s, "30 0B 00 03 61 2F 62 03 23 00 01 68 69", 1, v5);       // "a/b", alias 1
    f.packet(0, c2s, "30 08 00 00 03 23 00 01 68 69", 2, v5);                // "", alias 1
    const auto topics = f.stats.topics();
    ASSERT_EQ(topics.size(), 1u);
    EXPECT_EQ(topics[0].first, "a/b");
    EXPECT_EQ(topics[0].second.messages, 2u);
}

TEST(Stats, FindingsAreCountedAtTheSeverityTheyWereFoundWith) {
    // PUBREL with flags 0: an error on a 3.1.1 connection, a warning on a 3.1 one (3.1 defines
    // no fixed flags): two rows of the rule table, each with its own severity.
    Accumulator stats;
    const auto pubrel = hex("60 02 00 07");
    for (const mqtt::Version version : {mqtt::Version::v3_1_1, mqtt::Version::v3_1, mqtt::Version::v3_1}) {
        const mqtt::Packet p = mqtt::decode(pubrel, version);
        stats.add_packet(0, c2s, p, {}, 0);
    }
    EXPECT_EQ(stats.count(Code::pubrel_flags), 3u);
    EXPECT_EQ(stats.count(Code::pubrel_flags, mqtt::Severity::error), 1u);
    EXPECT_EQ(stats.count(Code::pubrel_flags, mqtt::Severity::warning), 2u);
    fmt::memory_buffer text;
    print_text(stats, text, 10);
    const std::string printed(text.data(), text.size());
    EXPECT_NE(printed.find("Diagnostics by rule: 2"), std::string::npos) << printed;
    const auto warning_row = printed.find("2  warning  MQTT-3.6.1-1 (3.1.1)");
    const auto error_row = printed.find("1  error    MQTT-3.6.1-1 (3.1.1)");
    EXPECT_NE(warning_row, std::string::npos) << printed;
    EXPECT_NE(error_row, std::string::npos) << printed;
    EXPECT_LT(warning_row, error_row) << "most frequent first";
    fmt::memory_buffer json;
    print_json(stats, json);
    const std::string j(json.data(), json.size());
    EXPECT_NE(j.find("\"code\":\"pubrel_flags\",\"severity\":\"warning\",\"count\":2"), std::string::npos) << j;
    EXPECT_NE(j.find("\"code\":\"pubrel_flags\",\"severity\":\"error\",\"count\":1"), std::string::npos) << j;
}

TEST(Stats, Json) {
    Feed f;
    f.stats.open_connection(3, "127.0.0.1:40000", "127.0.0.1:1883", 1'000'000);
    f.packet(3, c2s, connect, 1'000'000);
    f.packet(3, c2s, connect, 1'250'000);  // second_connect
    f.packet(3, s2c, connack, 1'500'000);
    // topic '"' 0xFF (not UTF-8: utf8_malformed and publish_topic_invalid), payload "A"
    f.packet(3, c2s, "30 05 00 02 22 FF 41", 1'600'000);
    f.close(3, 2'000'000, "FIN");
    EXPECT_EQ(
        json(f.stats),
        "{\"packets\":{\"total\":{\"packets\":4,\"bytes\":41},\"by_type\":{"
        "\"CONNECT\":{\"packets\":2,\"bytes\":30},\"CONNACK\":{\"packets\":1,\"bytes\":4},"
        "\"PUBLISH\":{\"packets\":1,\"bytes\":7},\"PUBACK\":{\"packets\":0,\"bytes\":0},"
        "\"PUBREC\":{\"packets\":0,\"bytes\":0},\"PUBREL\":{\"packets\":0,\"bytes\":0},"
        "\"PUBCOMP\":{\"packets\":0,\"bytes\":0},\"SUBSCRIBE\":{\"packets\":0,\"bytes\":0},"
        "\"SUBACK\":{\"packets\":0,\"bytes\":0},\"UNSUBSCRIBE\":{\"packets\":0,\"bytes\":0},"
        "\"UNSUBACK\":{\"packets\":0,\"bytes\":0},\"PINGREQ\":{\"packets\":0,\"bytes\":0},"
        "\"PINGRESP\":{\"packets\":0,\"bytes\":0},\"DISCONNECT\":{\"packets\":0,\"bytes\":0},"
        "\"AUTH\":{\"packets\":0,\"bytes\":0},\"RESERVED\":{\"packets\":0,\"bytes\":0}}},"
        "\"reason_codes\":[],\"connections\":[{\"stream\":3,\"client\":\"127.0.0.1:40000\","
        "\"server\":\"127.0.0.1:1883\",\"client_id\":\"c\",\"client_id_cut\":false,"
        "\"protocol_level\":4,\"start\":1.000000,\"duration\":1.000000,\"packets\":4,"
        "\"bytes\":41,\"c2s\":{\"packets\":3,\"bytes\":37},\"s2c\":{\"packets\":1,\"bytes\":4},"
        "\"unknown\":{\"packets\":0,\"bytes\":0},\"errors\":3,\"warnings\":0,"
        "\"disconnect\":false,\"end\":\"FIN\"}],"
        "\"connections_untracked\":{\"connections\":0,\"packets\":0,\"bytes\":0},"
        "\"topics\":[{\"topic\":\"\\\"\\\\xff\",\"messages\":1,\"payload_bytes\":1}],"
        "\"topics_untracked\":{\"messages\":0,\"payload_bytes\":0},"
        "\"diagnostics\":[{\"rule\":\"MQTT-1.5.3-1\",\"version\":\"3.1.1\",\"code\":\"utf8_malformed\","
        "\"severity\":\"error\",\"count\":1},{\"rule\":\"MQTT-3.3.2-1\",\"version\":\"3.1.1\","
        "\"code\":\"publish_topic_invalid\",\"severity\":\"error\",\"count\":1},"
        "{\"rule\":\"MQTT-3.1.0-2\",\"version\":\"3.1.1\","
        "\"code\":\"second_connect\",\"severity\":\"error\",\"count\":1}],"
        "\"diagnostics_dropped\":0}\n");
}

TEST(Stats, Text) {
    Feed f;
    f.stats.open_connection(0, "127.0.0.1:40000", "127.0.0.1:1883", 0);
    f.packet(0, c2s, connect, 0);
    f.packet(0, s2c, connack, 250'000);
    f.packet(0, c2s, publish_ab, 500'000);
    f.packet(0, c2s, publish_x, 600'000);
    f.packet(0, c2s, "82 08 00 01 00 03 61 2F 23 01", 700'000);
    f.close(0, 1'500'000, "RST");
    const std::string out = text(f.stats, 1);
    const std::vector<std::string> lines = {
        "Packets by type\n",
        "  CONNECT                 1             15\n",
        "  PUBLISH                 2             17\n",
        "  total                   5             46\n",
        "\nConnections: 1\n",
        "\"c\"",
        "1.500000",
        "RST\n",
        "\nTopics: 2\n",
        "             1              2  \"a/b\"\n",
        "             1              3  (1 more topics)\n",
        "\nDiagnostics by rule: 1\n",
        "          1  error    MQTT-3.8.4-1 (3.1.1)     subscribe_unanswered",
    };
    std::size_t at = 0;
    for (const auto& line : lines) {
        const auto found = out.find(line, at);
        ASSERT_NE(found, std::string::npos) << "missing, in order: " << line << "\nin:\n" << out;
        at = found + line.size();
    }
}

// MQTT 5.0: AUTH has its own row (type 15 stays RESERVED elsewhere), the reason codes are counted
// per type and code, and each side's declared limits are kept per connection.
TEST(Stats, Mqtt5AuthReasonCodesAndDeclaredLimits) {
    constexpr auto v5 = mqtt::Version::v5_0;
    Feed f;
    // CONNECT 5.0, clean start, keep alive 60; Session Expiry 30, Receive Maximum 10; client id "c"
    f.packet(1, c2s, "10 16  00 04 4D 51 54 54 05 02 00 3C  08 11 00 00 00 1E 21 00 0A  00 01 63", 1);
    // CONNACK success; Topic Alias Maximum 5, Maximum QoS 1
    f.packet(1, s2c, "20 08  00 00  05 22 00 05 24 01", 2, v5);
    f.packet(1, c2s, "F0 0A  19  08 15 00 05 53 43 52 41 4D", 3, v5);    // AUTH 0x19
    f.packet(1, s2c, "90 05  00 01  00  01 80", 4, v5);                   // SUBACK 0x01, 0x80
    f.packet(1, c2s, "E0 01  04", 5, v5);                                 // DISCONNECT 0x04
    f.packet(2, c2s, "F0 00", 6);                                         // type 15 on 3.1.1: reserved

    EXPECT_EQ(f.stats.by_type()[16].packets, 1u) << "the 5.0 AUTH";
    EXPECT_EQ(f.stats.by_type()[15].packets, 1u) << "type 15 on a 3.1.1 connection";
    EXPECT_EQ(f.stats.reason_count(2, 0x00), 1u);
    EXPECT_EQ(f.stats.reason_count(16, 0x19), 1u);
    EXPECT_EQ(f.stats.reason_count(9, 0x01), 1u);
    EXPECT_EQ(f.stats.reason_count(9, 0x80), 1u);
    EXPECT_EQ(f.stats.reason_count(14, 0x04), 1u);
    EXPECT_EQ(f.stats.reason_count(14, 0x00), 0u);

    const auto conns = f.stats.connections();
    ASSERT_EQ(conns.size(), 2u);
    const ConnectionStats& c = *conns[0];
    EXPECT_EQ(c.client_limits.session_expiry_interval, 30u);
    EXPECT_EQ(c.client_limits.receive_maximum, 10u);
    EXPECT_EQ(c.server_limits.topic_alias_maximum, 5u);
    EXPECT_EQ(c.server_limits.maximum_qos, 1u);
    EXPECT_FALSE(conns[1]->client_limits.seen);

    fmt::memory_buffer text;
    print_text(f.stats, text);
    const std::string t(text.data(), text.size());
    EXPECT_NE(t.find("  AUTH                    1"), std::string::npos) << t;
    EXPECT_NE(t.find("  AUTH           0x19            1  Re-authenticate"), std::string::npos) << t;
    EXPECT_NE(t.find("  DISCONNECT     0x04            1  Disconnect with Will Message"), std::string::npos) << t;
    EXPECT_NE(t.find("       1  client: session_expiry=30 receive_max=10; server: alias_max=5 max_qos=1"),
              std::string::npos) << t;

    fmt::memory_buffer json;
    print_json(f.stats, json);
    const std::string j(json.data(), json.size());
    EXPECT_NE(j.find("\"AUTH\":{\"packets\":1,"), std::string::npos) << j;
    EXPECT_NE(j.find("{\"type\":\"SUBACK\",\"reason_code\":128,\"reason\":\"Unspecified error\",\"count\":1}"),
              std::string::npos) << j;
    EXPECT_NE(j.find("\"limits\":{\"client\":{\"session_expiry_interval\":30,\"receive_maximum\":10,"),
              std::string::npos) << j;
}

}  // namespace
}  // namespace mqttlens::stats
