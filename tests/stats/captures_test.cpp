// The committed real captures through the capture layer, the conversation engine and the
// statistics, wired as mqtt-dissect wires them: real peers break no stream rule, the per-type table agrees
// with corpus/captures/expected-counts.txt, and malformed.pcap shows exactly its stream cases.
#include "capture/dissector.hpp"
#include "engine/engine.hpp"
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

/// One stream finding: connection, packet type it is about, code.
using Finding = std::tuple<std::uint32_t, mqtt::PacketType, mqtt::Code>;

/// One Accumulator fed by the conversation engine, as mqtt-dissect's --stats is.
class Pipeline : public engine::Listener {
public:
    void on_open(const engine::ConnectionInfo& c) override {
        stats.open_connection(c.stream, c.client_text, c.server_text, engine::micros(c.first_ts));
    }
    void on_packet(const engine::Delivery& d, const engine::PacketSeen& p) override {
        for (const auto& f : p.stream) findings.emplace_back(d.connection.stream, p.packet->type(), f.code);
        types_[d.frame] = p.packet->type();
        stats.add_packet(d.connection.stream, d.direction, *p.packet, p.stream, d.time_us, p.alias_topic);
    }
    void on_close(const engine::ConnectionInfo& c, const engine::Conversation&, const engine::Closing& end) override {
        for (const auto& f : end.findings) {
            findings.emplace_back(c.stream, types_.at(f.ref), f.diagnostic.code);
            stats.add_diagnostic(c.stream, f.diagnostic);
        }
        stats.close_connection(c.stream, end.time_us, capture::close_reason_name(end.reason));
    }

    Accumulator stats;
    std::vector<Finding> findings;

private:
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
    engine::Engine engine(pipeline);
    capture::Dissector dissector(engine);
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
        if (name == "malformed.pcap" || name == "mqtt5-session.pcap") continue;  // broken on purpose: below
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

TEST(StatsOnCaptures, Mqtt5SessionCaptureShowsWhatMosquittoRefused) {
    // tools/captures/raw_mqtt5.py: connections 0 and 1 use aliases, QoS 1 and 2 and properties
    // as 5.0 allows; 2, 3 and 4 each break one per-connection rule, which mosquitto answered with
    // DISCONNECT 0x94, 0x82 and 0x82; 5 is refused (CONNACK 0x8C) and breaks nothing.
    const Pipeline p = run("mqtt5-session.pcap");
    using mqtt::Code;
    using mqtt::PacketType;
    EXPECT_EQ(p.findings, (std::vector<Finding>{
                              {2, PacketType::publish, Code::client_topic_alias_invalid},
                              {3, PacketType::publish, Code::topic_alias_unmapped},
                              {4, PacketType::disconnect, Code::disconnect_session_expiry_after_zero},
                          }));
    for (const auto* c : p.stats.connections()) EXPECT_TRUE(c->closed) << c->id;
}

}  // namespace
}  // namespace mqttlens::stats
