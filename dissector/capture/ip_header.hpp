// Header helpers shared by the link layer, the TCP segment parser and the fragment reassembler
// (internal to the capture library).
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
inline std::uint32_t be32(const std::uint8_t* p) noexcept {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

/// Where an IPv6 header chain stands: the Next Header value, the bytes from there as captured,
/// and how many of them were on the wire.
struct Ipv6Chain {
    std::uint8_t next = 0;
    Bytes rest;
    std::size_t wire = 0;
};

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

}  // namespace mqttlens::capture::ip
