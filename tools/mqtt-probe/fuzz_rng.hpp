// mqtt-probe fuzz: the one random source (splitmix64: the same numbers on every platform and
// standard library, so case K of seed S is the same bytes everywhere) and the byte-level mutation
// that the fuzz harnesses' mutator calls as LLVMFuzzerMutate, here driven by that source.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqttlens::probe {

class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// A number in [0, n); 0 when n is 0.
    std::size_t below(std::size_t n) noexcept { return n ? static_cast<std::size_t>(next() % n) : 0; }
    /// True one time in n.
    bool one_in(std::size_t n) noexcept { return below(n) == 0; }

private:
    std::uint64_t state_;
};

/// Changes data[0..size) in place into at most max_size bytes by one byte-level step (a bit flip,
/// a byte set, an insertion, an erasure, a cut); returns the new size.
std::size_t byte_mutation(Rng& rng, std::uint8_t* data, std::size_t size, std::size_t max_size) noexcept;

/// Seeds the random source of this thread's LLVMFuzzerMutate (called by fuzz::mutate).
void seed_byte_mutator(std::uint64_t seed) noexcept;

}  // namespace mqttlens::probe
