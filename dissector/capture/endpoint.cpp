#include "capture/endpoint.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace mqttlens::capture {

IpAddress IpAddress::v6(const std::uint8_t* network_order) noexcept {
    IpAddress ip;
    ip.version = 6;
    std::memcpy(ip.bytes.data(), network_order, 16);
    return ip;
}

std::string to_string(const IpAddress& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ip.version == 6 ? AF_INET6 : AF_INET, ip.bytes.data(), text, sizeof text);
    return text;
}

std::string to_string(const Endpoint& ep) {
    const std::string ip = to_string(ep.ip);
    return (ep.ip.version == 6 ? "[" + ip + "]" : ip) + ':' + std::to_string(ep.port);
}

}  // namespace mqttlens::capture
