// fuzz_pcap_read: the capture readers agree on a pcap or pcapng file.
//
// Input: capture file bytes. mqtt-dissect reads a file with CaptureSource::open_file (its own
// block reader for classic pcap, with or without a read-ahead thread; libpcap for pcapng); the
// other harnesses read from memory through libpcap (CaptureSource::open_memory). Here the bytes
// are written to a memfd and read both ways.
//
// Properties (abort on violation): the file gives libpcap's records from memory (frame, time,
// lengths, bytes), the same end and the same error message; the block reader alone, with a block
// size of 1 to 2048 bytes and read-ahead (one input in four) taken from a hash of the input,
// gives a prefix of those records, ending where libpcap ends cleanly or handing back exactly at
// a record's start.
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "capture/pcap_blocks.hpp"

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace mqttlens;

namespace {

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
    // Read-ahead in one input in four, in at most about 16 blocks (its three buffers go round
    // several times): a thread and a wake-up per block cost more than the rest of the input.
    const bool ahead = ((choice >> 20) & 3) == 0;
    const std::size_t block_size = 1 + (choice >> 8) % 2048;
    block_reader_gives_a_prefix(bytes, fd, ahead ? std::max(block_size, bytes.size() / 16) : block_size, ahead);
    auto from_file = capture::CaptureSource::open_file("/proc/self/fd/" + std::to_string(fd));
    auto from_memory = capture::CaptureSource::open_memory(bytes);
    MQTTLENS_FUZZ_CHECK(bool(from_file) == bool(from_memory), bytes);
    if (from_file) {
        if (((choice >> 23) & 3) == 0) from_file.source->read_ahead(nullptr);
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
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < size && i < 64; ++i) hash = (hash ^ data[i]) * 16777619u;
    same_records_from_a_file(mqtt::Bytes(data, size), hash ^ static_cast<std::uint32_t>(size));
    return 0;
}
