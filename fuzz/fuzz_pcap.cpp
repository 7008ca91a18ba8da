// fuzz_pcap: the whole capture path on a pcap or pcapng file held in memory.
//
// Input: capture file bytes. libpcap reads them from memory (CaptureSource::open_memory:
// fmemopen + pcap_fopen_offline); the Dissector takes link, IP and TCP (with the bounds as
// shipped, or small ones, by the input), reassembles, frames and hands over MQTT packets to the
// conversation engine as mqtt-dissect runs it (clean QoS 0 PUBLISHes built or not, by the
// input), which decodes and checks each (TLS decrypted with the key log a pcapng input carries,
// WebSocket unframed); what it hands over is printed in
// the format the input chooses (summary, tree or JSON, hex dump or not) through an output::Writer
// to /dev/null, or counted in the --stats tables (stats::Accumulator, small limits or not), which
// are printed at the end as text or JSON. Stream events go through the framing-error printer.
//
// How a file is read (CaptureSource::open_file, its block reader) is fuzz_pcap_read's: that every
// way of reading gives libpcap's records.
//
// Properties (abort on violation): every decoded packet satisfies the decoder's invariants and
// is whole (no framing diagnostic: the capture layer frames); a packet handed over unbuilt is a
// PUBLISH the decoder and the session rules find nothing wrong with; `error` says whether a
// finding is an error; events come in connection order (open before packets, nothing after
// close); the engine counts each connection's packets as they were handed over; end findings
// come in packet order; the frame numbers never exceed the records read; the statistics count
// every packet handed over.
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "capture/dissector.hpp"
#include "capture/pcapng_secrets.hpp"
#include "engine/engine.hpp"
#include "mqtt/decoder.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"
#include "stats/stats.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>

using namespace mqttlens;

namespace {

/// Checks what the engine hands over and prints it, in the format `options` names, to `out`, or
/// counts it in `stats` when given (as mqtt-dissect --stats does).
class NullSink : public engine::Listener {
public:
    NullSink(output::PrintOptions options, output::Writer& out, stats::Accumulator* stats)
        : options_(options), out_(out), stats_(stats) {}

    void on_open(const engine::ConnectionInfo& c) override {
        MQTTLENS_FUZZ_CHECK(!open_.contains(c.stream));
        open_.emplace(c.stream, 0);
        if (stats_) stats_->open_connection(c.stream, c.client_text, c.server_text, engine::micros(c.first_ts));
    }

    void on_packet(const engine::Delivery& d, const engine::PacketSeen& e) override {
        MQTTLENS_FUZZ_CHECK(!e.bytes.empty(), e.bytes);
        if (e.packet) return one_packet(d, e);
        // A run of unbuilt packets: each one whole, back to back (a cut one fails below).
        mqtt::for_each_packet(e.bytes, [&](mqtt::Bytes one, std::size_t at) {
            one_packet(d, engine::PacketSeen{one, e.stream_offset + at, e.version, nullptr, e.stream, e.alias_topic, e.error});
        });
    }

    void one_packet(const engine::Delivery& d, const engine::PacketSeen& e) {
        const auto open = open_.find(d.connection.stream);
        MQTTLENS_FUZZ_CHECK(open != open_.end(), e.bytes);
        ++open->second;
        // A packet handed over unbuilt is one the decoder finds nothing wrong with.
        const mqtt::Packet unbuilt = e.packet ? mqtt::Packet{} : mqtt::decode_clean(e.bytes, e.version);
        if (!e.packet) {
            const mqtt::Packet full = mqtt::decode(e.bytes, e.version);
            MQTTLENS_FUZZ_CHECK(full.diagnostics.empty() && full.type() == mqtt::PacketType::publish, e.bytes);
            MQTTLENS_FUZZ_CHECK(unbuilt.type() == mqtt::PacketType::publish && e.stream.empty(), e.bytes);
        }
        const mqtt::Packet& p = e.packet ? *e.packet : unbuilt;
        volatile unsigned sink = fuzz::check_decoded(p, e.bytes, e.version);
        (void)sink;
        MQTTLENS_FUZZ_CHECK(p.header.size() + p.header.remaining_length == e.bytes.size(), e.bytes);
        MQTTLENS_FUZZ_CHECK(!p.diagnostics.has(mqtt::Code::packet_truncated), e.bytes);
        MQTTLENS_FUZZ_CHECK(!p.diagnostics.has(mqtt::Code::packet_length_mismatch), e.bytes);
        const bool stream_error = std::any_of(e.stream.begin(), e.stream.end(), [](const mqtt::Diagnostic& x) {
            return x.severity == mqtt::Severity::error;
        });
        MQTTLENS_FUZZ_CHECK(e.error == (!p.valid() || stream_error), e.bytes);
        if (stats_) {
            // Statistics need every packet built (mqtt-dissect builds them all with --stats).
            MQTTLENS_FUZZ_CHECK(e.packet != nullptr, e.bytes);
            const std::uint64_t before = stats_->total().packets;
            stats_->add_packet(d.connection.stream, d.direction, p, e.stream, d.time_us, e.alias_topic);
            MQTTLENS_FUZZ_CHECK(stats_->total().packets == before + 1, e.bytes);
            last_frame_ = d.frame;
            return;
        }

        output::Context context;
        context.frame = d.frame;
        context.ts = d.ts;
        context.stream = d.connection.stream;
        context.src = d.src;
        context.dst = d.dst;
        context.direction = d.direction;
        context.offset = e.stream_offset;
        context.extra = e.stream;
        context.alias_topic = e.alias_topic;
        output::print_packet(out_.buffer(), p, context, options_);
        out_.commit();
        last_frame_ = d.frame;
    }

    void on_event(const engine::ConnectionInfo& c, const engine::Conversation&, const engine::StreamEvent& e) override {
        MQTTLENS_FUZZ_CHECK(open_.contains(c.stream));
        if (stats_) {
            // As mqtt-dissect: a resync repeats the finding before it; a TLS mark is no finding.
            const bool finding = e.kind != engine::StreamEventKind::resync && e.kind != engine::StreamEventKind::tls;
            if (finding && e.code != mqtt::Code::count_)
                stats_->add_diagnostic(c.stream, mqtt::Diagnostic{e.code, mqtt::code_info(e.code).severity, mqtt::Field::none, 0});
            return;
        }
        output::Context context;
        context.stream = c.stream;
        context.src = e.src;
        context.dst = e.dst;
        context.offset = e.stream_offset;
        output::print_framing_error(out_.buffer(), output::FramingError{e.code, e.stream_offset, {}}, context, options_);
        out_.commit();
    }

    void on_close(const engine::ConnectionInfo& c, const engine::Conversation& conversation,
                  const engine::Closing& end) override {
        const auto open = open_.find(c.stream);
        MQTTLENS_FUZZ_CHECK(open != open_.end());
        MQTTLENS_FUZZ_CHECK(conversation.packets() == open->second);
        open_.erase(open);
        std::uint64_t previous = 0;
        for (const mqtt::EndFinding& f : end.findings) {
            MQTTLENS_FUZZ_CHECK(static_cast<std::size_t>(f.diagnostic.code) < mqtt::code_count);
            MQTTLENS_FUZZ_CHECK(f.ref >= previous);  // ordered by the packet they are about
            previous = f.ref;
            if (stats_) stats_->add_diagnostic(c.stream, f.diagnostic);
        }
        const std::string_view how = capture::close_reason_name(end.reason);  // every reason has a name
        MQTTLENS_FUZZ_CHECK(!how.empty());
        if (stats_) stats_->close_connection(c.stream, end.time_us, how);
    }

    std::uint64_t last_frame() const noexcept { return last_frame_; }

private:
    output::PrintOptions options_;
    output::Writer& out_;
    stats::Accumulator* stats_;
    std::map<std::uint32_t, std::uint64_t> open_;  // stream: packets handed over
    std::uint64_t last_frame_ = 0;
};

std::FILE* dev_null() {
    static std::FILE* file = std::fopen("/dev/null", "w");
    return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Choices taken from the input itself, so that a crash replays.
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 16777619u;
    auto opened = capture::CaptureSource::open_memory(mqtt::Bytes(data, size));
    if (!opened) return 0;
    // One output per input (the printers cost more than the rest of the path): summary, tree,
    // JSON, each with or without a hex dump and the whole payload; or the statistics, with the
    // default limits or limits of a few rows, printed as text or JSON.
    output::PrintOptions print;
    print.format = std::array{output::Format::summary, output::Format::tree, output::Format::json}[hash % 3];
    print.hex_dump = ((hash >> 4) & 1) != 0;
    print.payload_max = ((hash >> 5) & 1) != 0 ? 0 : 64;
    std::optional<stats::Accumulator> stats;
    if ((hash >> 6) % 4 == 0)
        stats.emplace(((hash >> 8) & 1) != 0 ? stats::Limits{} : stats::Limits{2, 16, 2, 8});
    output::Writer out(dev_null(), 16 * 1024);
    NullSink sink(print, out, stats ? &*stats : nullptr);
    // mqtt-dissect's engine as it ships: with every packet built (statistics, filters) or with
    // the clean QoS 0 PUBLISHes handed over unbuilt (printing only).
    engine::EngineOptions options;
    options.build_clean_publish = stats || ((hash >> 3) & 1) != 0;
    // A pcapng carries its TLS key log in Decryption Secrets Blocks, as mqtt-dissect reads it:
    // TLS seeds decrypt, and the record layer and key schedule are fuzzed behind the handshake.
    transport::KeyLog keys;
    for (const auto& s : capture::read_pcapng_secrets(mqtt::Bytes(data, size), "input").secrets) {
        if (s.type == capture::secrets_tls_key_log) keys.add(s.data, "input");
    }
    options.streams.transport.tls.keys = &keys;
    if (((hash >> 14) & 1) != 0) options.streams.ws_ports.push_back(443);  // wss as nginx serves it
    engine::Engine engine(sink, std::move(options));
    // The capture layer's bounds as shipped, or small enough that a few packets reach them
    // (eviction, gaps declared, closed connections forgotten, fragments dropped).
    capture::DissectorOptions bounds;
    if ((hash >> 12) % 4 == 0) {
        bounds.reassembly.max_out_of_order = 600;
        bounds.reassembly.max_out_of_order_total = 1000;
        bounds.reassembly.closed_linger_seconds = 1;
        bounds.reassembly.max_closed = 2;
        bounds.reassembly.max_connections = 2;
        bounds.defrag.max_datagrams = 2;
        bounds.defrag.max_bytes = 3000;
        bounds.defrag.timeout_ns = 1'000'000'000;
    }
    capture::Dissector dissector(engine, bounds);
    dissector.run(*opened.source);
    MQTTLENS_FUZZ_CHECK(sink.last_frame() <= dissector.stats().records);
    if (stats) {
        if (((hash >> 9) & 1) != 0)
            stats::print_json(*stats, out.buffer());
        else
            stats::print_text(*stats, out.buffer(), (hash >> 10) % 4);
    }
    MQTTLENS_FUZZ_CHECK(out.flush());
    return 0;
}
