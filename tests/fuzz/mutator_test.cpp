// The structure-aware mutator: bounded output, mostly well-framed MQTT, sometimes broken on
// purpose, and every output survives the stream harness (linked in: fuzz/fuzz_stream.cpp).
#include "mqtt_mutator.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// libFuzzer's mutator stands in here as a byte flipper: the test is about the MQTT-aware part.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
    static std::minstd_rand rng(7);
    if (size == 0 && max_size > 0) data[size++] = 0;
    if (size > 0) data[rng() % size] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    return size;
}

namespace {

using mqttlens::mqtt::Bytes;
using mqttlens::mqtt::Frame;

// CONNECT, SUBSCRIBE, PUBLISH QoS 1, DISCONNECT: a small session.
const std::vector<std::uint8_t> session = [] {
    static constexpr char bytes[] =
        "\x10\x0e\x00\x04MQTT\x04\x02\x00\x3c\x00\x02" "c1"
        "\x82\x08\x00\x01\x00\x03" "a/#\x01"
        "\x32\x09\x00\x03" "a/b\x00\x01" "hi"
        "\xe0\x00";
    constexpr std::string_view s(bytes, sizeof bytes - 1);
    return std::vector<std::uint8_t>(s.begin(), s.end());
}();

/// True when the framer cuts `b` into whole packets with nothing left over and no error.
bool well_framed(Bytes b) {
    mqttlens::mqtt::Framer framer;
    framer.feed(b);
    framer.finish();
    for (;;) {
        const Frame f = framer.next();
        if (f.status == Frame::Status::error) return false;
        if (f.status == Frame::Status::need_more) return true;
    }
}

TEST(Mutator, OutputsStayWithinMaxSizeAndSurviveTheStreamHarness) {
    constexpr std::size_t max_size = 256;
    std::size_t framed = 0, broken = 0;
    ASSERT_TRUE(well_framed(session));
    for (unsigned seed = 1; seed <= 3000; ++seed) {
        std::vector<std::uint8_t> buf(session);
        buf.resize(max_size);
        const std::size_t n = mqttlens::fuzz::mutate(buf.data(), session.size(), max_size, seed,
                                                     {.prefix = 0, .separators = true, .single_packet = false});
        ASSERT_LE(n, max_size) << "seed " << seed;
        buf.resize(n);
        LLVMFuzzerTestOneInput(buf.data(), buf.size());
        const std::string_view text(reinterpret_cast<const char*>(buf.data()), buf.size());
        if (text.find("|SPLIT|") != std::string_view::npos) continue;
        (well_framed(buf) ? framed : broken) += 1;
    }
    // Consistent lengths most of the time, broken framing some of the time.
    EXPECT_GT(framed, 3 * broken);
    EXPECT_GT(broken, 0u);
}

TEST(Mutator, KeepsMqtt5PropertyLengthsConsistentMostOfTheTime) {
    // A 5.0 PUBLISH with a Topic Alias: mutated many times, its property list grows, shrinks and
    // changes; its Property Length follows most of the time and is wrong on purpose sometimes.
    static constexpr char bytes[] = "\x30\x0b\x00\x03" "a/b" "\x03\x23\x00\x01" "hi";
    const std::vector<std::uint8_t> publish(bytes, bytes + sizeof bytes - 1);
    using mqttlens::mqtt::Code;
    std::size_t consistent = 0, broken = 0, grown = 0;
    for (unsigned seed = 1; seed <= 4000; ++seed) {
        std::vector<std::uint8_t> buf(publish);
        buf.resize(512);
        const std::size_t n = mqttlens::fuzz::mutate(buf.data(), publish.size(), 512, seed,
                                                     {.prefix = 0, .separators = false, .single_packet = true});
        buf.resize(n);
        if (buf.empty() || buf[0] >> 4 != 3 || !well_framed(buf)) continue;
        const auto p = mqttlens::mqtt::decode(Bytes(buf), mqttlens::mqtt::Version::v5_0);
        const auto* pub = p.get<mqttlens::mqtt::Publish>();
        if (!pub || pub->topic != "a/b") continue;  // the mutation was elsewhere
        const bool length_broken = p.diagnostics.has(Code::property_length_past_end) ||
                                   p.diagnostics.has(Code::property_varint_malformed) ||
                                   p.diagnostics.has(Code::property_varint_non_minimal);
        (length_broken ? broken : consistent) += 1;
        grown += pub->properties && pub->properties->size() >= 2;
    }
    EXPECT_GT(consistent, 3 * broken);
    EXPECT_GT(broken, 0u);
    EXPECT_GT(grown, 100u) << "properties inserted";
}

TEST(Mutator, KeepsTheOptionsPrefixOfSinglePacketHarnesses) {
    std::size_t kept = 0;
    for (unsigned seed = 1; seed <= 500; ++seed) {
        std::vector<std::uint8_t> buf{0x06, 0x30, 0x05, 0x00, 0x03, 'a', '/', 'b'};
        buf.resize(64);
        const std::size_t n = mqttlens::fuzz::mutate(buf.data(), 8, 64, seed,
                                                     {.prefix = 1, .separators = false, .single_packet = true});
        ASSERT_LE(n, 64u);
        if (n > 0 && buf[0] == 0x06) ++kept;
    }
    EXPECT_GT(kept, 350u);  // the options byte changes rarely (and under LLVMFuzzerMutate)
}

TEST(Mutator, CrossOverSplicesPacketsOfBothInputs) {
    const std::uint8_t other[] = {0xc0, 0x00, 0xd0, 0x00};
    std::vector<std::uint8_t> out(512);
    bool spliced = false;
    for (unsigned seed = 1; seed <= 50 && !spliced; ++seed) {
        const std::size_t n = mqttlens::fuzz::cross_over(session.data(), session.size(), other, sizeof other,
                                                         out.data(), out.size(), seed, {});
        ASSERT_LE(n, out.size());
        spliced = n > session.size() && well_framed(Bytes(out.data(), n));
    }
    EXPECT_TRUE(spliced);
}

TEST(Mutator, ReusedSegmentsStayBounded) {
    // Each crossover's output is parsed again as an input, as libFuzzer does: the pool of spare
    // segments once grew by every output until a long run ran out of memory.
    std::vector<std::uint8_t> a(session.begin(), session.end());
    std::vector<std::uint8_t> out(4096);
    for (unsigned seed = 1; seed <= 20000; ++seed) {
        const std::size_t n = mqttlens::fuzz::cross_over(a.data(), a.size(), session.data(), session.size(),
                                                         out.data(), out.size(), seed, {});
        if (n > 0) a.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    }
    EXPECT_LE(mqttlens::fuzz::spare_segments(), 4096u);
}

}  // namespace
