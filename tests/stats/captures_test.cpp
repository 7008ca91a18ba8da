// The committed real captures through the capture layer, the session checker and the statistics,
// wired as mqtt-dissect wires them: real peers break no stream rule, the per-type table agrees
// with corpus/captures/expected-counts.txt, and malformed.pcap shows exactly its stream cases.
#include "capture/dissector.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/session_checker.hpp"
#include "stats/stats.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace mqttlens::stats {
namespace {

const std::filesystem::path captures = std::filesystem::path(MQTTLENS_SOURCE_DIR) / "corpus/captures";

std::int64_t micros(capture::Timestamp t) { return t.sec * 1'000'000 + t.nsec / 1000; }

mqtt::Direction direction(capture::Direction d) {
    switch (d) {
        case capture::Direction::c2s: return mqtt::Direction::client_to_server;
        case capture::Direction::s2c: return mqtt::Direction::server_to_client;
        default: return mqtt::Direction::unknown;
    }
}

/// One stream finding: connection, packet type it is about, code.
using Finding = std::tuple<std::uint32_t, mqtt::PacketType, mqtt::Code>;

/// A checker per connection and one Accumulator, fed by the capture layer.
class Pipeline : public capture::Consumer {
public:
    void on_connection_open(const capture::ConnectionInfo& c) override {
        checkers_.emplace(c.stream, mqtt::SessionChecker(!c.syn_seen));
        stats.open_connection(c.stream, c.client_text, c.server_text, micros(c.first_ts));
    }
    void on_packet(const capture::PacketEvent& e) override {
        const mqtt::Packet p = mqtt::decode(e.bytes, e.version.value_or(mqtt::Version::v3_1_1));
        auto& checker = checkers_.at(e.connection.stream);
        const auto found = checker.observe(direction(e.direction), p, micros(e.ts), e.frame);
        for (const auto& d : found) findings.emplace_back(e.connection.stream, p.type(), d.code);
        types_[e.frame] = p.type();
        stats.add_packet(e.connection.stream, direction(e.direction), p,
                         {found.begin(), found.end()}, micros(e.ts));
    }
    void on_stream_event(const capture::ConnectionInfo& c, const capture::StreamEvent& e) override {
        if (e.kind == capture::StreamEventKind::gap || e.kind == capture::StreamEventKind::resync ||
            e.kind == capture::StreamEventKind::unsynchronised)
            checkers_.at(c.stream).lost_data();
    }
    void on_connection_close(const capture::ConnectionInfo& c, capture::CloseReason reason,
                             std::uint64_t, capture::Timestamp ts) override {
        const auto how = reason == capture::CloseReason::capture_end
                             ? mqtt::ConnectionEnd::capture_ended
                             : mqtt::ConnectionEnd::closed;
        for (const auto& f : checkers_.at(c.stream).finish(micros(ts), how)) {
            findings.emplace_back(c.stream, types_.at(f.ref), f.diagnostic.code);
            stats.add_diagnostic(c.stream, f.diagnostic);
        }
        stats.close_connection(c.stream, micros(ts), capture::close_reason_name(reason));
    }

    Accumulator stats;
    std::vector<Finding> findings;

private:
    std::map<std::uint32_t, mqtt::SessionChecker> checkers_;
    std::map<std::uint64_t, mqtt::PacketType> types_;  // frame -> type (these captures are small)
};

/// "name total TYPE=count ... framing=N" lines of expected-counts.txt, by name.
std::map<std::string, std::map<std::string, std::uint64_t>> expected_counts() {
    std::map<std::string, std::map<std::string, std::uint64_t>> out;
    std::ifstream in(captures / "expected-counts.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string name, total, word;
        words >> name >> total;
        auto& counts = out[name];
        counts["total"] = std::stoull(total);
        while (words >> word) {
            const auto eq = word.find('=');
            counts[word.substr(0, eq)] = std::stoull(word.substr(eq + 1));
        }
    }
    return out;
}

Pipeline run(const std::string& name) {
    Pipeline pipeline;
    auto opened = capture::CaptureSource::open_file((captures / name).string());
    EXPECT_TRUE(opened) << name << ": " << opened.error;
    if (!opened) return pipeline;
    capture::Dissector dissector(pipeline);
    const auto result = dissector.run(*opened.source);
    EXPECT_EQ(result.status, capture::RunResult::Status::end) << name << ": " << result.message;
    return pipeline;
}

TEST(StatsOnCaptures, TypeTableAgreesWithTheExpectedCounts) {
    const auto expected = expected_counts();
    ASSERT_GE(expected.size(), 10u) << "expected-counts.txt missing or unreadable";
    for (const auto& [name, counts] : expected) {
        const Pipeline p = run(name);
        const auto& by_type = p.stats.by_type();
        for (int t = 1; t <= 14; ++t) {
            const std::string type(mqtt::type_name(static_cast<mqtt::PacketType>(t)));
            const auto it = counts.find(type);
            EXPECT_EQ(by_type[t].packets, it == counts.end() ? 0 : it->second) << name << " " << type;
        }
        const auto reserved = counts.find("RESERVED");
        EXPECT_EQ(by_type[0].packets + by_type[15].packets,
                  reserved == counts.end() ? 0 : reserved->second) << name;
        EXPECT_EQ(p.stats.total().packets, counts.at("total")) << name;
    }
}

TEST(StatsOnCaptures, RealPeersBreakNoStreamRule) {
    for (const auto& [name, counts] : expected_counts()) {
        if (name == "malformed.pcap") continue;
        const Pipeline p = run(name);
        EXPECT_TRUE(p.findings.empty()) << name << ": " << p.findings.size()
                                        << " stream findings, the first about connection "
                                        << std::get<0>(p.findings.front());
        for (const auto* c : p.stats.connections()) EXPECT_TRUE(c->closed) << name << " " << c->id;
    }
}

TEST(StatsOnCaptures, MalformedCaptureShowsItsStreamCases) {
    // corpus/captures/README.md, "malformed.pcap, connection by connection". Connection 0 (bad
    // CONNECT) and 10 (SUBSCRIBE without filter) are closed without an answer, as they must be;
    // connection 2 (level 6) is another protocol, answered with CONNACK 1.
    const Pipeline p = run("malformed.pcap");
    using mqtt::Code;
    using mqtt::PacketType;
    EXPECT_EQ(p.findings, (std::vector<Finding>{
                              {1, PacketType::publish, Code::first_packet_not_connect},
                              {3, PacketType::connect, Code::second_connect},
                              {11, PacketType::connack, Code::wrong_direction},
                          }));
    EXPECT_EQ(p.stats.count(Code::first_packet_not_connect), 1u);
    EXPECT_EQ(p.stats.count(Code::connack_after_bad_connect), 0u);
}

}  // namespace
}  // namespace mqttlens::stats
