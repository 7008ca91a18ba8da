// --out pcap: the crafted packets as one TCP conversation (Ethernet, IPv4), written with the
// capture library's PcapWriter: handshake, each packet in segments of at most one MSS from its
// side, a pure ACK from the other side after each packet, and a FIN close.
#include "pcap_out.hpp"

#include "capture/pcap_writer.hpp"

#include <algorithm>

namespace mqttlens::craft {

namespace {

using capture::Side;

constexpr std::size_t mss = 1460;  // Ethernet MTU 1500 - IPv4 20 - TCP 20

class PcapOut final : public PacketWriter {
public:
    PcapOut(std::FILE* out, std::uint16_t port)
        : writer_(out, capture::WriterOptions{}),
          conversation_(capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 1), 50000},
                        capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 2), port}) {
        for (const auto& s : conversation_.handshake()) writer_.write(s);
    }

    void write(mqtt::Bytes packet, const PacketMeta& meta) override {
        if (packet.empty()) return;
        const Side side = meta.from_server ? Side::server : Side::client;
        for (std::size_t at = 0; at < packet.size(); at += mss)
            writer_.write(conversation_.data(side, packet.subspan(at, std::min(mss, packet.size() - at))));
        writer_.write(conversation_.ack(side == Side::client ? Side::server : Side::client));
    }

    bool finish() override {
        for (const auto& s : conversation_.close()) writer_.write(s);
        writer_.flush();
        return writer_.ok();
    }

private:
    capture::PcapWriter writer_;
    capture::TcpConversation conversation_;
};

}  // namespace

std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port) {
    return std::make_unique<PcapOut>(out, port);
}

}  // namespace mqttlens::craft
