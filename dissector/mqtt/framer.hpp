// Framer: cuts a byte stream into whole MQTT packets, whatever the chunking.
#pragma once

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
class Framer {
public:
    explicit Framer(FramerOptions options = {}) : options_(options) {}

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

private:
    FramerOptions options_;
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;        // first unconsumed byte in buffer_
    std::uint64_t consumed_ = 0;   // stream offset of buffer_[start_]
    bool finished_ = false;
    bool broken_ = false;
    Frame error_;
};

}  // namespace mqttlens::mqtt
