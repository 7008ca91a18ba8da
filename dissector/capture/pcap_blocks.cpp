#include "capture/pcap_blocks.hpp"

#include <pcap/dlt.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

namespace mqttlens::capture {

namespace {

constexpr std::uint32_t microsecond_magic = 0xA1B2C3D4;  // in this host's byte order
constexpr std::uint32_t nanosecond_magic = 0xA1B23C4D;
constexpr std::size_t file_header_size = 24;
constexpr std::size_t record_header_size = 16;
// libpcap's MAXIMUM_SNAPLEN for the link types taken: the snapshot length it gives a file whose
// own is bogus, and the longest record it reads whatever the file's snapshot length says (a
// longer one is an error, "invalid packet capture length").
constexpr std::uint32_t max_record = 262144;

template <class T>
T load(const std::uint8_t* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

std::optional<PcapBlockReader::FileHeader> PcapBlockReader::read_file_header(int fd) noexcept {
    struct stat st {};
    return read_file_header(fd, st);
}

std::optional<PcapBlockReader::FileHeader> PcapBlockReader::read_file_header(int fd, struct stat& st) noexcept {
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    std::uint8_t header[file_header_size];
    if (pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) return std::nullopt;
    const auto magic = load<std::uint32_t>(header);
    if (magic != microsecond_magic && magic != nanosecond_magic) return std::nullopt;  // swapped or another format
    // Version 2.4 only: libpcap may swap caplen and len in older files.
    if (load<std::uint16_t>(header + 4) != 2 || load<std::uint16_t>(header + 6) != 4) return std::nullopt;
    // LINKTYPE_ values (no FCS bits) of the link layers the Dissector reads: NULL, ETHERNET, RAW,
    // LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2. libpcap hands their records over as stored, and
    // names them by the same DLT_ values but two, whose DLT_ values differ between platforms.
    int link_type = static_cast<int>(load<std::uint32_t>(header + 20));
    switch (link_type) {
        case 0: case 1: case 113: case 228: case 229: case 276: break;
        case 101: link_type = DLT_RAW; break;
        case 108: link_type = DLT_LOOP; break;
        default: return std::nullopt;
    }
    // libpcap keeps the snapshot length as an int: 0 and values above INT_MAX are bogus, and
    // replaced by the largest for the link type (the same for all of these).
    const auto snaplen = load<std::uint32_t>(header + 16);
    const std::uint32_t snapshot = snaplen == 0 || snaplen > 0x7FFFFFFFu ? max_record : snaplen;
    return FileHeader{magic == microsecond_magic, snapshot, link_type};
}

std::unique_ptr<PcapBlockReader> PcapBlockReader::open(int fd, Options options) {
    if (options.block_size == 0) return nullptr;
    // The records follow the header from offset 24 only in a file read from its start (standard
    // input may be handed over part-way through a file).
    if (lseek(fd, 0, SEEK_CUR) != 0) return nullptr;
    struct stat st {};
    const std::optional<FileHeader> header = read_file_header(fd, st);
    if (!header) return nullptr;
    // A block need not be larger than the records of a small file (any that it gains later are
    // still read, a block at a time): opening many small files (fuzz_pcap_read) stays cheap.
    const auto file_size = static_cast<std::uint64_t>(std::max<off_t>(st.st_size, 0));
    const std::uint64_t records_size = file_size > file_header_size ? file_size - file_header_size : 0;
    options.block_size = std::min<std::uint64_t>(options.block_size, std::max<std::uint64_t>(records_size, 4096));
    return std::unique_ptr<PcapBlockReader>(new PcapBlockReader(fd, *header, options));
}

PcapBlockReader::PcapBlockReader(int fd, const FileHeader& header, Options options)
    : fd_(fd), header_(header), block_size_(options.block_size), record_at_(file_header_size) {
    first_buffer_ = PageBuffer(block_size_);
    current_.data = first_buffer_.data();
    current_.at = file_header_size;  // an empty block that ends where the records start
}

PcapBlockReader::~PcapBlockReader() {
    if (!ahead_ || !ahead_->thread.joinable()) return;
    {
        std::lock_guard lock(ahead_->mutex);
        ahead_->stopping = true;
    }
    ahead_->changed.notify_all();
    ahead_->thread.join();
}

bool PcapBlockReader::start_read_ahead(const cpu_set_t* cpus) {
    if (ahead_) return false;
    auto ahead = std::make_unique<ReadAhead>();
    ahead->next_at = current_.at + current_.size;
    if (current_.last) ahead->full.push_back(Block{nullptr, 0, ahead->next_at, true, 0});  // nothing to read
    ahead_buffers_ = PageBuffer(read_ahead_blocks * block_size_);
    for (std::size_t i = 0; i < read_ahead_blocks; ++i)
        ahead->empty.push_back(ahead_buffers_.data() + i * block_size_);
    ahead_ = std::move(ahead);
    ahead_begin_ = ahead_buffers_.data();
    ahead_size_ = ahead_buffers_.size();
    if (!current_.last) {
        try {
            ahead_->thread = std::thread([this] { read_ahead_loop(); });
        } catch (const std::system_error&) {
            ahead_.reset();  // reading goes on without it, in the first block's buffer
            ahead_buffers_ = PageBuffer();
            ahead_begin_ = nullptr;
            ahead_size_ = 0;
            return false;
        }
        pthread_setname_np(ahead_->thread.native_handle(), "mqtt-read");  // for top -H, perf, gdb
        if (cpus != nullptr) pthread_setaffinity_np(ahead_->thread.native_handle(), sizeof *cpus, cpus);  // best effort
    }
    // The first block's buffer stays with the caller until it takes the next one, and is then
    // let go (give_back()), at once when nothing was read into it yet: the thread reads into
    // its own blocks only, which can all be held.
    if (current_.size == 0) {
        current_.data = nullptr;
        first_buffer_ = PageBuffer();
    }
    return true;
}

PcapBlockReader::Block PcapBlockReader::read_block(std::uint8_t* data, std::uint64_t at) const noexcept {
    Block b{data, 0, at, false, 0};
    while (b.size < block_size_) {
        const ssize_t got = pread(fd_, data + b.size, block_size_ - b.size, static_cast<off_t>(at + b.size));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            b.last = true;
            b.error = got < 0 ? errno : 0;
            break;
        }
        b.size += static_cast<std::size_t>(got);
    }
    return b;
}

void PcapBlockReader::read_ahead_loop() noexcept {
    ReadAhead& a = *ahead_;
    for (;;) {
        std::uint8_t* data;
        std::uint64_t at;
        {
            std::unique_lock lock(a.mutex);
            if (a.empty.empty() && !a.stopping) {
                a.reader_waits = true;
                a.changed.wait(lock, [&] { return !a.empty.empty() || a.stopping; });
                a.reader_waits = false;
            }
            if (a.stopping) return;
            data = a.empty.back();
            a.empty.pop_back();
            at = a.next_at;
        }
        const Block b = read_block(data, at);
        std::lock_guard lock(a.mutex);
        a.full.push_back(b);
        a.next_at = at + b.size;
        // Waking costs a system call (and, in a virtual machine, often a trip through the
        // hypervisor): only a waiting taker is woken.
        if (a.taker_waits) a.changed.notify_all();
        if (b.last) return;
    }
}

bool PcapBlockReader::next_block() noexcept {
    if (current_.last) {
        failed_ |= current_.error != 0;
        return false;
    }
    const std::uint64_t at = current_.at + current_.size;
    if (!ahead_) {
        current_ = read_block(current_.data, at);
    } else {
        ReadAhead& a = *ahead_;
        std::unique_lock lock(a.mutex);
        if (current_.data != nullptr) give_back(current_.data);
        // Gone past: a release() while this thread waits below gives the block back itself.
        a.current = -1;
        if (a.full.empty()) {
            a.taker_waits = true;
            a.changed.wait(lock, [&] { return !a.full.empty(); });
            a.taker_waits = false;
        }
        current_ = a.full.front();
        a.full.pop_front();
        a.current = block_of(current_.data);
        if (a.current >= 0) a.in_use[a.current] = true;
    }
    pos_ = 0;
    if (current_.size > 0) return true;
    failed_ |= current_.error != 0;
    return false;
}

void PcapBlockReader::give_back(std::uint8_t* data) noexcept {
    ReadAhead& a = *ahead_;
    const int block = block_of(data);
    if (block < 0) {  // the first block's buffer, read before read-ahead began (the caller's thread)
        first_buffer_ = PageBuffer();
        return;
    }
    if (a.holds[block] > 0) return;  // release() gives it back
    a.in_use[block] = false;
    a.empty.push_back(data);
    if (a.reader_waits) a.changed.notify_all();
}

bool PcapBlockReader::hold(int block) noexcept {
    if (!ahead_ || block < 0 || static_cast<std::size_t>(block) >= read_ahead_blocks) return false;
    std::lock_guard lock(ahead_->mutex);
    if (!ahead_->in_use[block]) return false;
    ++ahead_->holds[block];
    return true;
}

void PcapBlockReader::release(int block) noexcept {
    if (!ahead_ || block < 0 || static_cast<std::size_t>(block) >= read_ahead_blocks) return;
    ReadAhead& a = *ahead_;
    std::lock_guard lock(a.mutex);
    if (a.holds[block] == 0 || --a.holds[block] > 0) return;
    if (block != a.current) give_back(block_start(block));  // gone past
}

const std::uint8_t* PcapBlockReader::take(std::size_t n, std::uint8_t* spill, bool& none_left) noexcept {
    none_left = false;
    if (current_.size - pos_ >= n) {
        const std::uint8_t* p = current_.data + pos_;
        pos_ += n;
        return p;
    }
    // Cut by the block's end: put the pieces together in `spill`.
    std::size_t have = 0;
    for (;;) {
        const std::size_t part = std::min(n - have, current_.size - pos_);
        if (part > 0) std::memcpy(spill + have, current_.data + pos_, part);
        have += part;
        pos_ += part;
        if (have == n) return spill;
        if (!next_block()) {
            none_left = have == 0;
            return nullptr;
        }
    }
}

PcapBlockReader::Result PcapBlockReader::next(Record& out) noexcept {
    record_at_ = current_.at + pos_;
    // The end of the file after a whole record is the end; a read error, or a partial record,
    // goes back to libpcap, which reports it.
    bool none_left = false;
    const std::uint8_t* h = take(record_header_size, header_spill_, none_left);
    if (h == nullptr) return none_left && !failed_ ? Result::end : Result::hand_back;
    const auto caplen = load<std::uint32_t>(h + 8);
    // libpcap's own: cut to the snapshot length, or refused beyond its maximum.
    if (caplen > header_.snapshot || caplen > max_record) return Result::hand_back;
    // As libpcap: the 32-bit fields are signed, and a microsecond fraction is scaled up.
    out.sec = load<std::int32_t>(h);
    const std::int64_t fraction = load<std::int32_t>(h + 4);
    out.nsec = header_.microseconds ? fraction * 1000 : fraction;
    out.caplen = caplen;
    out.len = load<std::uint32_t>(h + 12);
    if (current_.size - pos_ < caplen && caplen > record_spill_size_) {
        record_spill_ = std::make_unique_for_overwrite<std::uint8_t[]>(caplen);
        record_spill_size_ = caplen;
    }
    out.data = take(caplen, record_spill_.get(), none_left);
    return out.data != nullptr ? Result::record : Result::hand_back;
}

}  // namespace mqttlens::capture
