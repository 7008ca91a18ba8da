// --send over WebSocket: the client side of RFC 6455 over a TCP or TLS link.
#include "ws_link.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

namespace mqttlens::craft {

namespace {

constexpr std::size_t max_answer_head = 16 * 1024;

/// Masking keys and nonces from OpenSSL's RNG (RFC 6455 §5.3: unpredictable, fresh per frame).
template <std::size_t N>
std::array<std::uint8_t, N> random_bytes() {
    std::array<std::uint8_t, N> b{};
    RAND_bytes(b.data(), static_cast<int>(N));
    return b;
}

mqtt::Bytes bytes_of(std::string_view s) { return mqtt::as_bytes(s); }

}  // namespace

WsLink::WsLink(std::unique_ptr<Link> lower, WsSettings settings)
    : lower_(std::move(lower)), settings_(std::move(settings)), masks_([] { return random_bytes<4>(); }) {}

Io WsLink::upgrade(Clock::time_point deadline) {
    const std::string key = ws_key(random_bytes<16>());
    const std::string request = ws_upgrade_request(settings_.host, settings_.path, key);
    if (Io r = lower_->send(bytes_of(request)); r.status != IoStatus::ok) {
        if (r.status == IoStatus::tls_error) return r;
        return {IoStatus::ws_error, fmt::format("the server {} the connection before the upgrade request was sent",
                                                r.status == IoStatus::reset ? "reset" : "closed")};
    }
    std::string head;
    for (;;) {
        in_.clear();
        Io r = lower_->receive(in_, deadline);
        if (r.status == IoStatus::timeout) return {IoStatus::timeout, "no answer to the WebSocket upgrade request"};
        if (r.status == IoStatus::tls_error) return r;
        if (r.status != IoStatus::ok)
            return {IoStatus::ws_error,
                    fmt::format("the server {} the connection without answering the WebSocket upgrade request{} "
                                "(is the port a WebSocket listener? is {} its path?)",
                                r.status == IoStatus::reset ? "reset" : "closed",
                                head.empty() ? "" : fmt::format(" whole ({} bytes of its head came)", head.size()),
                                settings_.path)};
        head.append(reinterpret_cast<const char*>(in_.data()), in_.size());
        const std::size_t size = ws_head_size(head);
        if (size == 0) {
            if (head.size() > max_answer_head)
                return {IoStatus::ws_error, fmt::format("the answer to the upgrade request passes {} bytes without "
                                                        "its empty line", max_answer_head)};
            continue;
        }
        answer_ = check_upgrade_response(std::string_view(head).substr(0, size), key);
        if (!answer_.ok) return {IoStatus::ws_error, answer_.error};
        if (!settings_.quiet)
            for (const auto& w : answer_.warnings) say("warning: " + w);
        reader_.feed(bytes_of(std::string_view(head).substr(size)));  // frames right behind the head
        return {};
    }
}

Io WsLink::send_control(std::uint8_t opcode, mqtt::Bytes payload) {
    out_.clear();
    append_ws_control(out_, opcode, payload, masks_);
    return lower_->send(out_);
}

Io WsLink::send(mqtt::Bytes bytes) {
    if (end_) return *end_;
    out_.clear();
    append_ws_message(out_, ws_binary, bytes, settings_.frame_size, masks_);
    Io r = lower_->send(out_);
    if (r.status != IoStatus::ok) end_ = r;
    return r;
}

Io WsLink::receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) {
    const std::size_t had = out.size();
    for (;;) {
        while (!end_) {
            WsRead f = reader_.next();
            if (f.status == WsRead::Status::need_more) break;
            if (f.status == WsRead::Status::error) {
                const std::uint16_t code = f.rule == "MQTT-6.0.0-1" ? 1003 : 1002;  // unsupported data, protocol error
                if (!close_sent_) {
                    send_control(ws_close, ws_close_payload(code));
                    close_sent_ = true;
                }
                end_ = Io{IoStatus::ws_error,
                          fmt::format("the server's WebSocket frames break {} (the frame at offset {} after the 101 "
                                      "answer): {}; closed with {}",
                                      f.rule, f.offset, f.message, code)};
                break;
            }
            switch (f.opcode) {
            case ws_binary:
            case ws_continuation:
                out.insert(out.end(), f.payload.begin(), f.payload.end());
                break;
            case ws_ping:
                if (!settings_.quiet)
                    say(fmt::format("WebSocket ping from the server ({} bytes), answered with a pong", f.payload.size()));
                if (!close_sent_) send_control(ws_pong, f.payload);
                break;
            case ws_pong:
                break;
            case ws_close: {
                std::string detail = "WebSocket close";
                std::vector<std::uint8_t> echo;
                if (f.payload.size() >= 2) {
                    const unsigned code = unsigned{f.payload[0]} << 8 | f.payload[1];
                    detail += fmt::format(" {}", code);
                    if (f.payload.size() > 2)
                        detail += fmt::format(" '{}'", std::string_view(reinterpret_cast<const char*>(f.payload.data() + 2),
                                                                        f.payload.size() - 2));
                    echo.assign(f.payload.begin(), f.payload.begin() + 2);
                } else if (f.payload.size() == 1) {
                    detail += " with a 1-byte payload (RFC 6455 §5.5.1: 0 or at least 2)";
                }
                if (!close_sent_) {
                    send_control(ws_close, echo);  // RFC 6455 §5.5.1: answer with a close, echoing the code
                    close_sent_ = true;
                }
                end_ = Io{IoStatus::closed, detail};
                break;
            }
            default:
                break;
            }
        }
        if (out.size() > had) return {};  // the bytes first; the end on the next call
        if (end_) return *end_;
        in_.clear();
        Io r = lower_->receive(in_, deadline);
        if (r.status == IoStatus::timeout) return r;
        if (r.status != IoStatus::ok) {
            if (r.status == IoStatus::closed && r.detail.empty()) r.detail = "without a WebSocket close";
            end_ = r;
            return r;
        }
        reader_.feed(in_);
    }
}

void WsLink::shutdown(Clock::time_point deadline) {
    if (!end_) {
        if (!close_sent_) {
            send_control(ws_close, ws_close_payload(1000));
            close_sent_ = true;
        }
        // RFC 6455 §7.1.1: the server answers with its close, then ends TCP. What comes before
        // the close is not printed (the --wait for replies is over).
        std::vector<std::uint8_t> late;
        while (!end_ && Clock::now() < deadline) {
            late.clear();
            if (receive(late, deadline).status == IoStatus::timeout) break;
        }
    }
    lower_->shutdown(deadline);
}

}  // namespace mqttlens::craft
