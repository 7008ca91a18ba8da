// The committed real-traffic captures (corpus/captures, recorded from mosquitto by
// tools/make-captures.sh): the capture layer finds exactly the MQTT packets, per type, and the
// framing failures that tools/captures/count_packets.py counted into expected-counts.txt.
#include "harness.hpp"

#include <fstream>
#include <cstdio>
#include <map>
#include <memory>
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
class Counter : public Listener {
public:
    std::map<int, std::uint64_t> per_type;
    std::uint64_t total = 0;
    std::set<std::pair<std::uint32_t, std::string>> framing;  // (stream, sender)

    void on_packet(const Delivery&, const PacketSeen& p) override {
        ++per_type[p.bytes[0] >> 4];
        ++total;
    }
    void on_event(const ConnectionInfo& c, const Conversation&, const StreamEvent& e) override {
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
        FramedDissector dissector(counter);
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
    FramedDissector(r).run(*opened.source);
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

/// "frame<TAB>stream:type[,stream:type...]" per frame holding MQTT packets, as both sides print.
class FrameLister : public Listener {
public:
    std::map<std::uint64_t, std::string> rows;
    void on_packet(const Delivery& d, const PacketSeen& p) override {
        auto& row = rows[d.frame];
        row += (row.empty() ? "" : ",") + std::to_string(d.connection.stream) + ":" + std::to_string(p.bytes[0] >> 4);
    }
    std::string text() const {
        std::string out;
        for (const auto& [frame, row] : rows) out += std::to_string(frame) + "\t" + row + "\n";
        return out;
    }
};

std::string tshark_frames(const std::string& path) {
    // Out-of-order reassembly on (tshark skips such segments by default), port 18830 as MQTT.
    const std::string cmd = "timeout 120 tshark -n -r " + path +
                            " -o tcp.reassemble_out_of_order:TRUE -d tcp.port==18830,mqtt -Y mqtt"
                            " -T fields -e frame.number -e tcp.stream -e mqtt.msgtype 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    std::string out;
    char buf[4096];
    while (pipe && std::fgets(buf, sizeof buf, pipe.get())) {
        std::string line(buf);
        if (!line.empty() && line.back() == '\n') line.pop_back();
        std::istringstream fields(line);
        std::string frame, stream, types, type;
        std::getline(fields, frame, '\t');
        std::getline(fields, stream, '\t');
        std::getline(fields, types, '\t');
        std::istringstream each(types);
        std::string row;
        while (std::getline(each, type, ',')) row += (row.empty() ? "" : ",") + stream + ":" + type;
        out += frame + "\t" + row + "\n";
    }
    return out;
}

TEST(RealCaptures, FramesStreamsAndTypesMatchTshark) {
    for (const auto& e : expected_counts()) {
        // tshark 4.0 misreads a Remaining Length that ends a segment (corpus/captures/README.md,
        // "tshark quirks"); segmented.pcap is checked against the independent count above.
        if (e.file == "segmented.pcap") continue;
        auto opened = CaptureSource::open_file(captures + e.file);
        ASSERT_TRUE(opened) << e.file;
        FrameLister ours;
        FramedDissector(ours).run(*opened.source);
        const std::string theirs = tshark_frames(captures + e.file);
        ASSERT_FALSE(theirs.empty()) << e.file << ": tshark gave nothing";
        EXPECT_EQ(ours.text(), theirs) << e.file;
    }
}

}  // namespace
}  // namespace mqttlens::capture::test
