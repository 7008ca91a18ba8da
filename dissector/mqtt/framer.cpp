// Framer: fixed header, Remaining Length, then exactly that many bytes (§2.2, §2.2.3).
//
// Bytes fed are copied into one buffer and packets are handed out as views into it. feed() does
// not promise the caller's chunk outlives the call, so a view into the chunk could dangle; one
// memcpy per byte fed is far cheaper than decoding and keeps every Frame safe.
//
// Once broken, the framer drops what it is fed and repeats the same error until reset().
#include "mqtt/framer.hpp"

#include "mqtt/decoder.hpp"

#include <cstring>

namespace mqttlens::mqtt {

void Framer::feed(Bytes chunk) {
    if (broken_) return;
    // Drop the consumed prefix once it outweighs what is left: each byte moves at most once per
    // byte consumed before it, so compaction costs O(1) per byte fed.
    const std::size_t left = buffer_.size() - start_;
    if (left == 0) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ >= left) {
        std::memmove(buffer_.data(), buffer_.data() + start_, left);
        buffer_.resize(left);
        start_ = 0;
    }
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
}

Frame Framer::next() {
    // One named result on every path, so it is built in place (a packet costs a few stores).
    Frame frame;
    if (broken_) {
        frame = error_;
        return frame;
    }
    frame.offset = consumed_;
    const std::size_t avail = buffer_.size() - start_;
    const std::uint8_t* p = buffer_.data() + start_;
    auto fail = [&](Code code) {
        frame.status = Frame::Status::error;
        frame.error = code;
        broken_ = true;
        error_ = frame;
    };

    std::size_t need = 1;
    if (avail > 0) {
        const LengthResult h = read_remaining_length(Bytes(p + 1, avail - 1));
        if (h.status == LengthResult::Status::malformed) {
            fail(Code::remaining_length_malformed);
            return frame;
        }
        if (h.status == LengthResult::Status::ok) {
            if (h.value > options_.max_remaining_length) {
                fail(Code::packet_too_large);
                return frame;
            }
            const std::size_t total = 1 + std::size_t(h.size) + h.value;
            if (total <= avail) {
                frame.status = Frame::Status::packet;
                frame.packet = Bytes(p, total);
                start_ += total;
                consumed_ += total;
                return frame;
            }
            need = total - avail;
        }
        if (finished_) {
            fail(Code::packet_truncated);
            return frame;
        }
    }
    frame.status = Frame::Status::need_more;
    frame.need = need;
    return frame;
}

Frame Framer::next_held(Bytes input, std::size_t& taken) {
    // Feed only what the held packet needs (byte by byte through its fixed header, then the rest
    // of it), so that after an error the framer holds exactly the broken packet's first bytes and
    // `input` keeps everything after them. (A packet wholly in `input` never gets here: next()
    // hands it out in place, and once bytes are held the packet is finished from the framer.)
    taken = 0;
    for (;;) {
        const Frame frame = next();
        if (frame.status != Frame::Status::need_more || taken == input.size()) return frame;
        const std::size_t add = frame.need < input.size() - taken ? frame.need : input.size() - taken;
        feed(input.subspan(taken, add));
        taken += add;
    }
}

void Framer::reset(std::uint64_t stream_offset) {
    buffer_.clear();
    start_ = 0;
    consumed_ = stream_offset;
    finished_ = false;
    broken_ = false;
    error_ = Frame{};
}

}  // namespace mqttlens::mqtt
