// permessage-deflate decompression (RFC 7692 §7.2.2): the tail 00 00 FF FF appended to the
// message's payload, the result inflated as raw DEFLATE.
//
// A message may also end its DEFLATE data with a final block (BFINAL set, §7.2.3.4) instead of
// the empty stored block the tail completes. zlib ends the stream there; the tail is then not
// appended (it would not parse as a block start), anything else after the final block is not
// DEFLATE data of the message, and the next message goes on as a new stream over the same
// window (an empty one without context takeover).
#include "transport/websocket_deflate.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace mqttlens::transport::ws {
namespace {

constexpr std::uint32_t kWindow = 32 * 1024;      // DEFLATE's farthest reference
constexpr std::uint32_t kBufferSize = kWindow;    // also holds the window in restart()
constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xff, 0xff};

}  // namespace

Inflater::Inflater(bool no_context_takeover)
    : no_context_takeover_(no_context_takeover), buffer_(new std::uint8_t[kBufferSize]) {
    // Negative window bits: raw DEFLATE, no zlib header. Always the largest window, whatever was
    // negotiated: every stream within a smaller window inflates with it, and zlib holds a smaller
    // window only against references outside the output of the current inflate() call, so a
    // smaller one would judge a sender that refers too far back differently in different
    // chunkings. Such a sender is not reported.
    ready_ = inflateInit2(&z_, -15) == Z_OK;
    if (!ready_) error_ = "zlib could not be initialised";
}

Inflater::~Inflater() {
    if (ready_) inflateEnd(&z_);
}

void Inflater::lose_window() noexcept {
    reset_pending_ = true;
    if (!no_context_takeover_) {
        window_known_ = false;
        refilled_ = 0;
    }
}

void Inflater::begin_message() {
    if (ready_ && (no_context_takeover_ || reset_pending_)) inflateReset(&z_);
    reset_pending_ = false;
    ended_ = false;
}

bool Inflater::feed(Bytes in, bool message_end, int d, Output& out) {
    if (!ready_) return false;
    if (!in.empty() && !run(in.data(), in.size(), d, out)) return false;
    return !message_end || ended_ || run(kTail, sizeof kTail, d, out);
}

/// After a final block: a new stream over the same window (none without context takeover). The
/// buffer's output was handed up, so it holds the window meanwhile.
bool Inflater::restart() {
    uInt size = kBufferSize;
    if (no_context_takeover_) size = 0;
    else if (inflateGetDictionary(&z_, buffer_.get(), &size) != Z_OK) return false;
    if (inflateReset(&z_) != Z_OK) return false;
    return size == 0 || inflateSetDictionary(&z_, buffer_.get(), size) == Z_OK;
}

bool Inflater::run(const std::uint8_t* in, std::size_t size, int d, Output& out) {
    if (ended_) return fail("data after the final DEFLATE block of the message");
    while (size > 0) {
        const uInt piece = uInt(std::min<std::size_t>(size, 1u << 30));
        z_.next_in = const_cast<Bytef*>(in);
        z_.avail_in = piece;
        if (!drain(d, out)) return false;
        in += piece;
        size -= piece;
    }
    return true;
}

bool Inflater::drain(int d, Output& out) {
    for (;;) {
        z_.next_out = buffer_.get();
        z_.avail_out = kBufferSize;
        const int rc = inflate(&z_, Z_SYNC_FLUSH);
        if (const std::size_t made = kBufferSize - z_.avail_out; made > 0) {
            out.data(d, Bytes(buffer_.get(), made));
            refilled_ += made;
            if (refilled_ >= kWindow) window_known_ = true;
        }
        if (rc == Z_STREAM_END) {
            ended_ = true;
            if (!restart()) return fail("the stream could not go on after its final block");
            return z_.avail_in == 0 || fail("data after the final DEFLATE block of the message");
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return fail(z_.msg != nullptr ? z_.msg : "inflate failed (" + std::to_string(rc) + ")");
        } else if (z_.avail_out != 0) {  // inflate stopped short of filling the buffer: input used up
            return z_.avail_in == 0 || fail("inflate made no progress");
        }
    }
}

bool Inflater::fail(std::string why) {
    error_ = std::move(why);
    return false;
}

}  // namespace mqttlens::transport::ws
