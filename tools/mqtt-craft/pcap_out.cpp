// --out pcap: waits for the capture library's pcap writer.
#include "pcap_out.hpp"

#include <stdexcept>

namespace mqttlens::craft {

std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE*, std::uint16_t) {
    throw std::runtime_error("--out pcap is not available yet");
}

}  // namespace mqttlens::craft
