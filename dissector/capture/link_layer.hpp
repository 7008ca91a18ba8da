// Link layers: from a capture record to the IP packet it carries.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <string>

namespace mqttlens::capture {

using mqtt::Bytes;

enum class NetworkProtocol : std::uint8_t { none, ipv4, ipv6 };

/// The network-layer packet inside a link-layer frame; `bytes` views the record.
struct NetworkPacket {
    NetworkProtocol protocol = NetworkProtocol::none;
    Bytes bytes;
};

/// True for the link types strip_link_layer() understands: Ethernet (with 802.1Q / QinQ tags),
/// Linux cooked v1 and v2, BSD loopback (NULL, LOOP), raw IP (RAW, IPV4, IPV6).
bool link_type_supported(int link_type) noexcept;
/// "EN10MB (Ethernet)", or "DLT 147" for a value libpcap has no name for (or when libpcap cannot
/// be loaded).
std::string link_type_name(int link_type);
/// The IP packet carried by `frame`, or protocol none (not IP, too short, unsupported link type).
/// Never reads outside `frame`.
NetworkPacket strip_link_layer(int link_type, Bytes frame) noexcept;

}  // namespace mqttlens::capture
