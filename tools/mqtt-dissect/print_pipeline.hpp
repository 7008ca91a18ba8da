// Printing on a second thread. The capture thread reads records, reassembles TCP, decodes and
// checks; the print thread formats and writes. On a capture of small packets the two halves cost
// about the same, so the wall time comes close to the larger half instead of the sum.
//
// What crosses between the threads is kept small, because every byte of it moves from one core's
// cache to the other's, and every line the capture thread writes again after the print thread
// read it costs a snoop of the other core (about 20 ns a line on the CI VM, where the two
// vCPUs often sit far apart): per run of packets a 24-byte record (where in the stream, how to
// decode; clean packets that follow one another in a capture record share one, see Record);
// per capture record and direction one segment (frame, time, addresses) that its packets
// share. The packet's bytes are not copied where they lie in a read-ahead block of the
// capture file: the batch holds the block (capture::CaptureSource::hold) until it is printed.
// Other bytes (a packet put together from several records, or from TLS or WebSocket; a live
// capture) and stream findings are copied into the batch's arena. The print
// thread reads the bytes again, which costs less than moving a decoded Packet of 300 bytes
// across: a packet the capture thread found nothing wrong with goes to output::print_clean(),
// which copies the text of a PUBLISH like the one before it without decoding it and otherwise
// rebuilds it with mqtt::decode_clean() (no checks: a PUBLISH in about 90 instructions instead
// of 210); any other is decoded again. The usual QoS 0 PUBLISH reaches clean_packet() without
// having been decoded into a Packet at all, and is printed the same way. Batches are recycled
// (two in all: one filled while the other is printed), so memory stays flat however long the
// capture is; the capture thread waits when the printer falls behind.
//
// The print thread keeps its own Writer (on the same FILE) and a copy of the options: if it wrote
// into the caller's Writer, the buffer's size field would share a cache line with the capture
// thread's variables, and the two cores would pass that line back and forth on every packet.
//
// With threaded == false nothing is copied and everything is printed at once on the caller's
// thread: the output is byte for byte the same (a test checks it on every committed capture).
#pragma once

#include "capture/capture_source.hpp"
#include "capture/page_buffer.hpp"
#include "event_printer.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "output/printer.hpp"
#include "output/text.hpp"
#include "output/writer.hpp"

#include <array>
#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <sched.h>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

namespace mqttlens::dissect {

/// How a packet's bytes were decoded, so that the print thread decodes them the same way.
struct Decoding {
    mqtt::Version version = mqtt::Version::v3_1_1;  ///< the connection's (3.1.1 while unknown)
    bool clean = false;               ///< decode() finds nothing wrong: output::print_clean() prints it
};

/// `t - origin`; 0 when a record is older than the first one.
inline output::Timestamp since(capture::Timestamp t, capture::Timestamp origin) noexcept {
    if (t < origin) return {};
    std::int64_t sec = 0;
    if (__builtin_sub_overflow(t.sec, origin.sec, &sec)) return {std::numeric_limits<std::int64_t>::max(), 0};
    std::int64_t nsec = std::int64_t(t.nsec) - std::int64_t(origin.nsec);
    if (nsec < 0) {
        nsec += 1'000'000'000;
        --sec;
    }
    return {sec, static_cast<std::uint32_t>(nsec)};
}

/// Where and when a capture packet was seen: everything its printed line needs but its bytes.
/// The views must live until packet() returns.
struct Seen {
    std::uint64_t frame = 0;         ///< capture record of the packet's last byte
    capture::Timestamp ts;           ///< that record's time (epoch and relative times are
                                     ///< worked out once per segment)
    std::uint32_t stream = 0;
    output::Direction direction = output::Direction::unknown;
    std::uint64_t offset = 0;        ///< in the direction's byte stream
    std::string_view src;
    std::string_view dst;
    std::span<const mqtt::Diagnostic> extra;  ///< stream findings about the packet
    std::string_view alias_topic;             ///< engine::PacketSeen::alias_topic
    std::string_view transport;               ///< engine::ConnectionInfo::transport (static text)
};

class PrintPipeline {
public:
    /// Prints into `writer` with `options` (neither owned; both must outlive this object).
    /// `threaded`: print on a second thread. `apart`: keep the two threads on different CPUs
    /// until finish() (see keep_apart()).
    PrintPipeline(output::Writer& writer, const output::PrintOptions& options, bool threaded, bool apart = false);
    PrintPipeline(const PrintPipeline&) = delete;
    PrintPipeline& operator=(const PrintPipeline&) = delete;
    ~PrintPipeline();

    /// The time of the capture's first record, tshark's time 0 (before the first packet).
    void set_origin(capture::Timestamp origin) noexcept { origin_ = origin; }
    /// Prints `packet`, decoded from `bytes` as `how` says, seen as `seen` says. Inline for the
    /// usual packet (threaded, no stream finding, no alias topic, room in the arena's block).
    void packet(mqtt::Bytes bytes, Decoding how, const mqtt::Packet& packet, const Seen& seen) {
        how.clean = packet.diagnostics.empty() && packet.diagnostics.dropped() == 0;
        if (threaded_ && seen.extra.empty() && seen.alias_topic.empty()) return append(bytes, how, seen, seen.offset);
        any_packet(bytes, how, &packet, seen, seen.offset);
    }
    /// Prints packets that decode() finds nothing wrong with and the session checker nothing
    /// about, back to back in `bytes` from `offset` in the stream, seen as `seen` says otherwise
    /// (no extra, no alias topic): the caller did not build a Packet (mqtt::is_plain_qos0_publish,
    /// engine::PacketSeen), the print thread decodes them.
    [[gnu::always_inline]] void clean_packet(mqtt::Bytes bytes, Decoding how, const Seen& seen, std::uint64_t offset) {
        how.clean = true;
        if (threaded_) return append(bytes, how, seen, offset);
        any_packet(bytes, how, nullptr, seen, offset);
    }
    /// Packet bytes that lie in `source`'s read-ahead blocks are not copied: the batch holds
    /// the block (capture::CaptureSource::hold) until it is printed. `source` must outlive
    /// finish(). Threaded only; call before the first packet.
    void hold_blocks_of(capture::CaptureSource& source) noexcept;
    /// Prints a stream event, a connection end or a finding.
    void event(const Event& event);
    /// Has everything so far written out (live capture: once per record).
    void flush();
    /// Waits until everything is printed and written; the writer may be used again afterwards.
    void finish();
    /// Some write of the print thread failed (the caller's writer reports its own).
    bool failed() const noexcept { return failed_; }
    /// The CPU the capture thread is kept on (null when the threads are not kept apart): for a
    /// helper that should share its side, such as the read-ahead thread.
    const cpu_set_t* capture_cpu() const noexcept { return capture_cpu_ ? &*capture_cpu_ : nullptr; }

private:
    static constexpr std::size_t max_holds = 8;  // blocks one batch may hold, at most
    /// Copied bytes: each allocation contiguous, in the batch's own memory (`first`) and, past
    /// its end (a packet larger than what is left), in blocks of their own, freed by clear().
    class Arena {
    public:
        explicit Arena(std::span<std::uint8_t> first) noexcept : first_(first) { clear(); }
        /// n bytes aligned to `align` (a power of two); inline: it runs once or twice per packet.
        std::uint8_t* allocate(std::size_t n, std::size_t align = 1) {
            const std::uintptr_t at = (cur_ + align - 1) & ~std::uintptr_t(align - 1);
            if (at + n <= end_) {
                used_ += at + n - cur_;
                cur_ = at + n;
                return reinterpret_cast<std::uint8_t*>(at);
            }
            return next_block(n, align);
        }
        std::size_t used() const noexcept { return used_; }
        void clear() noexcept;

    private:
        static constexpr std::size_t block_size = 256 * 1024;
        std::uint8_t* next_block(std::size_t n, std::size_t align);

        std::span<std::uint8_t> first_;
        std::vector<std::unique_ptr<std::uint8_t[]>> more_;  // rare: the blocks past `first_`
        std::uintptr_t cur_ = 0;   // the first free byte of the block being filled
        std::uintptr_t end_ = 0;
        std::size_t used_ = 0;     // bytes handed out (and lost to alignment) since clear()
    };

    /// Up to a fixed number of T (trivially copyable) in memory the batch owns.
    template <class T>
    class Slots {
    public:
        Slots(std::uint8_t* memory, std::size_t capacity) noexcept
            : data_(reinterpret_cast<T*>(memory)), capacity_(capacity) {}
        /// Room is left: added() hands the batch over once a bound is reached, after every push.
        T& push_back(const T& value) noexcept {
            assert(size_ < capacity_);
            return data_[size_++] = value;
        }
        T& back() noexcept { return data_[size_ - 1]; }
        const T& operator[](std::size_t i) const noexcept { return data_[i]; }
        const T* begin() const noexcept { return data_; }
        const T* end() const noexcept { return data_ + size_; }
        std::size_t size() const noexcept { return size_; }
        bool empty() const noexcept { return size_ == 0; }
        void clear() noexcept { size_ = 0; }

    private:
        T* data_;
        std::size_t size_ = 0;
        std::size_t capacity_;
    };

    /// What the segments of one connection in one direction share: kept once while they follow
    /// one another or alternate with the other direction's.
    struct Ends {
        std::string_view src;        // in the arena
        std::string_view dst;
        std::string_view transport;  // "TLS"...: static text, empty for plain TCP
        std::uint32_t stream;
    };
    /// What the packets of one capture record in one direction share (one per ~10 packets on a
    /// busy connection): written once, not per packet; 40 bytes.
    struct Segment {
        output::Timestamp ts;
        std::uint64_t offset;  // in the stream, of the segment's first packet
        std::uint64_t frame;
        std::uint32_t ends;    // index into Batch::ends
        output::Direction direction;
    };
    static_assert(sizeof(Segment) == 40);
    /// A run of packets, or (data == nullptr) the next of Batch::events; 24 bytes, written
    /// without zeroing first. A run is one packet, or clean packets (Decoding::clean, nothing
    /// kept beside them) that follow one another in one segment, in the stream and in memory:
    /// the usual capture record of several PUBLISHes takes one record (the engine hands them
    /// over as one run; runs that meet are joined), and the print thread splits it again by
    /// the packets' Remaining Lengths (mqtt::packet_size). What few packets have (stream
    /// findings, an alias topic) is kept beside the records, in order; such a packet is a run
    /// of its own.
    struct Record {
        const std::uint8_t* data;  // the bytes, in a held block or the arena
        std::uint32_t size;        // of all the run's packets
        std::uint32_t segment;     // index into Batch::segments
        std::uint32_t offset;      // of the first, in the stream, from the segment's `offset`
        Decoding how;
        std::uint8_t has;          // has_extra | has_alias_topic
    };
    static_assert(sizeof(Record) == 24);
    static constexpr std::uint8_t has_extra = 1;
    static constexpr std::uint8_t has_alias_topic = 2;

    /// A batch's memory is its share of one huge page (batch_pages_), taken once and recycled:
    /// its records, then its segments and their Ends, then the arena.
    struct Batch {
        explicit Batch(std::uint8_t* memory);
        Slots<Record> records;
        Slots<Segment> segments;
        Slots<Ends> ends;
        Arena arena;
        std::vector<Event> events;            // rare: kept whole, in order
        std::vector<std::string_view> alias_topics;  // one per record with one, in order, in the arena
        std::vector<std::span<const mqtt::Diagnostic>> extras;  // the same for stream findings
        std::array<int, max_holds> holds;     // the capture's blocks its records' bytes lie in
        std::size_t hold_count = 0;
        std::uintptr_t held_begin = 0;        // the memory of the last of them
        std::uintptr_t held_end = 0;
        bool flush = false;                   // write the output out after this batch
        void clear() noexcept;
    };

    /// Threaded: the packet added to the batch, its bytes where they lie when the batch holds
    /// their block already.
    [[gnu::always_inline]] void append(mqtt::Bytes bytes, Decoding how, const Seen& seen, std::uint64_t offset) {
        add(kept(bytes), bytes.size(), how, seen, offset, 0);
    }
    /// Where the batch being filled keeps `bytes`: where they lie, in a block it holds (handed
    /// over first when it would hold more than its share), or in its arena. Inline for bytes in
    /// the block it held last.
    [[gnu::always_inline]] const std::uint8_t* kept(mqtt::Bytes bytes) {
        const Batch& b = *filling_;
        const auto at = reinterpret_cast<std::uintptr_t>(bytes.data());
        return at >= b.held_begin && at + bytes.size() <= b.held_end ? bytes.data() : place(bytes);
    }
    const std::uint8_t* place(mqtt::Bytes bytes);  // kept() for bytes in no block the batch holds
    /// Adds the record of a packet whose bytes (`data`), stream findings and alias topic the
    /// batch being filled keeps already.
    [[gnu::always_inline]] void add(const std::uint8_t* data, std::size_t size, Decoding how, const Seen& seen,
                                    std::uint64_t offset, std::uint8_t has) {
        const std::uint32_t in = segment(seen, offset);
        Batch& b = *filling_;
        const bool runs_on = how.clean && has == 0;
        if (runs_on && data == run_end_ && offset == run_stream_end_ && in == run_segment_ &&
            how.version == run_version_) {
            b.records.back().size += static_cast<std::uint32_t>(size);
        } else {
            b.records.push_back(Record{data, static_cast<std::uint32_t>(size), in,
                                       static_cast<std::uint32_t>(offset - segment_offset_), how, has});
            run_segment_ = in;
            run_version_ = how.version;
        }
        run_end_ = runs_on ? data + size : nullptr;
        run_stream_end_ = offset + size;
        added();
    }
    /// A packet printed at once, or one with stream findings or an alias topic; `packet` may be null
    /// for a clean one (it is then decoded here when printed at once).
    void any_packet(mqtt::Bytes bytes, Decoding how, const mqtt::Packet* packet, const Seen& seen,
                    std::uint64_t offset);
    std::string_view keep(std::string_view text);
    /// Sets the fields of `c` that a segment's packets share; `origin` is the capture's time 0.
    static void set_segment(output::Context& c, const Segment& g, const Ends& e, capture::Timestamp origin) noexcept;
    /// The index of the Ends of `seen` in the batch being filled: one of the last two, or a new one.
    std::uint32_t ends_of(const Seen& seen);
    /// The segment of a packet seen as `seen` at `offset`: the last one when it is the same
    /// record, direction and connection, and the offset is within 4 GiB after its first.
    std::uint32_t segment(const Seen& seen, std::uint64_t offset) {
        if (seen.frame == last_key_.frame && seen.stream == last_key_.stream &&
            seen.direction == last_key_.direction && seen.src.data() == last_key_.src &&
            seen.dst.data() == last_key_.dst && last_key_.src != nullptr &&
            offset - segment_offset_ <= std::numeric_limits<std::uint32_t>::max())
            return last_segment_;
        return new_segment(seen, offset);
    }
    std::uint32_t new_segment(const Seen& seen, std::uint64_t offset);
    /// A record was added: hand the batch over when it is full. Large: when the capture thread
    /// takes a recycled batch, its lines should have gone cold in the print thread's cache, or
    /// every line the capture thread writes first costs a snoop of the other core. Measured on
    /// the 800,000-message capture (capture thread CPU time, getrusage): 1,024 records 107-131 ms,
    /// 4,096 77-83 ms, 16,384 60-72 ms (session 12, before records held runs and batches held
    /// blocks: a batch of the 200,000-message 5.0 capture now takes at most 4,775 records, 4,096
    /// segments, 2,686 Ends and 157 KiB of arena). The larger parts of a record are held apart:
    /// segments (40 bytes, and an Ends each at most; a capture of one packet per record fills
    /// them first) to 4,096 a batch, and events (264 bytes; the end of a capture with thousands
    /// of connections open brings one each) to 1,024. The records, segments and Ends take the
    /// first 576 KiB of the batch's MiB, the arena the rest: it is full when less than 64 KiB
    /// are left (a larger packet goes to a block of its own).
    ///
    /// Two batches, in one huge page. A third cost 2 MiB of resident memory and nothing
    /// measurable in time (session 12): with the print thread the faster one, the capture
    /// thread seldom waits for a batch. One huge page, not one each: the first write to a huge
    /// page has the kernel clear all of it, and on the VM CI runs on a page the host has not
    /// backed yet (often the case: the guest reports free 2 MiB blocks to the host, which
    /// takes them back) costs about 3 ms per MiB to clear, in the capture thread
    /// (docs/PERFORMANCE.md, session 16).
    void added() {
        const Batch& b = *filling_;
        if (b.records.size() >= batch_records || b.arena.used() >= batch_bytes ||
            b.segments.size() >= batch_segments || b.events.size() >= batch_events)
            hand_over();
    }
    static constexpr std::size_t batches = 2;
    static constexpr std::size_t batch_records = 8192;
    static constexpr std::size_t batch_segments = 4096;
    static constexpr std::size_t batch_memory = capture::PageBuffer::huge_page / batches;
    static constexpr std::size_t ends_at = batch_records * sizeof(Record) + batch_segments * sizeof(Segment);
    static constexpr std::size_t arena_at = ends_at + batch_segments * sizeof(Ends);
    static_assert(arena_at + 384 * 1024 <= batch_memory, "an arena of 384 KiB at least");
    static constexpr std::size_t batch_bytes = batch_memory - arena_at - 64 * 1024;
    static constexpr std::size_t batch_events = 1024;
    void hand_over();  // queue the batch being filled, take a free one
    /// Prints a batch; `serial` numbers the batches printed (segments of different batches get
    /// different Context::prefix_key values).
    static void print(const Batch& batch, std::uint64_t serial, capture::Timestamp origin, output::Writer& out,
                      const output::PrintOptions& options);
    void run();        // the print thread
    /// Binds the calling (capture) thread to the CPU it runs on and the print thread to the
    /// other CPUs it may use. Each thread mostly waits for the other a fraction of a millisecond
    /// per batch; when one wakes the other, the scheduler tends to wake it on the waker's CPU,
    /// and the two then share one CPU for a while (measured on a 2-CPU VM: a hundred involuntary
    /// switches of the capture thread in a 40 ms run, and the run no faster than one thread).
    void keep_apart();

    output::Writer& writer_;
    const output::PrintOptions& options_;
    const bool threaded_;
    capture::Timestamp origin_;
    output::Context unthreaded_context_;  // with threaded_ == false

    capture::PageBuffer batch_pages_;  // every batch's memory (threaded)
    capture::CaptureSource* source_ = nullptr;  // whose blocks batches hold (hold_blocks_of)
    std::size_t holds_per_batch_ = 0;
    std::unique_ptr<Batch> filling_;
    // The last segment of this batch, by what identifies it without comparing text: a stream
    // number is never reused, and a connection's address text stays put while it is open.
    struct SegmentKey {
        std::uint64_t frame = 0;
        std::uint32_t stream = 0;
        output::Direction direction = output::Direction::unknown;
        const char* src = nullptr;
        const char* dst = nullptr;
        friend bool operator==(const SegmentKey&, const SegmentKey&) = default;
    };
    SegmentKey last_key_;
    // The Ends of the last four connection directions of this batch (replaced oldest first), by what
    // identifies them without comparing text: a QoS 1 exchange through a broker alternates four
    // (publisher, broker to publisher, broker to subscriber, subscriber).
    struct EndsKey {
        std::uint32_t stream = 0;
        const char* src = nullptr;
        const char* dst = nullptr;
        const char* transport = nullptr;
        friend bool operator==(const EndsKey&, const EndsKey&) = default;
    };
    struct RecentEnds {
        EndsKey key;
        std::uint32_t index = 0;
    };
    std::array<RecentEnds, 4> recent_ends_;
    std::size_t next_recent_ends_ = 0;  // the slot to replace next
    std::uint32_t last_segment_ = 0;
    std::uint64_t segment_offset_ = 0;  // its `offset`
    // The run the last record holds, while packets may still join it (run_end_ null: none).
    const std::uint8_t* run_end_ = nullptr;
    std::uint64_t run_stream_end_ = 0;
    std::uint32_t run_segment_ = 0;
    mqtt::Version run_version_ = mqtt::Version::v3_1_1;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::unique_ptr<Batch>> full_;  // oldest first
    std::vector<std::unique_ptr<Batch>> free_;
    bool closing_ = false;
    bool printer_waits_ = false;
    bool capture_waits_ = false;
    bool failed_ = false;  // set by the print thread before it ends
    std::thread thread_;
    std::optional<cpu_set_t> capture_cpus_;  // the capture thread's CPUs before keep_apart()
    std::optional<cpu_set_t> capture_cpu_;   // the capture thread's, once kept apart
};

}  // namespace mqttlens::dissect
