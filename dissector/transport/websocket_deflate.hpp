// permessage-deflate's decompressor for one direction (RFC 7692 §7.2.2), on zlib. Internal to the
// WebSocket layer.
#pragma once

#include "transport/layer.hpp"

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>

namespace mqttlens::transport::ws {

/// Inflates the messages of one direction: raw DEFLATE, the tail 00 00 FF FF appended at each
/// message's end, the window kept from one message to the next unless `no_context_takeover`.
/// Output goes up through one fixed 32 KiB buffer, whatever the compression ratio.
class Inflater {
public:
    explicit Inflater(bool no_context_takeover);
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    /// Starts a message: an empty window when there is no context takeover or the window was lost.
    void begin_message();
    /// Inflates `in`, the next payload bytes of the message (unmasked), then the tail when
    /// `message_end`; hands each piece of output to out.data(d, ...). False when the bytes do not
    /// inflate (error() says why); the message is then over for the inflater.
    bool feed(Bytes in, bool message_end, int d, Output& out);
    /// zlib's reason for the last failure.
    const std::string& error() const noexcept { return error_; }
    /// The window is what the sender's compressor may refer to: true unless bytes were lost under
    /// context takeover and not yet 32 KiB (DEFLATE's farthest reference) were inflated since.
    bool window_known() const noexcept { return window_known_; }
    /// Bytes of the stream were lost (a gap, a failure, a message cut): the next message starts
    /// with an empty window, and under context takeover the window is unknown for a while.
    void lose_window() noexcept;

private:
    bool run(const std::uint8_t* in, std::size_t size, int d, Output& out);
    bool drain(int d, Output& out);
    bool restart();
    bool fail(std::string why);

    z_stream z_{};
    bool ready_ = false;
    bool no_context_takeover_;
    bool reset_pending_ = false;
    bool ended_ = false;          // the message's DEFLATE data ended with a final block
    bool window_known_ = true;
    std::uint64_t refilled_ = 0;  // bytes inflated since the window was lost
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::string error_;
};

}  // namespace mqttlens::transport::ws
