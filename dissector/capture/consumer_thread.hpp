// A Consumer that runs another Consumer on a thread of its own.
//
//   Printer printer;                              // decodes, checks, prints: any Consumer
//   capture::ConsumerThread thread(printer);      // starts the thread
//   capture::Dissector dissector(thread);         // reads, reassembles, frames on this thread
//   dissector.run(source);
//   thread.finish();                              // printer has seen everything; use it again
//
// The capture thread reads records, reassembles TCP and frames packets; the consumer thread gets
// the same calls in the same order and does the rest (decode, checks, output). On a capture of
// small packets the two halves cost about the same, so the wall time comes close to the larger
// half instead of the sum.
//
// What crosses between the threads is kept small, because every byte of it moves from one core's
// cache to the other's: per packet a 32-byte record and a copy of its bytes in the batch's arena;
// per capture record, connection and direction one segment (frame, time, addresses) that its
// packets share; connection opens, closes and stream events whole (they are rare). Batches are
// recycled (three in all), so memory stays flat however long the capture is; the capture thread
// waits when the consumer falls behind.
//
// The consumer sees, in each call, a copy of the ConnectionInfo taken when the connection opened,
// at each stream event and close, and before each CONNECT (the only packet that changes it: see
// ConnectionInfo). on_record is not passed on: it belongs to the capture thread.
#pragma once

#include "capture/consumer.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace mqttlens::capture {

class ConsumerThread final : public Consumer {
public:
    /// Starts a thread named `name` (15 characters at most; for top -H, perf, gdb) that passes
    /// every call on to `target`. `target` must outlive this object and, until finish(), must not
    /// be used by anyone else.
    explicit ConsumerThread(Consumer& target, const char* name = "mqtt-consumer");
    ConsumerThread(const ConsumerThread&) = delete;
    ConsumerThread& operator=(const ConsumerThread&) = delete;
    ~ConsumerThread() override;  ///< finish()

    void on_connection_open(const ConnectionInfo& info) override;
    void on_packet(const PacketEvent& packet) override;
    void on_stream_event(const ConnectionInfo& info, const StreamEvent& event) override;
    void on_connection_close(const ConnectionInfo& info, CloseReason reason, std::uint64_t frame,
                             Timestamp ts) override;
    /// Hands over what is queued now; the target's on_idle() follows it (live capture: once per record).
    void on_idle() override;

    /// Waits until the target has had every call; afterwards the caller may use it again.
    void finish();

private:
    /// Blocks of copied bytes; a run never spans two blocks, so views into it stay valid.
    class Arena {
    public:
        /// n bytes; inline: it runs once per packet.
        std::uint8_t* allocate(std::size_t n) {
            if (end_ - cur_ >= n && cur_ != 0) {
                const std::uintptr_t at = cur_;
                cur_ += n;
                return reinterpret_cast<std::uint8_t*>(at);
            }
            return next_block(n);
        }
        /// Bytes handed out (and lost at block ends) since clear().
        std::size_t used() const noexcept { return used_ + (cur_ - start_); }
        void clear() noexcept;

    private:
        static constexpr std::size_t block_size = 256 * 1024;
        struct Block {
            std::unique_ptr<std::uint8_t[]> data;
            std::size_t size = 0;
        };
        std::uint8_t* next_block(std::size_t n);

        std::vector<Block> blocks_;
        std::size_t current_ = 0;     // the block being filled
        std::uintptr_t start_ = 0;    // its first byte (0: no block yet)
        std::uintptr_t cur_ = 0;      // its first free byte
        std::uintptr_t end_ = 0;
        std::size_t used_ = 0;        // in the blocks before the current one
    };

    /// What the packets of one capture record, connection and direction share.
    struct Segment {
        std::string_view src;  // in the arena; shared with the previous segment when equal
        std::string_view dst;
        Timestamp ts;
        std::uint64_t frame;
        std::uint32_t stream;
        Direction direction;
    };
    /// One packet, or (data == nullptr) the next of Batch::calls. Written once per packet
    /// without zeroing first.
    struct Item {
        const std::uint8_t* data;  // the packet's bytes, in the arena
        std::uint64_t offset;
        std::uint32_t size;
        std::uint32_t segment;     // index into Batch::segments
        std::uint8_t protocol_level;
    };
    /// A rare call, kept whole with copies of what it refers to.
    struct Call {
        enum class Kind : std::uint8_t { open, refresh, event, close, idle } kind;
        ConnectionInfo info;  // not for idle
        StreamEvent event{};  // for event: src and dst view the strings below
        std::string src;
        std::string dst;
        CloseReason reason{};  // for close
        std::uint64_t frame = 0;
        Timestamp ts;
    };

    struct Batch {
        std::vector<Item> items;
        std::vector<Call> calls;  // in order
        std::vector<Segment> segments;
        Arena arena;
        void clear() noexcept;
    };

    /// The segment of a packet: the last one when it is the same record, connection and direction.
    std::uint32_t segment(const PacketEvent& p) {
        if (p.frame == last_key_.frame && p.connection.stream == last_key_.stream &&
            p.direction == last_key_.direction && p.src.data() == last_key_.src &&
            p.dst.data() == last_key_.dst && last_key_.src != nullptr)
            return last_segment_;
        return new_segment(p);
    }
    std::uint32_t new_segment(const PacketEvent& p);
    std::string_view keep(std::string_view text);
    Call& add_call(Call::Kind kind, const ConnectionInfo* info);
    void added();      // an item was added: hand the batch over when it is full
    void hand_over();  // queue the batch being filled, take a free one
    void run();        // the consumer thread
    void replay(const Batch& batch);

    Consumer& target_;

    // The capture thread's side.
    std::unique_ptr<Batch> filling_;
    // The last segment of this batch, by what identifies it without comparing text: a stream
    // number is never reused, and a connection's address text stays put while it is open.
    struct SegmentKey {
        std::uint64_t frame = 0;
        std::uint32_t stream = 0;
        Direction direction = Direction::unknown;
        const char* src = nullptr;
        const char* dst = nullptr;
    };
    SegmentKey last_key_;
    std::uint32_t last_segment_ = 0;

    // Shared, under mutex_; on a cache line of its own.
    alignas(64) std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::unique_ptr<Batch>> full_;  // oldest first
    std::vector<std::unique_ptr<Batch>> free_;
    bool closing_ = false;
    bool consumer_waits_ = false;
    bool capture_waits_ = false;

    // The consumer thread's side: each open connection as the capture thread last described it.
    alignas(64) std::unordered_map<std::uint32_t, ConnectionInfo> connections_;
    std::thread thread_;
};

}  // namespace mqttlens::capture
