// --out pcap: the crafted packets as one synthetic TCP conversation between a client and a broker.
#pragma once

#include "writers.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>

namespace mqttlens::craft {

/// A pcap (Ethernet, IPv4, TCP) holding a three-way handshake, each packet in its direction
/// (segments of at most 1460 bytes, acknowledged by the other side), and a FIN close.
/// The server listens on `port`.
std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port);

}  // namespace mqttlens::craft
