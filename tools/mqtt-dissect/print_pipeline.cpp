#include "print_pipeline.hpp"


#include <algorithm>
#include <cstring>
#include <limits>
#include <pthread.h>

namespace mqttlens::dissect {

std::uint8_t* PrintPipeline::Arena::next_block(std::size_t n, std::size_t align) {
    used_ += end_ - cur_;  // the rest of the current block is lost to this batch
    const std::size_t size = std::max(n + align, block_size);
    std::uint8_t* data = more_.emplace_back(std::make_unique_for_overwrite<std::uint8_t[]>(size)).get();
    cur_ = reinterpret_cast<std::uintptr_t>(data);
    end_ = cur_ + size;
    return allocate(n, align);
}

void PrintPipeline::Arena::clear() noexcept {
    more_.clear();
    cur_ = reinterpret_cast<std::uintptr_t>(first_.data());
    end_ = cur_ + first_.size();
    used_ = 0;
}

PrintPipeline::Batch::Batch(std::uint8_t* memory)
    : records(memory, batch_records),
      segments(memory + batch_records * sizeof(Record), batch_segments),
      ends(memory + ends_at, batch_segments),
      arena(std::span(memory + arena_at, batch_memory - arena_at)) {}

void PrintPipeline::Batch::clear() noexcept {
    records.clear();
    events.clear();
    alias_topics.clear();
    extras.clear();
    segments.clear();
    ends.clear();
    arena.clear();
    hold_count = 0;
    held_begin = held_end = 0;
    flush = false;
}

PrintPipeline::PrintPipeline(output::Writer& writer, const output::PrintOptions& options, bool threaded,
                             bool apart)
    : writer_(writer), options_(options), threaded_(threaded) {
    if (!threaded_) return;
    batch_pages_ = capture::PageBuffer(batches * batch_memory);
    for (std::size_t i = 0; i < batches; ++i) {
        auto batch = std::make_unique<Batch>(batch_pages_.data() + i * batch_memory);
        (i == 0 ? filling_ : free_.emplace_back()) = std::move(batch);
    }
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), "mqtt-print");  // for top -H, perf, gdb (15 chars at most)
    if (apart) keep_apart();
}

void PrintPipeline::keep_apart() {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return;
    const int here = sched_getcpu();
    if (here < 0 || !CPU_ISSET(here, &allowed)) return;
    cpu_set_t mine, others = allowed;
    CPU_ZERO(&mine);
    CPU_SET(here, &mine);
    CPU_CLR(here, &others);
    // Best effort: where either call fails, the threads are placed by the scheduler as before.
    if (pthread_setaffinity_np(thread_.native_handle(), sizeof others, &others) != 0) return;
    if (pthread_setaffinity_np(pthread_self(), sizeof mine, &mine) == 0) capture_cpus_ = allowed;
    if (capture_cpus_) capture_cpu_ = mine;
}

PrintPipeline::~PrintPipeline() { finish(); }

void PrintPipeline::hold_blocks_of(capture::CaptureSource& source) noexcept {
    if (!threaded_) return;
    source_ = &source;
    holds_per_batch_ = std::min(source.holdable(), max_holds);
}

const std::uint8_t* PrintPipeline::place(mqtt::Bytes bytes) {
    if (const int block = source_ ? source_->block_of(bytes) : -1; block >= 0 && holds_per_batch_ > 0) {
        // The capture's reader waits for blocks when too many are held: a batch that holds
        // its share goes to the print thread, which lets them go once they are printed.
        if (filling_->hold_count == holds_per_batch_) hand_over();
        if (source_->hold(block)) {
            Batch& b = *filling_;
            b.holds[b.hold_count++] = block;
            const mqtt::Bytes memory = source_->block_memory(block);
            b.held_begin = reinterpret_cast<std::uintptr_t>(memory.data());
            b.held_end = b.held_begin + memory.size();
            return bytes.data();
        }
    }
    std::uint8_t* copy = filling_->arena.allocate(bytes.size());
    output::detail::copy_short(reinterpret_cast<char*>(copy), reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return copy;
}

void PrintPipeline::set_segment(output::Context& c, const Segment& g, const Ends& e,
                                capture::Timestamp origin) noexcept {
    c.frame = g.frame;
    c.ts = g.ts;
    c.rel_time = since(g.ts, origin);
    c.stream = e.stream;
    c.direction = g.direction;
    c.src = e.src;
    c.dst = e.dst;
    c.transport = e.transport;
}

std::string_view PrintPipeline::keep(std::string_view text) {
    if (text.empty()) return {};
    auto* copy = filling_->arena.allocate(text.size());
    std::memcpy(copy, text.data(), text.size());
    return {reinterpret_cast<const char*>(copy), text.size()};
}

std::uint32_t PrintPipeline::ends_of(const Seen& seen) {
    const EndsKey key{seen.stream, seen.src.data(), seen.dst.data(), seen.transport.data()};
    if (key.src != nullptr)
        for (const RecentEnds& r : recent_ends_)
            if (key == r.key) return r.index;
    Batch& b = *filling_;
    b.ends.push_back(Ends{keep(seen.src), keep(seen.dst), seen.transport, seen.stream});
    const auto index = static_cast<std::uint32_t>(b.ends.size() - 1);
    recent_ends_[next_recent_ends_] = RecentEnds{key, index};  // the oldest goes
    next_recent_ends_ = (next_recent_ends_ + 1) % recent_ends_.size();
    return index;
}

std::uint32_t PrintPipeline::new_segment(const Seen& seen, std::uint64_t offset) {
    const std::uint32_t ends = ends_of(seen);
    Batch& b = *filling_;
    b.segments.push_back(Segment{seen.ts, offset, seen.frame, ends, seen.direction});
    last_key_ = SegmentKey{seen.frame, seen.stream, seen.direction, seen.src.data(), seen.dst.data()};
    last_segment_ = static_cast<std::uint32_t>(b.segments.size() - 1);
    segment_offset_ = offset;
    return last_segment_;
}

void PrintPipeline::any_packet(mqtt::Bytes bytes, Decoding how, const mqtt::Packet* packet, const Seen& seen,
                               std::uint64_t offset) {
    if (!threaded_) {
        // Printed at once: the views need not be kept, and one Context serves every packet.
        output::Context& c = unthreaded_context_;
        set_segment(c, Segment{seen.ts, offset, seen.frame, 0, seen.direction},
                    Ends{seen.src, seen.dst, seen.transport, seen.stream}, origin_);
        c.offset = offset;
        c.extra = seen.extra;
        c.alias_topic = seen.alias_topic;
        c.version = how.version;
        if (packet != nullptr) {
            output::print_packet(writer_.buffer(), *packet, c, options_);
            writer_.commit();
            return;
        }
        mqtt::for_each_packet(bytes, [&](mqtt::Bytes one, std::size_t at) {  // a run of clean packets
            c.offset = offset + at;
            output::print_clean(writer_.buffer(), one, c, options_);
            writer_.commit();
        });
        return;
    }
    const std::uint8_t* data = kept(bytes);  // first: it may hand the batch over
    Batch& b = *filling_;
    std::uint8_t has = 0;
    if (!seen.extra.empty()) {
        const std::size_t size = seen.extra.size() * sizeof(mqtt::Diagnostic);
        auto* copy = b.arena.allocate(size, alignof(mqtt::Diagnostic));
        std::memcpy(copy, seen.extra.data(), size);
        b.extras.emplace_back(reinterpret_cast<const mqtt::Diagnostic*>(copy), seen.extra.size());
        has |= has_extra;
    }
    if (!seen.alias_topic.empty()) {
        b.alias_topics.push_back(keep(seen.alias_topic));
        has |= has_alias_topic;
    }
    add(data, bytes.size(), how, seen, offset, has);
}

void PrintPipeline::event(const Event& event) {
    if (!threaded_) {
        print_event(writer_.buffer(), event, options_);
        writer_.commit();
        return;
    }
    Batch& b = *filling_;
    Event& kept = b.events.emplace_back(event);
    // Events carry no stream findings (`extra`); `reason` is a string literal.
    kept.context.src = keep(event.context.src);
    kept.context.dst = keep(event.context.dst);
    kept.message = keep(event.message);
    b.records.push_back(Record{}).data = nullptr;
    run_end_ = nullptr;
    added();
}

void PrintPipeline::flush() {
    if (!threaded_) {
        if (writer_.buffer().size() > 0) writer_.flush();
        return;
    }
    if (filling_->records.empty()) return;
    filling_->flush = true;
    hand_over();
}

void PrintPipeline::hand_over() {
    last_key_ = {};
    recent_ends_.fill(RecentEnds{});
    run_end_ = nullptr;
    // A wake-up costs a system call and, in a virtual machine, often a trip through the
    // hypervisor: notify only a thread that waits.
    std::unique_lock lock(mutex_);
    full_.push_back(std::move(filling_));
    if (printer_waits_) changed_.notify_one();
    if (free_.empty()) {
        capture_waits_ = true;
        changed_.wait(lock, [this] { return !free_.empty(); });
        capture_waits_ = false;
    }
    filling_ = std::move(free_.back());
    free_.pop_back();
}

void PrintPipeline::finish() {
    if (!threaded_ || !thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        if (!filling_->records.empty()) full_.push_back(std::move(filling_));
        closing_ = true;
        if (printer_waits_) changed_.notify_one();
    }
    thread_.join();
    if (capture_cpus_) pthread_setaffinity_np(pthread_self(), sizeof *capture_cpus_, &*capture_cpus_);
}

void PrintPipeline::print(const Batch& b, std::uint64_t serial, capture::Timestamp origin, output::Writer& out,
                          const output::PrintOptions& options) {
    std::size_t event = 0;
    std::size_t alias_topic = 0;
    std::size_t extra = 0;
    // One Context for the whole batch, every field set again per record: zeroing a fresh one
    // per packet (a 168-byte rep stos) cost more than a fifth of a summary line.
    output::Context c;
    std::uint32_t segment = std::numeric_limits<std::uint32_t>::max();  // whose fields c holds
    for (const Record& r : b.records) {
        if (r.data == nullptr) {
            print_event(out.buffer(), b.events[event++], options);
            out.commit();
            continue;
        }
        if (r.segment != segment) {  // the packets of a segment come one after the other
            segment = r.segment;
            set_segment(c, b.segments[segment], b.ends[b.segments[segment].ends], origin);
            c.prefix_key = (serial << 32) + segment + 1;  // one segment: one frame, time, direction and addresses
        }
        const std::uint64_t offset = b.segments[segment].offset + r.offset;
        c.extra = r.has & has_extra ? b.extras[extra++] : std::span<const mqtt::Diagnostic>{};
        c.alias_topic = r.has & has_alias_topic ? b.alias_topics[alias_topic++] : std::string_view{};
        c.version = r.how.version;
        for (std::uint32_t at = 0; at < r.size;) {  // a run's packets (one unless clean)
            const auto size = static_cast<std::uint32_t>(
                r.how.clean ? mqtt::packet_size(mqtt::Bytes(r.data + at, r.size - at)) : r.size);
            const mqtt::Bytes bytes(r.data + at, size);
            c.offset = offset + at;
            if (r.how.clean) output::print_clean(out.buffer(), bytes, c, options);
            else output::print_packet(out.buffer(), mqtt::decode(bytes, r.how.version), c, options);
            out.commit();
            at += size;
        }
    }
}

void PrintPipeline::run() {
    output::Writer out(writer_.file());
    const output::PrintOptions options = options_;
    std::uint64_t serial = 0;
    for (;;) {
        std::unique_ptr<Batch> batch;
        {
            std::unique_lock lock(mutex_);
            if (full_.empty() && !closing_) {
                printer_waits_ = true;
                changed_.wait(lock, [this] { return !full_.empty() || closing_; });
                printer_waits_ = false;
            }
            if (full_.empty()) break;
            batch = std::move(full_.front());
            full_.pop_front();
        }
        print(*batch, ++serial, origin_, out, options);
        if (batch->flush) out.flush();
        for (std::size_t i = 0; i < batch->hold_count; ++i) source_->release(batch->holds[i]);
        batch->clear();
        std::lock_guard lock(mutex_);
        free_.push_back(std::move(batch));
        if (capture_waits_) changed_.notify_one();
    }
    failed_ = !out.flush();
}

}  // namespace mqttlens::dissect
