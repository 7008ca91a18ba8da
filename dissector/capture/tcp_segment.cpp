#include "capture/tcp_segment.hpp"

#include "capture/ip_header.hpp"

namespace mqttlens::capture {

namespace {

using ip::be16;
using ip::be32;

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
    ip::Ipv4Header h;
    if (!ip::read_ipv4(b, h)) return SegmentStatus::malformed;
    if (h.is_fragment()) return SegmentStatus::fragment;
    if (h.protocol != ip::proto_tcp) return SegmentStatus::not_tcp;
    out.src.ip = IpAddress::v4(h.src[0], h.src[1], h.src[2], h.src[3]);
    out.dst.ip = IpAddress::v4(h.dst[0], h.dst[1], h.dst[2], h.dst[3]);
    const Bytes payload = h.payload(b);
    out.uncaptured = static_cast<std::uint32_t>(h.total - h.size - payload.size());
    return parse_tcp(payload, out);
}

/// IPv6 header (RFC 8200): payload length, next header, addresses, then extension headers.
SegmentStatus parse_ipv6(Bytes b, TcpSegment& out) noexcept {
    ip::Ipv6Chain chain;
    if (!ip::read_ipv6(b, chain)) return SegmentStatus::malformed;
    out.src.ip = IpAddress::v6(b.data() + 8);
    out.dst.ip = IpAddress::v6(b.data() + 24);
    out.uncaptured = chain.wire > chain.rest.size() ? static_cast<std::uint32_t>(chain.wire - chain.rest.size()) : 0;
    int budget = 16;
    while (ip::skip_ipv6_options(chain, budget)) {
        if (chain.next == ip::proto_tcp) return parse_tcp(chain.rest, out);
        if (chain.next != ip::ip6_fragment) return SegmentStatus::not_tcp;
        // Next header (1), reserved (1), offset (13 bits) / flags (M in bit 0), id (4).
        if (chain.rest.size() < 8) return SegmentStatus::malformed;
        const std::uint16_t offset_flags = be16(chain.rest.data() + 2);
        if ((offset_flags & 0xFFF8) || (offset_flags & 0x0001)) return SegmentStatus::fragment;
        chain.next = chain.rest[0];
        chain.rest = chain.rest.subspan(8);  // an atomic fragment: the whole packet follows
        if (--budget <= 0) break;
    }
    return SegmentStatus::malformed;
}

}  // namespace

SegmentStatus parse_tcp_segment(const NetworkPacket& packet, TcpSegment& out) noexcept {
    switch (packet.protocol) {
        case NetworkProtocol::ipv4: return parse_ipv4(packet.bytes, out);
        case NetworkProtocol::ipv6: return parse_ipv6(packet.bytes, out);
        case NetworkProtocol::none:
            break;
    }
    return SegmentStatus::not_tcp;
}

}  // namespace mqttlens::capture
