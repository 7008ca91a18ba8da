#include "capture/tcp_reassembler.hpp"

#include <algorithm>

namespace mqttlens::capture {

namespace {

/// Out-of-order bytes are held.
bool holds(const TcpHalf& h) noexcept {
    return h.ahead && !h.ahead->out_of_order.empty();
}

TcpHalf::Ahead& ahead(TcpHalf& h) {
    if (!h.ahead) h.ahead = std::make_unique<TcpHalf::Ahead>();
    return *h.ahead;
}

/// Where the bytes `h`'s peer acknowledged end: a FIN's sequence number is not a byte.
std::uint64_t acked_end(const TcpHalf& h) noexcept {
    const std::uint64_t acked = h.ahead ? h.ahead->acked : 0;
    return h.fin ? std::min(acked, h.fin_offset) : acked;
}

/// Acknowledged bytes with nothing after them can be declared lost: one byte past the last one
/// seen may be a FIN that was not captured, not data.
bool tail_is_data(const TcpHalf& h) noexcept {
    return h.fin || (h.ahead && h.ahead->acked > h.offset + 1);
}

void settle(TcpHalf& h) noexcept {
    if (h.fin && !h.done && h.offset >= h.fin_offset && !holds(h)) h.done = true;
}

/// What a SYN from half `d` of `c` tells: that half's base, with a SYN/ACK the other half's too,
/// and which side is the client.
void note_syn(TcpConnection& c, int d, const TcpSegment& s, bool ack) noexcept {
    TcpHalf& h = c.half[d];
    if (!h.started) {
        h.started = true;
        c.from_start[d] = true;
        h.base = s.seq + 1;
    }
    // A SYN/ACK acknowledges the client's SYN: the client's data starts at its ack number
    // even when the SYN itself was not captured.
    TcpHalf& other = c.half[1 - d];
    if (ack && !other.started) {
        other.started = true;
        c.from_start[1 - d] = true;
        other.base = s.ack;
    }
    if (c.client_side < 0) c.client_side = static_cast<std::int8_t>(ack ? 1 - d : d);
}

}  // namespace

TcpReassembler::TcpReassembler(ByteStreamSink& sink, ReassemblyOptions options)
    : sink_(sink), options_(options) {}

TcpConnection& TcpReassembler::open(const TcpSegment& s, std::uint64_t frame, Timestamp ts) {
    if (open_.size() >= options_.max_connections && open_.size() > 0) {
        ++stats_.evicted;
        close(*open_.oldest(), CloseReason::evicted, frame, ts);
    }
    TcpConnection& c = open_.add(s.src, s.dst);
    c.stream = next_stream_++;
    if (s.flags & tcp_flag::syn) c.first_client_side = (s.flags & tcp_flag::ack) ? 1 : 0;
    c.first_frame = frame;
    c.first_ts = ts;
    c.last_ts = ts;
    ++stats_.connections;
    return c;
}

void TcpReassembler::process(const TcpSegment& s, std::uint64_t frame, Timestamp ts) {
    ++stats_.segments;

    const bool syn = s.flags & tcp_flag::syn;
    const bool ack = s.flags & tcp_flag::ack;

    TcpConnection* c = nullptr;
    bool fresh = false;
    if ((c = open_.find(s.src, s.dst))) {
        if (syn && !ack) {
            // A new SYN starts a new connection when the old one ended or had another ISN.
            const int d = s.src == c->endpoint[0] ? 0 : 1;
            const TcpHalf& h = c->half[d];
            const bool ended = c->half[0].fin || c->half[1].fin;
            const bool other_isn = c->from_start[d] && h.base != s.seq + 1;
            if (ended || other_isn) {
                close(*c, CloseReason::reused, frame, ts);
                c = nullptr;
            }
        }
    } else if (auto gone = closed_.find(Key(s.src, s.dst)); gone != closed_.end()) {
        if (!(syn && !ack)) return;  // a late segment of a finished connection keeps its number
        closed_.erase(gone);
    }
    if (!c) {
        c = &open(s, frame, ts);
        fresh = true;
    }

    const int d = s.src == c->endpoint[0] ? 0 : 1;
    TcpHalf& h = c->half[d];
    open_.touch(*c);
    c->last_ts = ts;
    c->last_frame = frame;

    if (syn) note_syn(*c, d, s, ack);
    if (fresh) sink_.on_open(*c, frame, ts);

    if (s.flags & tcp_flag::rst) {
        close(*c, CloseReason::rst, frame, ts);
        return;
    }
    if (!c->wants_data) {
        if (s.flags & tcp_flag::fin) h.fin = h.done = true;
        if (c->half[0].done && c->half[1].done) close(*c, CloseReason::fin, frame, ts);
        return;
    }
    for (int x = 0; x < 2; ++x) {
        if (c->half[x].ahead) expire(*c, x, frame, ts);
    }
    if (ack) {
        // What the peer acknowledges of the other half, before this segment's own bytes, so that
        // bytes held behind a lost segment come out before the answer to them.
        TcpHalf& other = c->half[1 - d];
        if (other.started && !other.done) {
            const auto rel = static_cast<std::int32_t>(s.ack - static_cast<std::uint32_t>(other.base + other.offset));
            if (rel > 0) {
                acknowledged(*c, 1 - d, s.ack, frame, ts);
            } else if (rel == 0 && holds(other)) {
                other.ahead->hole_since = ts;  // the receiver misses the hole too: a retransmission will come
            }
        }
    }
    if (!s.payload.empty() || (s.flags & tcp_flag::fin)) deliver(*c, d, s, frame, ts);
    trim(c->half[0]);
    trim(c->half[1]);
    if (c->half[0].done && c->half[1].done) close(*c, CloseReason::fin, frame, ts);
}

void TcpReassembler::trim(TcpHalf& h) noexcept {
    if (h.ahead && h.ahead->out_of_order.empty() && h.ahead->acked <= h.offset) h.ahead.reset();
}

void TcpReassembler::acknowledged(TcpConnection& c, int d, std::uint32_t ack, std::uint64_t frame,
                                  Timestamp ts) {
    TcpHalf& h = c.half[d];
    const auto rel = static_cast<std::uint32_t>(ack - static_cast<std::uint32_t>(h.base + h.offset));
    const std::uint64_t upto = h.offset + rel;
    std::uint64_t seen = h.offset;
    if (holds(h)) {
        const auto& last = *h.ahead->out_of_order.rbegin();
        seen = last.first + last.second.bytes.size();
    }
    if (upto > seen + options_.max_out_of_order) return;  // implausibly far ahead: not trusted
    const bool fin_acked = h.fin && upto > h.fin_offset;  // nothing more will come
    TcpHalf::Ahead& a = ahead(h);
    if (a.acked <= h.offset) {
        a.acked_frame = frame;
        a.acked_ts = ts;
    }
    a.acked = std::max(a.acked, upto);
    if (acked_end(h) <= h.offset) return;
    if (fin_acked || holds(h)) lose_acked(c, d, fin_acked, frame, ts);
}

void TcpReassembler::lose_acked(TcpConnection& c, int d, bool tail, std::uint64_t frame, Timestamp ts) {
    TcpHalf& h = c.half[d];
    // Held bytes after an acknowledged hole come out at the records that carried them.
    while (acked_end(h) > h.offset && holds(h)) {
        lose(c, d, std::min(acked_end(h), h.ahead->out_of_order.begin()->first), true, frame, ts);
    }
    if (tail && acked_end(h) > h.offset && tail_is_data(h)) lose(c, d, acked_end(h), false, frame, ts);
}

void TcpReassembler::expire(TcpConnection& c, int d, std::uint64_t frame, Timestamp ts) {
    TcpHalf& h = c.half[d];
    if (acked_end(h) > h.offset && !holds(h) &&
        frame >= h.ahead->acked_frame + options_.ack_grace_records &&
        micros_between(h.ahead->acked_ts, ts) >= options_.ack_grace_us) {
        lose_acked(c, d, true, frame, ts);
    }
    if (holds(h)) {
        const TcpHalf::Ahead& a = *h.ahead;
        const Timestamp since = std::max(a.hole_since, a.out_of_order.begin()->second.ts);
        if (micros_between(since, ts) > options_.max_out_of_order_wait_ms * 1000) {
            lose(c, d, a.out_of_order.begin()->first, true, frame, ts);
        }
    }
}

void TcpReassembler::deliver(TcpConnection& c, int d, const TcpSegment& s, std::uint64_t frame,
                             Timestamp ts) {
    TcpHalf& h = c.half[d];
    const std::uint32_t data_seq = s.seq + ((s.flags & tcp_flag::syn) ? 1 : 0);
    if (!h.started) {
        h.started = true;
        h.base = data_seq;
    }
    // Distance from the next expected byte, modulo 2^32: sequence numbers wrap.
    const auto rel = static_cast<std::int32_t>(data_seq - static_cast<std::uint32_t>(h.base + h.offset));
    const std::int64_t start = static_cast<std::int64_t>(h.offset) + rel;
    Bytes payload = s.payload;
    std::int64_t begin = start;
    if (begin < 0) {  // bytes from before the first one we saw
        const auto cut = static_cast<std::size_t>(-begin);
        payload = payload.subspan(std::min(cut, payload.size()));
        begin = 0;
    }
    const std::uint64_t seg_begin = static_cast<std::uint64_t>(begin);
    const std::uint64_t seg_end = seg_begin + payload.size();

    if ((s.flags & tcp_flag::fin) && !h.fin && start >= 0) {
        h.fin = true;
        h.fin_offset = static_cast<std::uint64_t>(start) + s.payload.size();
    }

    if (!payload.empty()) {
        if (seg_end <= h.offset) {
            ++stats_.retransmitted_segments;
        } else if (seg_begin <= h.offset) {
            const Bytes fresh = payload.subspan(static_cast<std::size_t>(h.offset - seg_begin));
            const std::uint64_t at = h.offset;
            h.offset = seg_end;
            sink_.on_data(c, d, fresh, at, frame, ts);
            // Bytes cut by the snaplen are a gap known at once; held bytes may follow now.
            if (s.uncaptured > 0 || holds(h)) lose(c, d, seg_end + s.uncaptured, false, frame, ts);
        } else {
            ++stats_.out_of_order_segments;
            TcpHalf::Ahead& a = ahead(h);
            if (a.out_of_order.empty()) a.hole_since = ts;
            auto& slot = a.out_of_order[seg_begin];
            if (slot.bytes.size() < payload.size()) {
                a.out_of_order_bytes += payload.size() - slot.bytes.size();
                out_of_order_total_ += payload.size() - slot.bytes.size();
                slot.bytes.assign(payload.begin(), payload.end());
                slot.frame = frame;
                slot.ts = ts;
            }
            // `a` outlives the gaps below: only process() drops an Ahead, when it is empty.
            while (holds(h) && (a.out_of_order_bytes > options_.max_out_of_order ||
                                out_of_order_total_ > options_.max_out_of_order_total)) {
                declare_gap(c, d, frame, ts);
            }
            // Data past a hole the peer already acknowledged: the hole was lost.
            if (acked_end(h) > h.offset && holds(h)) lose_acked(c, d, false, frame, ts);
        }
    }
    settle(h);
}

void TcpReassembler::drain(TcpConnection& c, int d, bool own_frames, std::uint64_t frame, Timestamp ts) {
    TcpHalf& h = c.half[d];
    while (holds(h)) {
        auto& out_of_order = h.ahead->out_of_order;
        auto it = out_of_order.begin();
        if (it->first > h.offset) break;
        const std::uint64_t end = it->first + it->second.bytes.size();
        if (end > h.offset) {
            const Bytes bytes(it->second.bytes);
            const Bytes fresh = bytes.subspan(static_cast<std::size_t>(h.offset - it->first));
            const std::uint64_t at = h.offset;
            h.offset = end;
            // Delivered in the record that made them contiguous; after a loss, in the record
            // that carried them.
            sink_.on_data(c, d, fresh, at, own_frames ? it->second.frame : frame,
                          own_frames ? it->second.ts : ts);
        }
        h.ahead->out_of_order_bytes -= it->second.bytes.size();
        out_of_order_total_ -= it->second.bytes.size();
        out_of_order.erase(it);
    }
}

void TcpReassembler::declare_gap(TcpConnection& c, int d, std::uint64_t frame, Timestamp ts) {
    // At capture end (frame 0), noticed where the data after the hole arrived.
    lose(c, d, c.half[d].ahead->out_of_order.begin()->first, frame == 0, frame, ts);
}

void TcpReassembler::lose(TcpConnection& c, int d, std::uint64_t upto, bool own_frames,
                          std::uint64_t frame, Timestamp ts) {
    TcpHalf& h = c.half[d];
    if (own_frames && holds(h) && h.ahead->out_of_order.begin()->first <= upto) {
        frame = h.ahead->out_of_order.begin()->second.frame;
        ts = h.ahead->out_of_order.begin()->second.ts;
    }
    if (upto > h.offset) {
        ++stats_.gaps;
        stats_.gap_bytes += upto - h.offset;
        const std::uint64_t at = h.offset;
        h.offset = upto;
        sink_.on_gap(c, d, at, upto - at, frame, ts);
    }
    drain(c, d, own_frames, frame, ts);
    settle(h);
}

void TcpReassembler::close(TcpConnection& c, CloseReason reason, std::uint64_t frame, Timestamp ts) {
    for (int d = 0; d < 2; ++d) {
        TcpHalf& h = c.half[d];
        while (holds(h)) declare_gap(c, d, frame, ts);
        if (acked_end(h) > h.offset && tail_is_data(h)) {
            lose(c, d, acked_end(h), false, frame ? frame : h.ahead->acked_frame, frame ? ts : h.ahead->acked_ts);
        }
        if (h.fin) lose(c, d, h.fin_offset, false, frame ? frame : c.last_frame, ts);
    }
    sink_.on_close(c, reason, frame, ts);
    // An evicted connection is not remembered: its next segment starts a new one.
    if (reason != CloseReason::evicted) closed_[Key(c.endpoint[0], c.endpoint[1])] = Closed{c.stream, ts.sec};
    open_.remove(c);  // `c` is gone
    if (closed_.size() >= sweep_at_) sweep(ts);
}

void TcpReassembler::sweep(Timestamp now) {
    std::erase_if(closed_, [&](const auto& entry) {
        return now.sec - entry.second.when > options_.closed_linger_seconds;
    });
    if (closed_.size() > options_.max_closed) {
        // Keep the most recently closed: drop everything older than the max_closed-th newest.
        std::vector<std::int64_t> times;
        times.reserve(closed_.size());
        for (const auto& entry : closed_) times.push_back(entry.second.when);
        const auto nth = times.begin() + static_cast<std::ptrdiff_t>(times.size() - options_.max_closed);
        std::nth_element(times.begin(), nth, times.end());
        const std::int64_t oldest_kept = *nth;
        std::erase_if(closed_, [&](const auto& entry) { return entry.second.when < oldest_kept; });
    }
    sweep_at_ = std::max<std::size_t>(4096, 2 * closed_.size());
}

void TcpReassembler::finish() {
    std::vector<TcpConnection*> open = open_.all();
    std::sort(open.begin(), open.end(),
              [](const TcpConnection* a, const TcpConnection* b) { return a->stream < b->stream; });
    for (TcpConnection* c : open) {
        const bool both_fin = c->half[0].fin && c->half[1].fin;
        close(*c, both_fin ? CloseReason::fin : CloseReason::capture_end, 0, c->last_ts);
    }
    open_.clear();
    closed_.clear();
}

}  // namespace mqttlens::capture
