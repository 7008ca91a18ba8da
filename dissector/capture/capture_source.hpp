// Capture source: capture records from a pcap or pcapng file, stdin, memory, or a live interface.
#pragma once

#include "mqtt/packet.hpp"
#include "mqtt/timestamp.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <sched.h>
#include <string>

typedef struct pcap pcap_t;
struct bpf_program;

namespace mqttlens::capture {

class PcapBlockReader;
struct Libpcap;

using mqtt::Bytes;

/// Capture time, in seconds and nanoseconds since the epoch.
using mqttlens::Timestamp;

/// `to - from` in microseconds, saturating: a damaged capture may hold times ~2^63 s apart
/// (found by fuzz_pcap).
inline std::int64_t micros_between(Timestamp from, Timestamp to) noexcept {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    std::int64_t sec = 0;
    std::int64_t us = 0;
    if (__builtin_sub_overflow(to.sec, from.sec, &sec) || __builtin_mul_overflow(sec, 1'000'000, &us))
        return to.sec >= from.sec ? max : -max;
    const std::int64_t rest = (std::int64_t(to.nsec) - std::int64_t(from.nsec)) / 1000;
    std::int64_t total = 0;
    if (__builtin_add_overflow(us, rest, &total)) return rest > 0 ? max : -max;
    return total;
}

/// One capture record. `bytes` (caplen of them) is valid until the next call to next().
struct Record {
    std::uint64_t frame = 0;  ///< 1-based, in file order, as tshark's frame.number
    Timestamp ts;
    std::uint32_t caplen = 0;  ///< bytes captured (bytes.size())
    std::uint32_t len = 0;     ///< bytes on the wire
    int link_type = 0;         ///< DLT_* value
    Bytes bytes;
};

class CaptureSource;

/// A source, or why it could not be opened (mostly libpcap's message).
struct OpenResult {
    std::unique_ptr<CaptureSource> source;
    std::string error;
    explicit operator bool() const noexcept { return source != nullptr; }
};

class CaptureSource {
public:
    enum class Status : std::uint8_t {
        record,   ///< `out` holds the next record
        end,      ///< clean end of the capture
        error,    ///< damaged or unreadable input; error() says why; records before it were good
        stopped,  ///< stop() was called
    };

    /// Opens a pcap or pcapng file; "-" reads standard input. With a BPF `filter`, next() skips
    /// the records it rejects but still counts them: frame numbers stay those of the file.
    /// libpcap reads the file, or, for a classic pcap file without a filter, PcapBlockReader
    /// until a record it does not take (libpcap is then loaded and reads on).
    static OpenResult open_file(const std::string& path, const std::string& filter = {});
    /// Reads a capture held in memory. `capture` must outlive the source.
    static OpenResult open_memory(Bytes capture);
    /// Captures live on `interface` (e.g. "lo", "any") with an optional BPF `filter`.
    static OpenResult open_live(const std::string& interface, const std::string& filter = {},
                                int snaplen = 262144, bool promiscuous = false);

    CaptureSource(const CaptureSource&) = delete;
    CaptureSource& operator=(const CaptureSource&) = delete;
    ~CaptureSource();  // out of line: PcapBlockReader is incomplete here

    /// The next record, the end, an error, or stopped. After end/error/stopped it stays there.
    Status next(Record& out);
    /// Makes next() return `stopped` soon. Async-signal-safe: may be called from a signal handler.
    void stop() noexcept;

    /// The time of the first record read, even one a file filter rejected (zero before it).
    Timestamp first_timestamp() const noexcept { return first_ts_; }
    /// Why next() returned `error`.
    const std::string& error() const noexcept { return error_; }
    /// Whether that error is libpcap missing where a classic pcap file had to be handed to it
    /// (a record longer than the snapshot length, cut short, or unreadable), not damage it found.
    bool library_missing() const noexcept { return library_missing_; }
    /// The capture's link type (DLT_* value).
    int link_type() const noexcept { return link_type_; }
    /// A classic pcap file read in blocks (see pcap_blocks.hpp) has its next blocks read ahead
    /// on a thread of its own, placed on `cpus` (anywhere when null). Call before the first
    /// next(). False, and nothing changes, for any other source.
    bool read_ahead(const cpu_set_t* cpus);
    /// Keeping the bytes of records past next() without a copy. A classic pcap file read ahead
    /// (read_ahead()) hands out most records where they lie in its blocks; a held block is
    /// not read into again, and what it holds stays as it is, until it is released (see
    /// PcapBlockReader::hold). block_of(): the block that `bytes`, of the record next()
    /// returned last, lie in, or -1 when they cannot be kept so (another source, or bytes
    /// outside the record: a copy is then needed). hold() takes such a block (false: it
    /// cannot be held); release() lets it go, from any thread; at most holdable() blocks
    /// should be held at once by a caller that waits for nothing else, or next() may wait
    /// for a release forever. Held blocks stay valid after the file is handed to libpcap,
    /// until this source is destroyed.
    int block_of(Bytes bytes) const noexcept;
    Bytes block_memory(int block) const noexcept;
    bool hold(int block) noexcept;
    void release(int block) noexcept;
    std::size_t holdable() const noexcept;
    /// libpcap's statistics for a live capture: packets dropped by the kernel (0 for files).
    std::uint64_t dropped() const noexcept;

private:
    CaptureSource(const Libpcap* pcap, pcap_t* handle, bool live);
    /// A classic pcap file read by `blocks` alone, libpcap not loaded.
    CaptureSource(std::FILE* file, std::unique_ptr<PcapBlockReader> blocks);
    /// Hands the file to libpcap at the record blocks_ stopped at; false, error_ set, when it
    /// cannot be.
    bool hand_back();

    struct FreeProgram {
        void operator()(bpf_program* program) const noexcept;
    };
    std::unique_ptr<char[]> file_buffer_;  // the stdio buffer of a file; outlives handle_
    std::unique_ptr<PcapBlockReader> blocks_;  // a classic pcap file's records, until it hands back
    std::unique_ptr<PcapBlockReader> handed_back_;  // blocks_ after the hand-back: its held blocks stay
    PcapBlockReader* ahead_ = nullptr;  // the reader holds are taken from (set by read_ahead())
    std::unique_ptr<bpf_program, FreeProgram> file_filter_;  // -f on a file, applied by next()
    const Libpcap* pcap_ = nullptr;  // loaded once handle_ is open
    pcap_t* handle_ = nullptr;
    std::FILE* file_ = nullptr;  // blocks_'s file while libpcap does not have it (closed here)
    bool live_ = false;
    bool nano_ = true;
    bool library_missing_ = false;
    int link_type_ = 0;
    std::uint64_t frame_ = 0;
    Timestamp first_ts_;
    Status done_ = Status::record;  // record while not finished
    std::atomic<bool> stop_requested_{false};
    std::string error_;
};

}  // namespace mqttlens::capture
