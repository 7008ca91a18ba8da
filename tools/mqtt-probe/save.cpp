// --save DIR: <case-id>.craft (the packets sent, replayable with mqtt-craft) and <case-id>.pcap (both
// directions, every recorded byte at the time it crossed, in a synthetic TCP conversation per
// connection written with the capture library's PcapWriter).
#include "save.hpp"

#include "capture/pcap_writer.hpp"
#include "craft_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

namespace mqttlens::probe {

namespace {

using capture::Side;
using Kind = WireEvent::Kind;

/// `text` on one comment line: control characters become spaces.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return out;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string craft_text(const Result& r, const std::string& target) {
    const Case& c = *r.test;
    std::string out = fmt::format("# mqtt-probe conform --save: case {}, verdict {}\n", c.id, verdict_name(r.verdict));
    out += fmt::format("# rule: {} ({}), {}: {}\n", c.rule, c.version, c.section, c.title);
    out += fmt::format("# expected: {}\n# happened: {}\n", expected(c), one_line(r.detail));
    for (const std::string& f : r.findings) out += fmt::format("# broker finding: {}\n", one_line(f));
    out += fmt::format("# broker: {}\n# date: {}\n", one_line(target), utc_now());
    out += fmt::format("# replay: mqtt-craft script {}.craft --send {}\n", c.id, one_line(target));
    const bool several = std::any_of(r.wire.begin(), r.wire.end(), [](const WireEvent& e) { return e.connection; });
    if (several)
        out += "# the case uses two connections; mqtt-craft sends on one, so connection 1's packets are comments\n";
    out += fmt::format("# one line per packet the probe sent, in order; both directions are in {}.pcap\n", c.id);
    for (const WireEvent& e : r.wire) {
        if (e.kind != Kind::sent) continue;
        const std::string line = craft_line(mqtt::Bytes(e.bytes));
        out += e.connection ? fmt::format("# connection {}: {}\n", e.connection, line) : line + "\n";
    }
    return out;
}

std::string write_file(const std::filesystem::path& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return fmt::format("--save: cannot write {}: {}", path.string(), std::strerror(errno));
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) return fmt::format("--save: cannot write {}", path.string());
    return {};
}

/// The pcap of one case: each connection a TCP conversation between 192.0.2.1:50000+N and
/// 192.0.2.2:1883, each event at its wall-clock time (never before the previous record).
class PcapExchange {
public:
    explicit PcapExchange(std::FILE* out) : writer_(out, capture::WriterOptions{}) {}

    void add(const WireEvent& e) {
        const Timestamp at{e.unix_ns / 1'000'000'000, static_cast<std::uint32_t>(e.unix_ns % 1'000'000'000)};
        if (e.kind == Kind::opened) {
            conversations_.insert_or_assign(
                e.connection, capture::TcpConversation(
                                  capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 1),
                                                    static_cast<std::uint16_t>(50000 + e.connection)},
                                  capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 2), 1883}));
        }
        auto it = conversations_.find(e.connection);
        if (it == conversations_.end()) return;
        capture::TcpConversation& tcp = it->second;
        tcp.set_step_ns(1000);
        tcp.set_time(std::max(at, last_));
        switch (e.kind) {
        case Kind::opened: write(tcp.handshake()); break;
        case Kind::sent: data(tcp, Side::client, e.bytes); break;
        case Kind::received: data(tcp, Side::server, e.bytes); break;
        case Kind::broker_closed: write(tcp.close(Side::server)); break;
        case Kind::broker_reset: writer_.write(tcp.rst(Side::server)); break;
        case Kind::probe_closed: write(tcp.close(Side::client)); break;
        }
        last_ = tcp.time();
    }

    bool finish() {
        writer_.flush();
        return writer_.ok();
    }

private:
    void write(const std::vector<capture::TcpSegmentSpec>& segments) {
        for (const auto& s : segments) writer_.write(s);
    }

    /// `bytes` from `side` in segments of at most one MSS, then an ACK from the other side.
    void data(capture::TcpConversation& tcp, Side side, const std::vector<std::uint8_t>& bytes) {
        constexpr std::size_t mss = 1460;
        const mqtt::Bytes all(bytes);
        for (std::size_t at = 0; at < all.size(); at += mss)
            writer_.write(tcp.data(side, all.subspan(at, std::min(mss, all.size() - at))));
        writer_.write(tcp.ack(side == Side::client ? Side::server : Side::client));
    }

    capture::PcapWriter writer_;
    std::map<std::uint8_t, capture::TcpConversation> conversations_;
    Timestamp last_{};
};

std::string write_pcap(const std::filesystem::path& path, const std::vector<WireEvent>& wire) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return fmt::format("--save: cannot write {}: {}", path.string(), std::strerror(errno));
    bool ok;
    {
        PcapExchange pcap(f);
        for (const WireEvent& e : wire) pcap.add(e);
        ok = pcap.finish();
    }
    if (std::fclose(f) != 0 || !ok) return fmt::format("--save: cannot write {}", path.string());
    return {};
}

}  // namespace

std::string prepare_save_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fmt::format("--save {}: cannot create the directory: {}", dir, ec.message());
    if (!std::filesystem::is_directory(dir, ec)) return fmt::format("--save {}: not a directory", dir);
    const std::filesystem::path probe = std::filesystem::path(dir) / ".mqtt-probe-write-test";
    std::FILE* f = std::fopen(probe.c_str(), "wb");
    if (!f) return fmt::format("--save {}: cannot write in the directory: {}", dir, std::strerror(errno));
    std::fclose(f);
    std::filesystem::remove(probe, ec);
    return {};
}

bool worth_saving(Verdict v) noexcept { return v == Verdict::fail || v == Verdict::inconclusive; }

std::string save_case(const std::string& dir, const Result& r, const std::string& target) {
    const std::filesystem::path base = std::filesystem::path(dir) / std::string(r.test->id);
    if (std::string error = write_file(base.string() + ".craft", craft_text(r, target)); !error.empty()) return error;
    return write_pcap(base.string() + ".pcap", r.wire);
}

std::string save_exchange(const std::string& base, const std::string& header, const std::vector<WireEvent>& wire) {
    std::string text = header;
    for (const WireEvent& e : wire)
        if (e.kind == Kind::sent) text += craft_line(mqtt::Bytes(e.bytes)) + "\n";
    if (std::string error = write_file(base + ".craft", text); !error.empty()) return error;
    return write_pcap(base + ".pcap", wire);
}

}  // namespace mqttlens::probe
