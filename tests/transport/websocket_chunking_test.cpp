// The layer's central promise, on random conversations: the same output and findings whatever the
// chunking. Each conversation mixes well-formed and broken frames of both sides (masked or not,
// fragmented, compressed or not, control frames with any payload, reserved opcodes and bits,
// non-minimal lengths, close frames with any code, stray bytes) and gaps, and is fed whole, byte
// by byte, and in random chunks.
#include "transport/websocket.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "websocket_test_util.hpp"

namespace mqttlens::transport::wstest {
namespace {

class Random {
public:
    explicit Random(std::uint64_t seed) : x_(seed) {}
    std::uint64_t next() {
        x_ ^= x_ << 13;
        x_ ^= x_ >> 7;
        x_ ^= x_ << 17;
        return x_;
    }
    std::size_t below(std::size_t n) { return std::size_t(next() % n); }
    bool one_in(std::size_t n) { return below(n) == 0; }
    ByteVec bytes(std::size_t n) {
        ByteVec v(n);
        for (auto& b : v) b = std::uint8_t(next());
        return v;
    }

private:
    std::uint64_t x_;
};

/// A random frame or two of side `side`, mostly well formed.
ByteVec random_frames(Random& r, int side, Compressor& compressor) {
    ByteVec key = side == C ? r.bytes(4) : ByteVec{};
    if (r.one_in(10)) key = key.empty() ? r.bytes(4) : ByteVec{};  // the wrong masking for the side
    const std::size_t n = r.one_in(8) ? 100 + r.below(400) : r.below(20);
    switch (r.below(9)) {
        case 0:  // a binary message in two fragments, a ping between
            return cat({frame(0x02, r.bytes(n), key), frame(0x89, r.bytes(r.below(5)), key),
                        frame(0x80, r.bytes(n / 2), key)});
        case 1:  // a compressed message (RSV1 without the extension when it was not negotiated)
            return frame(0xC2, compressor.message(r.bytes(n)), key);
        case 2:  // a control frame, perhaps too long or fragmented
            return frame(std::uint8_t((r.one_in(4) ? 0x00 : 0x80) | (0x9 + r.below(2))), r.bytes(r.below(130)), key);
        case 3:  // a close frame with any code and reason
            return frame(0x88, r.bytes(r.below(8)), key);
        case 4:  // reserved opcodes and bits
            return frame(std::uint8_t(0x80 | (r.below(8) << 4) | r.below(16)), r.bytes(n), key);
        case 5:  // stray bytes
            return r.bytes(r.below(6));
        case 6: {  // a length in more bytes than it needs
            ByteVec f = {0x82, std::uint8_t((key.empty() ? 0 : 0x80) | 126), 0, std::uint8_t(n)};
            f.insert(f.end(), key.begin(), key.end());
            return cat({f, key.empty() ? r.bytes(n) : masked(key, r.bytes(n))});
        }
        case 7:  // a text frame or a continuation
            return frame(r.one_in(2) ? 0x81 : 0x80, r.bytes(n), key);
        default:  // a plain binary frame
            return frame(0x82, r.bytes(n), key);
    }
}

/// Random cut positions for each step.
std::vector<std::vector<std::size_t>> random_cuts(Random& r, const Script& script) {
    std::vector<std::vector<std::size_t>> cuts(script.size());
    for (std::size_t i = 0; i < script.size(); ++i)
        for (std::size_t p = 1; p < script[i].bytes.size(); ++p)
            if (r.one_in(5)) cuts[i].push_back(p);
    return cuts;
}

TEST(WebSocketChunking, RandomConversationsGiveTheSameResultInAnyChunking) {
    Random r(0x9e3779b97f4a7c15ull);
    const std::string offer =
        kRequest.substr(0, kRequest.size() - 2) + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    const std::string accept = kResponse.substr(0, kResponse.size() - 2) + "Sec-WebSocket-Extensions: permessage-deflate" +
                               (r.one_in(2) ? "; server_no_context_takeover" : "") + "\r\n\r\n";
    std::size_t findings = 0, data = 0;
    for (int round = 0; round < 400; ++round) {
        const bool deflate = r.one_in(2);
        Script script = {client(deflate ? offer : kRequest), server(deflate ? accept : kResponse)};
        Compressor compressors[2];
        for (int step = 0, steps = 2 + int(r.below(8)); step < steps; ++step) {
            const int side = int(r.below(2));
            if (r.one_in(12)) {
                script.push_back(lost(side, r.below(6)));
                continue;
            }
            ByteVec bytes;
            for (std::size_t k = 0, frames = 1 + r.below(4); k < frames; ++k)
                bytes = cat({bytes, random_frames(r, side, compressors[side])});
            script.push_back({side, bytes});
        }
        const std::vector<Event> whole = run(script, {});
        for (const Event& e : whole) (e.kind == Event::Kind::data ? data : findings) += 1;
        std::vector<std::vector<std::size_t>> bytewise(script.size());
        for (std::size_t i = 0; i < script.size(); ++i)
            for (std::size_t p = 1; p < script[i].bytes.size(); ++p) bytewise[i].push_back(p);
        ASSERT_EQ(describe(run(script, bytewise)), describe(whole)) << "round " << round << ", byte by byte";
        for (int k = 0; k < 3; ++k)
            ASSERT_EQ(describe(run(script, random_cuts(r, script))), describe(whole)) << "round " << round;
    }
    // The conversations did exercise both paths.
    EXPECT_GT(data, 400u);
    EXPECT_GT(findings, 2000u);
}

}  // namespace
}  // namespace mqttlens::transport::wstest
