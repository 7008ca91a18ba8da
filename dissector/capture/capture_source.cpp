#include "capture/capture_source.hpp"

#include "capture/libpcap.hpp"
#include "capture/pcap_blocks.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdio_ext.h>
#include <cstring>

namespace mqttlens::capture {

namespace {

OpenResult failed(std::string message) { return OpenResult{nullptr, std::move(message)}; }

/// libpcap, or the reason it cannot be loaded in `why`.
const Libpcap* load_libpcap(std::string& why) {
    const Libpcap* pcap = libpcap(&why);
    if (!pcap) why = "reading this capture needs libpcap: " + why;
    return pcap;
}

}  // namespace

CaptureSource::CaptureSource(const Libpcap* pcap, pcap_t* handle, bool live)
    : pcap_(pcap),
      handle_(handle),
      live_(live),
      nano_(pcap->pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO),
      link_type_(pcap->pcap_datalink(handle)) {}

CaptureSource::CaptureSource(std::FILE* file, std::unique_ptr<PcapBlockReader> blocks)
    : blocks_(std::move(blocks)), file_(file), link_type_(blocks_->file_header().link_type) {}

CaptureSource::~CaptureSource() {
    blocks_.reset();  // its read-ahead thread stops before the file it reads is closed
    handed_back_.reset();
    if (handle_) pcap_->pcap_close(handle_);
    if (file_ && file_ != stdin) std::fclose(file_);
}

void CaptureSource::FreeProgram::operator()(bpf_program* program) const noexcept {
    libpcap()->pcap_freecode(program);  // loaded: it compiled the program
    delete program;
}

OpenResult CaptureSource::open_file(const std::string& path, const std::string& filter) {
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) return failed(path + ": " + std::strerror(errno));
    // A classic pcap file: its records are read a block at a time (capture/pcap_blocks.hpp).
    auto blocks = PcapBlockReader::open(fileno(f), {});
    // libpcap reads record by record through stdio, whose default 4 KiB buffer costs a read()
    // system call per 4 KiB (about a fifth of the time of a plain read of a large capture): its
    // stream gets 1 MiB, or the size of a smaller regular file (opening many small files stays
    // cheap), and 64 KiB for a file read in blocks, which libpcap reads only from a damaged
    // record on. (glibc ignores the size unless it is given the buffer.)
    std::size_t buffer_size = blocks ? 64 << 10 : 1 << 20;
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        buffer_size = std::clamp<std::size_t>(static_cast<std::size_t>(st.st_size), 4096, buffer_size);
    auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
    std::setvbuf(f, buffer.get(), _IOFBF, buffer_size);
    // Only the thread calling next() reads this stream: no lock per fread (two per record).
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    std::unique_ptr<CaptureSource> source;
    if (blocks && filter.empty()) {
        source.reset(new CaptureSource(f, std::move(blocks)));
    } else {
        std::string why;
        const Libpcap* pcap = load_libpcap(why);
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        // On success libpcap owns the FILE and closes it in pcap_close().
        pcap_t* p = pcap ? pcap->pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf)
                         : nullptr;
        if (!p) {
            if (!is_stdin) std::fclose(f);
            return failed(pcap ? std::string(errbuf) : why);
        }
        source.reset(new CaptureSource(pcap, p, false));
        source->blocks_ = std::move(blocks);
        if (!filter.empty()) {
            // Compiled for the file's link type; applied record by record so that the rejected
            // ones are still counted (pcap_setfilter would hide them, and renumber the frames).
            auto program = std::unique_ptr<bpf_program, FreeProgram>(new bpf_program{});
            if (pcap->pcap_compile(p, program.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
                return failed("invalid filter \"" + filter + "\": " + pcap->pcap_geterr(p));
            source->file_filter_ = std::move(program);
        }
    }
    source->file_buffer_ = std::move(buffer);
    return OpenResult{std::move(source), {}};
}

OpenResult CaptureSource::open_memory(Bytes capture) {
    if (capture.empty()) return failed("empty capture");
    std::string why;
    const Libpcap* pcap = load_libpcap(why);
    if (!pcap) return failed(why);
    std::FILE* f = fmemopen(const_cast<std::uint8_t*>(capture.data()), capture.size(), "rb");
    if (!f) return failed("fmemopen failed");
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // On success libpcap owns the FILE and closes it in pcap_close().
    pcap_t* p = pcap->pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fclose(f);
        return failed(errbuf);
    }
    return OpenResult{std::unique_ptr<CaptureSource>(new CaptureSource(pcap, p, false)), {}};
}

OpenResult CaptureSource::open_live(const std::string& interface, const std::string& filter,
                                    int snaplen, bool promiscuous) {
    std::string why;
    const Libpcap* pcap = load_libpcap(why);
    if (!pcap) return failed(why);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap->pcap_create(interface.c_str(), errbuf);
    if (!p) return failed(errbuf);
    auto fail_with = [&](std::string what) {
        std::string message = what + ": " + pcap->pcap_geterr(p);
        pcap->pcap_close(p);
        return failed(std::move(message));
    };
    pcap->pcap_set_snaplen(p, snaplen);
    pcap->pcap_set_promisc(p, promiscuous ? 1 : 0);
    // Packets are handed over at least every 100 ms; stop() is seen without traffic. Not
    // immediate mode: with it, libpcap 1.10.3 on "any" lost packets sent by this same process.
    pcap->pcap_set_timeout(p, 100);
    pcap->pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // best effort
    const int rc = pcap->pcap_activate(p);
    if (rc < 0) {
        std::string message = interface + ": " + pcap->pcap_statustostr(rc);
        if (rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_PERM_DENIED) {
            message = interface + ": " + pcap->pcap_geterr(p);
        }
        pcap->pcap_close(p);
        return failed(std::move(message));
    }
    if (!filter.empty()) {
        bpf_program program{};
        if (pcap->pcap_compile(p, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            return fail_with("invalid filter \"" + filter + "\"");
        }
        const int set = pcap->pcap_setfilter(p, &program);
        pcap->pcap_freecode(&program);
        if (set != 0) return fail_with("cannot set filter");
    }
    return OpenResult{std::unique_ptr<CaptureSource>(new CaptureSource(pcap, p, true)), {}};
}

bool CaptureSource::read_ahead(const cpu_set_t* cpus) {
    if (!blocks_ || !blocks_->start_read_ahead(cpus)) return false;
    ahead_ = blocks_.get();
    return true;
}

int CaptureSource::block_of(Bytes bytes) const noexcept {
    if (!blocks_ || bytes.empty()) return -1;
    const int block = blocks_->block_of(bytes.data());
    return block >= 0 && blocks_->block_of(bytes.data() + bytes.size() - 1) == block ? block : -1;
}

Bytes CaptureSource::block_memory(int block) const noexcept { return ahead_ ? ahead_->block_memory(block) : Bytes(); }

bool CaptureSource::hold(int block) noexcept { return blocks_ && blocks_.get() == ahead_ && ahead_->hold(block); }

void CaptureSource::release(int block) noexcept {
    if (ahead_) ahead_->release(block);
}

std::size_t CaptureSource::holdable() const noexcept {
    return ahead_ ? PcapBlockReader::holdable_blocks : 0;
}

CaptureSource::Status CaptureSource::next(Record& out) {
    if (done_ != Status::record) return done_;
    for (;;) {
        if (stop_requested_.load(std::memory_order_relaxed)) return done_ = Status::stopped;
        pcap_pkthdr* header = nullptr;
        const std::uint8_t* data = nullptr;
        pcap_pkthdr block_header;
        int rc;
        if (blocks_) {
            PcapBlockReader::Record r;
            switch (blocks_->next(r)) {
                case PcapBlockReader::Result::record:
                    block_header.ts.tv_sec = r.sec;
                    block_header.ts.tv_usec = r.nsec;
                    block_header.caplen = r.caplen;
                    block_header.len = r.len;
                    header = &block_header;
                    data = r.data;
                    rc = 1;
                    break;
                case PcapBlockReader::Result::end:
                    rc = PCAP_ERROR_BREAK;
                    break;
                case PcapBlockReader::Result::hand_back:
                default:
                    if (!hand_back()) return done_ = Status::error;
                    continue;
            }
        } else {
            rc = pcap_->pcap_next_ex(handle_, &header, &data);
        }
        if (rc == 1) {
            const Timestamp ts{header->ts.tv_sec,
                               static_cast<std::uint32_t>(nano_ ? header->ts.tv_usec : header->ts.tv_usec * 1000)};
            if (frame_++ == 0) first_ts_ = ts;
            if (file_filter_ && pcap_->pcap_offline_filter(file_filter_.get(), header, data) == 0) continue;
            out.frame = frame_;
            out.ts = ts;  // offline captures are opened with nanosecond precision; live ones may be micro
            out.caplen = header->caplen;
            out.len = header->len;
            out.link_type = link_type_;
            out.bytes = Bytes(data, header->caplen);
            return Status::record;
        }
        if (rc == 0) continue;  // live read timeout
        if (rc == PCAP_ERROR_BREAK) {
            return done_ = stop_requested_.load() ? Status::stopped : Status::end;
        }
        error_ = pcap_->pcap_geterr(handle_);
        if (error_.empty()) error_ = "read error";
        return done_ = Status::error;
    }
}

bool CaptureSource::hand_back() {
    // libpcap reads on from that record, and reports what is wrong with it.
    const auto at = static_cast<off_t>(blocks_->offset());
    if (!handle_) {  // a file blocks_ read alone: libpcap opens it now (its stream is at the start)
        const Libpcap* pcap = load_libpcap(error_);
        library_missing_ = pcap == nullptr;
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        pcap_t* p = pcap ? pcap->pcap_fopen_offline_with_tstamp_precision(file_, PCAP_TSTAMP_PRECISION_NANO, errbuf)
                         : nullptr;
        if (!p) {
            if (pcap) error_ = errbuf;
            return false;
        }
        pcap_ = pcap;
        handle_ = p;
        file_ = nullptr;  // libpcap's now
    }
    handed_back_ = std::move(blocks_);  // blocks held by the caller stay until they are released
    if (fseeko(pcap_->pcap_file(handle_), at, SEEK_SET) != 0) {
        error_ = std::string("cannot seek in the capture: ") + std::strerror(errno);
        return false;
    }
    return true;
}

void CaptureSource::stop() noexcept {
    stop_requested_.store(true, std::memory_order_relaxed);
    // A live capture may wait in libpcap for packets; a file's next() sees the flag itself
    // (and its handle_ may be set by hand_back() meanwhile).
    if (live_) pcap_->pcap_breakloop(handle_);
}

std::uint64_t CaptureSource::dropped() const noexcept {
    if (!live_) return 0;
    pcap_stat st{};
    if (pcap_->pcap_stats(handle_, &st) != 0) return 0;
    return st.ps_drop;
}

}  // namespace mqttlens::capture
