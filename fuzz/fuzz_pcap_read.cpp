// fuzz_pcap_read: the capture readers agree on a pcap or pcapng file.
//
// Input: capture file bytes. mqtt-dissect reads a file with CaptureSource::open_file (its own
// block reader for classic pcap, with or without a read-ahead thread; libpcap for pcapng); the
// other harnesses read from memory through libpcap (CaptureSource::open_memory). Here the bytes
// are written to a memory file (memfd) and read both ways.
//
// Properties (abort on violation): the file gives libpcap's records from memory (frame, time,
// lengths, bytes), the same end and the same error message (with a capture filter: some of those
// records, numbered as without it, or a message naming the filter; stopped, it says so from then
// on; it never counts dropped records); the block reader alone, with a block size of 1 to 2048
// bytes and read-ahead (one input in sixteen) taken from a hash of the input, gives a prefix of
// those records, ending where libpcap ends cleanly or handing back exactly at a record's start.
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "capture/pcap_blocks.hpp"

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace mqttlens;

namespace {

/// The block reader alone on the file open on `fd`, `block_size` bytes a read, with or without
/// read-ahead: its records are the first ones libpcap reads from memory, and it ends where
/// libpcap ends cleanly or hands back exactly at the start of the next record.
void block_reader_gives_a_prefix(mqtt::Bytes bytes, int fd, std::size_t block_size, bool ahead) {
    auto reader = capture::PcapBlockReader::open(fd, capture::PcapBlockReader::Options{block_size});
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(("/proc/self/fd/" + std::to_string(fd)).c_str(), errbuf);
    // A file the reader takes is one libpcap opens, with the same snapshot length and link type.
    MQTTLENS_FUZZ_CHECK(!reader || p != nullptr, bytes);
    if (p == nullptr) return;
    if (const auto header = capture::PcapBlockReader::read_file_header(fd)) {
        MQTTLENS_FUZZ_CHECK(header->snapshot == static_cast<std::uint32_t>(pcap_snapshot(p)), bytes);
        MQTTLENS_FUZZ_CHECK(header->link_type == pcap_datalink(p), bytes);
    }
    pcap_close(p);
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

/// Filters mqtt-dissect may be given (-f), the last ones not valid.
constexpr std::array<std::string_view, 8> filters = {
    "tcp", "tcp port 1883", "ip6", "not tcp", "tcp[13] & 2 != 0", "vlan and tcp", "tcp port", "(((",
};

/// The same bytes as a file, read with CaptureSource's block reader where it applies (with
/// read-ahead when `choice` says so), give what libpcap gives reading them from memory: the
/// same records, the same end, the same message. So does the block reader alone, with a block
/// size and read-ahead taken from `choice`. With a capture filter (taken from `choice` in one
/// input in two) the file gives some of those records, numbered as without the filter, or fails
/// to open with a message naming the filter.
void same_records_from_a_file(mqtt::Bytes bytes, std::uint32_t choice) {
    // One memory file for every input, emptied and rewritten (a new one per input costs more
    // than reading it).
    static const int fd = memfd_create("fuzz_pcap_read", 0);
    if (fd < 0 || ftruncate(fd, 0) != 0) return;
    if (pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) return;
    // Read-ahead in one input in sixteen, in at most about 8 blocks (its three buffers go round
    // twice): a thread and a wake-up per block cost more than the rest of the input, and far
    // more when the other cores are busy (each hand-over waits for the other thread's turn).
    const bool ahead = ((choice >> 20) & 15) == 0;
    const std::size_t block_size = 1 + (choice >> 8) % 2048;
    block_reader_gives_a_prefix(bytes, fd, ahead ? std::max(block_size, bytes.size() / 8) : block_size, ahead);
    static_assert(filters.size() == 8, "a filter in one input in two: the top four bits pick");
    const std::size_t pick = choice >> 28;
    const std::string filter(pick < filters.size() ? filters[pick] : std::string_view());
    auto from_file = capture::CaptureSource::open_file("/proc/self/fd/" + std::to_string(fd), filter);
    auto from_memory = capture::CaptureSource::open_memory(bytes);
    if (!from_file && from_memory && !filter.empty()) {
        MQTTLENS_FUZZ_CHECK(from_file.error.starts_with("invalid filter \"" + filter + "\": "), bytes);
        return;
    }
    MQTTLENS_FUZZ_CHECK(bool(from_file) == bool(from_memory), bytes);
    if (from_file) {
        if (((choice >> 24) & 15) == 0) from_file.source->read_ahead(nullptr);
        // Stopped (mqtt-dissect on Ctrl-C) after a few records in one input in eight.
        const std::uint64_t stop_after = ((choice >> 4) & 7) == 0 ? (choice & 15) : ~std::uint64_t{0};
        capture::Record a, b;
        for (std::uint64_t read = 0;; ++read) {
            if (read == stop_after) {
                from_file.source->stop();
                MQTTLENS_FUZZ_CHECK(from_file.source->next(a) == capture::CaptureSource::Status::stopped, bytes);
                MQTTLENS_FUZZ_CHECK(from_file.source->next(a) == capture::CaptureSource::Status::stopped, bytes);
                return;
            }
            const auto sa = from_file.source->next(a);
            auto sb = from_memory.source->next(b);
            // The records the filter rejects are skipped, and still numbered.
            while (!filter.empty() && sb == capture::CaptureSource::Status::record &&
                   (sa != capture::CaptureSource::Status::record || b.frame < a.frame))
                sb = from_memory.source->next(b);
            MQTTLENS_FUZZ_CHECK(sa == sb, bytes);
            if (sa != capture::CaptureSource::Status::record) break;
            MQTTLENS_FUZZ_CHECK(a.frame == b.frame && a.ts == b.ts && a.caplen == b.caplen && a.len == b.len, bytes);
            MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(a.bytes, b.bytes), bytes);
        }
        MQTTLENS_FUZZ_CHECK(from_file.source->error() == from_memory.source->error(), bytes);
        MQTTLENS_FUZZ_CHECK(from_file.source->dropped() == 0, bytes);  // only a live capture drops
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < size && i < 64; ++i) hash = (hash ^ data[i]) * 16777619u;
    same_records_from_a_file(mqtt::Bytes(data, size), hash ^ static_cast<std::uint32_t>(size));
    return 0;
}
