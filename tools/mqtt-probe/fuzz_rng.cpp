// Byte-level mutation, and LLVMFuzzerMutate for fuzz/mqtt_mutator.cpp outside libFuzzer.
#include "fuzz_rng.hpp"

#include "mqtt_mutator.hpp"

#include <cstring>

namespace mqttlens::probe {

namespace {

Rng& thread_rng() {
    static thread_local Rng rng(1);
    return rng;
}

}  // namespace

std::size_t byte_mutation(Rng& rng, std::uint8_t* data, std::size_t size, std::size_t max_size) noexcept {
    if (size == 0) {
        if (max_size == 0) return 0;
        data[0] = static_cast<std::uint8_t>(rng.next());
        return 1;
    }
    const std::size_t at = rng.below(size);
    switch (rng.below(5)) {
    case 0: data[at] ^= static_cast<std::uint8_t>(1u << rng.below(8)); return size;
    case 1: data[at] = static_cast<std::uint8_t>(rng.next()); return size;
    case 2:
        if (size >= max_size) return size;
        std::memmove(data + at + 1, data + at, size - at);
        data[at] = static_cast<std::uint8_t>(rng.next());
        return size + 1;
    case 3:
        std::memmove(data + at, data + at + 1, size - at - 1);
        return size - 1;
    default: return at;  // cut
    }
}

void seed_byte_mutator(std::uint64_t seed) noexcept { thread_rng() = Rng(seed); }

/// The global LLVMFuzzerMutate (C linkage names one function whatever the namespace).
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
    return byte_mutation(thread_rng(), data, size, max_size);
}

}  // namespace mqttlens::probe
