#include "capture/consumer_thread.hpp"

#include <algorithm>
#include <cstring>
#include <pthread.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mqttlens::capture {

namespace {

// A batch is handed over when it holds this many items or arena bytes: small enough that three
// batches stay in the caches, large enough that a hand-over (a lock and a wake-up) is rare.
constexpr std::size_t batch_items = 4096;
constexpr std::size_t batch_bytes = 512 * 1024;
constexpr std::size_t batches = 3;

/// memcpy for the usual packet of a few dozen bytes without the library call: overlapping
/// 16-byte moves that stay inside [from, from + n).
inline void copy_small(std::uint8_t* to, const std::uint8_t* from, std::size_t n) noexcept {
#if defined(__SSE2__)
    if (n >= 16 && n <= 64) {
        const auto load = [](const std::uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
        const auto store = [](std::uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); };
        const __m128i a = load(from), z = load(from + n - 16);
        if (n > 32) {
            const __m128i b = load(from + 16), y = load(from + n - 32);
            store(to + 16, b);
            store(to + n - 32, y);
        }
        store(to, a);
        store(to + n - 16, z);
        return;
    }
#endif
    if (n > 0) std::memcpy(to, from, n);
}

}  // namespace

std::uint8_t* ConsumerThread::Arena::next_block(std::size_t n) {
    const std::size_t next = start_ == 0 ? 0 : current_ + 1;
    if (start_ != 0) used_ += end_ - start_;  // the rest of the current block is lost to this batch
    if (next >= blocks_.size() || blocks_[next].size < n) {
        // A new block; larger than usual for a packet bigger than a block.
        const std::size_t size = std::max(n, block_size);
        blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(next),
                       Block{std::make_unique_for_overwrite<std::uint8_t[]>(size), size});
    }
    current_ = next;
    start_ = cur_ = reinterpret_cast<std::uintptr_t>(blocks_[next].data.get());
    end_ = start_ + blocks_[next].size;
    cur_ += n;
    return reinterpret_cast<std::uint8_t*>(start_);
}

void ConsumerThread::Arena::clear() noexcept {
    // Keep the usual blocks for the next batch; let outsized ones go.
    std::erase_if(blocks_, [](const Block& b) { return b.size > block_size; });
    current_ = 0;
    start_ = cur_ = end_ = 0;
    used_ = 0;
}

void ConsumerThread::Batch::clear() noexcept {
    items.clear();
    calls.clear();
    segments.clear();
    arena.clear();
}

ConsumerThread::ConsumerThread(Consumer& target, const char* name) : target_(target) {
    for (std::size_t i = 0; i < batches; ++i) {
        auto batch = std::make_unique<Batch>();
        batch->items.reserve(batch_items);
        (i == 0 ? filling_ : free_.emplace_back()) = std::move(batch);
    }
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), name);
}

ConsumerThread::~ConsumerThread() { finish(); }

std::string_view ConsumerThread::keep(std::string_view text) {
    if (text.empty()) return {};
    auto* copy = filling_->arena.allocate(text.size());
    std::memcpy(copy, text.data(), text.size());
    return {reinterpret_cast<const char*>(copy), text.size()};
}

std::uint32_t ConsumerThread::new_segment(const PacketEvent& p) {
    const SegmentKey key{p.frame, p.connection.stream, p.direction, p.src.data(), p.dst.data()};
    Batch& b = *filling_;
    const bool same_connection = last_key_.src != nullptr && key.stream == last_key_.stream &&
                                 key.src == last_key_.src && key.dst == last_key_.dst;
    const Segment* last = same_connection ? &b.segments.back() : nullptr;
    b.segments.push_back(Segment{last ? last->src : keep(p.src), last ? last->dst : keep(p.dst), p.ts, p.frame,
                                 p.connection.stream, p.direction});
    last_key_ = key;
    last_segment_ = static_cast<std::uint32_t>(b.segments.size() - 1);
    return last_segment_;
}

ConsumerThread::Call& ConsumerThread::add_call(Call::Kind kind, const ConnectionInfo* info) {
    Batch& b = *filling_;
    Call& call = b.calls.emplace_back();
    call.kind = kind;
    if (info != nullptr) call.info = *info;
    Item& item = b.items.emplace_back();
    item.data = nullptr;
    return call;
}

void ConsumerThread::on_connection_open(const ConnectionInfo& info) {
    add_call(Call::Kind::open, &info);
    added();
}

void ConsumerThread::on_packet(const PacketEvent& p) {
    if ((p.bytes[0] >> 4) == 1) add_call(Call::Kind::refresh, &p.connection);  // CONNECT: roles, level
    Batch& b = *filling_;
    std::uint8_t* data = b.arena.allocate(p.bytes.size());
    copy_small(data, p.bytes.data(), p.bytes.size());
    b.items.push_back(Item{data, p.stream_offset, static_cast<std::uint32_t>(p.bytes.size()), segment(p),
                           p.protocol_level});
    added();
}

void ConsumerThread::on_stream_event(const ConnectionInfo& info, const StreamEvent& event) {
    Call& call = add_call(Call::Kind::event, &info);
    call.event = event;
    call.src = event.src;
    call.dst = event.dst;
    added();
}

void ConsumerThread::on_connection_close(const ConnectionInfo& info, CloseReason reason, std::uint64_t frame,
                                         Timestamp ts) {
    Call& call = add_call(Call::Kind::close, &info);
    call.reason = reason;
    call.frame = frame;
    call.ts = ts;
    added();
}

void ConsumerThread::on_idle() {
    add_call(Call::Kind::idle, nullptr);
    hand_over();
}

void ConsumerThread::added() {
    if (filling_->items.size() >= batch_items || filling_->arena.used() >= batch_bytes) hand_over();
}

void ConsumerThread::hand_over() {
    last_key_ = {};
    // A wake-up costs a system call and, in a virtual machine, often a trip through the
    // hypervisor: notify only a thread that waits.
    std::unique_lock lock(mutex_);
    full_.push_back(std::move(filling_));
    if (consumer_waits_) changed_.notify_one();
    if (free_.empty()) {
        capture_waits_ = true;
        changed_.wait(lock, [this] { return !free_.empty(); });
        capture_waits_ = false;
    }
    filling_ = std::move(free_.back());
    free_.pop_back();
}

void ConsumerThread::finish() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        if (!filling_->items.empty()) full_.push_back(std::move(filling_));
        closing_ = true;
        if (consumer_waits_) changed_.notify_one();
    }
    thread_.join();
}

void ConsumerThread::replay(const Batch& b) {
    std::size_t next_call = 0;
    std::uint32_t last_stream = 0;
    const ConnectionInfo* last_info = nullptr;
    const auto info_of = [&](std::uint32_t stream) -> const ConnectionInfo& {
        // Packets come in runs per connection; map nodes stay put until erased.
        if (last_info == nullptr || last_stream != stream) {
            ConnectionInfo& info = connections_[stream];
            info.stream = stream;  // already so, unless a packet came before its open (never)
            last_info = &info;
            last_stream = stream;
        }
        return *last_info;
    };
    for (const Item& item : b.items) {
        if (item.data != nullptr) {
            const Segment& g = b.segments[item.segment];
            const PacketEvent event{info_of(g.stream), g.direction, g.src, g.dst, g.frame, g.ts,
                                    Bytes(item.data, item.size), item.offset, item.protocol_level};
            target_.on_packet(event);
            continue;
        }
        const Call& call = b.calls[next_call++];
        switch (call.kind) {
            case Call::Kind::open:
            case Call::Kind::refresh:
                connections_.insert_or_assign(call.info.stream, call.info);
                if (call.kind == Call::Kind::open) target_.on_connection_open(call.info);
                break;
            case Call::Kind::event: {
                connections_.insert_or_assign(call.info.stream, call.info);
                StreamEvent event = call.event;
                event.src = call.src;
                event.dst = call.dst;
                target_.on_stream_event(call.info, event);
                break;
            }
            case Call::Kind::close:
                target_.on_connection_close(call.info, call.reason, call.frame, call.ts);
                connections_.erase(call.info.stream);
                break;
            case Call::Kind::idle:
                target_.on_idle();
                break;
        }
        last_info = nullptr;  // the map changed
    }
}

void ConsumerThread::run() {
    for (;;) {
        std::unique_ptr<Batch> batch;
        {
            std::unique_lock lock(mutex_);
            if (full_.empty() && !closing_) {
                consumer_waits_ = true;
                changed_.wait(lock, [this] { return !full_.empty() || closing_; });
                consumer_waits_ = false;
            }
            if (full_.empty()) break;
            batch = std::move(full_.front());
            full_.pop_front();
        }
        replay(*batch);
        batch->clear();
        std::lock_guard lock(mutex_);
        free_.push_back(std::move(batch));
        if (capture_waits_) changed_.notify_one();
    }
}

}  // namespace mqttlens::capture
