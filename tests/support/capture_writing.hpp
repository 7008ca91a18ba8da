// Test helpers over the capture library's writer: a TCP conversation written straight into a
// PcapWriter, a file saved, an endpoint read from its text. Only tests use them.
#pragma once

#include "capture/endpoint.hpp"
#include "capture/pcap_writer.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace mqttlens::capture {

/// Writes `bytes` to `path`; false on failure.
inline bool save_file(const std::string& path, Bytes bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

/// Reads what to_string(Endpoint) writes ("192.0.2.1:1883", "[2001:db8::1]:1883"); nullopt on
/// anything else.
inline std::optional<Endpoint> parse_endpoint(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.empty()) return std::nullopt;
    const bool bracketed = text.front() == '[';
    std::string host(text.substr(0, colon));
    if (bracketed) {
        if (host.size() < 2 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    }
    const std::string_view port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) return std::nullopt;
    IpAddress ip;
    if (!bracketed && inet_pton(AF_INET, host.c_str(), ip.bytes.data()) == 1)
        return Endpoint{ip, static_cast<std::uint16_t>(port)};
    ip.version = 6;
    if (bracketed && inet_pton(AF_INET6, host.c_str(), ip.bytes.data()) == 1)
        return Endpoint{ip, static_cast<std::uint16_t>(port)};
    return std::nullopt;
}

/// A TcpConversation written straight to a PcapWriter.
class TcpConversationWriter {
public:
    /// Writes the handshake unless `handshake` is false (a capture that starts mid-connection).
    TcpConversationWriter(PcapWriter& writer, Endpoint client, Endpoint server, bool handshake = true)
        : writer_(writer), conversation_(client, server) {
        if (handshake)
            for (const auto& s : conversation_.handshake()) writer_.write(s);
    }

    void client_send(Bytes payload) { writer_.write(conversation_.data(Side::client, payload)); }
    void server_send(Bytes payload) { writer_.write(conversation_.data(Side::server, payload)); }
    /// FIN from the client, FIN from the server, last ACK.
    void close() {
        for (const auto& s : conversation_.close()) writer_.write(s);
    }
    /// RST from `side`.
    void reset(Side side = Side::client) { writer_.write(conversation_.rst(side)); }
    void write(const TcpSegmentSpec& segment) { writer_.write(segment); }
    TcpConversation& conversation() noexcept { return conversation_; }

private:
    PcapWriter& writer_;
    TcpConversation conversation_;
};

}  // namespace mqttlens::capture
