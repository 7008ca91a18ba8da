// IPv4, IPv6 and TCP headers: from an IP packet to the TCP segment it carries.
#pragma once

#include "capture/endpoint.hpp"
#include "capture/link_layer.hpp"

#include <cstdint>

namespace mqttlens::capture {

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
}  // namespace tcp_flag

/// One TCP segment; `payload` views the capture record.
struct TcpSegment {
    Endpoint src;
    Endpoint dst;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;  ///< tcp_flag bits
    std::uint16_t window = 0;
    Bytes payload;
    std::uint32_t uncaptured = 0;  ///< payload bytes on the wire past `payload` (short snaplen)
};

enum class SegmentStatus : std::uint8_t {
    tcp,        ///< `out` holds a segment
    not_tcp,    ///< IP, but another protocol (or IPv6 "no next header")
    fragment,   ///< an IP fragment: for IpDefragmenter
    malformed,  ///< header lengths inconsistent with the bytes captured
};

/// Reads the IP and TCP headers of `packet`. IPv4: the header length and total length are
/// honoured (link-layer padding is cut off). IPv6: hop-by-hop, routing, fragment, destination
/// options and AH extension headers are skipped. Any IP fragment (first or not) is reported as
/// `fragment` and not parsed (the Dissector reassembles fragments, see ip_defrag.hpp).
/// The payload is cut to what was captured; `uncaptured` says how much a short snaplen cut off. Checksums are not
/// verified (captures on the sending host carry offloaded, unfinished checksums).
SegmentStatus parse_tcp_segment(const NetworkPacket& packet, TcpSegment& out) noexcept;

}  // namespace mqttlens::capture
