// --out pcap: the crafted packets as one synthetic TCP conversation between a client and a broker.
#pragma once

#include "writers.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>

namespace mqttlens::craft {

/// A pcap (Ethernet, IPv4, TCP) holding a three-way handshake, each packet in its direction
/// (segments of at most `segment` bytes, acknowledged by the other side), and a FIN close.
/// The server listens on `port`. `ip_fragment` > 0: each data segment's IP packet is written as
/// fragments of at most that many payload bytes (for testing reassembly in IDSs and dissectors).
std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port, std::size_t segment = 1460,
                                               std::size_t ip_fragment = 0);

}  // namespace mqttlens::craft
