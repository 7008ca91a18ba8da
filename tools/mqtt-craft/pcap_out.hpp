// --out pcap: the crafted packets as one synthetic TCP conversation between a client and a broker.
#pragma once

#include "writers.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>

namespace mqttlens::craft {

/// --out pcap as MQTT over WebSocket (--ws, --ws-frame).
struct PcapWebSocket {
    bool enabled = false;
    std::size_t frame_size = 0;  ///< payload bytes per frame at most; 0: one frame per packet
};

/// A pcap (Ethernet, IPv4, TCP) holding a three-way handshake, each packet in its direction
/// (segments of at most `segment` bytes, acknowledged by the other side), and a FIN close.
/// The server listens on `port`. `ip_fragment` > 0: each data segment's IP packet is written as
/// fragments of at most that many payload bytes (for testing reassembly in IDSs and dissectors).
/// `ws.enabled`: the conversation opens with a WebSocket upgrade (GET /mqtt, subprotocol mqtt, the
/// key of RFC 6455 §1.3), each packet is one binary message (client frames masked with
/// ws_fixed_masks(), server frames not; cut into continuations of at most `ws.frame_size` payload
/// bytes), and a close 1000 each way precedes the FIN; `segment` then cuts the framed bytes.
std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port, std::size_t segment = 1460,
                                               std::size_t ip_fragment = 0, PcapWebSocket ws = {});

}  // namespace mqttlens::craft
