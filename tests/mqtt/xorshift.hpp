// A small deterministic random source for the tests that draw thousands of inputs (xorshift64).
#pragma once

#include <cstdint>

namespace mqttlens::mqtt::test {

/// Marsaglia's xorshift64: the same sequence on every run and machine, so a failure replays.
struct XorShift {
    std::uint64_t state;
    std::uint64_t operator()() noexcept {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

}  // namespace mqttlens::mqtt::test
