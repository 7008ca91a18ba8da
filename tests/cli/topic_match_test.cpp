// --topic matching (§4.7): a filter against PUBLISH Topic Names and against SUBSCRIBE /
// UNSUBSCRIBE Topic Filters; and which packets the capture-mode filters select.
#include "packet_filter.hpp"
#include "topic_match.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace mqttlens::dissect {
namespace {

struct Case {
    std::string_view filter;
    std::string_view name;
    bool match;
};

// The examples of §4.7.1.2, §4.7.1.3 and §4.7.2, then edge cases.
const Case name_cases[] = {
    {"sport/tennis/player1/#", "sport/tennis/player1", true},  // '#' matches the parent level
    {"sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
    {"sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
    {"sport/#", "sport", true},
    {"#", "sport/tennis", true},
    {"#", "/", true},
    {"sport/tennis/#", "sport/tennis", true},
    {"sport/tennis/#", "sport", false},
    {"sport/tennis/+", "sport/tennis/player1", true},
    {"sport/tennis/+", "sport/tennis/player1/ranking", false},  // '+' is exactly one level
    {"sport/+", "sport", false},
    {"sport/+", "sport/", true},  // an empty level is a level
    {"+/+", "/finance", true},
    {"/+", "/finance", true},
    {"+", "/finance", false},
    {"+", "finance", true},
    {"+/tennis/#", "sport/tennis/player1", true},
    {"sensors/+/temp", "sensors/kitchen/temp", true},
    {"sensors/+/temp", "sensors/a/b/temp", false},
    {"sensors/+/temp", "sensors/kitchen/humidity", false},
    {"a/b", "a/b", true},
    {"a/b", "a/b/", false},
    {"a/b", "A/b", false},  // case matters
    {"a/b/", "a/b", false},
    // '$' topics are not matched by a leading wildcard (MQTT-4.7.2-1).
    {"#", "$SYS/broker/load", false},
    {"+/monitor/Clients", "$SYS/monitor/Clients", false},
    {"$SYS/#", "$SYS/monitor/Clients", true},
    {"$SYS/monitor/+", "$SYS/monitor/Clients", true},
    {"a/#", "a/$x", true},  // only a leading '$' is special
    // A wildcard that is not a whole level is an ordinary character.
    {"a+/b", "a+/b", true},
    {"a+/b", "ax/b", false},
    {"a/#/b", "a/x/b", false},
    {"a/#/b", "a/#/b", true},
};

TEST(TopicMatches, SpecExamplesAndEdges) {
    for (const Case& c : name_cases)
        EXPECT_EQ(topic_matches(c.filter, c.name), c.match) << c.filter << " vs " << c.name;
}

TEST(FiltersOverlap, AWildcardFreeFilterIsATopicName) {
    for (const Case& c : name_cases) {
        if (c.name.find_first_of("+#") != std::string_view::npos) continue;
        EXPECT_EQ(filters_overlap(c.filter, c.name), c.match) << c.filter << " vs " << c.name;
        EXPECT_EQ(filters_overlap(c.name, c.filter), c.match) << c.name << " vs " << c.filter;
    }
}

TEST(FiltersOverlap, WildcardsOnBothSides) {
    const Case cases[] = {
        {"sensors/#", "+/kitchen/temp", true},     // "sensors/kitchen/temp"
        {"sensors/+/temp", "sensors/kitchen/+", true},
        {"sensors/+/temp", "sensors/+/humidity", false},
        {"a/+", "a/b/c", false},
        {"a/+", "a/+/c", false},
        {"a/+", "a/#", true},
        {"a", "a/#", true},   // the parent level
        {"a", "a/+", false},
        {"+", "#", true},
        {"#", "#", true},
        {"+/+", "+", false},
        {"logs/#", "logs", true},
        {"#", "$SYS/#", false},
        {"+/x", "$SYS/x", false},
        {"$SYS/+", "$SYS/#", true},
        {"$SYS/a", "$SYS/+", true},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(filters_overlap(c.filter, c.name), c.match) << c.filter << " vs " << c.name;
        EXPECT_EQ(filters_overlap(c.name, c.filter), c.match) << c.name << " vs " << c.filter;
    }
}

TEST(TopicMatches, LongTopicsStayIterative) {
    const std::string many(65'000, '/');  // CVE-2019-11779: ~65,000 levels
    EXPECT_TRUE(topic_matches("#", many));
    EXPECT_FALSE(topic_matches("+", many));
    EXPECT_TRUE(filters_overlap(many, many));
}

mqtt::Packet decoded(const std::vector<std::uint8_t>& bytes) { return mqtt::decode(bytes); }

TEST(PacketFilter, TypesTopicClientErrors) {
    const std::vector<std::uint8_t> publish{0x30, 0x08, 0x00, 0x03, 'a', '/', 'b', 'h', 'i', '!'};
    const std::vector<std::uint8_t> subscribe{0x82, 0x08, 0x00, 0x01, 0x00, 0x03, 'a', '/', '+', 0x01};
    const std::vector<std::uint8_t> unsubscribe{0xa2, 0x07, 0x00, 0x02, 0x00, 0x03, 'x', '/', '#'};
    const std::vector<std::uint8_t> pingreq{0xc0, 0x00};
    const auto p = decoded(publish);
    const auto s = decoded(subscribe);
    const auto u = decoded(unsubscribe);
    const auto ping = decoded(pingreq);
    const std::optional<std::string_view> none;

    PacketFilter all;
    EXPECT_FALSE(all.selects_packets());
    EXPECT_TRUE(all.selects(ping, none, false));

    PacketFilter types;
    EXPECT_EQ(add_types(types, "publish,PingReq"), "");
    EXPECT_EQ(add_types(types, "publish,nonsense"), "nonsense");
    EXPECT_TRUE(types.selects_packets());
    EXPECT_TRUE(types.selects(p, none, false));
    EXPECT_TRUE(types.selects(ping, none, false));
    EXPECT_FALSE(types.selects(s, none, false));

    PacketFilter topic;
    topic.topic = "a/#";
    EXPECT_TRUE(topic.selects(p, none, false));
    EXPECT_TRUE(topic.selects(s, none, false));   // "a/+" overlaps "a/#"
    EXPECT_FALSE(topic.selects(u, none, false));  // "x/#" does not
    EXPECT_FALSE(topic.selects(ping, none, false));

    PacketFilter client;
    client.client_id = "cat1";
    EXPECT_TRUE(client.selects(p, std::string_view("cat1"), false));
    EXPECT_FALSE(client.selects(p, std::string_view("cat2"), false));
    EXPECT_FALSE(client.selects(p, none, false));  // before a CONNECT: unknown, not shown
    EXPECT_FALSE(client.selects_packets());

    PacketFilter errors;
    errors.errors_only = true;
    EXPECT_FALSE(errors.selects(p, none, false));
    EXPECT_TRUE(errors.selects(p, none, true));
}

}  // namespace
}  // namespace mqttlens::dissect
