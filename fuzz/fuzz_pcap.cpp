// fuzz_pcap: the whole capture path on a pcap or pcapng file held in memory.
//
// Input: capture file bytes. libpcap reads them from memory (CaptureSource::open_memory:
// fmemopen + pcap_fopen_offline); the Dissector takes link, IP and TCP, reassembles, frames and
// hands over MQTT packets to the conversation engine as mqtt-dissect runs it (clean QoS 0 PUBLISHes
// built or not, by the input), which decodes and checks each; what it hands over is printed in
// the format the input chooses (summary, tree or JSON, hex dump or not) into a buffer that is
// thrown away. Stream events go through the framing-error printer.
//
// How a file is read (CaptureSource::open_file, its block reader) is fuzz_pcap_read's: that every
// way of reading gives libpcap's records.
//
// Properties (abort on violation): every decoded packet satisfies the decoder's invariants and
// is whole (no framing diagnostic: the capture layer frames); a packet handed over unbuilt is a
// PUBLISH the decoder and the session rules find nothing wrong with; `error` says whether a
// finding is an error; events come in connection order (open before packets, nothing after
// close); the engine counts each connection's packets as they were handed over; end findings
// come in packet order; the frame numbers never exceed the records read.
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "capture/dissector.hpp"
#include "engine/engine.hpp"
#include "mqtt/decoder.hpp"
#include "output/printer.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>

using namespace mqttlens;

namespace {

/// Checks what the engine hands over and prints it, in the format `options` names, into a buffer
/// thrown away.
class NullSink : public engine::Listener {
public:
    explicit NullSink(output::PrintOptions options) : options_(options) {}

    void on_open(const engine::ConnectionInfo& c) override {
        MQTTLENS_FUZZ_CHECK(!open_.contains(c.stream));
        open_.emplace(c.stream, 0);
    }

    void on_packet(const engine::Delivery& d, const engine::PacketSeen& e) override {
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

        output::Context context;
        context.frame = d.frame;
        context.ts = d.ts;
        context.stream = d.connection.stream;
        context.src = d.src;
        context.dst = d.dst;
        context.direction = d.direction;
        context.offset = e.stream_offset;
        context.extra = e.stream;
        context.note = e.note;
        output::print_packet(buffer_, p, context, options_);
        drop();
        last_frame_ = d.frame;
    }

    void on_event(const engine::ConnectionInfo& c, const engine::Conversation&, const engine::StreamEvent& e) override {
        MQTTLENS_FUZZ_CHECK(open_.contains(c.stream));
        output::Context context;
        context.stream = c.stream;
        context.src = e.src;
        context.dst = e.dst;
        context.offset = e.stream_offset;
        output::print_framing_error(buffer_, output::FramingError{e.code, e.stream_offset, {}}, context, options_);
        drop();
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
        }
    }

    std::uint64_t last_frame() const noexcept { return last_frame_; }

private:

    void drop() {
        if (buffer_.size() > 64 * 1024) buffer_.clear();
    }

    output::PrintOptions options_;
    std::map<std::uint32_t, std::uint64_t> open_;  // stream: packets handed over
    std::uint64_t last_frame_ = 0;
    output::Buffer buffer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Choices taken from the input itself, so that a crash replays.
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < size; ++i) hash = (hash ^ data[i]) * 16777619u;
    auto opened = capture::CaptureSource::open_memory(mqtt::Bytes(data, size));
    if (!opened) return 0;
    // One output format per input (the printers cost more than the rest of the path): summary,
    // tree, JSON, each with or without a hex dump and the whole payload.
    output::PrintOptions print;
    print.format = std::array{output::Format::summary, output::Format::tree, output::Format::json}[hash % 3];
    print.hex_dump = ((hash >> 4) & 1) != 0;
    print.payload_max = ((hash >> 5) & 1) != 0 ? 0 : 64;
    NullSink sink(print);
    // mqtt-dissect's engine as it ships: with every packet built (statistics, filters) or with
    // the clean QoS 0 PUBLISHes handed over unbuilt (printing only).
    engine::EngineOptions options;
    options.build_clean_publish = ((hash >> 3) & 1) != 0;
    engine::Engine engine(sink, std::move(options));
    capture::Dissector dissector(engine);
    dissector.run(*opened.source);
    MQTTLENS_FUZZ_CHECK(sink.last_frame() <= dissector.stats().records);
    return 0;
}
