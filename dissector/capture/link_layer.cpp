#include "capture/link_layer.hpp"

#include "capture/ip_header.hpp"
#include "capture/libpcap.hpp"

#include <pcap/pcap.h>

namespace mqttlens::capture {

namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::uint16_t ethertype_vlan = 0x8100;   // 802.1Q
constexpr std::uint16_t ethertype_qinq = 0x88A8;   // 802.1ad service tag
constexpr std::uint16_t ethertype_qinq_old = 0x9100;

// LINKTYPE_IPV4 / LINKTYPE_IPV6, in case the pcap headers predate them.
constexpr int dlt_ipv4 = 228;
constexpr int dlt_ipv6 = 229;
constexpr int dlt_linux_sll2 = 276;

using ip::be16;
using ip::be32;

NetworkPacket by_version(Bytes b) noexcept {
    if (b.empty()) return {};
    switch (b[0] >> 4) {
        case 4: return {NetworkProtocol::ipv4, b};
        case 6: return {NetworkProtocol::ipv6, b};
        default: return {};
    }
}

/// `type` is an EtherType read just before `rest`; VLAN tags (4 bytes: TCI, inner EtherType)
/// are skipped, any depth.
NetworkPacket by_ethertype(std::uint16_t type, Bytes rest) noexcept {
    while (type == ethertype_vlan || type == ethertype_qinq || type == ethertype_qinq_old) {
        if (rest.size() < 4) return {};
        type = be16(rest.data() + 2);
        rest = rest.subspan(4);
    }
    if (type == ethertype_ipv4) return {NetworkProtocol::ipv4, rest};
    if (type == ethertype_ipv6) return {NetworkProtocol::ipv6, rest};
    return {};
}

/// BSD address families for IPv6 differ by system: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28,
/// macOS 30. IPv4 is 2 everywhere.
NetworkPacket by_address_family(std::uint32_t family, Bytes rest) noexcept {
    switch (family) {
        case 2: return {NetworkProtocol::ipv4, rest};
        case 10: case 24: case 28: case 30: return {NetworkProtocol::ipv6, rest};
        default: return {};
    }
}

}  // namespace

bool link_type_supported(int link_type) noexcept {
    switch (link_type) {
        case DLT_EN10MB: case DLT_LINUX_SLL: case dlt_linux_sll2: case DLT_NULL: case DLT_LOOP:
        case DLT_RAW: case dlt_ipv4: case dlt_ipv6:
#if DLT_RAW != 12
        case 12:
#endif
#if DLT_RAW != 14
        case 14:
#endif
            return true;
        default:
            return false;
    }
}

std::string link_type_name(int link_type) {
    const Libpcap* pcap = libpcap();
    const char* name = pcap ? pcap->pcap_datalink_val_to_name(link_type) : nullptr;
    const char* description = pcap ? pcap->pcap_datalink_val_to_description(link_type) : nullptr;
    if (!name) return "DLT " + std::to_string(link_type);
    std::string out = name;
    if (description) out += std::string(" (") + description + ")";
    return out;
}

NetworkPacket strip_link_layer(int link_type, Bytes frame) noexcept {
    const std::uint8_t* p = frame.data();
    const std::size_t n = frame.size();
    switch (link_type) {
        case DLT_EN10MB: {
            // Destination (6), source (6), EtherType or 802.3 length (2).
            if (n < 14) return {};
            const std::uint16_t type = be16(p + 12);
            if (type < 0x0600) return {};  // 802.3 length: LLC, not IP
            return by_ethertype(type, frame.subspan(14));
        }
        case DLT_LINUX_SLL:
            // Packet type (2), ARPHRD (2), address length (2), address (8), protocol (2).
            if (n < 16) return {};
            return by_ethertype(be16(p + 14), frame.subspan(16));
        case dlt_linux_sll2:
            // Protocol (2), reserved (2), interface index (4), ARPHRD (2), packet type (1),
            // address length (1), address (8).
            if (n < 20) return {};
            return by_ethertype(be16(p), frame.subspan(20));
        case DLT_NULL: case DLT_LOOP: {
            // Address family: LOOP in network byte order, NULL in the capturing host's.
            if (n < 4) return {};
            std::uint32_t family = be32(p);
            if (link_type == DLT_NULL && family > 0xFFFF) family = __builtin_bswap32(family);
            return by_address_family(family, frame.subspan(4));
        }
        case dlt_ipv4: case dlt_ipv6: {
            const NetworkPacket packet = by_version(frame);
            const auto want = link_type == dlt_ipv4 ? NetworkProtocol::ipv4 : NetworkProtocol::ipv6;
            return packet.protocol == want ? packet : NetworkPacket{};
        }
        default:
            return link_type_supported(link_type) ? by_version(frame) : NetworkPacket{};
    }
}

}  // namespace mqttlens::capture
