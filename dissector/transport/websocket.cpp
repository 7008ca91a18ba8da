// The WebSocket layer: each side's handshake head, then its frames (RFC 6455 §5.2):
//
//   byte 0      FIN, RSV1, RSV2, RSV3, opcode (4 bits)
//   byte 1      MASK, payload length (7 bits): 0-125, or 126 / 127 for the next 2 / 8 bytes
//   2 or 8      extended payload length, big-endian, when byte 1 said 126 or 127
//   4           masking key, when MASK
//   length      payload, XORed with the key byte by byte when masked (§5.3)
//
// A side keeps the header of the frame being read (at most 14 bytes) and where it is in that
// frame's payload, never the payload: data-frame bytes go up as they arrive (unmasked through a
// 4 KiB stack buffer, or inflated through the inflater's buffer), so output and findings are the
// same whatever the chunking. Only a close frame's payload is kept (125 bytes at most), for its
// code and reason.
#include "transport/websocket.hpp"

#include "transport/websocket_deflate.hpp"
#include "transport/websocket_handshake.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace mqttlens::transport {
namespace {

using ws::report;

constexpr std::uint8_t kContinuation = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPong = 0xA;
constexpr std::uint8_t kRsv1 = 0x4;

bool is_control(std::uint8_t opcode) noexcept { return (opcode & 0x8) != 0; }
bool is_known(std::uint8_t opcode) noexcept { return opcode <= kBinary || (opcode >= kClose && opcode <= kPong); }

/// Size of the frame header whose first two bytes are h[0], h[1].
std::size_t header_size(const std::uint8_t* h) noexcept {
    const std::uint8_t len7 = h[1] & 0x7f;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((h[1] & 0x80) != 0 ? 4 : 0);
}

/// XORs `n` bytes of `in` into `out` with the masking key from key index `at` (§5.3); returns the
/// key index of the byte after them.
std::uint8_t unmask(const std::uint8_t* in, std::uint8_t* out, std::size_t n, const std::array<std::uint8_t, 4>& key,
                    std::uint8_t at) noexcept {
    std::uint8_t rotated[8];
    for (int i = 0; i < 8; ++i) rotated[i] = key[(at + i) & 3];
    std::uint64_t word_key;
    std::memcpy(&word_key, rotated, 8);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, in + i, 8);
        word ^= word_key;
        std::memcpy(out + i, &word, 8);
    }
    for (; i < n; ++i) out[i] = in[i] ^ rotated[i & 7];
    return std::uint8_t((at + n) & 3);
}

/// The rule a close code breaks when no endpoint may send it (RFC 6455 §7.4), else empty.
std::string_view close_code_rule(unsigned code) noexcept {
    if (code == 1004 || code == 1005 || code == 1006 || code == 1015) return "RFC6455-7.4.1";
    if (code < 1000 || (code >= 1016 && code <= 2999) || code >= 5000) return "RFC6455-7.4.2";
    return {};
}

/// The meaning of a close code (RFC 6455 §7.4.1 and the IANA registry); empty when it has none.
std::string_view close_code_name(unsigned code) noexcept {
    static constexpr std::string_view names[] = {
        "normal closure",  "going away",     "protocol error",      "unsupported data",
        "",                "",               "",                    "invalid payload data",
        "policy violation", "message too big", "mandatory extension", "internal error",
        "service restart", "try again later", "bad gateway"};
    if (code >= 1000 && code <= 1014) return names[code - 1000];
    if (code >= 3000 && code <= 3999) return "registered";
    if (code >= 4000 && code <= 4999) return "private use";
    return {};
}

/// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF.
bool valid_utf8(const std::uint8_t* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n;) {
        const std::uint8_t c = p[i];
        std::size_t len = 1;
        std::uint32_t cp = c;
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
        else if (c >= 0x80) return false;
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (p[i + k] & 0x3F);
        }
        const bool overlong_or_surrogate = len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF));
        if (overlong_or_surrogate || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
        i += len;
    }
    return true;
}

/// `p[0..n)` in double quotes on one line: control bytes (and, unless `utf8`, bytes over 0x7F)
/// as \xNN, quote and backslash escaped.
std::string quoted(const std::uint8_t* p, std::size_t n, bool utf8) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s = "\"";
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = p[i];
        if (c == '"' || c == '\\') s += '\\';
        if (c < 0x20 || c == 0x7f || (!utf8 && c >= 0x80)) s += {'\\', 'x', hex[c >> 4], hex[c & 15]};
        else s += char(c);
    }
    return s + '"';
}

}  // namespace

WebSocketLayer::WebSocketLayer(int client_side, WebSocketOptions options)
    : client_(client_side & 1), options_(options), request_(std::make_unique<ws::Request>()),
      response_(std::make_unique<ws::Response>()) {}

WebSocketLayer::~WebSocketLayer() = default;

void WebSocketLayer::data(int d, Bytes bytes, Output& out) {
    d &= 1;
    Side& s = side_[d];
    while (!bytes.empty()) {
        switch (s.phase) {
            case Phase::head:
                read_head(d, bytes, out);
                break;
            case Phase::early:
                if (hold_early(bytes, out)) bytes = {};
                break;
            case Phase::frames:
                frames(d, bytes, out);
                bytes = {};
                break;
            case Phase::lost:
            case Phase::ignored:
                s.pos += bytes.size();
                bytes = {};
                break;
        }
    }
}

void WebSocketLayer::gap(int d, std::uint64_t size, Output& out) {
    d &= 1;
    Side& s = side_[d];
    switch (s.phase) {
        case Phase::head:
            lose(d, s.pos, "bytes lost in the handshake head", out);
            break;
        case Phase::early:
            lose(d, s.pos, "bytes lost before the server's answer was seen", out);
            break;
        case Phase::frames:
            // Lost bytes wholly inside a payload: the header said where the frame ends.
            if (s.in_payload && size > 0 && size <= s.remaining) return gap_in_payload(d, size, out);
            lose(d, s.pos, "bytes lost where a frame header was due or across a frame's end: frame boundaries lost",
                 out);
            break;
        case Phase::lost:
        case Phase::ignored:
            break;
    }
    s.pos += size;
}

void WebSocketLayer::close(Output& out) {
    if (answer_ == Answer::pending && info_.request_seen) {
        const std::string why = "the connection ended before the server's answer was seen";
        if (side_[client_].phase == Phase::early && !early_.empty()) early_unknowable(why, out);
        else report(out, client_, "", request_->at, why, Severity::warning);
    }
    cut_short(client_, out);
    cut_short(1 - client_, out);
}

void WebSocketLayer::cut_short(int d, Output& out) {
    const Side& s = side_[d];
    if (s.phase == Phase::head && !s.head.empty()) {
        report(out, d, "", s.pos - s.head.size(),
               "the connection ended inside the handshake head, after " + std::to_string(s.head.size()) + " bytes",
               Severity::warning);
    } else if (s.phase == Phase::frames && s.header_len > 0) {
        report(out, d, "", s.frame_at, "the connection ended inside a frame header", Severity::warning);
    } else if (s.phase == Phase::frames && s.in_payload) {
        report(out, d, "", s.frame_at,
               "the connection ended inside a frame: " + std::to_string(s.length - s.remaining) + " of " +
                   std::to_string(s.length) + " payload bytes seen",
               Severity::warning);
    }
}

// ---- Handshake ----------------------------------------------------------------------------------

void WebSocketLayer::read_head(int d, Bytes& bytes, Output& out) {
    Side& s = side_[d];
    const std::size_t room = options_.max_head_bytes - std::min<std::size_t>(s.head.size(), options_.max_head_bytes);
    std::size_t i = 0;
    while (i < bytes.size() && i < room && s.head_match < 4) {
        const char c = char(bytes[i++]);
        if (c == '\r') s.head_match = s.head_match == 2 ? 3 : 1;
        else if (c == '\n' && (s.head_match == 1 || s.head_match == 3)) ++s.head_match;
        else s.head_match = 0;
    }
    s.head.append(reinterpret_cast<const char*>(bytes.data()), i);
    s.pos += i;
    bytes = bytes.subspan(i);
    if (s.head_match == 4) return head_done(d, out);
    if (s.head.size() >= options_.max_head_bytes)
        lose(d, s.pos - s.head.size(),
             "the handshake head does not end within " + std::to_string(options_.max_head_bytes) + " bytes", out);
}

void WebSocketLayer::head_done(int d, Output& out) {
    Side& s = side_[d];
    const std::uint64_t at = s.pos - s.head.size();
    if (d == client_) {
        ws::read_request(s.head, at, d, options_, info_, *request_, out);
        s.phase = Phase::early;
    } else {
        ws::read_response(s.head, at, d, info_, *response_, out);
        answer_ = info_.status == 101 ? Answer::upgraded : Answer::refused;
        s.phase = answer_ == Answer::upgraded ? Phase::frames : Phase::ignored;
    }
    std::string().swap(s.head);
    answer_known(out);
}

/// What the client side does once its request and the fate of the answer are both known.
void WebSocketLayer::answer_known(Output& out) {
    if (answer_ == Answer::upgraded && info_.request_seen && !info_.completed)
        ws::check_answer(*request_, *response_, 1 - client_, options_, info_, out);
    Side& c = side_[client_];
    if (c.phase != Phase::early) return;
    switch (answer_) {
        case Answer::pending:
            return;
        case Answer::upgraded:
            return release_early(out);
        case Answer::refused:
            c.pos += early_.size();
            std::vector<std::uint8_t>().swap(early_);
            c.phase = Phase::ignored;
            return;
        case Answer::lost:
            return early_unknowable("the server's answer was lost", out);
    }
}

bool WebSocketLayer::hold_early(Bytes bytes, Output& out) {
    if (early_.size() + bytes.size() <= options_.max_early_bytes) {
        early_.insert(early_.end(), bytes.begin(), bytes.end());
        return true;
    }
    early_unknowable("the client sent more than " + std::to_string(options_.max_early_bytes) +
                         " bytes before the server's answer was seen",
                     out);
    return false;
}

void WebSocketLayer::release_early(Output& out) {
    side_[client_].phase = Phase::frames;
    std::vector<std::uint8_t> held;
    held.swap(early_);
    frames(client_, held, out);
}

/// The client's frames while the extensions in use cannot be known: without any extension when it
/// offered none (no answer can then give a bit or the payload another meaning), else not at all.
void WebSocketLayer::early_unknowable(const std::string& why, Output& out) {
    if (!request_->extensions.empty())
        return lose(client_, side_[client_].pos, why + ", and the client offered extensions", out);
    report(out, client_, "", side_[client_].pos,
           why + ": the client's frames are read without extensions (it offered none)", Severity::warning);
    release_early(out);
}

void WebSocketLayer::lose(int d, std::uint64_t at, const std::string& why, Output& out) {
    Side& s = side_[d];
    report(out, d, "", at, why + ": nothing more is read from this side", Severity::warning);
    out.gap(d, 0);
    s.phase = Phase::lost;
    std::string().swap(s.head);
    s.inflater.reset();
    if (d == client_ && !early_.empty()) {
        s.pos += early_.size();
        std::vector<std::uint8_t>().swap(early_);
    }
    if (d != client_ && answer_ == Answer::pending) {
        answer_ = Answer::lost;
        answer_known(out);
    }
}

// ---- Frames -------------------------------------------------------------------------------------

void WebSocketLayer::frames(int d, Bytes bytes, Output& out) {
    Side& s = side_[d];
    while (!bytes.empty()) {
        if (!s.in_payload) {
            if (s.header_len == 0) s.frame_at = s.pos;
            const std::size_t n = take_header(s, bytes);
            bytes = bytes.subspan(n);
            s.pos += n;
            if (s.header_len >= 2 && s.header_len == header_size(s.header.data())) begin_frame(d, out);
            continue;
        }
        const std::size_t n = std::size_t(std::min<std::uint64_t>(s.remaining, bytes.size()));
        payload(d, bytes.first(n), out);
        s.pos += n;
        s.remaining -= n;
        bytes = bytes.subspan(n);
        if (s.remaining == 0) end_frame(d, out);
    }
}

/// Copies header bytes from `bytes` until the header is whole or `bytes` used up; returns how many.
std::size_t WebSocketLayer::take_header(Side& s, Bytes bytes) noexcept {
    std::size_t taken = 0;
    while (taken < bytes.size()) {
        const std::size_t need = s.header_len < 2 ? 2 : header_size(s.header.data());
        if (s.header_len >= need) break;
        const std::size_t n = std::min(need - s.header_len, bytes.size() - taken);
        std::memcpy(s.header.data() + s.header_len, bytes.data() + taken, n);
        s.header_len = std::uint8_t(s.header_len + n);
        taken += n;
    }
    return taken;
}

void WebSocketLayer::begin_frame(int d, Output& out) {
    Side& s = side_[d];
    const std::uint8_t* h = s.header.data();
    s.fin = (h[0] & 0x80) != 0;
    s.rsv = (h[0] >> 4) & 0x7;
    s.opcode = h[0] & 0x0f;
    s.masked = (h[1] & 0x80) != 0;
    const std::uint8_t len7 = h[1] & 0x7f;
    const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    s.length = extended == 0 ? len7 : 0;
    for (std::size_t i = 0; i < extended; ++i) s.length = s.length << 8 | h[2 + i];
    if (s.masked) std::memcpy(s.mask.data(), h + 2 + extended, 4);
    s.remaining = s.length;
    s.mask_at = 0;
    s.control_len = 0;
    s.control_lost = false;
    check_header(d, out);
    choose_payload(d, out);
    s.header_len = 0;
    s.in_payload = true;
    s.payload_at = s.pos;
    if (s.remaining == 0) end_frame(d, out);
}

/// The rules one frame header can break on its own (§5.1, §5.2, §5.5; RFC 7692 §6).
void WebSocketLayer::check_header(int d, Output& out) {
    const Side& s = side_[d];
    const std::uint64_t at = s.frame_at;
    const std::uint8_t len7 = s.header[1] & 0x7f;
    if (d == client_ && !s.masked) report(out, d, "RFC6455-5.1", at, "client frame not masked");
    if (d != client_ && s.masked) report(out, d, "RFC6455-5.1", at, "server frame masked");
    if (len7 == 127 && (s.length >> 63) != 0)
        report(out, d, "RFC6455-5.2", at, "64-bit payload length with its most significant bit set");
    else if ((len7 == 126 && s.length < 126) || (len7 == 127 && s.length <= 0xffff))
        report(out, d, "RFC6455-5.2", at,
               "payload length " + std::to_string(s.length) + " in " + (len7 == 126 ? "2" : "8") +
                   " extended bytes: not the shortest form");
    if (!is_known(s.opcode)) report(out, d, "RFC6455-5.2", at, "reserved opcode " + std::to_string(s.opcode));
    if ((s.rsv & 0x3) != 0) report(out, d, "RFC6455-5.2", at, "RSV2 or RSV3 set: no extension gives them a meaning");
    if ((s.rsv & kRsv1) != 0) {
        if (!info_.deflate) report(out, d, "RFC6455-5.2", at, "RSV1 set, but permessage-deflate was not negotiated");
        else if (is_control(s.opcode)) report(out, d, "RFC7692-6", at, "RSV1 (compressed) on a control frame");
        else if (s.opcode == kContinuation)
            report(out, d, "RFC7692-6", at, "RSV1 (compressed) on a continuation frame");
    }
    if (is_control(s.opcode) && s.length > 125)
        report(out, d, "RFC6455-5.5", at,
               "control frame with " + std::to_string(s.length) + " payload bytes (125 at most)");
    if (is_control(s.opcode) && !s.fin) report(out, d, "RFC6455-5.5", at, "control frame fragmented (FIN clear)");
}

/// What the frame's payload is for: a close frame's is read, a data frame's handed up (inflated
/// when its message is compressed), any other skipped.
void WebSocketLayer::choose_payload(int d, Output& out) {
    Side& s = side_[d];
    s.payload = Payload::skip;
    if (s.opcode == kClose) {
        s.payload = Payload::control;
        return;
    }
    if (is_control(s.opcode) || !is_known(s.opcode)) return;
    if (s.closed && !std::exchange(s.after_close_reported, true))
        report(out, d, "RFC6455-5.5.1", s.frame_at, "data frame after this side's close frame");
    if (s.opcode == kContinuation) return continue_message(d, out);
    start_message(d, out);
}

void WebSocketLayer::start_message(int d, Output& out) {
    Side& s = side_[d];
    if (s.in_message) {
        report(out, d, "RFC6455-5.4", s.frame_at, "new data frame while a fragmented message is open");
        // The open message's DEFLATE data never got its end: what follows cannot rely on the window.
        if (s.compressed && s.inflater) s.inflater->lose_window();
    }
    s.in_message = true;
    s.message_lost = false;
    s.compressed = (s.rsv & kRsv1) != 0 && info_.deflate;
    if (s.opcode == kText)
        report(out, d, "MQTT-6.0.0-1", s.frame_at, "text frame: MQTT control packets must be sent in binary frames");
    if (!s.compressed) {
        s.payload = Payload::deliver;
        return;
    }
    if (!s.inflater) {
        const DeflateParams& p = info_.deflate_params;
        const bool no_context_takeover = d == client_ ? p.client_no_context_takeover : p.server_no_context_takeover;
        s.inflater = std::make_unique<ws::Inflater>(no_context_takeover);
    }
    s.inflater->begin_message();
    s.payload = Payload::inflate;
}

void WebSocketLayer::continue_message(int d, Output& out) {
    Side& s = side_[d];
    if (!s.in_message) {
        // Its message's start is unknown, so are its type and whether it is compressed.
        report(out, d, "RFC6455-5.4", s.frame_at, "continuation frame with no message open");
        if (s.length > 0) out.gap(d, info_.deflate ? 0 : s.length);
        return;
    }
    s.payload = s.message_lost ? Payload::skip : s.compressed ? Payload::inflate : Payload::deliver;
}

void WebSocketLayer::payload(int d, Bytes bytes, Output& out) {
    Side& s = side_[d];
    if (s.payload == Payload::deliver || s.payload == Payload::inflate) return pass(d, bytes, out);
    if (s.payload == Payload::control) {
        const std::size_t n = std::min<std::size_t>(s.control.size() - s.control_len, bytes.size());
        if (s.masked) unmask(bytes.data(), s.control.data() + s.control_len, n, s.mask, s.mask_at);
        else std::memcpy(s.control.data() + s.control_len, bytes.data(), n);
        s.control_len = std::uint8_t(s.control_len + n);
    }
    s.mask_at = std::uint8_t((s.mask_at + bytes.size()) & 3);
}

/// A data frame's payload bytes, unmasked, handed up or inflated.
void WebSocketLayer::pass(int d, Bytes bytes, Output& out) {
    Side& s = side_[d];
    if (!s.masked) return s.payload == Payload::deliver ? out.data(d, bytes) : inflate(d, bytes, false, out);
    std::array<std::uint8_t, 4096> buffer;
    while (!bytes.empty() && s.payload != Payload::skip) {
        const std::size_t n = std::min(buffer.size(), bytes.size());
        s.mask_at = unmask(bytes.data(), buffer.data(), n, s.mask, s.mask_at);
        if (s.payload == Payload::deliver) out.data(d, Bytes(buffer.data(), n));
        else inflate(d, Bytes(buffer.data(), n), false, out);
        bytes = bytes.subspan(n);
    }
}

void WebSocketLayer::inflate(int d, Bytes bytes, bool message_end, Output& out) {
    if (!side_[d].inflater->feed(bytes, message_end, d, out)) inflate_failed(d, out);
}

/// A compressed message that does not inflate: what came out of it is up already; the rest of it
/// is skipped and the next message starts afresh.
void WebSocketLayer::inflate_failed(int d, Output& out) {
    Side& s = side_[d];
    const std::string& why = s.inflater->error();
    if (s.inflater->window_known())
        report(out, d, "RFC7692-7.2.2", s.frame_at, "compressed message does not inflate: " + why);
    else
        report(out, d, "", s.frame_at,
               "compressed message does not inflate, perhaps for want of bytes lost before it: " + why,
               Severity::warning);
    out.gap(d, 0);
    s.message_lost = true;
    s.payload = Payload::skip;
    s.inflater->lose_window();
}

void WebSocketLayer::end_frame(int d, Output& out) {
    Side& s = side_[d];
    s.in_payload = false;
    if (s.opcode == kClose) return read_close(d, out);
    if (s.opcode > kBinary || !s.fin || !s.in_message) return;
    if (s.compressed && !s.message_lost) inflate(d, {}, true, out);
    s.in_message = false;
    s.compressed = false;
}

/// A close frame's body: a 2-byte code, then a reason in UTF-8 (§5.5.1); the code one an endpoint
/// may send (§7.4). The code and reason become a note.
void WebSocketLayer::read_close(int d, Output& out) {
    Side& s = side_[d];
    s.closed = true;
    const std::uint64_t at = s.payload_at;
    if (s.control_lost) return report(out, d, "", s.frame_at, "close frame, its payload lost", Severity::note);
    if (s.length == 0) return report(out, d, "", s.frame_at, "close frame without a status code", Severity::note);
    if (s.length == 1) return report(out, d, "RFC6455-5.5.1", at, "close payload of 1 byte: a status code takes 2");
    const unsigned code = unsigned(s.control[0]) << 8 | s.control[1];
    if (const std::string_view rule = close_code_rule(code); !rule.empty())
        report(out, d, rule, at, "close code " + std::to_string(code) + " may not be sent");
    const std::uint8_t* reason = s.control.data() + 2;
    const std::size_t size = s.control_len - 2u;
    const bool utf8 = valid_utf8(reason, size);
    if (!utf8 && s.length <= s.control.size())
        report(out, d, "RFC6455-5.5.1", at + 2, "close reason is not UTF-8");
    std::string note = "close " + std::to_string(code);
    if (const std::string_view name = close_code_name(code); !name.empty()) note += " (" + std::string(name) + ")";
    if (size > 0) note += " reason " + quoted(reason, size, utf8);
    report(out, d, "", s.frame_at, note, Severity::note);
}

/// `size` bytes lost inside the payload, the frame's end still ahead or right after them.
void WebSocketLayer::gap_in_payload(int d, std::uint64_t size, Output& out) {
    Side& s = side_[d];
    if (s.payload == Payload::deliver) {
        out.gap(d, size);
    } else if (s.payload == Payload::inflate && !s.message_lost) {
        report(out, d, "", s.pos, "bytes of a compressed message lost: the rest of the message is skipped",
               Severity::warning);
        out.gap(d, 0);
        s.message_lost = true;
        s.payload = Payload::skip;
        s.inflater->lose_window();
    } else if (s.payload == Payload::control) {
        s.control_lost = true;
    }
    s.mask_at = std::uint8_t((s.mask_at + size) & 3);
    s.remaining -= size;
    s.pos += size;
    if (s.remaining == 0) end_frame(d, out);
}

}  // namespace mqttlens::transport
