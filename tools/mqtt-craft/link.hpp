// A connection to the broker as --send uses it, whatever carries it (TCP, TLS, WebSocket): bytes
// out, bytes in, every wait bounded by a deadline, and how it ended as a value.
#pragma once

#include "mqtt/packet.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mqttlens::craft {

using Clock = std::chrono::steady_clock;

/// What one call on a link came to.
enum class IoStatus {
    ok,         ///< sent whole, or at least one byte received
    timeout,    ///< the deadline passed with nothing received
    closed,     ///< the peer closed the connection (FIN, TLS close_notify, WebSocket close)
    reset,      ///< the connection was reset (RST) or broke while sending
    tls_error,  ///< TLS failed: the handshake, or a record later on
    ws_error,   ///< WebSocket failed: the upgrade, or the server's frames break RFC 6455 / MQTT-6.0.0-1
};

struct Io {
    IoStatus status = IoStatus::ok;
    std::string detail;  ///< why, for anything but ok and timeout (may be empty for closed and reset)
};

class Link {
public:
    virtual ~Link() = default;
    /// Sends all of `bytes` as one write (over WebSocket: one binary message): ok, or how the
    /// connection ended.
    virtual Io send(mqtt::Bytes bytes) = 0;
    /// Appends the peer's next bytes to `out`: ok with at least one byte, timeout when `deadline`
    /// passed with none, or how the connection ended (said again by every later call).
    virtual Io receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) = 0;
    /// Ends our side the layer's way (WebSocket close frame and the server's answer, TLS
    /// close_notify), waiting at most until `deadline`; nothing when the connection ended already.
    /// The socket itself is closed when the link is destroyed.
    virtual void shutdown(Clock::time_point deadline) = 0;
};

/// Milliseconds left until `deadline`, 0 when it passed (a poll() timeout).
int remaining_ms(Clock::time_point deadline);

/// Waits until `fd` is ready for `events` (POLLIN, POLLOUT) or `deadline` passes; false on the
/// deadline. A hang-up or an error counts as ready: the next read or write says what happened.
bool wait_ready(int fd, short events, Clock::time_point deadline);

/// "mqtt-craft: TEXT" on stderr.
void say(const std::string& text);

}  // namespace mqttlens::craft
