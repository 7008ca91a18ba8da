// --send over WebSocket (ws://, wss://): the opening handshake, then each write as one binary
// message in masked frames, and the server's frames read back: data payloads handed up as one
// byte stream (a packet may span frames and messages, MQTT-6.0.0-2), pings answered, a close
// answered and reported.
#pragma once

#include "link.hpp"
#include "ws_frame.hpp"
#include "ws_handshake.hpp"

#include <memory>
#include <optional>
#include <string>

namespace mqttlens::craft {

struct WsSettings {
    std::string host;         ///< the Host header field: "127.0.0.1:9001", "[::1]:9001"
    std::string path;         ///< the request-target: "/mqtt"
    std::size_t frame_size = 0;  ///< payload bytes per frame at most; 0: one frame per message
    bool quiet = false;          ///< say nothing on stderr (upgrade warnings, pings answered)
};

class WsLink final : public Link {
public:
    /// Runs over `lower` (a TCP or TLS link, connected).
    WsLink(std::unique_ptr<Link> lower, WsSettings settings);

    /// Sends the upgrade request (a fresh random key) and reads the answer until `deadline`: ok
    /// (warnings said on stderr), timeout, ws_error (refused, answered wrongly, or closed with no
    /// answer) with the reason, or the lower layer's tls_error.
    Io upgrade(Clock::time_point deadline);
    const UpgradeAnswer& answer() const noexcept { return answer_; }

    /// One binary message in frames of at most frame_size payload bytes, each masked with a fresh
    /// random key (RFC 6455 §5.3).
    Io send(mqtt::Bytes bytes) override;
    /// Data frames' payloads; a ping is answered with a pong carrying its payload, a close with a
    /// close echoing its code (then closed, the code and reason in the detail); frames that break
    /// RFC 6455 or MQTT-6.0.0-1: a close 1002 (1003 for a text frame) and ws_error.
    Io receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) override;
    /// A close 1000, the server's close or its end awaited until `deadline`, then the lower layer's.
    void shutdown(Clock::time_point deadline) override;

private:
    Io send_control(std::uint8_t opcode, mqtt::Bytes payload);

    std::unique_ptr<Link> lower_;
    WsSettings settings_;
    WsMasks masks_;
    WsFrameReader reader_;
    UpgradeAnswer answer_;
    std::vector<std::uint8_t> out_;  // frames being sent, reused
    std::vector<std::uint8_t> in_;   // lower layer bytes, reused
    bool close_sent_ = false;
    std::optional<Io> end_;
};

}  // namespace mqttlens::craft
