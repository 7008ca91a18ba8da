// Structure-aware mutator for MQTT byte streams, for LLVMFuzzerCustomMutator.
//
// Parses the input into packets (byte 0, Remaining Length, body) and raw segments, mutates at the
// level of packets and fields (type and flags, strings, QoS bytes, packet identifiers, MQTT 5.0
// property lists; insert, remove, duplicate, swap packets), then writes it back with a consistent
// Remaining Length, string length prefixes and Property Length most of the time, and breaks them on purpose some of the time (about one
// mutation in eight). One mutation in five is left to libFuzzer's own LLVMFuzzerMutate; all of them
// when the environment sets MQTTLENS_FUZZ_PLAIN_MUTATOR (to compare the two).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqttlens::fuzz {

struct MutatorConfig {
    std::size_t prefix = 0;     ///< leading bytes that are harness options, not MQTT (fuzz_decode: 1)
    bool separators = false;    ///< the input may hold "|SPLIT|" chunk separators (fuzz_stream)
    bool single_packet = false; ///< the harness reads one packet: rarely add packets
};

/// Mutates data[0..size) in place into at most max_size bytes; returns the new size.
std::size_t mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                   const MutatorConfig& config);

/// Splices packets of two inputs into `out` (at most max_out bytes); returns the size written.
std::size_t cross_over(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                       std::size_t size2, std::uint8_t* out, std::size_t max_out, unsigned seed,
                       const MutatorConfig& config);

/// Segments kept for reuse between calls (bounded; exposed for the mutator's tests).
std::size_t spare_segments() noexcept;

}  // namespace mqttlens::fuzz

/// libFuzzer's own mutator; the harness binary provides it (libFuzzer, or a test's stub).
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

/// Defines LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver for a harness with `config`.
#define MQTTLENS_FUZZ_DEFINE_MUTATOR(config)                                                          \
    extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,              \
                                                   std::size_t max_size, unsigned int seed) {        \
        return ::mqttlens::fuzz::mutate(data, size, max_size, seed, config);                         \
    }                                                                                                 \
    extern "C" std::size_t LLVMFuzzerCustomCrossOver(                                                 \
        const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2, std::size_t size2,  \
        std::uint8_t* out, std::size_t max_out, unsigned int seed) {                                 \
        return ::mqttlens::fuzz::cross_over(data1, size1, data2, size2, out, max_out, seed, config); \
    }
