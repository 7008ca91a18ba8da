// Framer: cuts a byte stream into whole MQTT packets, whatever the chunking.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <cstdint>
#include <vector>

namespace mqttlens::mqtt {

struct FramerOptions {
    /// Largest packet accepted (fixed header included is NOT counted: this bounds Remaining
    /// Length). Default: the protocol maximum, 268,435,455.
    std::uint32_t max_remaining_length = 268'435'455;
};

/// One step of the framer.
struct Frame {
    enum class Status : std::uint8_t {
        need_more,  ///< no whole packet buffered; `need` says how many more bytes at least
        packet,     ///< `packet` is one whole packet
        error,      ///< the stream is broken at `offset`; the framer stays broken until reset()
    } status = Status::need_more;
    Bytes packet;             ///< valid until the next call to feed(), next(), finish() or reset()
    std::uint64_t offset = 0; ///< stream offset of the packet's first byte, or of the error
    std::size_t need = 0;     ///< need_more: bytes still missing (at least 1)
    Code error = Code::packet_truncated;  ///< error: remaining_length_malformed, packet_too_large
                                          ///< or packet_truncated (after finish())
};

/// Incremental framer. Feed bytes in any chunking; call next() until it answers need_more.
/// Yields the same packets and errors, at the same offsets, whatever the chunking. Memory held
/// grows only with bytes actually fed, never with a length the input claims.
///
/// Two ways to give it bytes, one state: feed() then next() (everything fed is copied), or
/// next(input, taken) (a packet lying wholly inside `input` is handed out as a view into it,
/// without a copy; only a packet cut by the end of `input` is copied, and only the bytes it needs).
class Framer {
public:
    explicit Framer(FramerOptions options = {}) : options_(options) {}

    /// The next step over `input`, the stream's bytes that follow everything given so far:
    /// a packet (a view into `input` when nothing was held before it, else into the framer),
    /// need_more (every byte of `input` was taken), or the error that broke the stream. Sets
    /// `taken` to the bytes of `input` this step consumed; pass the rest to the next call. After
    /// an error, held() and the untaken rest of `input` are the bytes from the broken packet on.
    Frame next(Bytes input, std::size_t& taken) {
        // One Frame, filled where it is returned: copying a Frame just written field by field
        // costs a store-forwarding stall per packet.
        Frame frame;
        if (buffer_.size() == start_ && !broken_ && next_in_place(input, taken, frame)) return frame;
        frame = next_held(input, taken);
        return frame;
    }

    /// Appends `chunk` to the stream. Invalidates the view of the last Frame.
    void feed(Bytes chunk);
    /// The next packet, need_more, or the error that broke the stream.
    Frame next();
    /// Declares the end of the stream: next() then reports packet_truncated if bytes of an
    /// unfinished packet remain.
    void finish() noexcept { finished_ = true; }
    /// Forgets all buffered bytes and any error; the next byte fed is at `stream_offset`.
    void reset(std::uint64_t stream_offset = 0);

    /// Stream offset of the first byte not yet handed out as a packet.
    std::uint64_t position() const noexcept { return consumed_; }
    /// Bytes buffered and not yet handed out.
    std::size_t buffered() const noexcept { return buffer_.size() - start_; }
    /// Those bytes: the start of the packet being collected (after an error from next(input,
    /// taken): of the broken one). Valid until the next call that changes the framer.
    Bytes held() const noexcept { return Bytes(buffer_.data() + start_, buffered()); }

private:
    /// A packet wholly at the start of `input` (nothing may be held): true with `frame` set to it,
    /// a view into `input`; else false, `frame` untouched and nothing taken. Inline: the usual
    /// packet of a busy connection takes this.
    bool next_in_place(Bytes input, std::size_t& taken, Frame& frame) noexcept {
        taken = 0;
        if (input.size() < 2) return false;
        const LengthResult h = read_remaining_length(input.subspan(1));
        const std::size_t total = 1 + std::size_t(h.size) + h.value;
        if (h.status != LengthResult::Status::ok || h.value > options_.max_remaining_length || total > input.size())
            return false;
        frame.status = Frame::Status::packet;
        frame.packet = input.first(total);
        frame.offset = consumed_;
        consumed_ += total;
        taken = total;
        return true;
    }
    /// next(input, taken) when the framer holds bytes, or the packet is not wholly in `input`.
    Frame next_held(Bytes input, std::size_t& taken);

    FramerOptions options_;
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;        // first unconsumed byte in buffer_
    std::uint64_t consumed_ = 0;   // stream offset of buffer_[start_]
    bool finished_ = false;
    bool broken_ = false;
    Frame error_;
};

}  // namespace mqttlens::mqtt
