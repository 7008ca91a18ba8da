#include "capture/pcap_blocks.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mqttlens::capture {

namespace {

constexpr std::uint32_t microsecond_magic = 0xA1B2C3D4;  // in this host's byte order
constexpr std::uint32_t nanosecond_magic = 0xA1B23C4D;
constexpr std::size_t file_header_size = 24;
constexpr std::size_t record_header_size = 16;

template <class T>
T load(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

std::unique_ptr<PcapBlockReader> PcapBlockReader::open(int fd, std::uint64_t records_at, std::uint32_t snapshot) {
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || records_at != file_header_size) return nullptr;
    std::uint8_t header[file_header_size];
    if (pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return nullptr;
    const auto magic = load<std::uint32_t>(header);
    if (magic != microsecond_magic && magic != nanosecond_magic) return nullptr;  // swapped or another format
    // Version 2.4 only: libpcap may swap caplen and len in older files.
    if (load<std::uint16_t>(header + 4) != 2 || load<std::uint16_t>(header + 6) != 4) return nullptr;
    // LINKTYPE_ values (no FCS bits) of the link layers the Dissector reads: NULL, ETHERNET, RAW,
    // LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2. libpcap hands their records over as stored.
    switch (load<std::uint32_t>(header + 20)) {
        case 0: case 1: case 101: case 108: case 113: case 228: case 229: case 276: break;
        default: return nullptr;
    }
    return std::unique_ptr<PcapBlockReader>(
        new PcapBlockReader(fd, records_at, snapshot, magic == microsecond_magic));
}

PcapBlockReader::PcapBlockReader(int fd, std::uint64_t records_at, std::uint32_t snapshot, bool microseconds)
    : fd_(fd),
      snapshot_(snapshot),
      microseconds_(microseconds),
      block_(std::make_unique_for_overwrite<std::uint8_t[]>(block_size)),
      block_at_(records_at) {}

bool PcapBlockReader::fill(std::size_t n) noexcept {
    if (size_ - pos_ >= n) return true;
    // Move the partial record to the front, then read behind it.
    std::memmove(block_.get(), block_.get() + pos_, size_ - pos_);
    block_at_ += pos_;
    size_ -= pos_;
    pos_ = 0;
    while (size_ < n) {
        const ssize_t got = pread(fd_, block_.get() + size_, block_size - size_, static_cast<off_t>(block_at_ + size_));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) failed_ = true;
        if (got <= 0) return false;
        size_ += static_cast<std::size_t>(got);
    }
    return true;
}

PcapBlockReader::Result PcapBlockReader::next(Record& out) noexcept {
    // The end of the file after a whole record is the end; a read error, or a partial record
    // header, goes back to libpcap, which reports it.
    if (!fill(record_header_size)) return size_ == pos_ && !failed_ ? Result::end : Result::hand_back;
    const std::uint8_t* h = block_.get() + pos_;
    const auto caplen = load<std::uint32_t>(h + 8);
    if (caplen > snapshot_ || !fill(record_header_size + caplen)) return Result::hand_back;
    h = block_.get() + pos_;  // fill() may have moved the record
    // As libpcap: the 32-bit fields are signed, and a microsecond fraction is scaled up.
    out.sec = load<std::int32_t>(h);
    const std::int64_t fraction = load<std::int32_t>(h + 4);
    out.nsec = microseconds_ ? fraction * 1000 : fraction;
    out.caplen = caplen;
    out.len = load<std::uint32_t>(h + 12);
    out.data = h + record_header_size;
    pos_ += record_header_size + caplen;
    return Result::record;
}

}  // namespace mqttlens::capture
