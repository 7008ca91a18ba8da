// WebSocket (RFC 6455) as a transport layer: the opening handshake, then frames in both
// directions, with permessage-deflate (RFC 7692); MQTT over WebSocket is MQTT's chapter 6.
//
//   transport::WebSocketLayer ws(client_side, {});
//   ws.data(client_side, request_bytes, up);    // GET ... Upgrade: websocket ...
//   ws.data(1 - client_side, response_bytes, up); // HTTP/1.1 101 ...
//   ws.data(client_side, frame_bytes, up);      // up.data() gets the payload bytes, unmasked
//   ws.info().protocol;                         // "mqtt"
//
// What it hands up is each side's data-frame payload (inflated when the message was compressed)
// as one continuous byte stream: frame and message boundaries are not MQTT packet boundaries
// (MQTT-6.0.0-2), so the MQTT framer above reassembles. Payload bytes are handed up as they
// arrive, never collected into frames or messages: a frame cut short by the end of the capture
// has its first bytes handed up already, and close() reports it.
//
// Memory per connection: the two handshake heads while they are read (each at most
// WebSocketOptions::max_head_bytes), client bytes sent before the server's answer was seen (at
// most max_early_bytes), per side a partial frame header (14 bytes) and a close frame's payload
// (125 bytes), and per direction that sends a compressed message one zlib inflate state (about
// 7 KiB and a 32 KiB window) with a 32 KiB output buffer. A 1 GB frame costs nothing more.
#pragma once

#include "transport/layer.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::transport {

/// Bounds and leniencies of the WebSocket layer. The defaults are the standard; each leniency is
/// off unless asked for and says what it risks.
struct WebSocketOptions {
    /// Largest handshake head, request or response, from its first byte through its empty line.
    /// A head that does not end within this many bytes leaves its side unread (with a finding).
    std::uint32_t max_head_bytes = 16 * 1024;
    /// Client bytes held while the server's answer has not been seen (the client may send frames
    /// only after the 101, and their meaning depends on the extensions it accepted). Beyond this,
    /// or when the answer is lost, the client's frames are read without extensions when the
    /// client offered none, and are not read otherwise.
    std::uint32_t max_early_bytes = 16 * 1024;
    /// Leniency: the subprotocol `mqttv3.1` (MQTT 3.1's name) counts as `mqtt` for MQTT-6.0.0-3
    /// and MQTT-6.0.0-4. Risk: a 3.1.1 or 5.0 client or server using the old name is not reported.
    bool accept_mqttv31_subprotocol = false;
};

/// permessage-deflate's parameters as the handshake settled them (RFC 7692 §7.1).
///
/// The window bits say how far back a sender may refer. Messages are inflated with the largest
/// window whatever they say (zlib would hold a smaller one against some references and not others,
/// depending on the chunking), so a sender that refers further back than it agreed is not reported.
struct DeflateParams {
    /// The client resets its compressor after each message: in the answer, or in every offer
    /// (RFC 7692 §7.1.1.2: the client's hint binds it even when the answer leaves it out).
    bool client_no_context_takeover = false;
    bool server_no_context_takeover = false;   ///< the server resets its compressor after each message
    std::uint8_t client_max_window_bits = 15;  ///< LZ77 window of client-to-server messages, 8..15
    std::uint8_t server_max_window_bits = 15;  ///< LZ77 window of server-to-client messages, 8..15
};

/// What the opening handshake said, as far as it was seen.
struct WebSocketInfo {
    bool request_seen = false;                  ///< the client's request head was read whole
    std::string path;                           ///< its request-target ("/mqtt")
    std::string host;                           ///< its Host header field
    std::vector<std::string> offered_protocols; ///< its Sec-WebSocket-Protocol list, in order
    int status = 0;                             ///< the server's status code; 0 until read
    std::string protocol;                       ///< the subprotocol the server selected; empty if none
    bool deflate = false;                       ///< the server accepted permessage-deflate
    DeflateParams deflate_params;               ///< meaningful when `deflate`
    bool completed = false;                     ///< request read and answered with 101
};

enum class Detect : std::uint8_t {
    need_more,  ///< these bytes could still begin a WebSocket opening handshake
    yes,        ///< an HTTP/1.1 GET request with an `Upgrade: websocket` header field
    no,         ///< these bytes are not the start of a WebSocket opening handshake
};

/// Whether a connection whose client sent `client_first_bytes` first (from its first byte on) is
/// WebSocket: yes once the GET request line and an Upgrade header field naming websocket are seen,
/// no as soon as the bytes cannot be that (not "GET ", not HTTP/1.1, a malformed line, the head
/// ending or passing options.max_head_bytes without it), need_more otherwise.
Detect detect_websocket(Bytes client_first_bytes, const WebSocketOptions& options = {}) noexcept;

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)); empty
/// when libcrypto cannot be loaded.
std::string websocket_accept(std::string_view key);

namespace ws {
class Inflater;
struct Request;
struct Response;
}  // namespace ws

/// One WebSocket connection as a Layer (see layer.hpp for the contract). Findings:
///   MQTT-6.0.0-1   MQTT bytes in a text message (still handed up)
///   MQTT-6.0.0-3   the client's Sec-WebSocket-Protocol list lacks `mqtt`
///   MQTT-6.0.0-4   the server's 101 selects something else than `mqtt`, or nothing
///   RFC6455-4.1    the client's request: not GET HTTP/1.1, no Host, Upgrade, Connection,
///                  Sec-WebSocket-Key (16 bytes in base64) or Sec-WebSocket-Version 13
///   RFC6455-4.2.2  the server's 101: no Upgrade or Connection, a wrong Sec-WebSocket-Accept,
///                  a subprotocol or an extension the client did not offer
///   RFC6455-11.3.x a header field that must appear once appears twice
///   RFC6455-5.1    an unmasked client frame, a masked server frame
///   RFC6455-5.2    RSV bits no extension gives a meaning, a reserved opcode, a 64-bit length
///                  with its top bit set, a length not in its shortest form
///   RFC6455-5.4    a continuation with no message open, a new message while one is open
///   RFC6455-5.5    a control frame over 125 bytes or fragmented
///   RFC6455-5.5.1  a 1-byte close payload, a close reason not in UTF-8, a data frame after the
///                  side's close
///   RFC6455-7.4.1 / RFC6455-7.4.2  a close code no endpoint may send
///   RFC7692-6      RSV1 (compressed) on a control frame or a continuation
///   RFC7692-7 / RFC7692-7.1.2.2  permessage-deflate parameters the response may not carry
///   RFC7692-7.2.2  a compressed message that does not inflate
/// and, without a rule, notes (the handshake, each close frame, an extension not known) and
/// warnings (an answer other than 101, what a gap or the end cut short).
///
/// A compressed message that does not inflate: what inflated of it is up already, then gap(d, 0),
/// and the next message starts with an empty window. Under context takeover a message that refers
/// back past such a loss cannot be inflated either; until 32 KiB were inflated again (DEFLATE's
/// farthest reference), such a failure is a warning rather than RFC7692-7.2.2.
///
/// Gaps: a gap inside a data frame's payload keeps the frame boundaries (the header said where
/// the frame ends): gap(d, size) for an uncompressed message; a compressed one cannot be inflated
/// past lost bytes, so gap(d, 0) and the rest of that message is skipped. Any other gap (in a frame
/// header, across a frame's end, of unknown size, in a handshake head) loses the frame boundaries
/// of that side for good: one finding, gap(d, 0), and nothing more is read from that side, since
/// no byte pattern marks the start of a frame.
class WebSocketLayer final : public Layer {
public:
    /// `client_side` (0 or 1) sends the GET request.
    explicit WebSocketLayer(int client_side, WebSocketOptions options = {});
    ~WebSocketLayer() override;
    WebSocketLayer(const WebSocketLayer&) = delete;
    WebSocketLayer& operator=(const WebSocketLayer&) = delete;

    void data(int d, Bytes bytes, Output& out) override;
    void gap(int d, std::uint64_t size, Output& out) override;
    void close(Output& out) override;

    /// The handshake as far as it was read.
    const WebSocketInfo& info() const noexcept { return info_; }

private:
    enum class Phase : std::uint8_t {
        head,    ///< reading the handshake head
        early,   ///< client only: head read, holding bytes until the server's answer is known
        frames,  ///< reading frames
        lost,    ///< frame boundaries lost: nothing more is read from this side
        ignored, ///< not a WebSocket connection (no 101): nothing is read
    };
    /// What happens to the payload of the frame being read.
    enum class Payload : std::uint8_t { deliver, inflate, control, skip };

    /// The server's answer to the opening handshake, as far as it is known.
    enum class Answer : std::uint8_t { pending, upgraded, refused, lost };

    struct Side {
        Phase phase = Phase::head;
        std::uint64_t pos = 0;              // input offset of the next byte
        std::string head;                   // handshake head so far (bounded)
        std::uint8_t head_match = 0;        // how much of "\r\n\r\n" ends `head`
        // The frame being read.
        std::array<std::uint8_t, 14> header{};
        std::uint8_t header_len = 0;        // bytes of `header` collected; 0 between frames
        bool in_payload = false;
        std::uint64_t frame_at = 0;         // offset of the frame's first byte
        std::uint64_t payload_at = 0;       // offset of its first payload byte
        bool fin = false;
        std::uint8_t rsv = 0;               // RSV1 RSV2 RSV3 as bits 2 1 0
        std::uint8_t opcode = 0;
        bool masked = false;
        std::array<std::uint8_t, 4> mask{};
        std::uint8_t mask_at = 0;           // mask index of the next payload byte
        std::uint64_t length = 0;
        std::uint64_t remaining = 0;        // payload bytes still to come
        Payload payload = Payload::skip;
        std::array<std::uint8_t, 125> control{};  // a close frame's payload
        std::uint8_t control_len = 0;
        bool control_lost = false;
        // The message being read.
        bool in_message = false;            // a data message is open (its final frame not read)
        bool compressed = false;            // it is compressed (RSV1 on its first frame)
        bool message_lost = false;          // it failed to inflate or lost bytes: skip the rest
        bool closed = false;                // this side sent a close frame
        bool after_close_reported = false;
        std::unique_ptr<ws::Inflater> inflater;
    };

    void read_head(int d, Bytes& bytes, Output& out);
    void head_done(int d, Output& out);
    void answer_known(Output& out);
    bool hold_early(Bytes bytes, Output& out);
    void release_early(Output& out);
    void early_unknowable(const std::string& why, Output& out);
    void lose(int d, std::uint64_t at, const std::string& why, Output& out);
    void cut_short(int d, Output& out);

    void frames(int d, Bytes bytes, Output& out);
    static std::size_t take_header(Side& s, Bytes bytes) noexcept;
    void begin_frame(int d, Output& out);
    void check_header(int d, Output& out);
    void choose_payload(int d, Output& out);
    void start_message(int d, Output& out);
    void continue_message(int d, Output& out);
    void payload(int d, Bytes bytes, Output& out);
    void pass(int d, Bytes bytes, Output& out);
    void inflate(int d, Bytes bytes, bool message_end, Output& out);
    void inflate_failed(int d, Output& out);
    void end_frame(int d, Output& out);
    void read_close(int d, Output& out);
    void gap_in_payload(int d, std::uint64_t size, Output& out);

    int client_;
    WebSocketOptions options_;
    WebSocketInfo info_;
    Side side_[2];
    std::unique_ptr<ws::Request> request_;    // until both heads are read
    std::unique_ptr<ws::Response> response_;
    std::vector<std::uint8_t> early_;         // client bytes held for the server's answer
    Answer answer_ = Answer::pending;
};

}  // namespace mqttlens::transport
