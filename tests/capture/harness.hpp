// Test harness: MQTT packet bytes by hand, captures through a temp file, an event log to compare.
#pragma once

#include "capture/dissector.hpp"
#include "engine/engine.hpp"
#include "capture/pcap_writer.hpp"
#include "../support/capture_writing.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace mqttlens::capture::test {

// The capture tests drive the capture layer with the engine on top, as the tools do.
using namespace mqttlens::engine;
using capture::Bytes;
using capture::Timestamp;

using Buffer = std::vector<std::uint8_t>;

inline Bytes view(const Buffer& b) { return Bytes(b); }

inline Buffer cat(std::initializer_list<Buffer> parts) {
    Buffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// Fixed header (byte 0, Remaining Length in shortest form) followed by `body`.
inline Buffer packet(std::uint8_t first, const Buffer& body) {
    Buffer out{first};
    std::size_t n = body.size();
    do {
        std::uint8_t b = n & 0x7F;
        n >>= 7;
        if (n) b |= 0x80;
        out.push_back(b);
    } while (n);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

inline Buffer str(std::string_view s) {
    Buffer out{std::uint8_t(s.size() >> 8), std::uint8_t(s.size())};
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

/// CONNECT "MQTT" level `level`, Clean Session, keep alive 60, client id `id`.
inline Buffer connect(std::string_view id, std::uint8_t level = 4) {
    Buffer body = str("MQTT");
    body.push_back(level);
    body.push_back(0x02);
    body.push_back(0);
    body.push_back(60);
    if (level == 5) body.push_back(0);  // no properties
    const Buffer cid = str(id);
    body.insert(body.end(), cid.begin(), cid.end());
    return packet(0x10, body);
}
inline Buffer connack() { return packet(0x20, {0, 0}); }
/// PUBLISH QoS 0 (or 1 with `id`).
inline Buffer publish(std::string_view topic, std::string_view payload, std::uint16_t id = 0) {
    Buffer body = str(topic);
    if (id) {
        body.push_back(std::uint8_t(id >> 8));
        body.push_back(std::uint8_t(id));
    }
    body.insert(body.end(), payload.begin(), payload.end());
    return packet(id ? 0x32 : 0x30, body);
}
inline Buffer puback(std::uint16_t id) { return packet(0x40, {std::uint8_t(id >> 8), std::uint8_t(id)}); }
inline Buffer pingreq() { return packet(0xC0, {}); }
inline Buffer pingresp() { return packet(0xD0, {}); }
inline Buffer disconnect() { return packet(0xE0, {}); }

inline Endpoint ep(std::string_view text) {
    auto e = parse_endpoint(text);
    EXPECT_TRUE(e.has_value()) << text;
    return e.value_or(Endpoint{});
}

/// Writes one line per callback: the event log tests compare against.
class Recorder : public Listener {
public:
    std::vector<std::string> log;
    std::vector<Buffer> packets;           // bytes of each packet, in order
    std::vector<ConnectionInfo> opened;

    void on_open(const ConnectionInfo& c) override {
        opened.push_back(c);
        log.push_back("open " + std::to_string(c.stream) + " " + c.client_text + " -> " +
                      c.server_text + (c.roles_known ? "" : " roles?") + (c.syn_seen ? "" : " nosyn") +
                      (c.auto_detected ? " auto" : "") + (c.tls ? " tls" : ""));
    }
    /// A run of unbuilt clean packets (PacketSeen::packet null) is logged as "run ... packets=N".
    void on_packet(const Delivery& d, const PacketSeen& p) override {
        packets.emplace_back(p.bytes.begin(), p.bytes.end());
        std::string line = (p.packet ? "pkt " : "run ") + std::to_string(d.connection.stream) + " " +
                           std::string(direction_name(d.direction)) + " #" + std::to_string(d.frame) + " " +
                           std::string(mqtt::type_name(static_cast<mqtt::PacketType>(p.bytes[0] >> 4))) +
                           " size=" + std::to_string(p.bytes.size()) + " off=" + std::to_string(p.stream_offset);
        const auto version = d.connection.version;
        if (version) line += " v" + std::to_string(static_cast<int>(*version));  // the level byte
        if (!p.packet) {
            std::size_t n = 0;
            mqtt::for_each_packet(p.bytes, [&](mqtt::Bytes, std::size_t) { ++n; });
            line += " packets=" + std::to_string(n);
        }
        log.push_back(line);
        src_dst.push_back(std::string(d.src) + " -> " + std::string(d.dst));
    }
    void on_event(const ConnectionInfo& c, const Conversation&, const StreamEvent& e) override {
        std::string line = std::string(stream_event_name(e.kind)) + " " + std::to_string(c.stream) + " " +
                           std::string(direction_name(e.direction)) + " #" + std::to_string(e.frame) +
                           " off=" + std::to_string(e.stream_offset) + " size=" + std::to_string(e.size);
        if (e.kind == StreamEventKind::framing_error) {
            line += " " + std::string(mqtt::code_info(e.code).name);
        }
        codes.push_back(e.code);
        log.push_back(line);
    }
    void on_close(const ConnectionInfo& c, const Conversation&, const Closing& e) override {
        log.push_back("close " + std::to_string(c.stream) + " " + std::string(close_reason_name(e.reason)));
    }

    std::vector<std::string> src_dst;
    std::vector<mqtt::Code> codes;  // of each stream event, in order
};

/// A temporary file removed on destruction.
class TempFile {
public:
    TempFile() {
        char name[] = "/tmp/mqttlens-capture-XXXXXX";
        const int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        if (fd >= 0) ::close(fd);
        path_ = name;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// The capture layer's options and the framing's.
struct Options : DissectorOptions {
    StreamOptions streams;  ///< MQTT and TLS ports, auto-detection, resync bound, framer
    bool build_clean_publish = true;  ///< EngineOptions::build_clean_publish
};
/// The capture layer's counts and the framing's.
struct Stats : DissectorStats {
    StreamStats mqtt;
};

/// Records in, a Listener's MQTT packets and stream events out: the Dissector's byte streams
/// through the engine.
class FramedDissector {
public:
    explicit FramedDissector(Listener& listener, Options options = {})
        : engine_(listener, EngineOptions{std::move(options.streams), options.build_clean_publish}),
          dissector_(engine_, options) {}
    RunResult run(CaptureSource& source) { return dissector_.run(source); }
    void process(const Record& record) { dissector_.process(record); }
    void finish() { dissector_.finish(); }
    Stats stats() const {
        Stats s;
        static_cast<DissectorStats&>(s) = dissector_.stats();
        s.mqtt = engine_.stream_stats();
        return s;
    }

private:
    Engine engine_;
    Dissector dissector_;
};

struct Outcome {
    RunResult result;
    Recorder recorder;
    Stats stats;
    const std::vector<std::string>& log() const { return recorder.log; }
};

/// Writes `capture` to a temp file, opens it with libpcap and runs the dissector over it.
inline Outcome dissect(Bytes capture, Options options = {}) {
    Outcome out;
    TempFile file;
    EXPECT_TRUE(save_file(file.path(), capture));
    auto opened = CaptureSource::open_file(file.path());
    EXPECT_TRUE(opened) << opened.error;
    if (!opened) return out;
    FramedDissector dissector(out.recorder, std::move(options));
    out.result = dissector.run(*opened.source);
    out.stats = dissector.stats();
    return out;
}
inline Outcome dissect(const PcapWriter& writer, Options options = {}) {
    return dissect(Bytes(writer.bytes()), std::move(options));
}

using Log = std::vector<std::string>;

/// Runs tshark (a real peer) on `capture` with checksum validation on and returns its
/// `-T fields` output (`fields`: "-e frame.number -e ..."), one line per frame.
inline std::string tshark(Bytes capture, const std::string& fields) {
    TempFile file;
    EXPECT_TRUE(save_file(file.path(), capture));
    const std::string cmd = "timeout 60 tshark -n -r " + file.path() +
                            " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -T fields " + fields +
                            " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    EXPECT_TRUE(pipe);
    std::string out;
    char buf[4096];
    while (pipe && std::fgets(buf, sizeof buf, pipe.get())) out += buf;
    return out;
}

}  // namespace mqttlens::capture::test
