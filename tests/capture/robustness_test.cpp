// Property tests: any reordering, duplication and overlap of a stream's segments yields the same
// packets; corrupted captures never crash and end in `end` or `error`.
#include "harness.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace mqttlens::capture::test {
namespace {

Outcome dissect_memory(Bytes capture, Options options = {}) {
    Outcome out;
    auto opened = CaptureSource::open_memory(capture);
    if (!opened) {
        out.result = {RunResult::Status::error, opened.error};
        return out;
    }
    FramedDissector dissector(out.recorder, std::move(options));
    out.result = dissector.run(*opened.source);
    out.stats = dissector.stats();
    return out;
}

std::vector<Buffer> sample_packets(std::mt19937& rng) {
    std::vector<Buffer> packets{connect("prop")};
    std::uniform_int_distribution<int> size(0, 400);
    for (int i = 0; i < 30; ++i) {
        switch (i % 4) {
            case 0: packets.push_back(publish("a/b", std::string(size(rng), 'p'), std::uint16_t(i + 1))); break;
            case 1: packets.push_back(pingreq()); break;
            case 2: packets.push_back(publish("c", std::string(size(rng) * 3, 'q'))); break;
            default: packets.push_back(puback(std::uint16_t(i))); break;
        }
    }
    return packets;
}

TEST(Robustness, ReorderedDuplicatedOverlappingSegmentsGiveTheSamePackets) {
    std::mt19937 rng(20261125);
    for (int round = 0; round < 200; ++round) {
        const auto packets = sample_packets(rng);
        Buffer stream;
        for (const auto& p : packets) stream.insert(stream.end(), p.begin(), p.end());

        TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"), rng(), rng());
        PcapWriter w;
        for (const auto& s : c.handshake()) w.write(s);
        const std::uint32_t base = c.next_seq(Side::client);
        // Random segments, some overlapping the previous one; some duplicated.
        std::vector<TcpSegmentSpec> segments;
        std::size_t at = 0;
        while (at < stream.size()) {
            const std::size_t len = std::min<std::size_t>(1 + rng() % 300, stream.size() - at);
            const std::size_t back = at > 0 && rng() % 4 == 0 ? std::min<std::size_t>(at, rng() % 20) : 0;
            segments.push_back(c.data_at(Side::client, base + std::uint32_t(at - back),
                                         Bytes(stream).subspan(at - back, len + back)));
            if (rng() % 6 == 0) segments.push_back(segments.back());
            at += len;
        }
        // Local reordering within a window of 4.
        for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
            if (rng() % 3 == 0) std::swap(segments[i], segments[std::min(segments.size() - 1, i + 1 + rng() % 3)]);
        }
        for (const auto& s : segments) w.write(s);
        const auto out = dissect_memory(w.bytes());
        ASSERT_EQ(out.recorder.packets, packets) << "round " << round;
        for (const auto& line : out.log()) {
            ASSERT_EQ(line.find("gap"), std::string::npos) << line;
        }
    }
}

TEST(Robustness, LostSegmentsNeverCrashAndLaterPacketsAreWhole) {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        const auto packets = sample_packets(rng);
        TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
        PcapWriter w;
        for (const auto& s : c.handshake()) w.write(s);
        Buffer stream;
        for (const auto& p : packets) stream.insert(stream.end(), p.begin(), p.end());
        std::size_t at = 0;
        while (at < stream.size()) {
            const std::size_t len = std::min<std::size_t>(1 + rng() % 200, stream.size() - at);
            const auto seg = c.data(Side::client, Bytes(stream).subspan(at, len));
            if (rng() % 8 != 0 || at == 0) w.write(seg);
            at += len;
        }
        for (const auto& s : c.close()) w.write(s);
        const auto out = dissect_memory(w.bytes());
        EXPECT_EQ(out.result.status, RunResult::Status::end);
        // Every packet delivered is one of the packets sent (resync never invents packets here).
        for (const auto& p : out.recorder.packets) {
            EXPECT_NE(std::find(packets.begin(), packets.end(), p), packets.end()) << "round " << round;
        }
    }
}

TEST(Robustness, CorruptedCapturesEndCleanly) {
    std::mt19937 rng(99);
    PcapWriter w;
    TcpConversationWriter conv(w, ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    conv.client_send(connect("c1"));
    conv.server_send(connack());
    for (int i = 0; i < 20; ++i) conv.client_send(publish("t/" + std::to_string(i), std::string(i * 10, 'x'), 1));
    conv.close();
    TcpConversationWriter v6(w, ep("[::1]:40000"), ep("[::1]:9999"));
    v6.client_send(connect("c2"));
    v6.client_send(publish("six", "y"));
    const Buffer clean = w.bytes();
    for (int round = 0; round < 500; ++round) {
        Buffer bytes = clean;
        const int flips = 1 + int(rng() % 20);
        for (int i = 0; i < flips; ++i) bytes[24 + rng() % (bytes.size() - 24)] = std::uint8_t(rng());
        if (round % 3 == 0) bytes.resize(24 + rng() % (bytes.size() - 24));
        const auto out = dissect_memory(bytes);
        EXPECT_TRUE(out.result.status == RunResult::Status::end || out.result.status == RunResult::Status::error);
    }
}

TEST(Robustness, CorruptedRealCapturesEndCleanly) {
    // Each committed capture with random bytes overwritten and cut at a random length.
    std::mt19937 rng(4242);
    const std::string dir = std::string(MQTTLENS_SOURCE_DIR) + "/corpus/captures/";
    int files = 0;
    for (const char* name : {"demo.pcap", "segmented.pcap", "malformed.pcap", "ipv6.pcap",
                             "any-sll2.pcap", "retained.pcapng", "port-18830.pcap", "mqtt5.pcap"}) {
        std::FILE* f = std::fopen((dir + name).c_str(), "rb");
        ASSERT_NE(f, nullptr) << name;
        Buffer clean;
        std::uint8_t chunk[65536];
        for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) clean.insert(clean.end(), chunk, chunk + n);
        std::fclose(f);
        ++files;
        for (int round = 0; round < 40; ++round) {
            Buffer bytes = clean;
            const int flips = 1 + int(rng() % 30);
            for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = std::uint8_t(rng());
            if (round % 2 == 0) bytes.resize(1 + rng() % bytes.size());
            const auto out = dissect_memory(bytes);
            EXPECT_TRUE(out.result.status == RunResult::Status::end ||
                        out.result.status == RunResult::Status::error ||
                        out.result.status == RunResult::Status::unsupported_link_type)
                << name << " round " << round;
        }
    }
    EXPECT_EQ(files, 8);
}

}  // namespace
}  // namespace mqttlens::capture::test
