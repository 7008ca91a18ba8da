// Endpoints: an IPv4 or IPv6 address with a TCP port, comparable and printable.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>

namespace mqttlens::capture {

struct IpAddress {
    std::uint8_t version = 4;              ///< 4 or 6
    std::array<std::uint8_t, 16> bytes{};  ///< network order; IPv4 uses the first 4 bytes

    /// a.b.c.d
    static IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
        IpAddress ip;
        ip.bytes[0] = a; ip.bytes[1] = b; ip.bytes[2] = c; ip.bytes[3] = d;
        return ip;
    }
    /// 16 bytes in network order.
    static IpAddress v6(const std::uint8_t* network_order) noexcept;

    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
    /// The defaulted one's result, as two 8-byte words (it compares byte by byte; the connection
    /// table compares endpoints on every packet).
    friend bool operator==(const IpAddress& a, const IpAddress& b) noexcept {
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a.bytes.data(), 8);
        std::memcpy(&a1, a.bytes.data() + 8, 8);
        std::memcpy(&b0, b.bytes.data(), 8);
        std::memcpy(&b1, b.bytes.data() + 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0 && a.version == b.version;
    }
};

struct Endpoint {
    IpAddress ip;
    std::uint16_t port = 0;
    friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
    friend bool operator==(const Endpoint& a, const Endpoint& b) noexcept { return a.port == b.port && a.ip == b.ip; }
};

/// "192.0.2.1" or "2001:db8::1".
std::string to_string(const IpAddress& ip);
/// "192.0.2.1:1883" or "[2001:db8::1]:1883".
std::string to_string(const Endpoint& ep);

}  // namespace mqttlens::capture
