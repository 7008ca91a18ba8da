// Escaping and UTF-8 helpers: the conventions every printer relies on.
#include "output/text.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace mqttlens;
using output::Buffer;

namespace {

std::string display(std::string_view s) {
    Buffer b;
    output::append_display(b, s);
    return std::string(b.data(), b.size());
}
std::string json(std::string_view s) {
    Buffer b;
    output::append_json_string(b, s);
    return std::string(b.data(), b.size());
}
/// Whether `s` is well-formed UTF-8, as append_json_string reports it.
bool utf8(std::string_view s) {
    Buffer b;
    return output::append_json_string(b, s);
}
std::optional<std::size_t> prefix(std::string_view s, std::size_t max) {
    return output::printable_prefix(mqtt::as_bytes(s), max);
}

}  // namespace

TEST(Utf8, SequenceLengthFollowsRfc3629) {
    EXPECT_EQ(output::utf8_sequence_length("a"), 1u);
    EXPECT_EQ(output::utf8_sequence_length("\xC3\xA9"), 2u);          // é
    EXPECT_EQ(output::utf8_sequence_length("\xE2\x82\xAC"), 3u);      // €
    EXPECT_EQ(output::utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);  // U+1F600
    EXPECT_EQ(output::utf8_sequence_length("\xC0\x80"), 0u);          // overlong NUL
    EXPECT_EQ(output::utf8_sequence_length("\xE0\x80\x80"), 0u);      // overlong
    EXPECT_EQ(output::utf8_sequence_length("\xED\xA0\x80"), 0u);      // surrogate U+D800
    EXPECT_EQ(output::utf8_sequence_length("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(output::utf8_sequence_length("\x80"), 0u);              // stray continuation
    EXPECT_EQ(output::utf8_sequence_length("\xE2\x82"), 0u);          // truncated
    EXPECT_EQ(output::utf8_sequence_length("\xFF"), 0u);
}

TEST(Utf8, WholeStrings) {
    EXPECT_TRUE(utf8(""));
    EXPECT_TRUE(utf8("sensors/\xC3\xA9t\xC3\xA9"));
    EXPECT_FALSE(utf8("a\xFF" "b"));
    EXPECT_FALSE(utf8("ab\xC3"));
}

TEST(PrintablePrefix, TextIsShownUpToTheLimit) {
    EXPECT_EQ(prefix("hello", 64), 5u);
    EXPECT_EQ(prefix("hello", 0), 5u);          // 0 = all
    EXPECT_EQ(prefix("hello world", 5), 5u);
    EXPECT_EQ(prefix("", 64), 0u);              // empty payload is text
    EXPECT_EQ(prefix("line\r\n\ttab", 64), 10u);
}

TEST(PrintablePrefix, NeverCutsACharacterInTwo) {
    // "a€b": the cut after 2 bytes falls inside the 3-byte €.
    EXPECT_EQ(prefix("a\xE2\x82\xAC" "b", 2), 1u);
    EXPECT_EQ(prefix("a\xE2\x82\xAC" "b", 4), 4u);
}

TEST(PrintablePrefix, BinaryAndControlsAreNotText) {
    EXPECT_EQ(prefix(std::string_view("\x00\x01", 2), 64), std::nullopt);
    EXPECT_EQ(prefix("ok\x1b[31m", 64), std::nullopt);   // ESC would drive the terminal
    EXPECT_EQ(prefix("a\xFF", 64), std::nullopt);
    EXPECT_EQ(prefix("\xC2\x85", 64), std::nullopt);      // C1 control U+0085
    EXPECT_EQ(prefix("abc\x7f", 64), std::nullopt);       // DEL
    EXPECT_EQ(prefix("abc\x01", 3), 3u);                  // decided on the shown bytes only
}

TEST(Display, QuotesAndEscapesUnambiguously) {
    EXPECT_EQ(display("a/b"), R"("a/b")");
    EXPECT_EQ(display("say \"hi\"\\"), R"("say \"hi\"\\")");
    EXPECT_EQ(display("a\nb\tc\r"), R"("a\nb\tc\r")");
    EXPECT_EQ(display(std::string_view("\x00\x01\x7f", 3)), R"("\x00\x01\x7f")");
    EXPECT_EQ(display("a\xFF" "b"), R"("a\xffb")");
    EXPECT_EQ(display("\xC2\x85"), R"("\u0085")");
    EXPECT_EQ(display("caf\xC3\xA9"), "\"caf\xC3\xA9\"");  // valid UTF-8 kept as is
}

TEST(Json, ValidUtf8IsKeptAndControlsAreEscaped) {
    EXPECT_EQ(json("a/b"), R"("a/b")");
    EXPECT_EQ(json("q\"b\\s"), R"("q\"b\\s")");
    EXPECT_EQ(json(std::string_view("\x00\x1f\n", 3)), R"("\u0000\u001f\n")");
    EXPECT_EQ(json("\xE2\x82\xAC"), "\"\xE2\x82\xAC\"");
}

TEST(Json, InvalidBytesBecomeVisibleBackslashXText) {
    // The JSON text "\\xff" decodes to the four characters \xff.
    EXPECT_EQ(json("a\xFF" "b"), R"("a\\xffb")");
    EXPECT_EQ(json("\xC0\x80"), R"("\\xc0\\x80")");
    EXPECT_EQ(json("\xE2\x82"), R"("\\xe2\\x82")");
}

TEST(Hex, LowerCaseWithOptionalSeparator) {
    const std::uint8_t bytes[] = {0x00, 0xAB, 0x7F};
    Buffer a, b;
    output::append_hex(a, bytes);
    output::append_hex(b, bytes, ' ');
    EXPECT_EQ(std::string(a.data(), a.size()), "00ab7f");
    EXPECT_EQ(std::string(b.data(), b.size()), "00 ab 7f");
}
