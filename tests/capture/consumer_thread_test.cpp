// ConsumerThread: the consumer on the second thread gets exactly the calls, in the same order and
// with the same contents (ConnectionInfo included), as when the Dissector calls it directly.
#include "capture/consumer_thread.hpp"

#include "harness.hpp"

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mqttlens::capture::test {
namespace {

const std::string captures = std::string(MQTTLENS_SOURCE_DIR) + "/corpus/captures/";

std::string describe(const ConnectionInfo& c) {
    return "{" + std::to_string(c.stream) + " " + c.client_text + " " + to_string(c.client) + " -> " +
           c.server_text + " " + to_string(c.server) + " roles=" + std::to_string(c.roles_known) +
           " syn=" + std::to_string(c.syn_seen) + " auto=" + std::to_string(c.auto_detected) +
           " tls=" + std::to_string(c.tls) + " level=" + std::to_string(c.protocol_level) +
           " first=" + std::to_string(c.first_frame) + "@" + std::to_string(c.first_ts.sec) + "." +
           std::to_string(c.first_ts.nsec) + "}";
}

std::string when(std::uint64_t frame, Timestamp ts) {
    return "#" + std::to_string(frame) + "@" + std::to_string(ts.sec) + "." + std::to_string(ts.nsec);
}

/// Every field of every call, one line each.
class FullLog : public Consumer {
public:
    std::vector<std::string> lines;

    void on_connection_open(const ConnectionInfo& c) override { lines.push_back("open " + describe(c)); }
    void on_packet(const PacketEvent& p) override {
        std::string line = "packet " + describe(p.connection) + " " + std::string(direction_name(p.direction)) +
                           " " + std::string(p.src) + " -> " + std::string(p.dst) + " " + when(p.frame, p.ts) +
                           " off=" + std::to_string(p.stream_offset) + " level=" +
                           std::to_string(p.protocol_level) + " ";
        for (const std::uint8_t b : p.bytes) line += std::to_string(b) + ",";
        lines.push_back(std::move(line));
    }
    void on_stream_event(const ConnectionInfo& c, const StreamEvent& e) override {
        lines.push_back("event " + describe(c) + " " + std::string(stream_event_name(e.kind)) + " " +
                        std::string(direction_name(e.direction)) + " " + std::string(e.src) + " -> " +
                        std::string(e.dst) + " " + when(e.frame, e.ts) + " off=" + std::to_string(e.stream_offset) +
                        " size=" + std::to_string(e.size) + " code=" + std::to_string(static_cast<int>(e.code)));
    }
    void on_connection_close(const ConnectionInfo& c, CloseReason r, std::uint64_t frame, Timestamp ts) override {
        lines.push_back("close " + describe(c) + " " + std::string(close_reason_name(r)) + " " + when(frame, ts));
    }
    void on_idle() override { lines.push_back("idle"); }
};

/// Dissects `path` into `consumer`, calling on_idle after every `idle_every` records (0: never).
void run(const std::string& path, Consumer& consumer, std::size_t idle_every = 0) {
    auto opened = CaptureSource::open_file(path);
    ASSERT_TRUE(opened) << opened.error;
    Dissector dissector(consumer);
    Record record;
    std::size_t n = 0;
    while (opened.source->next(record) == CaptureSource::Status::record) {
        dissector.process(record);
        if (idle_every != 0 && ++n % idle_every == 0) consumer.on_idle();
    }
    dissector.finish();
}

std::vector<std::string> committed_captures() {
    std::vector<std::string> files;
    if (DIR* dir = opendir(captures.c_str())) {
        while (const dirent* e = readdir(dir)) {
            const std::string name = e->d_name;
            if (name.ends_with(".pcap") || name.ends_with(".pcapng")) files.push_back(name);
        }
        closedir(dir);
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(ConsumerThread, SameCallsAsDirectOnEveryCommittedCapture) {
    const auto files = committed_captures();
    ASSERT_GE(files.size(), 10u);
    bool several_batches = false;
    for (const std::string& file : files) {
        SCOPED_TRACE(file);
        FullLog direct;
        run(captures + file, direct, 7);
        FullLog threaded;
        {
            ConsumerThread thread(threaded, "test-consumer");
            run(captures + file, thread, 7);
            thread.finish();
        }
        ASSERT_FALSE(direct.lines.empty());
        EXPECT_EQ(threaded.lines, direct.lines);
        several_batches |= std::count_if(direct.lines.begin(), direct.lines.end(),
                                         [](const std::string& l) { return l.starts_with("packet"); }) > 4096;
    }
    EXPECT_TRUE(several_batches) << "no capture fills more than one batch";
}

TEST(ConsumerThread, RolesLearnedFromAConnectReachTheConsumer) {
    // No SYN and the MQTT port on both sides: the roles are a guess at open, fixed by the CONNECT;
    // every later call must carry the corrected ConnectionInfo.
    PcapWriter w;
    TcpConversationWriter conversation(w, ep("10.0.0.2:1883"), ep("10.0.0.1:1883"), false);
    conversation.server_send(view(connack()));
    conversation.client_send(view(connect("c")));
    conversation.client_send(view(publish("t", "x")));
    conversation.close();
    TempFile file;
    ASSERT_TRUE(save_file(file.path(), Bytes(w.bytes())));
    FullLog direct;
    run(file.path(), direct);
    FullLog threaded;
    {
        ConsumerThread thread(threaded);
        run(file.path(), thread);
    }
    EXPECT_EQ(threaded.lines, direct.lines);
    ASSERT_GE(direct.lines.size(), 4u);
    EXPECT_NE(direct.lines.front().find("roles=0"), std::string::npos) << direct.lines.front();
    EXPECT_NE(direct.lines.back().find("{0 10.0.0.2:1883 10.0.0.2:1883 -> 10.0.0.1:1883 10.0.0.1:1883 roles=1"),
              std::string::npos)
        << direct.lines.back();
}

}  // namespace
}  // namespace mqttlens::capture::test
