// TCP reassembly: per connection and direction, bytes in sequence order, each byte once.
#pragma once

#include "capture/capture_source.hpp"
#include "capture/connection_table.hpp"
#include "capture/byte_stream.hpp"
#include "capture/tcp_segment.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace mqttlens::capture {

struct ReassemblyOptions {
    /// Out-of-order bytes held per direction; beyond it the hole is declared a gap.
    std::size_t max_out_of_order = 256 * 1024;
    /// Out-of-order bytes held over all connections.
    std::size_t max_out_of_order_total = 8 * 1024 * 1024;
    /// A closed connection's number is remembered this long (capture time) so late segments
    /// (final ACKs, retransmitted FINs) keep it, as in tshark.
    std::int64_t closed_linger_seconds = 120;
    /// At most this many closed connections are remembered (the most recently closed).
    std::size_t max_closed = 65536;
    /// At most this many connections are open at once: a new one beyond it first closes the
    /// least recently active (CloseReason::evicted), whose later segments then start a new
    /// connection. With the MQTT engine above, one in use costs about 1.4 KiB: 150,000 of them
    /// take about 215 MiB.
    std::size_t max_connections = 150'000;
    /// Bytes the peer acknowledged but the capture lacks were on the wire, not captured: a hole
    /// before held data is a gap as soon as an ACK covers it (up to what the ACK covers); so are
    /// missing bytes before an acknowledged FIN. Acknowledged bytes with nothing held after them
    /// may merely precede their data in a capture that reorders records: they are a gap when
    /// data after them arrives, or once at least `ack_grace_records` records and `ack_grace_us`
    /// of capture time have passed since the ACK. An ACK more than max_out_of_order past the
    /// last byte seen is ignored.
    std::uint64_t ack_grace_records = 8;
    std::int64_t ack_grace_us = 1000;
    /// Out-of-order bytes waiting longer than this (capture time) for their hole make the hole a
    /// gap; a duplicate ACK at the hole (the receiver waits for a retransmission too) restarts it.
    std::int64_t max_out_of_order_wait_ms = 3000;
};

/// One direction of a connection. Offsets count payload bytes from the first one (after the
/// SYN, or the first segment seen when the SYN was not captured).
struct TcpHalf {
    bool started = false;    ///< the base is known (from this direction's SYN, or its first segment)
    bool fin = false;
    bool done = false;       ///< everything up to the FIN was delivered
    std::uint32_t base = 0;  ///< sequence number of offset 0
    std::uint64_t offset = 0;      ///< next offset to deliver
    std::uint64_t fin_offset = 0;  ///< offset of the FIN (valid when fin)
    /// What is known past `offset`: bytes that came out of order, acknowledgements of bytes
    /// not delivered yet.
    struct Ahead {
        struct Pending {
            std::vector<std::uint8_t> bytes;
            std::uint64_t frame = 0;  ///< record that carried them
            Timestamp ts;
        };
        std::map<std::uint64_t, Pending> out_of_order;  ///< by offset
        std::size_t out_of_order_bytes = 0;
        Timestamp hole_since;          ///< when the data held in out_of_order started waiting
        /// The peer acknowledged bytes up to here that were not delivered yet (<= offset: none).
        std::uint64_t acked = 0;
        std::uint64_t acked_frame = 0; ///< record of the first such ACK
        Timestamp acked_ts;
    };
    /// Made when something lies ahead, dropped when nothing does: most connections never
    /// need one, and an idle connection stays small.
    std::unique_ptr<Ahead> ahead;
};

/// A TCP connection: its byte streams as the layer above sees them, and each direction's
/// sequence space.
struct TcpConnection : ByteStream {
    TcpHalf half[2];
};

struct ReassemblyStats {
    std::uint64_t segments = 0;
    std::uint64_t connections = 0;
    std::uint64_t retransmitted_segments = 0;  ///< segments holding only bytes already delivered
    std::uint64_t out_of_order_segments = 0;
    std::uint64_t gaps = 0;
    std::uint64_t gap_bytes = 0;
    std::uint64_t evicted = 0;  ///< connections closed to stay within max_connections
};

class TcpReassembler {
public:
    explicit TcpReassembler(ByteStreamSink& sink, ReassemblyOptions options = {});

    /// Takes one segment from record `frame`.
    void process(const TcpSegment& segment, std::uint64_t frame, Timestamp ts);
    /// End of capture: flushes and closes every open connection, in stream order.
    void finish();

    const ReassemblyStats& stats() const noexcept { return stats_; }
    /// Open connections held.
    std::size_t open_connections() const noexcept { return open_.size(); }
    /// Closed connections whose number is remembered.
    std::size_t closed_connections() const noexcept { return closed_.size(); }

private:
    struct Key {
        Key(const Endpoint& x, const Endpoint& y) : a(x < y ? x : y), b(x < y ? y : x) {}
        Endpoint a, b;  // a < b
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept { return ConnectionTable::hash(k.a, k.b); }
    };

    TcpConnection& open(const TcpSegment& s, std::uint64_t frame, Timestamp ts);
    void deliver(TcpConnection& c, int d, const TcpSegment& s, std::uint64_t frame, Timestamp ts);
    void drain(TcpConnection& c, int d, bool own_frames, std::uint64_t frame, Timestamp ts);
    void declare_gap(TcpConnection& c, int d, std::uint64_t frame, Timestamp ts);
    void acknowledged(TcpConnection& c, int d, std::uint32_t ack, std::uint64_t frame, Timestamp ts);
    void lose(TcpConnection& c, int d, std::uint64_t upto, bool own_frames, std::uint64_t frame,
              Timestamp ts);
    void lose_acked(TcpConnection& c, int d, bool tail, std::uint64_t frame, Timestamp ts);
    void expire(TcpConnection& c, int d, std::uint64_t frame, Timestamp ts);
    void close(TcpConnection& c, CloseReason reason, std::uint64_t frame, Timestamp ts);
    void sweep(Timestamp now);
    void trim(TcpHalf& h) noexcept;

    ByteStreamSink& sink_;
    ReassemblyOptions options_;
    ConnectionTable open_;
    struct Closed {
        std::uint32_t stream;
        std::int64_t when;  // capture time of the close, seconds
    };
    std::unordered_map<Key, Closed, KeyHash> closed_;
    std::size_t sweep_at_ = 4096;
    std::uint32_t next_stream_ = 0;
    std::size_t out_of_order_total_ = 0;
    ReassemblyStats stats_;
};

}  // namespace mqttlens::capture
