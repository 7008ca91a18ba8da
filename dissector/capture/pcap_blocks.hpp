// Records of a classic pcap file read a block at a time (internal to CaptureSource).
//
// libpcap reads a savefile record by record: two freads, and a copy of the record into its own
// buffer. For the common file (classic pcap 2.4 in this host's byte order, a regular file) this
// reader reads instead, from the first record: 512 KiB at a time with pread(), handing out
// records where they lie in the block (a record cut by the block's end is put together in a
// buffer of its own). Anything unusual (a record longer than the snapshot length, a record cut by
// the end of the file, a read error) makes it stop at that record, and CaptureSource hands the
// file to libpcap there, so that what is read and every message about damage stay exactly
// libpcap's. pread() leaves the file offset alone, so a stream libpcap reads is never disturbed.
//
// With read-ahead, a thread of the reader's own reads the next blocks while the caller works
// through the current one: the kernel's copy of the file (about a fifth of the work of reading,
// reassembling and framing a large capture) leaves the caller's thread, for whichever CPUs the
// reading thread is placed on. The records are the same either way.
//
// With read-ahead the blocks can also be held: a record handed out where it lies in a block
// stays as it is, past later calls to next(), while its block is held. A caller that hands the
// bytes of many records to another thread (mqtt-dissect's print thread) then holds a block and
// passes pointers instead of copying every record.
#pragma once

#include "capture/page_buffer.hpp"

#include <sched.h>
#include <sys/stat.h>

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace mqttlens::capture {

class PcapBlockReader {
public:
    /// A record as libpcap's pcap_next_ex gives it on a file opened with nanosecond precision.
    struct Record {
        std::int64_t sec;    ///< the file's 32-bit seconds, sign-extended
        std::int64_t nsec;   ///< the file's fraction, times 1000 in a microsecond file (libpcap
                             ///< multiplies in 32 bits: only the low 32 bits agree, which is
                             ///< all CaptureSource keeps)
        std::uint32_t caplen;
        std::uint32_t len;
        const std::uint8_t* data;  ///< caplen bytes, valid until the next call
    };
    enum class Result : std::uint8_t {
        record,     ///< `out` holds the next record
        end,        ///< the file ends after the last whole record
        hand_back,  ///< libpcap must read on from offset()
    };
    struct Options {
        std::size_t block_size = 512 * 1024;  ///< bytes per pread() (tests use tiny ones)
    };

    /// What the file header of a file the reader takes says, as libpcap would have it.
    struct FileHeader {
        bool microseconds;      ///< times in microseconds (else nanoseconds)
        std::uint32_t snapshot; ///< pcap_snapshot(): the header's, or 262,144 where it is 0 or above 2^31 - 1
        int link_type;          ///< pcap_datalink(): the DLT_ value of the header's LINKTYPE_
    };
    /// The header of the file open on `fd` (read with pread(): the file offset is left alone)
    /// when it is a regular classic pcap 2.4 file in this host's byte order, of a link type
    /// libpcap hands over untouched and the Dissector reads (libpcap rewrites some records of
    /// others: the length of USB isochronous transfers, found by a review); nullopt for any other.
    static std::optional<FileHeader> read_file_header(int fd) noexcept;
    /// A reader of the records of the file open on `fd`, from the first one (offset 24), when
    /// the file offset is at its start and read_file_header() takes it; nullptr otherwise.
    /// libpcap need not have opened the file.
    static std::unique_ptr<PcapBlockReader> open(int fd, Options options);
    PcapBlockReader(const PcapBlockReader&) = delete;
    PcapBlockReader& operator=(const PcapBlockReader&) = delete;
    ~PcapBlockReader();  // stops the read-ahead thread

    /// Reads the blocks after the current one on a thread of their own, placed on `cpus` (any
    /// CPU when null or when placing fails). Once; false if the thread could not be started
    /// (reading goes on without it).
    bool start_read_ahead(const cpu_set_t* cpus);
    Result next(Record& out) noexcept;

    /// Holding blocks (with read-ahead only). The read-ahead block that `p` lies in: -1 where
    /// it lies in none (no read-ahead, a record put together in a buffer of its own, memory of
    /// another owner). Inline: callers test the bytes of every packet.
    int block_of(const std::uint8_t* p) const noexcept {
        const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(ahead_begin_);
        return at < ahead_size_ ? static_cast<int>(at / block_size_) : -1;
    }
    /// The memory of read-ahead block `block` (0 <= block < read_ahead_blocks).
    std::span<const std::uint8_t> block_memory(int block) const noexcept { return {block_start(block), block_size_}; }
    /// Holds `block`: it is not read into again, and what it holds stays as it is, until
    /// release() was called as often as hold(). Only the block of the record next() returned
    /// last can be taken: false (nothing held) for any other, which may be read into at any
    /// time. Any thread may hold and release. A caller must release what it holds: with every
    /// block held, next() waits for a release (holdable_blocks held at once by a caller that
    /// waits for nothing else leave the reader room to go on).
    bool hold(int block) noexcept;
    void release(int block) noexcept;
    /// Blocks in flight with read-ahead: one being read by the caller, the others for the
    /// thread to fill. Eight of the usual 512 KiB fill two huge pages (page_buffer.hpp).
    static constexpr std::size_t read_ahead_blocks = 8;
    /// Blocks a caller may hold at once without ever stalling the reader: half of them, less the
    /// one it reads.
    static constexpr std::size_t holdable_blocks = read_ahead_blocks / 2 - 1;
    /// Where the record that next() did not return starts.
    std::uint64_t offset() const noexcept { return record_at_; }
    const FileHeader& file_header() const noexcept { return header_; }

private:
    PcapBlockReader(int fd, const FileHeader& header, Options options);
    /// Where read-ahead block `block` starts (0 <= block < read_ahead_blocks).
    std::uint8_t* block_start(int block) const noexcept {
        return ahead_buffers_.data() + static_cast<std::size_t>(block) * block_size_;
    }
    /// read_file_header(), leaving the file's status in `st`.
    static std::optional<FileHeader> read_file_header(int fd, struct stat& st) noexcept;
    /// A block read from the file: `size` bytes from file offset `at`; `last`: nothing follows
    /// (end of file, or `error` != 0 from pread).
    struct Block {
        std::uint8_t* data = nullptr;
        std::size_t size = 0;
        std::uint64_t at = 0;
        bool last = false;
        int error = 0;
    };
    /// `n` bytes from the reading position, contiguous: in the current block, or put together
    /// in `spill` from this block and the next ones. nullptr when the file ends (or fails)
    /// first; `none_left` then says whether it ended exactly at the reading position.
    const std::uint8_t* take(std::size_t n, std::uint8_t* spill, bool& none_left) noexcept;
    /// Makes the next block current; false at the end of the file or on a read error.
    bool next_block() noexcept;
    /// Gives the caller's finished block back to the thread, once nothing holds it; the
    /// mutex is held.
    void give_back(std::uint8_t* data) noexcept;
    /// Reads up to a block from `at` into `data` (the read-ahead thread, or next_block()).
    Block read_block(std::uint8_t* data, std::uint64_t at) const noexcept;
    void read_ahead_loop() noexcept;

    int fd_;
    FileHeader header_;
    std::size_t block_size_;
    std::uint64_t record_at_;        // file offset of the record next() is at
    Block current_;                  // data: in first_buffer_ or ahead_buffers_; null once read-ahead
                                     // started before anything was read (size 0 before the first read)
    std::size_t pos_ = 0;            // reading position in current_
    bool failed_ = false;            // a read failed: hand back to libpcap, which reports it
    PageBuffer first_buffer_;        // the one block without read-ahead
    PageBuffer ahead_buffers_;       // with read-ahead: all its blocks, in one buffer
    const std::uint8_t* ahead_begin_ = nullptr;  // ahead_buffers_'s memory, for block_of()
    std::size_t ahead_size_ = 0;
    std::unique_ptr<std::uint8_t[]> record_spill_;  // a record cut by a block's end
    std::uint32_t record_spill_size_ = 0;           // the longest such record so far (<= snapshot_)
    std::uint8_t header_spill_[16];

    // Read-ahead: the thread takes buffers from `empty`, fills them in file order and queues
    // them in `full`; next_block() returns the finished block's buffer (once nothing holds it)
    // and takes the next one.
    struct ReadAhead {
        std::mutex mutex;
        std::condition_variable changed;
        std::vector<std::uint8_t*> empty;
        std::array<std::uint32_t, read_ahead_blocks> holds{};  // hold() minus release(), per block
        std::array<bool, read_ahead_blocks> in_use{};  // the caller's block, or one it went past that is held
        int current = -1;  // the caller's block (-1: none, or the first block's buffer)
        std::deque<Block> full;
        std::uint64_t next_at = 0;  // where the thread reads next
        bool stopping = false;
        bool reader_waits = false;
        bool taker_waits = false;
        std::thread thread;
    };
    std::unique_ptr<ReadAhead> ahead_;
};

}  // namespace mqttlens::capture
