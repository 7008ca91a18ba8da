// The WebSocket opening handshake from the client's side (RFC 6455 §4.1, MQTT 5.0 §6): the request
// mqtt-craft sends, the answer --out pcap writes for the server, and the checks a client makes on
// the server's answer before it sends a frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::craft {

/// Sec-WebSocket-Key for 16 nonce bytes: their base64 (24 characters).
std::string ws_key(const std::array<std::uint8_t, 16>& nonce);

/// The client's request: `GET PATH HTTP/1.1`, Host, Upgrade: websocket, Connection: Upgrade,
/// Sec-WebSocket-Key, Sec-WebSocket-Version: 13, Sec-WebSocket-Protocol: mqtt, the empty line.
std::string ws_upgrade_request(std::string_view host, std::string_view path, std::string_view key);

/// A server's 101 answer to `key` that selects the subprotocol mqtt and no extension.
std::string ws_upgrade_response(std::string_view key);

/// The size of the head at the start of `bytes` through its empty line (CRLF CRLF); 0 while the
/// empty line has not come.
std::size_t ws_head_size(std::string_view bytes) noexcept;

/// What the server's answer came to.
struct UpgradeAnswer {
    bool ok = false;
    std::string status_line;            ///< "HTTP/1.1 101 Switching Protocols"
    std::string protocol;               ///< the subprotocol selected; empty: none
    std::string error;                  ///< when !ok: why the client fails the connection
    std::vector<std::string> warnings;  ///< accepted, but said on stderr
};

/// Judges the server's answer head (status line through the empty line) to a request that sent
/// `key` and offered only `mqtt`, as RFC 6455 §4.1 has the client do: status 101, `Upgrade:
/// websocket`, a `Connection` naming upgrade, `Sec-WebSocket-Accept` derived from the key, no
/// extension and no subprotocol but mqtt; any of these failing is an error. No subprotocol at all
/// is a warning: MQTT-6.0.0-4 wants mqtt selected, RFC 6455 lets the server select none.
UpgradeAnswer check_upgrade_response(std::string_view head, std::string_view key);

}  // namespace mqttlens::craft
