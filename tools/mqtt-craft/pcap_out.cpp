// --out pcap: the crafted packets as one TCP conversation (Ethernet, IPv4), written with the
// capture library's PcapWriter: handshake, each packet in segments of at most --segment bytes
// (one MSS by default) from its side, optionally cut into IP fragments, a pure ACK from the other
// side after each packet, and a FIN close.
#include "pcap_out.hpp"

#include "capture/pcap_writer.hpp"

#include <algorithm>

namespace mqttlens::craft {

namespace {

using capture::Side;

class PcapOut final : public PacketWriter {
public:
    PcapOut(std::FILE* out, std::uint16_t port, std::size_t segment, std::size_t ip_fragment)
        : segment_(std::max<std::size_t>(segment, 1)),
          ip_fragment_(ip_fragment),
          writer_(out, capture::WriterOptions{}),
          conversation_(capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 1), 50000},
                        capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 2), port}) {
        for (const auto& s : conversation_.handshake()) writer_.write(s);
    }

    void write(mqtt::Bytes packet, const PacketMeta& meta) override {
        if (packet.empty()) return;
        const Side side = meta.from_server ? Side::server : Side::client;
        for (std::size_t at = 0; at < packet.size(); at += segment_) {
            const capture::TcpSegmentSpec s =
                conversation_.data(side, packet.subspan(at, std::min(segment_, packet.size() - at)));
            if (ip_fragment_ == 0) {
                writer_.write(s);
                continue;
            }
            const std::vector<std::uint8_t> ip = capture::build_ip_packet(s);
            for (const auto& fragment : capture::fragment_ip_packet(ip, ip_fragment_, ++ip_id_))
                writer_.write_ip(s.ts, fragment);
        }
        writer_.write(conversation_.ack(side == Side::client ? Side::server : Side::client));
    }

    bool finish() override {
        for (const auto& s : conversation_.close()) writer_.write(s);
        writer_.flush();
        return writer_.ok();
    }

private:
    std::size_t segment_;
    std::size_t ip_fragment_;
    std::uint32_t ip_id_ = 0;
    capture::PcapWriter writer_;
    capture::TcpConversation conversation_;
};

}  // namespace

std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port, std::size_t segment,
                                               std::size_t ip_fragment) {
    return std::make_unique<PcapOut>(out, port, segment, ip_fragment);
}

}  // namespace mqttlens::craft
