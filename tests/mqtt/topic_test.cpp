// Topic Name and Topic Filter rules (§4.7).
#include "mqtt/topic.hpp"

#include "alloc_count.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace mqttlens::mqtt::detail {
namespace {

using Found = std::vector<std::pair<TopicIssue, std::size_t>>;

void collect(void* ctx, TopicIssue issue, std::size_t at) {
    static_cast<Found*>(ctx)->emplace_back(issue, at);
}

Found name(std::string_view s) {
    Found f;
    check_topic(s, false, {&f, &collect});
    return f;
}
Found filter(std::string_view s) {
    Found f;
    check_topic(s, true, {&f, &collect});
    return f;
}

constexpr auto E = TopicIssue::empty;
constexpr auto Z = TopicIssue::null;
constexpr auto W = TopicIssue::name_wildcard;
constexpr auto H = TopicIssue::hash_misplaced;
constexpr auto P = TopicIssue::plus_misplaced;

TEST(TopicName, Valid) {
    for (auto s : {"a", "a/b", "/", "//", "$SYS/broker", "$foo", "sport/tennis/player1", " ", "a b"})
        EXPECT_EQ(name(s), Found{}) << s;
}

TEST(TopicName, Broken) {
    EXPECT_EQ(name(""), (Found{{E, 0}}));
    EXPECT_EQ(name("+"), (Found{{W, 0}}));
    EXPECT_EQ(name("#"), (Found{{W, 0}}));
    EXPECT_EQ(name("a/+/b/#"), (Found{{W, 2}, {W, 6}}));
    EXPECT_EQ(name(std::string_view("a\0b", 3)), (Found{{Z, 1}}));
}

TEST(TopicName, WildcardFoundAtEveryPositionOfALongName) {
    for (std::size_t at = 0; at < 40; ++at) {
        for (char c : {'+', '#', '\0'}) {
            std::string s(40, 'x');
            s[at] = c;
            auto f = name(s);
            ASSERT_EQ(f.size(), 1u);
            EXPECT_EQ(f[0].second, at);
            EXPECT_EQ(f[0].first, c == '\0' ? Z : W);
        }
    }
}

TEST(TopicFilter, Valid) {
    for (auto s : {"#", "/#", "+", "+/+", "+/#", "a/#", "a/+/b", "sport/tennis/+", "/", "//", "$SYS/#",
                   "+/tennis/#", "/+", "a//#"})
        EXPECT_EQ(filter(s), Found{}) << s;
}

TEST(TopicFilter, Broken) {
    EXPECT_EQ(filter(""), (Found{{E, 0}}));
    EXPECT_EQ(filter("a#"), (Found{{H, 1}}));
    EXPECT_EQ(filter("#/"), (Found{{H, 0}}));
    EXPECT_EQ(filter("#a"), (Found{{H, 0}}));
    EXPECT_EQ(filter("a/#/b"), (Found{{H, 2}}));
    EXPECT_EQ(filter("##"), (Found{{H, 0}, {H, 1}}));
    EXPECT_EQ(filter("a+"), (Found{{P, 1}}));
    EXPECT_EQ(filter("+a"), (Found{{P, 0}}));
    EXPECT_EQ(filter("sport+"), (Found{{P, 5}}));
    EXPECT_EQ(filter("++"), (Found{{P, 0}, {P, 1}}));
    EXPECT_EQ(filter("+#"), (Found{{P, 0}, {H, 1}}));
    EXPECT_EQ(filter(std::string_view("a/\0", 3)), (Found{{Z, 2}}));
}

// CVE-2019-11779: 65,535 levels take one pass, no recursion, no allocation.
TEST(TopicFilter, SixtyFiveThousandLevels) {
    std::string slashes(65'535, '/');
    std::string pluses;
    for (int i = 0; i < 32'767; ++i) pluses += "+/";
    pluses += "#";
    Found none;
    auto before = mqttlens::mqtt::test::allocation_count();
    auto a = check_topic(slashes, true, {&none, &collect});
    auto b = check_topic(pluses, true, {&none, &collect});
    auto c = check_topic(slashes, false, {&none, &collect});
    EXPECT_EQ(mqttlens::mqtt::test::allocation_count(), before);
    EXPECT_FALSE(a.invalid());
    EXPECT_FALSE(b.invalid());
    EXPECT_FALSE(c.invalid());
    EXPECT_TRUE(none.empty());
}

}  // namespace
/// The fast path's promise, checked byte by byte: every length from 0 to 70 (short words, one
/// and several 16-byte blocks, the overlapping tail), each byte class at every position.
TEST(PlainTopic, AgreesWithTheByteRuleAtEveryLengthAndPosition) {
    const std::string bad_bytes = std::string("+#\0\x1f\x7f\x80\xc3\xff", 8);
    const std::string good_bytes = " a/Z~$";
    for (std::size_t n = 0; n <= 70; ++n) {
        std::string base(n, 'a');
        for (std::size_t i = 0; i < n; ++i) base[i] = good_bytes[i % good_bytes.size()];
        EXPECT_EQ(plain_topic(base), n > 0) << "length " << n;
        for (std::size_t at = 0; at < n; ++at) {
            for (const char b : bad_bytes) {
                std::string t = base;
                t[at] = b;
                // (Reads past the end are ruled out elsewhere: the decoder's guard-page tests
                // end packets, topics included, on a PROT_NONE page.)
                EXPECT_FALSE(plain_topic(t)) << "length " << n << ", byte " << int(static_cast<unsigned char>(b))
                                             << " at " << at;
            }
        }
    }
}

}  // namespace mqttlens::mqtt::detail
