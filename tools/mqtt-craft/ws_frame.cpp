// WebSocket frames: the writer (RFC 6455 §5.2 base framing, §5.3 masking, §5.4 fragmentation) and
// a strict reader of a server's frames.
#include "ws_frame.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace mqttlens::craft {

namespace {

/// One frame: FIN, opcode, the length in its shortest form (7 bits, 16 or 64), the mask.
void append_frame(std::vector<std::uint8_t>& out, bool fin, std::uint8_t opcode, mqtt::Bytes payload,
                  const WsMasks& masks) {
    out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (opcode & 0x0f)));
    const std::uint8_t mask_bit = masks ? 0x80 : 0;
    const std::uint64_t n = payload.size();
    if (n <= 125) {
        out.push_back(static_cast<std::uint8_t>(mask_bit | n));
    } else if (n <= 0xffff) {
        out.push_back(mask_bit | 126);
        out.push_back(static_cast<std::uint8_t>(n >> 8));
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        out.push_back(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
    }
    if (!masks) {
        out.insert(out.end(), payload.begin(), payload.end());
        return;
    }
    const std::array<std::uint8_t, 4> key = masks();
    out.insert(out.end(), key.begin(), key.end());
    const std::size_t at = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    for (std::size_t i = 0; i < payload.size(); ++i) out[at + i] ^= key[i & 3];
}

}  // namespace

void append_ws_message(std::vector<std::uint8_t>& out, std::uint8_t opcode, mqtt::Bytes payload,
                       std::size_t frame_size, const WsMasks& masks) {
    if (frame_size == 0 || payload.size() <= frame_size) {
        append_frame(out, true, opcode, payload, masks);
        return;
    }
    for (std::size_t at = 0; at < payload.size(); at += frame_size) {
        const std::size_t n = std::min(frame_size, payload.size() - at);
        append_frame(out, at + n == payload.size(), at == 0 ? opcode : std::uint8_t{ws_continuation}, payload.subspan(at, n), masks);
    }
}

void append_ws_control(std::vector<std::uint8_t>& out, std::uint8_t opcode, mqtt::Bytes payload, const WsMasks& masks) {
    append_frame(out, true, opcode, payload, masks);
}

std::vector<std::uint8_t> ws_close_payload(std::uint16_t code, std::string_view reason) {
    reason = reason.substr(0, 123);
    std::vector<std::uint8_t> p(2 + reason.size());
    p[0] = static_cast<std::uint8_t>(code >> 8);
    p[1] = static_cast<std::uint8_t>(code);
    std::copy(reason.begin(), reason.end(), p.begin() + 2);
    return p;
}

WsMasks ws_fixed_masks() {
    auto state = std::make_shared<std::uint64_t>(0x6d717474'6372616cULL);  // "mqttcral"
    return [state] {
        std::uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        return std::array<std::uint8_t, 4>{static_cast<std::uint8_t>(z), static_cast<std::uint8_t>(z >> 8),
                                           static_cast<std::uint8_t>(z >> 16), static_cast<std::uint8_t>(z >> 24)};
    };
}

void WsFrameReader::feed(mqtt::Bytes bytes) {
    if (at_ > 0 && at_ * 2 >= buffer_.size()) {  // drop what was handed out before growing
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at_));
        consumed_ += at_;
        at_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

WsRead WsFrameReader::fail(std::string rule, std::string message) {
    WsRead r;
    r.status = WsRead::Status::error;
    r.offset = consumed_ + at_;
    r.rule = std::move(rule);
    r.message = std::move(message);
    error_ = r;
    return r;
}

/// RFC 6455 §5.2:
///   FIN(1) RSV1..3(3) opcode(4) MASK(1) payload-len(7) [extended length 16 or 64] [masking key 32]
///   payload
WsRead WsFrameReader::next() {
    if (error_) return *error_;
    const std::uint8_t* p = buffer_.data() + at_;
    const std::size_t have = buffer_.size() - at_;
    if (have < 2) return {};
    const bool fin = p[0] & 0x80;
    const std::uint8_t rsv = (p[0] >> 4) & 0x07;
    const std::uint8_t opcode = p[0] & 0x0f;
    const bool masked = p[1] & 0x80;
    std::uint64_t length = p[1] & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
        if (have < 4) return {};
        length = std::uint64_t{p[2]} << 8 | p[3];
        header = 4;
        if (length <= 125) return fail("RFC6455-5.2", fmt::format("frame length {} written in 16 bits, not in its shortest form", length));
    } else if (length == 127) {
        if (have < 10) return {};
        length = 0;
        for (int i = 2; i < 10; ++i) length = length << 8 | p[i];
        header = 10;
        if (length >> 63) return fail("RFC6455-5.2", "64-bit frame length with its most significant bit set");
        if (length <= 0xffff) return fail("RFC6455-5.2", fmt::format("frame length {} written in 64 bits, not in its shortest form", length));
    }
    if (masked) return fail("RFC6455-5.1", "a masked frame from the server (a server must not mask)");
    if (rsv) return fail("RFC6455-5.2", fmt::format("RSV bits {:03b} set, with no extension negotiated", rsv));
    const bool control = opcode & 0x08;
    if ((opcode > ws_binary && opcode < ws_close) || opcode > ws_pong)
        return fail("RFC6455-5.2", fmt::format("reserved opcode 0x{:x}", opcode));
    if (control && (length > 125 || !fin))
        return fail("RFC6455-5.5", fmt::format("a control frame (opcode 0x{:x}) {}", opcode,
                                               !fin ? "without FIN: control frames must not be fragmented"
                                                    : fmt::format("of {} bytes: at most 125", length)));
    if (opcode == ws_continuation && !in_message_) return fail("RFC6455-5.4", "a continuation frame with no message open");
    if ((opcode == ws_text || opcode == ws_binary) && in_message_)
        return fail("RFC6455-5.4", "a new data frame while a fragmented message is still open");
    if (opcode == ws_text)
        return fail("MQTT-6.0.0-1", "a text frame (MQTT travels in binary frames only)");
    if (length > max_frame_) return fail("RFC6455-5.2", fmt::format("a frame of {} bytes, more than mqtt-craft reads", length));
    if (have - header < length) return {};

    WsRead r;
    r.status = WsRead::Status::frame;
    r.opcode = opcode;
    r.fin = fin;
    r.offset = consumed_ + at_;
    r.payload.assign(p + header, p + header + length);
    at_ += header + static_cast<std::size_t>(length);
    if (!control) in_message_ = !fin;
    return r;
}

}  // namespace mqttlens::craft
