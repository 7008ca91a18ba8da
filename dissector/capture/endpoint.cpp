#include "capture/endpoint.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mqttlens::capture {

IpAddress IpAddress::v6(const std::uint8_t* network_order) noexcept {
    IpAddress ip;
    ip.version = 6;
    std::memcpy(ip.bytes.data(), network_order, 16);
    return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    const std::string s(text);
    IpAddress ip;
    if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
        ip.version = 6;
        return ip;
    }
    return std::nullopt;
}

std::string to_string(const IpAddress& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ip.version == 6 ? AF_INET6 : AF_INET, ip.bytes.data(), text, sizeof text);
    return text;
}

std::string to_string(const Endpoint& ep) {
    std::string out;
    if (ep.ip.version == 6) {
        out = "[" + to_string(ep.ip) + "]";
    } else {
        out = to_string(ep.ip);
    }
    out += ':';
    out += std::to_string(ep.port);
    return out;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        return std::nullopt;
    }
    const auto ip = IpAddress::parse(host);
    if (!ip) return std::nullopt;
    if (ip->version == 4 && text.front() == '[') return std::nullopt;
    if (ip->version == 6 && text.front() != '[') return std::nullopt;
    return Endpoint{*ip, static_cast<std::uint16_t>(port)};
}

}  // namespace mqttlens::capture
