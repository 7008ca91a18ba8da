#include "capture/tcp_segment.hpp"

#include <algorithm>

namespace mqttlens::capture {

namespace {

constexpr std::uint8_t proto_tcp = 6;
constexpr std::uint8_t ip6_hop_by_hop = 0;
constexpr std::uint8_t ip6_routing = 43;
constexpr std::uint8_t ip6_fragment = 44;
constexpr std::uint8_t ip6_auth = 51;
constexpr std::uint8_t ip6_dest_options = 60;

inline std::uint16_t be16(const std::uint8_t* p) noexcept { return std::uint16_t(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) noexcept {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

/// TCP header (RFC 9293 §3.1): ports, seq, ack, data offset (32-bit words), flags, window.
SegmentStatus parse_tcp(Bytes b, TcpSegment& out) noexcept {
    if (b.size() < 20) return SegmentStatus::malformed;
    const std::uint8_t* p = b.data();
    const std::size_t header = std::size_t(p[12] >> 4) * 4;
    if (header < 20 || header > b.size()) return SegmentStatus::malformed;
    out.src.port = be16(p);
    out.dst.port = be16(p + 2);
    out.seq = be32(p + 4);
    out.ack = be32(p + 8);
    out.flags = p[13];
    out.window = be16(p + 14);
    out.payload = b.subspan(header);
    return SegmentStatus::tcp;
}

/// IPv4 header (RFC 791): version/IHL, total length, flags/fragment offset, protocol, addresses.
SegmentStatus parse_ipv4(Bytes b, TcpSegment& out) noexcept {
    if (b.size() < 20) return SegmentStatus::malformed;
    const std::uint8_t* p = b.data();
    const std::size_t header = std::size_t(p[0] & 0x0F) * 4;
    const std::size_t total = be16(p + 2);
    if (header < 20 || total < header || b.size() < header) return SegmentStatus::malformed;
    const std::uint16_t fragment = be16(p + 6);
    if ((fragment & 0x2000) || (fragment & 0x1FFF)) return SegmentStatus::fragment;  // MF or offset
    if (p[9] != proto_tcp) return SegmentStatus::not_tcp;
    out.src.ip = IpAddress::v4(p[12], p[13], p[14], p[15]);
    out.dst.ip = IpAddress::v4(p[16], p[17], p[18], p[19]);
    // A short capture keeps what it has; a longer frame (Ethernet padding) is cut to total.
    const std::size_t end = std::min(total, b.size());
    out.uncaptured = static_cast<std::uint32_t>(total - end);
    return parse_tcp(b.subspan(header, end - header), out);
}

/// IPv6 header (RFC 8200): payload length, next header, addresses, then extension headers.
SegmentStatus parse_ipv6(Bytes b, TcpSegment& out) noexcept {
    if (b.size() < 40) return SegmentStatus::malformed;
    const std::uint8_t* p = b.data();
    const std::size_t payload_length = be16(p + 4);
    std::uint8_t next = p[6];
    out.src.ip = IpAddress::v6(p + 8);
    out.dst.ip = IpAddress::v6(p + 24);
    // Payload length 0 means a jumbogram (or TSO on capture): keep what was captured.
    Bytes rest = b.subspan(40);
    if (payload_length != 0 && payload_length < rest.size()) rest = rest.first(payload_length);
    out.uncaptured = payload_length > rest.size() ? static_cast<std::uint32_t>(payload_length - rest.size()) : 0;
    for (int hops = 0; hops < 16; ++hops) {
        switch (next) {
            case proto_tcp:
                return parse_tcp(rest, out);
            case ip6_hop_by_hop: case ip6_routing: case ip6_dest_options: {
                // Next header (1), length in 8-octet units not counting the first 8 (1), data.
                if (rest.size() < 8) return SegmentStatus::malformed;
                const std::size_t length = (std::size_t(rest[1]) + 1) * 8;
                if (length > rest.size()) return SegmentStatus::malformed;
                next = rest[0];
                rest = rest.subspan(length);
                break;
            }
            case ip6_fragment: {
                // Next header (1), reserved (1), offset (13 bits) / flags (M in bit 0), id (4).
                if (rest.size() < 8) return SegmentStatus::malformed;
                const std::uint16_t offset_flags = be16(rest.data() + 2);
                if ((offset_flags & 0xFFF8) || (offset_flags & 0x0001)) return SegmentStatus::fragment;
                next = rest[0];
                rest = rest.subspan(8);  // an atomic fragment: the whole packet follows
                break;
            }
            case ip6_auth: {
                // Next header (1), length in 4-octet units minus 2 (1), ...
                if (rest.size() < 8) return SegmentStatus::malformed;
                const std::size_t length = (std::size_t(rest[1]) + 2) * 4;
                if (length > rest.size()) return SegmentStatus::malformed;
                next = rest[0];
                rest = rest.subspan(length);
                break;
            }
            default:
                return SegmentStatus::not_tcp;
        }
    }
    return SegmentStatus::malformed;
}

}  // namespace

SegmentStatus parse_tcp_segment(const NetworkPacket& packet, TcpSegment& out) noexcept {
    switch (packet.protocol) {
        case NetworkProtocol::ipv4:
            if (packet.bytes.empty() || packet.bytes[0] >> 4 != 4) return SegmentStatus::malformed;
            return parse_ipv4(packet.bytes, out);
        case NetworkProtocol::ipv6:
            if (packet.bytes.empty() || packet.bytes[0] >> 4 != 6) return SegmentStatus::malformed;
            return parse_ipv6(packet.bytes, out);
        case NetworkProtocol::none:
            break;
    }
    return SegmentStatus::not_tcp;
}

}  // namespace mqttlens::capture
