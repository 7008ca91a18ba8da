// The crafter's parsing helpers: escapes, hex, numbers, script lines, HOST:PORT.
#include "escapes.hpp"
#include "script.hpp"
#include "send.hpp"

#include <gtest/gtest.h>

namespace {

using namespace mqttlens::craft;
using namespace std::string_literals;

TEST(Escapes, EveryEscape) {
    EXPECT_EQ(unescape("a\\xffb", "t"), "a\xff"s "b");
    EXPECT_EQ(unescape("\\x00\\0", "t"), std::string("\0\0", 2));
    EXPECT_EQ(unescape("\\\\ \\n\\r\\t", "t"), "\\ \n\r\t");
    EXPECT_EQ(unescape("\\u{41}\\u{E9}\\u{FFFF}\\u{10FFFF}", "t"), "A\xc3\xa9\xef\xbf\xbf\xf4\x8f\xbf\xbf");
    EXPECT_EQ(unescape("\\u{D800}", "t"), "\xed\xa0\x80");  // a surrogate, written raw on purpose
    EXPECT_EQ(unescape("plain/topic", "t"), "plain/topic");
}

TEST(Escapes, MistakesThrow) {
    EXPECT_THROW(unescape("a\\", "t"), UsageError);
    EXPECT_THROW(unescape("\\x4", "t"), UsageError);
    EXPECT_THROW(unescape("\\xg0", "t"), UsageError);
    EXPECT_THROW(unescape("\\q", "t"), UsageError);
    EXPECT_THROW(unescape("\\u{110000}", "t"), UsageError);
    EXPECT_THROW(unescape("\\u{}", "t"), UsageError);
    EXPECT_THROW(unescape("\\u41", "t"), UsageError);
}

TEST(Hex, SeparatorsAndPrefix) {
    EXPECT_EQ(parse_hex("10 0e:FF,00", "h"), (std::vector<std::uint8_t>{0x10, 0x0e, 0xff, 0x00}));
    EXPECT_EQ(parse_hex("0x8001", "h"), (std::vector<std::uint8_t>{0x80, 0x01}));
    EXPECT_TRUE(parse_hex("", "h").empty());
    EXPECT_THROW(parse_hex("abc", "h"), UsageError);
    EXPECT_THROW(parse_hex("zz", "h"), UsageError);
}

TEST(Numbers, DecimalHexAndBounds) {
    EXPECT_EQ(parse_number("193", 255, "n"), 193u);
    EXPECT_EQ(parse_number("0xC1", 255, "n"), 0xC1u);
    EXPECT_THROW(parse_number("256", 255, "n"), UsageError);
    EXPECT_THROW(parse_number("", 255, "n"), UsageError);
    EXPECT_THROW(parse_number("1a", 255, "n"), UsageError);
    EXPECT_EQ(parse_number("18446744073709551615", UINT64_MAX, "n"), UINT64_MAX);
    EXPECT_THROW(parse_number("18446744073709551616", UINT64_MAX, "n"), UsageError);
}

TEST(Script, QuotesCommentsAndBackslashes) {
    auto lines = split_script("# comment\n\nconnect --client-id 'a b' # tail\r\n"
                              "publish --payload \"say \\\"hi\\\"\" --topic a\\xffb\n",
                              "s");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].number, 3u);
    EXPECT_EQ(lines[0].args, (std::vector<std::string>{"connect", "--client-id", "a b"}));
    EXPECT_EQ(lines[1].number, 4u);
    EXPECT_EQ(lines[1].args,
              (std::vector<std::string>{"publish", "--payload", "say \"hi\"", "--topic", "a\\xffb"}));
    EXPECT_EQ(split_script("publish --topic ''", "s")[0].args,
              (std::vector<std::string>{"publish", "--topic", ""}));
    EXPECT_THROW(split_script("publish --topic 'a", "s"), UsageError);
}

TEST(Send, HostPort) {
    std::string h, p;
    EXPECT_TRUE(split_host_port("127.0.0.1:1883", h, p));
    EXPECT_EQ(h, "127.0.0.1");
    EXPECT_EQ(p, "1883");
    EXPECT_TRUE(split_host_port("[::1]:18830", h, p));
    EXPECT_EQ(h, "::1");
    EXPECT_EQ(p, "18830");
    EXPECT_TRUE(split_host_port("broker.local:1", h, p));
    EXPECT_FALSE(split_host_port("::1:1883", h, p));
    EXPECT_FALSE(split_host_port("host", h, p));
    EXPECT_FALSE(split_host_port("host:", h, p));
    EXPECT_FALSE(split_host_port("host:x1", h, p));
    EXPECT_FALSE(split_host_port("[::1]1883", h, p));
}

}  // namespace
