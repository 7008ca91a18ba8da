#include "capture/capture_source.hpp"

#include "capture/pcap_blocks.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdio_ext.h>
#include <cstring>

namespace mqttlens::capture {

namespace {

OpenResult failed(std::string message) { return OpenResult{nullptr, std::move(message)}; }

}  // namespace

CaptureSource::CaptureSource(pcap_t* handle, bool live)
    : handle_(handle),
      live_(live),
      nano_(pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO),
      link_type_(pcap_datalink(handle)) {}

CaptureSource::~CaptureSource() {
    blocks_.reset();  // its read-ahead thread stops before pcap_close() closes the file it reads
    pcap_close(handle_);
}

void CaptureSource::FreeProgram::operator()(bpf_program* program) const noexcept {
    pcap_freecode(program);
    delete program;
}

OpenResult CaptureSource::open_file(const std::string& path, const std::string& filter) {
    // Opened here rather than by pcap_open_offline() to give the stream a 1 MiB buffer: libpcap
    // reads record by record through stdio, whose default 4 KiB buffer costs a read() system
    // call per 4 KiB (about a fifth of the time of a plain read of a large capture).
    // (glibc ignores the size unless it is given the buffer.) A smaller regular file gets a
    // buffer of its own size: opening many small files (fuzz_pcap_read) stays cheap.
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) return failed(path + ": " + std::strerror(errno));
    // A classic pcap file that PcapBlockReader will read gets 64 KiB: libpcap's first fread
    // fills the buffer, and 1 MiB of it would be read and paged in for its 24-byte header (on a
    // virtual machine 256 page faults, ~2.5 ms); should libpcap be handed the file back at a
    // damaged record, it reads on 64 KiB at a time.
    std::size_t buffer_size = PcapBlockReader::may_take_over(fileno(f)) ? 64 << 10 : 1 << 20;
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
        buffer_size = std::clamp<std::size_t>(static_cast<std::size_t>(st.st_size), 4096, buffer_size);
    auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
    std::setvbuf(f, buffer.get(), _IOFBF, buffer_size);
    // Only the thread calling next() reads this stream: no lock per fread (two per record).
    __fsetlocking(f, FSETLOCKING_BYCALLER);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // On success libpcap owns the FILE and closes it in pcap_close().
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        if (!is_stdin) std::fclose(f);
        return failed(errbuf);
    }
    std::unique_ptr<CaptureSource> source(new CaptureSource(p, false));
    source->file_buffer_ = std::move(buffer);
    // A classic pcap file: its records are read a block at a time (capture/pcap_blocks.hpp).
    const off_t records_at = ftello(f);
    if (records_at > 0)
        source->blocks_ = PcapBlockReader::open(fileno(f), static_cast<std::uint64_t>(records_at),
                                                static_cast<std::uint32_t>(pcap_snapshot(p)), {});
    if (!filter.empty()) {
        // Compiled for the file's link type; applied record by record so that the rejected
        // ones are still counted (pcap_setfilter would hide them, and renumber the frames).
        auto program = std::unique_ptr<bpf_program, FreeProgram>(new bpf_program{});
        if (pcap_compile(p, program.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            std::string message = "invalid filter \"" + filter + "\": " + pcap_geterr(p);
            return failed(std::move(message));
        }
        source->file_filter_ = std::move(program);
    }
    return OpenResult{std::move(source), {}};
}

OpenResult CaptureSource::open_memory(Bytes capture) {
    if (capture.empty()) return failed("empty capture");
    std::FILE* f = fmemopen(const_cast<std::uint8_t*>(capture.data()), capture.size(), "rb");
    if (!f) return failed("fmemopen failed");
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // On success libpcap owns the FILE and closes it in pcap_close().
    pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        std::fclose(f);
        return failed(errbuf);
    }
    return OpenResult{std::unique_ptr<CaptureSource>(new CaptureSource(p, false)), {}};
}

OpenResult CaptureSource::open_live(const std::string& interface, const std::string& filter,
                                    int snaplen, bool promiscuous) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_create(interface.c_str(), errbuf);
    if (!p) return failed(errbuf);
    auto fail_with = [&](std::string what) {
        std::string message = what + ": " + pcap_geterr(p);
        pcap_close(p);
        return failed(std::move(message));
    };
    pcap_set_snaplen(p, snaplen);
    pcap_set_promisc(p, promiscuous ? 1 : 0);
    // Packets are handed over at least every 100 ms; stop() is seen without traffic. Not
    // immediate mode: with it, libpcap 1.10.3 on "any" lost packets sent by this same process.
    pcap_set_timeout(p, 100);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // best effort
    const int rc = pcap_activate(p);
    if (rc < 0) {
        std::string message = interface + ": " + pcap_statustostr(rc);
        if (rc == PCAP_ERROR || rc == PCAP_ERROR_NO_SUCH_DEVICE || rc == PCAP_ERROR_PERM_DENIED) {
            message = interface + ": " + pcap_geterr(p);
        }
        pcap_close(p);
        return failed(std::move(message));
    }
    if (!filter.empty()) {
        bpf_program program{};
        if (pcap_compile(p, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
            return fail_with("invalid filter \"" + filter + "\"");
        }
        const int set = pcap_setfilter(p, &program);
        pcap_freecode(&program);
        if (set != 0) return fail_with("cannot set filter");
    }
    return OpenResult{std::unique_ptr<CaptureSource>(new CaptureSource(p, true)), {}};
}

bool CaptureSource::read_ahead(const cpu_set_t* cpus) { return blocks_ && blocks_->start_read_ahead(cpus); }

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
                    // libpcap reads on from that record, and reports what is wrong with it.
                    if (fseeko(pcap_file(handle_), static_cast<off_t>(blocks_->offset()), SEEK_SET) != 0) {
                        error_ = std::string("cannot seek in the capture: ") + std::strerror(errno);
                        return done_ = Status::error;
                    }
                    blocks_.reset();
                    continue;
            }
        } else {
            rc = pcap_next_ex(handle_, &header, &data);
        }
        if (rc == 1) {
            const Timestamp ts{header->ts.tv_sec,
                               static_cast<std::uint32_t>(nano_ ? header->ts.tv_usec : header->ts.tv_usec * 1000)};
            if (frame_++ == 0) first_ts_ = ts;
            if (file_filter_ && pcap_offline_filter(file_filter_.get(), header, data) == 0) continue;
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
        error_ = pcap_geterr(handle_);
        if (error_.empty()) error_ = "read error";
        return done_ = Status::error;
    }
}

void CaptureSource::stop() noexcept {
    stop_requested_.store(true, std::memory_order_relaxed);
    pcap_breakloop(handle_);
}

std::uint64_t CaptureSource::dropped() const noexcept {
    if (!live_) return 0;
    pcap_stat st{};
    if (pcap_stats(handle_, &st) != 0) return 0;
    return st.ps_drop;
}

}  // namespace mqttlens::capture
