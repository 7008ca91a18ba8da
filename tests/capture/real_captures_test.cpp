// The committed real-traffic captures (corpus/captures, recorded from mosquitto by
// tools/make-captures.sh): the capture layer finds exactly the MQTT packets, per type, and the
// framing failures that tools/captures/count_packets.py counted into expected-counts.txt.
#include "harness.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace mqttlens::capture::test {
namespace {

const std::string captures = std::string(MQTTLENS_SOURCE_DIR) + "/corpus/captures/";

struct Expected {
    std::string file;
    std::string counts;  // "total TYPE=n ... framing=n", as in the file
};

std::vector<Expected> expected_counts() {
    std::vector<Expected> out;
    std::ifstream in(captures + "expected-counts.txt");
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.find(' ');
        out.push_back({line.substr(0, space), line.substr(space + 1)});
    }
    return out;
}

/// Counts packets per type and the directions that hit a framing error, in the file's format.
class Counter : public Consumer {
public:
    std::map<int, std::uint64_t> per_type;
    std::uint64_t total = 0;
    std::set<std::pair<std::uint32_t, std::string>> framing;  // (stream, sender)

    void on_packet(const PacketEvent& p) override {
        ++per_type[p.bytes[0] >> 4];
        ++total;
    }
    void on_stream_event(const ConnectionInfo& c, const StreamEvent& e) override {
        if (e.kind == StreamEventKind::framing_error) framing.insert({c.stream, std::string(e.src)});
    }
    std::string summary() const {
        std::string out = std::to_string(total);
        // count_packets.py lists types 1 to 14 in order, then types 0 and 15 as RESERVED.
        for (int type = 1; type <= 14; ++type) {
            if (const auto it = per_type.find(type); it != per_type.end()) {
                out += " " + std::string(mqtt::type_name(static_cast<mqtt::PacketType>(type))) + "=" +
                       std::to_string(it->second);
            }
        }
        const std::uint64_t reserved = (per_type.count(0) ? per_type.at(0) : 0) +
                                       (per_type.count(15) ? per_type.at(15) : 0);
        if (reserved) out += " RESERVED=" + std::to_string(reserved);
        return out + " framing=" + std::to_string(framing.size());
    }
};

TEST(RealCaptures, PacketCountsMatchTheIndependentCount) {
    const auto expected = expected_counts();
    ASSERT_GE(expected.size(), 10u) << "corpus/captures/expected-counts.txt missing or short";
    for (const auto& e : expected) {
        auto opened = CaptureSource::open_file(captures + e.file);
        ASSERT_TRUE(opened) << e.file << ": " << opened.error;
        Counter counter;
        Dissector dissector(counter);
        const RunResult result = dissector.run(*opened.source);
        EXPECT_EQ(result.status, RunResult::Status::end) << e.file << ": " << result.message;
        EXPECT_EQ(counter.summary(), e.counts) << e.file;
        EXPECT_EQ(dissector.stats().tcp.gaps, 0u) << e.file;
    }
}

TEST(RealCaptures, EveryConnectionInTheDemoIsMqttAndEndsWithFinOrRst) {
    auto opened = CaptureSource::open_file(captures + "demo.pcap");
    ASSERT_TRUE(opened) << opened.error;
    Recorder r;
    Dissector(r).run(*opened.source);
    ASSERT_FALSE(r.opened.empty());
    for (const auto& c : r.opened) {
        EXPECT_TRUE(c.syn_seen);
        EXPECT_TRUE(c.roles_known);
        EXPECT_EQ(c.server.port, 1883);
    }
    for (const auto& line : r.log) {
        if (line.rfind("close", 0) == 0) {
            EXPECT_TRUE(line.ends_with("FIN") || line.ends_with("RST")) << line;
        }
        EXPECT_EQ(line.find("unknown"), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace mqttlens::capture::test
