// fuzz_pcap: the whole capture path on a pcap or pcapng file held in memory.
//
// Input: capture file bytes. libpcap reads them from memory (CaptureSource::open_memory:
// fmemopen + pcap_fopen_offline); the Dissector takes link, IP and TCP, reassembles, frames and
// hands over MQTT packets to the conversation engine as mqtt-dissect runs it (clean QoS 0 PUBLISHes
// built or not, by the input), which decodes and checks each; what it hands over is printed as
// summary, tree (with hex dump) and JSON into a buffer that is thrown away. Stream events go
// through the framing-error printer.
//
// Also, for one input in four (by a hash of the input): the bytes written to a file and read by
// CaptureSource::open_file (with its block reader for classic pcap, with or without read-ahead)
// give the records, end and error message that libpcap gives from memory; and the block reader
// alone, with a block size of 1 to 2048 bytes taken from the hash, gives a prefix of them.
//
// Properties (abort on violation): every decoded packet satisfies the decoder's invariants and
// is whole (no framing diagnostic: the capture layer frames); a packet handed over unbuilt is a
// PUBLISH the decoder and the session rules find nothing wrong with; `error` says whether a
// finding is an error; events come in connection order (open before packets, nothing after
// close); the engine counts each connection's packets as they were handed over; end findings
// come in packet order; the frame numbers never exceed the records read.
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "engine/consumer.hpp"
#include "capture/dissector.hpp"
#include "capture/pcap_blocks.hpp"
#include "mqtt/decoder.hpp"
#include "engine/engine.hpp"
#include "output/printer.hpp"

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <limits>
#include <cstdint>
#include <map>
#include <vector>

using namespace mqttlens;

namespace {

/// Checks what the engine hands over and prints it in every format into a buffer thrown away.
class NullSink : public engine::Listener {
public:
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
        print_all(p, context);
        last_frame_ = d.frame;
    }

    void on_event(const engine::ConnectionInfo& c, const engine::Conversation&, const engine::StreamEvent& e) override {
        MQTTLENS_FUZZ_CHECK(open_.contains(c.stream));
        output::Context context;
        context.stream = c.stream;
        context.src = e.src;
        context.dst = e.dst;
        context.offset = e.stream_offset;
        const output::FramingError error{e.code, e.stream_offset, {}};
        for (auto format : {output::Format::summary, output::Format::tree, output::Format::json}) {
            output::PrintOptions po;
            po.format = format;
            output::print_framing_error(buffer_, error, context, po);
        }
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
    void print_all(const mqtt::Packet& p, const output::Context& context) {
        for (auto format : {output::Format::summary, output::Format::tree, output::Format::json}) {
            output::PrintOptions po;
            po.format = format;
            po.hex_dump = format != output::Format::summary;
            po.payload_max = format == output::Format::json ? 0 : 64;
            output::print_packet(buffer_, p, context, po);
        }
        drop();
    }
    void drop() {
        if (buffer_.size() > 64 * 1024) buffer_.clear();
    }

    std::map<std::uint32_t, std::uint64_t> open_;  // stream: packets handed over
    std::uint64_t last_frame_ = 0;
    output::Buffer buffer_;
};

/// The block reader alone on the file open on `fd`, `block_size` bytes a read, with or without
/// read-ahead: its records are the first ones libpcap reads from memory, and it ends where
/// libpcap ends cleanly or hands back exactly at the start of the next record.
void block_reader_gives_a_prefix(mqtt::Bytes bytes, int fd, std::size_t block_size, bool ahead) {
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(("/proc/self/fd/" + std::to_string(fd)).c_str(), errbuf);
    if (p == nullptr) return;
    const auto snapshot = static_cast<std::uint32_t>(pcap_snapshot(p));
    pcap_close(p);
    auto reader = capture::PcapBlockReader::open(fd, 24, snapshot, capture::PcapBlockReader::Options{block_size});
    auto libpcap = capture::CaptureSource::open_memory(bytes);
    if (!reader || !libpcap) return;
    if (ahead) reader->start_read_ahead(nullptr);
    std::uint64_t next_at = 24;
    for (;;) {
        capture::PcapBlockReader::Record r;
        const auto result = reader->next(r);
        if (result == capture::PcapBlockReader::Result::hand_back) {
            MQTTLENS_FUZZ_CHECK(reader->offset() == next_at, bytes);
            return;
        }
        capture::Record b;
        const auto status = libpcap.source->next(b);
        if (result == capture::PcapBlockReader::Result::end) {
            MQTTLENS_FUZZ_CHECK(status == capture::CaptureSource::Status::end && next_at == bytes.size(), bytes);
            return;
        }
        MQTTLENS_FUZZ_CHECK(status == capture::CaptureSource::Status::record, bytes);
        const capture::Timestamp ts{r.sec, static_cast<std::uint32_t>(r.nsec)};
        MQTTLENS_FUZZ_CHECK(b.ts == ts, bytes);
        MQTTLENS_FUZZ_CHECK(r.caplen == b.caplen && r.len == b.len, bytes);
        MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(mqtt::Bytes(r.data, r.caplen), b.bytes), bytes);
        next_at += 16 + r.caplen;
    }
}

/// The same bytes as a file, read with CaptureSource's block reader where it applies (with
/// read-ahead when `choice` says so), give what libpcap gives reading them from memory: the
/// same records, the same end, the same message. So does the block reader alone, with a block
/// size and read-ahead taken from `choice`.
void same_records_from_a_file(mqtt::Bytes bytes, std::uint32_t choice) {
    const int fd = memfd_create("fuzz_pcap", 0);
    if (fd < 0) return;
    if (write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        close(fd);
        return;
    }
    block_reader_gives_a_prefix(bytes, fd, 1 + (choice >> 8) % 2048, (choice >> 20) & 1);
    auto from_file = capture::CaptureSource::open_file("/proc/self/fd/" + std::to_string(fd));
    auto from_memory = capture::CaptureSource::open_memory(bytes);
    MQTTLENS_FUZZ_CHECK(bool(from_file) == bool(from_memory), bytes);
    if (from_file) {
        if ((choice >> 21) & 1) from_file.source->read_ahead(nullptr);
        capture::Record a, b;
        for (;;) {
            const auto sa = from_file.source->next(a);
            const auto sb = from_memory.source->next(b);
            MQTTLENS_FUZZ_CHECK(sa == sb, bytes);
            if (sa != capture::CaptureSource::Status::record) break;
            MQTTLENS_FUZZ_CHECK(a.frame == b.frame && a.ts == b.ts && a.caplen == b.caplen && a.len == b.len, bytes);
            MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(a.bytes, b.bytes), bytes);
        }
        MQTTLENS_FUZZ_CHECK(from_file.source->error() == from_memory.source->error(), bytes);
    }
    close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Opening a file costs two large buffers and a memfd: one input in four takes that path,
    // chosen by the input itself so that a crash replays.
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < size && i < 64; ++i) hash = (hash ^ data[i]) * 16777619u;
    if ((hash ^ static_cast<std::uint32_t>(size)) % 4 == 0) same_records_from_a_file(mqtt::Bytes(data, size), hash);
    auto opened = capture::CaptureSource::open_memory(mqtt::Bytes(data, size));
    if (!opened) return 0;
    // mqtt-dissect's engine as it ships: with every packet built (statistics, filters) or with
    // the clean QoS 0 PUBLISHes handed over unbuilt (printing only), chosen by the input.
    NullSink sink;
    engine::EngineOptions options;
    options.build_clean_publish = ((hash >> 3) & 1) != 0;
    engine::Engine engine(sink, std::move(options));
    capture::Dissector dissector(engine);
    dissector.run(*opened.source);
    MQTTLENS_FUZZ_CHECK(sink.last_frame() <= dissector.stats().records);
    return 0;
}
