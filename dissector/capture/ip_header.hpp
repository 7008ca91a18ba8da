// Header helpers shared by the link layer, the TCP segment parser and the fragment reassembler
// (internal to the capture library): one reading of each header for all of them.
#pragma once

#include "mqtt/packet.hpp"

#include <cstddef>
#include <cstdint>

namespace mqttlens::capture::ip {

using mqtt::Bytes;

inline constexpr std::uint8_t proto_tcp = 6;
inline constexpr std::uint8_t ip6_hop_by_hop = 0;
inline constexpr std::uint8_t ip6_routing = 43;
inline constexpr std::uint8_t ip6_fragment = 44;
inline constexpr std::uint8_t ip6_auth = 51;
inline constexpr std::uint8_t ip6_dest_options = 60;

inline std::uint16_t be16(const std::uint8_t* p) noexcept { return std::uint16_t(p[0] << 8 | p[1]); }
inline void set_be16(std::uint8_t* p, std::uint16_t v) noexcept { p[0] = std::uint8_t(v >> 8); p[1] = std::uint8_t(v); }
inline std::uint32_t be32(const std::uint8_t* p) noexcept {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

/// An IPv4 header (RFC 791), as the segment parser and the fragment reassembler both read it.
struct Ipv4Header {
    std::size_t size = 0;            ///< IHL x 4
    std::size_t total = 0;           ///< Total Length
    std::uint16_t id = 0;            ///< Identification
    std::uint16_t fragment = 0;      ///< flags (MF: 0x2000) and fragment offset (8-octet units)
    std::uint8_t protocol = 0;
    const std::uint8_t* src = nullptr;
    const std::uint8_t* dst = nullptr;

    bool more_fragments() const noexcept { return (fragment & 0x2000) != 0; }
    std::uint32_t offset() const noexcept { return std::uint32_t(fragment & 0x1FFF) * 8; }  ///< bytes
    bool is_fragment() const noexcept { return more_fragments() || offset() != 0; }
    /// The bytes after the header in `packet` (the bytes it was read from) up to Total Length or
    /// to the end of what was captured: a short capture keeps what it has, Ethernet padding goes.
    Bytes payload(Bytes packet) const noexcept {
        return packet.subspan(size, (total < packet.size() ? total : packet.size()) - size);
    }
};

/// The IPv4 header at the start of `b`; false when it is not one (version), does not fit in what
/// was captured, or claims a length shorter than itself.
inline bool read_ipv4(Bytes b, Ipv4Header& h) noexcept {
    if (b.size() < 20 || b[0] >> 4 != 4) return false;
    const std::uint8_t* p = b.data();
    h.size = std::size_t(p[0] & 0x0F) * 4;
    h.total = be16(p + 2);
    if (h.size < 20 || h.size > b.size() || h.total < h.size) return false;
    h.id = be16(p + 4);
    h.fragment = be16(p + 6);
    h.protocol = p[9];
    h.src = p + 12;
    h.dst = p + 16;
    return true;
}

/// Where an IPv6 header chain stands: the Next Header value, the bytes from there as captured,
/// and how many of them were on the wire.
struct Ipv6Chain {
    std::uint8_t next = 0;
    Bytes rest;
    std::size_t wire = 0;
};

/// The chain after the IPv6 fixed header (RFC 8200) at the start of `b`, cut to Payload Length
/// (0, a jumbogram or TSO on capture, keeps what was captured); false when `b` holds none.
inline bool read_ipv6(Bytes b, Ipv6Chain& chain) noexcept {
    if (b.size() < 40 || b[0] >> 4 != 6) return false;
    chain.wire = be16(b.data() + 4);
    chain.next = b[6];
    chain.rest = b.subspan(40, chain.wire != 0 && chain.wire < b.size() - 40 ? chain.wire : b.size() - 40);
    return true;
}

/// Skips hop-by-hop, routing, destination options and AH headers (RFC 8200 §4, RFC 4302) from
/// `chain`, at most `budget` of them (decremented); stops at any other header, a fragment header
/// included. False when a header does not fit in what was captured or on the wire.
inline bool skip_ipv6_options(Ipv6Chain& chain, int& budget) noexcept {
    for (; budget > 0; --budget) {
        std::size_t length = 0;
        switch (chain.next) {
            case ip6_hop_by_hop: case ip6_routing: case ip6_dest_options:
                // Next header (1), length in 8-octet units not counting the first 8 (1), data.
                if (chain.rest.size() < 8) return false;
                length = (std::size_t(chain.rest[1]) + 1) * 8;
                break;
            case ip6_auth:
                // Next header (1), length in 4-octet units minus 2 (1), ...
                if (chain.rest.size() < 8) return false;
                length = (std::size_t(chain.rest[1]) + 2) * 4;
                break;
            default:
                return true;
        }
        if (length > chain.rest.size()) return false;
        chain.next = chain.rest[0];
        chain.rest = chain.rest.subspan(length);
        chain.wire = chain.wire > length ? chain.wire - length : 0;
    }
    return false;
}

/// Whether a fragment whose protocol is `next` (IPv4's Protocol, or the Next Header of an IPv6
/// fragment header) may hold TCP once reassembled: TCP, or in IPv6 a header skip_ipv6_options()
/// goes past (RFC 8200 §4.5 puts destination options and AH after the fragment header too).
inline bool fragment_may_hold_tcp(bool ipv6, std::uint8_t next) noexcept {
    if (next == proto_tcp) return true;
    if (!ipv6) return false;
    switch (next) {
        case ip6_hop_by_hop: case ip6_routing: case ip6_dest_options: case ip6_auth: return true;
        default: return false;
    }
}

}  // namespace mqttlens::capture::ip
