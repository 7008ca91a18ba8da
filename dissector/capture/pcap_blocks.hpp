// Records of a classic pcap file read a block at a time (internal to CaptureSource).
//
// libpcap reads a savefile record by record: two freads, and a copy of the record into its own
// buffer. For the common file (classic pcap 2.4 in this host's byte order, a regular file) this
// reader takes over after libpcap has read the file header: it reads 512 KiB at a time with
// pread() and hands out records where they lie in the block. Anything unusual (a record longer
// than the snapshot length, a record cut by the end of the file, a read error) makes it stop at
// that record, and CaptureSource hands the file back to libpcap there, so that what is read and
// every message about damage stay exactly libpcap's. pread() leaves the file offset alone, so
// libpcap's stream is never disturbed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

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

    /// For the file open on `fd` whose header libpcap has read and whose records start at
    /// `records_at`; `snapshot` is libpcap's pcap_snapshot(). nullptr unless the file is a
    /// regular classic pcap 2.4 file in this host's byte order, of a link type libpcap hands
    /// over untouched and the Dissector reads (libpcap rewrites some records of others: the
    /// length of USB isochronous transfers, found by a review).
    static std::unique_ptr<PcapBlockReader> open(int fd, std::uint64_t records_at, std::uint32_t snapshot);

    Result next(Record& out) noexcept;
    /// Where the record that next() did not return starts.
    std::uint64_t offset() const noexcept { return block_at_ + pos_; }

private:
    PcapBlockReader(int fd, std::uint64_t records_at, std::uint32_t snapshot, bool microseconds);
    /// At least `n` bytes from pos_ in the block; false at the end of the file or on an error.
    bool fill(std::size_t n) noexcept;

    // Holds a record of any usual snapshot length (262,144 at most for the link types taken); a
    // longer record does not fit, and the file goes back to libpcap at it.
    static constexpr std::size_t block_size = 512 * 1024;
    int fd_;
    std::uint32_t snapshot_;
    bool microseconds_;
    std::unique_ptr<std::uint8_t[]> block_;
    std::uint64_t block_at_;   // file offset of block_[0]
    std::size_t pos_ = 0;      // next record in block_
    std::size_t size_ = 0;     // bytes in block_
    bool failed_ = false;      // a read failed
};

}  // namespace mqttlens::capture
