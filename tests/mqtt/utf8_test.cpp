// The MQTT string validator (§1.5.3) against RFC 3629's table and an independent reference.
#include "mqtt/utf8.hpp"

#include "vectors.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace mqttlens::mqtt::detail {
namespace {

using Found = std::vector<std::pair<Utf8Issue, std::size_t>>;

Found scan(std::string_view s, bool warnings = true) {
    Found found;
    scan_utf8(s, warnings, [&](Utf8Issue i, std::size_t at) { found.emplace_back(i, at); });
    return found;
}

bool valid_mqtt_string(std::string_view s) {
    return !scan_utf8(s, false, [](Utf8Issue, std::size_t) {}).invalid();
}

std::string bytes(std::string_view hex) {
    auto b = test::Vector{"", {{hex, ""}}, PacketType::reserved0, {}}.bytes();
    return {b.begin(), b.end()};
}

constexpr auto M = Utf8Issue::malformed;
constexpr auto N = Utf8Issue::null;
constexpr auto C = Utf8Issue::control;
constexpr auto X = Utf8Issue::noncharacter;

struct Case {
    std::string_view hex;
    std::string_view what;
    Found found;
};

TEST(Utf8, RfcTable) {
    const Case cases[] = {
        {"", "empty", {}},
        {"61 2F 62", "ASCII", {}},
        {"C3 A9", "U+00E9", {}},
        {"C2 A0", "U+00A0, first after the C1 controls", {}},
        {"E0 A0 80", "U+0800, smallest 3-byte", {}},
        {"ED 9F BF", "U+D7FF, last before the surrogates", {}},
        {"EE 80 80", "U+E000, first after the surrogates", {}},
        {"EF BB BF", "U+FEFF byte order mark", {}},
        {"EF B7 B0", "U+FDF0, just after the non-character block", {}},
        {"F0 90 80 80", "U+10000, smallest 4-byte", {}},
        {"F0 9F 98 80", "U+1F600", {}},
        {"F4 8F BF BD", "U+10FFFD", {}},
        {"C0 80", "overlong U+0000", {{M, 0}}},
        {"C1 BF", "overlong U+007F", {{M, 0}}},
        {"E0 80 80", "overlong 3-byte", {{M, 0}}},
        {"E0 9F BF", "overlong U+07FF", {{M, 0}}},
        {"F0 8F BF BF", "overlong U+FFFF", {{M, 0}}},
        {"ED A0 80", "U+D800 high surrogate", {{M, 0}}},
        {"ED BF BF", "U+DFFF low surrogate", {{M, 0}}},
        {"F4 90 80 80", "U+110000", {{M, 0}}},
        {"F5 80 80 80", "lead F5", {{M, 0}}},
        {"F8 88 80 80 80", "5-byte form", {{M, 0}}},
        {"FE", "FE never appears", {{M, 0}}},
        {"FF", "FF never appears", {{M, 0}}},
        {"80", "stray continuation", {{M, 0}}},
        {"80 BF 80", "run of continuations is one problem", {{M, 0}}},
        {"61 80 62", "stray continuation inside ASCII", {{M, 1}}},
        {"E2 82", "truncated at the end", {{M, 0}}},
        {"E2 82 41", "truncated before ASCII", {{M, 0}}},
        {"E2 41 42", "lead then ASCII", {{M, 0}}},
        {"C3 A9 A9", "a valid character then a stray continuation", {{M, 2}}},
        {"F0 9F 98", "4-byte cut after 3", {{M, 0}}},
        {"00", "U+0000", {{N, 0}}},
        {"61 00 62 00", "two U+0000", {{N, 1}, {N, 3}}},
        {"01", "U+0001", {{C, 0}}},
        {"1F", "U+001F", {{C, 0}}},
        {"20 7E", "space and tilde", {}},
        {"7F", "U+007F", {{C, 0}}},
        {"C2 80", "U+0080", {{C, 0}}},
        {"C2 9F", "U+009F", {{C, 0}}},
        {"EF B7 90", "U+FDD0", {{X, 0}}},
        {"EF B7 AF", "U+FDEF", {{X, 0}}},
        {"EF BF BE", "U+FFFE", {{X, 0}}},
        {"EF BF BF", "U+FFFF", {{X, 0}}},
        {"F0 9F BF BE", "U+1FFFE", {{X, 0}}},
        {"F4 8F BF BF", "U+10FFFF", {{X, 0}}},
        {"61 09 C0 80 00 EF BF BF", "one of each, in order", {{C, 1}, {M, 2}, {N, 4}, {X, 5}}},
    };
    for (const auto& c : cases) EXPECT_EQ(scan(bytes(c.hex)), c.found) << c.what << ": " << c.hex;
}

TEST(Utf8, WarningsAreOptional) {
    EXPECT_EQ(scan(bytes("01 7F C2 80 EF BF BF C0 00"), false), (Found{{M, 7}, {N, 8}}));
    EXPECT_EQ(scan(bytes("00"), false), (Found{{N, 0}}));
}

TEST(Utf8, ResultSummarisesErrorsOnly) {
    auto none = [](Utf8Issue, std::size_t) {};
    EXPECT_FALSE(scan_utf8(bytes("01 EF BF BF"), true, none).invalid());
    EXPECT_TRUE(scan_utf8(bytes("C0 80"), true, none).malformed);
    EXPECT_TRUE(scan_utf8(bytes("00"), true, none).null);
    EXPECT_TRUE(valid_mqtt_string("sensors/\xC3\xA9t\xC3\xA9"));
    EXPECT_FALSE(valid_mqtt_string(std::string_view("a\0b", 3)));
}

TEST(Utf8, PrintableAsciiWordCheck) {
    for (int b = 0; b < 256; ++b) {
        for (int pos = 0; pos < 8; ++pos) {
            std::uint64_t w = 0x6161616161616161ull;  // "aaaaaaaa"
            w &= ~(0xFFull << (8 * pos));
            w |= std::uint64_t(b) << (8 * pos);
            EXPECT_EQ(printable_ascii8(w), b >= 0x20 && b <= 0x7E) << "byte " << b << " at " << pos;
        }
    }
}

// The word-at-a-time path must not hide a problem at any position of a long string.
TEST(Utf8, ProblemFoundAtEveryPositionOfALongString) {
    for (std::size_t len : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 40u}) {
        for (std::size_t at = 0; at < len; ++at) {
            for (char bad : {'\x00', '\x01', '\x7F', '\x80', '\xFF'}) {
                std::string s(len, 'x');
                s[at] = bad;
                auto found = scan(s);
                ASSERT_EQ(found.size(), 1u) << len << " " << at << " " << int(bad);
                EXPECT_EQ(found[0].second, at);
            }
        }
    }
}

// An independent, obviously-correct reading of RFC 3629: decode, then reject what it forbids.
bool reference_valid(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<std::uint8_t>(s[i]);
        std::size_t len;
        std::uint32_t cp;
        if (b < 0x80) { len = 1; cp = b; }
        else if ((b & 0xE0) == 0xC0) { len = 2; cp = b & 0x1F; }
        else if ((b & 0xF0) == 0xE0) { len = 3; cp = b & 0x0F; }
        else if ((b & 0xF8) == 0xF0) { len = 4; cp = b & 0x07; }
        else return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            auto c = static_cast<std::uint8_t>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len]) return false;            // overlong
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;     // surrogate
        if (cp > 0x10FFFF) return false;                    // beyond Unicode
        if (cp == 0) return false;                          // MQTT-1.5.3-2
        i += len;
    }
    return true;
}

TEST(Utf8, AgreesWithTheReferenceOnRandomStrings) {
    std::mt19937 rng(20141029);
    const std::uint8_t interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                        0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
    std::size_t valid = 0;
    for (int n = 0; n < 200'000; ++n) {
        std::string s(rng() % 12, '\0');
        for (auto& ch : s) {
            ch = static_cast<char>(rng() % 3 == 0 ? interesting[rng() % std::size(interesting)]
                                                  : (rng() % 2 ? 0x80 | (rng() % 0x40) : 0x20 + rng() % 0x5F));
        }
        bool ref = reference_valid(s);
        valid += ref;
        ASSERT_EQ(valid_mqtt_string(s), ref) << ::testing::PrintToString(s);
    }
    EXPECT_GT(valid, 1000u);  // the generator reaches both outcomes
}

}  // namespace
}  // namespace mqttlens::mqtt::detail
