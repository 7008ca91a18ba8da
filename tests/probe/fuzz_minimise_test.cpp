// The minimiser against fake oracles (no network): a known failure shrinks to the packet and the
// bytes that cause it, and the number of oracle calls stays within the bound.
#include "minimise.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mqttlens::probe;

namespace {

/// The synthetic bug: a packet whose first byte is 0xF0 and that holds a 0x42 somewhere.
bool reserved_with_42(const Packets& session) {
    return std::any_of(session.begin(), session.end(), [](const auto& p) {
        return !p.empty() && p[0] == 0xF0 && std::find(p.begin() + 1, p.end(), 0x42) != p.end();
    });
}

Packets session_with_bug() {
    Packets s;
    s.push_back({0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00});
    for (std::uint8_t i = 0; i < 8; ++i) s.push_back({0x30, 0x04, 0x00, 0x01, 'a', i});
    s.insert(s.begin() + 5, {0xF0, 0x05, 0x01, 0x42, 0x02, 0x03, 0x04});
    s.push_back({0xE0, 0x00});
    return s;
}

TEST(Minimise, ReducesAKnownFailureToItsPacketAndBytes) {
    unsigned calls = 0;
    const Minimised m = minimise(session_with_bug(), [&](const Packets& p) { return ++calls, reserved_with_42(p); }, 500);
    ASSERT_EQ(m.packets.size(), 1u);
    EXPECT_EQ(m.packets[0], (std::vector<std::uint8_t>{0xF0, 0x42}));
    EXPECT_TRUE(reserved_with_42(m.packets));
    EXPECT_EQ(m.tries, calls);
    EXPECT_LT(m.tries, 100u);
}

TEST(Minimise, StaysWithinItsBudgetAndKeepsAFailingSession) {
    unsigned calls = 0;
    const Minimised m = minimise(session_with_bug(), [&](const Packets& p) { return ++calls, reserved_with_42(p); }, 3);
    EXPECT_EQ(calls, 3u);
    EXPECT_EQ(m.tries, 3u);
    EXPECT_TRUE(reserved_with_42(m.packets));
}

TEST(Minimise, KeepsTheInputWhenNothingSmallerFails) {
    const Packets input = session_with_bug();
    const Minimised m = minimise(input, [](const Packets& p) { return p.size() == 11 && p[10].size() == 6; }, 50);
    EXPECT_EQ(m.packets, input);
}

TEST(Minimise, AFailureThatNeedsTwoPacketsKeepsBoth) {
    // Fails when a SUBSCRIBE (0x82) comes anywhere before an UNSUBSCRIBE (0xA2).
    Packets s{{0x10, 0x00}, {0x82, 0x01, 0x09}, {0x30, 0x00}, {0x30, 0x01}, {0xA2, 0x01, 0x07}, {0xE0, 0x00}};
    auto fails = [](const Packets& p) {
        auto sub = std::find_if(p.begin(), p.end(), [](const auto& x) { return !x.empty() && x[0] == 0x82; });
        return sub != p.end() && std::any_of(sub, p.end(), [](const auto& x) { return !x.empty() && x[0] == 0xA2; });
    };
    const Minimised m = minimise(s, fails, 200);
    ASSERT_EQ(m.packets.size(), 2u);
    EXPECT_EQ(m.packets[0], (std::vector<std::uint8_t>{0x82}));
    EXPECT_EQ(m.packets[1], (std::vector<std::uint8_t>{0xA2}));
}

}  // namespace
