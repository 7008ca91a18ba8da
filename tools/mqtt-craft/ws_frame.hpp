// WebSocket frames (RFC 6455 §5) as the client side of mqtt-craft writes and reads them: the
// writer cuts a message into frames, masked (client) or not (server, for --out pcap); the reader
// takes the server's byte stream and hands out whole frames, unmasked, or says where it broke.
#pragma once

#include "mqtt/packet.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::craft {

/// Opcodes (RFC 6455 §5.2).
enum WsOpcode : std::uint8_t {
    ws_continuation = 0x0,
    ws_text = 0x1,
    ws_binary = 0x2,
    ws_close = 0x8,
    ws_ping = 0x9,
    ws_pong = 0xa,
};

/// Gives each frame's masking key; empty function: frames are not masked (server frames).
using WsMasks = std::function<std::array<std::uint8_t, 4>()>;

/// Appends `payload` as one message of `opcode` to `out`: one frame when `frame_size` is 0 or the
/// payload fits, else frames of at most `frame_size` payload bytes, the first with `opcode`, the
/// others continuations (opcode 0), FIN on the last. An empty payload is one empty frame. Lengths
/// in their shortest form; each frame masked with a key from `masks` when it is set.
void append_ws_message(std::vector<std::uint8_t>& out, std::uint8_t opcode, mqtt::Bytes payload,
                       std::size_t frame_size, const WsMasks& masks);

/// Appends one control frame (close, ping, pong; the caller keeps `payload` within 125 bytes).
void append_ws_control(std::vector<std::uint8_t>& out, std::uint8_t opcode, mqtt::Bytes payload, const WsMasks& masks);

/// A close frame's payload: the code in network order, then `reason` (UTF-8, at most 123 bytes).
std::vector<std::uint8_t> ws_close_payload(std::uint16_t code, std::string_view reason = {});

/// A fixed sequence of masking keys (splitmix64 from a constant seed): the same command writes the
/// same capture. For --out pcap only; a live connection takes its keys from the system's RNG.
WsMasks ws_fixed_masks();

/// What the reader hands out next.
struct WsRead {
    enum class Status {
        need_more,  ///< the next frame is not whole yet
        frame,      ///< one whole frame in `opcode`, `fin`, `payload` (unmasked)
        error,      ///< the stream breaks RFC 6455 or MQTT-6.0.0-1 at `offset`: `rule`, `message`
    };
    Status status = Status::need_more;
    std::uint8_t opcode = 0;
    bool fin = false;
    std::vector<std::uint8_t> payload;
    std::uint64_t offset = 0;  ///< stream offset of the frame's first byte
    std::string rule;          ///< "RFC6455-5.1", "MQTT-6.0.0-1", ...
    std::string message;
};

/// Reads the frames a server sends, strictly: a masked frame (§5.1), RSV bits (no extension was
/// negotiated, §5.2), a reserved opcode, a length not in its shortest form or with its top bit set
/// (§5.2), a control frame over 125 bytes or fragmented (§5.5), a continuation with no message open
/// or a new message while one is open (§5.4), and a text message (MQTT-6.0.0-1) are errors; after
/// one, the reader says the same error again. Whole frames are kept until handed out; a frame
/// announcing more than `max_frame` payload bytes is an error too.
class WsFrameReader {
public:
    explicit WsFrameReader(std::uint64_t max_frame = std::uint64_t{1} << 30) : max_frame_(max_frame) {}

    /// Adds bytes of the server's stream, in order.
    void feed(mqtt::Bytes bytes);
    /// The next frame, need_more, or the error that stopped the stream.
    WsRead next();
    /// Bytes fed and not yet handed out as frames.
    std::size_t buffered() const noexcept { return buffer_.size() - at_; }

private:
    WsRead fail(std::string rule, std::string message);

    std::vector<std::uint8_t> buffer_;
    std::size_t at_ = 0;         // first byte of the next frame in buffer_
    std::uint64_t consumed_ = 0; // stream offset of buffer_[0]
    std::uint64_t max_frame_;
    bool in_message_ = false;    // a fragmented data message is open
    std::optional<WsRead> error_;
};

}  // namespace mqttlens::craft
