// The WebSocket opening handshake, client side: request and answer text, and the answer's checks.
#include "ws_handshake.hpp"

#include "transport/websocket.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace mqttlens::craft {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// Whether the comma-separated `list` holds `token` (case-insensitive).
bool list_has(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const std::size_t comma = std::min(list.find(','), list.size());
        if (iequals(trim(list.substr(0, comma)), token)) return true;
        list.remove_prefix(std::min(comma + 1, list.size()));
    }
    return false;
}

}  // namespace

std::string ws_key(const std::array<std::uint8_t, 16>& nonce) {
    std::array<unsigned char, 25> text{};
    const int n = EVP_EncodeBlock(text.data(), nonce.data(), static_cast<int>(nonce.size()));
    return std::string(reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(n));
}

std::string ws_upgrade_request(std::string_view host, std::string_view path, std::string_view key) {
    return fmt::format("GET {} HTTP/1.1\r\n"
                       "Host: {}\r\n"
                       "Upgrade: websocket\r\n"
                       "Connection: Upgrade\r\n"
                       "Sec-WebSocket-Key: {}\r\n"
                       "Sec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Protocol: mqtt\r\n"
                       "\r\n",
                       path, host, key);
}

std::string ws_upgrade_response(std::string_view key) {
    return fmt::format("HTTP/1.1 101 Switching Protocols\r\n"
                       "Upgrade: websocket\r\n"
                       "Connection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: {}\r\n"
                       "Sec-WebSocket-Protocol: mqtt\r\n"
                       "\r\n",
                       transport::websocket_accept(key));
}

std::size_t ws_head_size(std::string_view bytes) noexcept {
    const std::size_t end = bytes.find("\r\n\r\n");
    return end == std::string_view::npos ? 0 : end + 4;
}

/// RFC 6455 §4.1, the client's checks of the server's answer:
///   status-line = "HTTP/1.1" SP status-code SP reason-phrase CRLF; 101 or the client fails
///   Upgrade: websocket / Connection: upgrade / Sec-WebSocket-Accept = base64(SHA-1(key + GUID))
///   Sec-WebSocket-Extensions, Sec-WebSocket-Protocol: only what the client offered
UpgradeAnswer check_upgrade_response(std::string_view head, std::string_view key) {
    UpgradeAnswer a;
    const std::size_t eol = std::min(head.find('\n'), head.size());
    const std::string_view status_line = trim(head.substr(0, eol));
    a.status_line = std::string(status_line);
    if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12 ||
        !std::all_of(status_line.begin() + 9, status_line.begin() + 12, [](char c) { return c >= '0' && c <= '9'; })) {
        a.error = fmt::format("the answer to the upgrade request is not HTTP/1.1: '{}'", status_line.substr(0, 80));
        return a;
    }
    const std::string_view status = status_line.substr(9, 3);

    std::string upgrade, connection, accept, location, extensions;
    bool accept_seen = false, protocol_seen = false;
    std::string_view rest = head.substr(std::min(eol + 1, head.size()));
    while (!rest.empty()) {
        const std::size_t end = std::min(rest.find('\n'), rest.size());
        const std::string_view line = trim(rest.substr(0, end));
        rest.remove_prefix(std::min(end + 1, rest.size()));
        const std::size_t colon = line.find(':');
        if (line.empty() || colon == std::string_view::npos) continue;
        const std::string_view name = line.substr(0, colon);
        const std::string value(trim(line.substr(colon + 1)));
        if (iequals(name, "Upgrade")) upgrade = value;
        else if (iequals(name, "Connection")) connection = value;
        else if (iequals(name, "Location")) location = value;
        else if (iequals(name, "Sec-WebSocket-Extensions")) extensions = value;
        else if (iequals(name, "Sec-WebSocket-Accept") && !accept_seen) accept = value, accept_seen = true;
        else if (iequals(name, "Sec-WebSocket-Protocol") && !protocol_seen) a.protocol = value, protocol_seen = true;
    }

    if (status != "101") {
        a.error = fmt::format("the server refused the WebSocket upgrade: '{}'{}", status_line,
                              location.empty() ? "" : fmt::format(" (Location: {})", location));
        return a;
    }
    if (!iequals(upgrade, "websocket"))
        a.error = fmt::format("the 101 answer has {} (RFC 6455 §4.1: it must be 'Upgrade: websocket')",
                              upgrade.empty() ? "no Upgrade header field" : fmt::format("'Upgrade: {}'", upgrade));
    else if (!list_has(connection, "upgrade"))
        a.error = fmt::format("the 101 answer has {} (RFC 6455 §4.1: it must name upgrade)",
                              connection.empty() ? "no Connection header field" : fmt::format("'Connection: {}'", connection));
    else if (!accept_seen)
        a.error = "the 101 answer has no Sec-WebSocket-Accept (RFC 6455 §4.1)";
    else if (const std::string expected = transport::websocket_accept(key); accept != expected)
        a.error = fmt::format("the 101 answer's Sec-WebSocket-Accept is '{}'; the key sent gives '{}' (RFC 6455 §4.1)",
                              accept, expected);
    else if (!extensions.empty())
        a.error = fmt::format("the 101 answer accepts the extension '{}', which was not offered (RFC 6455 §4.1)", extensions);
    else if (protocol_seen && a.protocol != "mqtt")
        a.error = fmt::format("the 101 answer selects the subprotocol '{}'; only mqtt was offered (RFC 6455 §4.1, "
                              "MQTT-6.0.0-4)", a.protocol);
    if (!a.error.empty()) return a;
    if (!protocol_seen)
        a.warnings.push_back("the 101 answer selects no subprotocol (MQTT-6.0.0-4: the server must select mqtt)");
    a.ok = true;
    return a;
}

}  // namespace mqttlens::craft
