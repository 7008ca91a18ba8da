// --out pcap: the crafted packets as one TCP conversation (Ethernet, IPv4), written with the
// capture library's PcapWriter: handshake, each packet in segments of at most --segment bytes
// (one MSS by default) from its side, optionally cut into IP fragments, a pure ACK from the other
// side after each packet, and a FIN close. With --ws the packets travel in WebSocket frames after
// an HTTP upgrade.
#include "pcap_out.hpp"

#include "capture/pcap_writer.hpp"
#include "ws_frame.hpp"
#include "ws_handshake.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mqttlens::craft {

namespace {

using capture::Side;

class PcapOut final : public PacketWriter {
public:
    PcapOut(std::FILE* out, std::uint16_t port, std::size_t segment, std::size_t ip_fragment, PcapWebSocket ws)
        : segment_(std::max<std::size_t>(segment, 1)),
          ip_fragment_(ip_fragment),
          ws_(ws),
          writer_(out, capture::WriterOptions{}),
          conversation_(capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 1), 50000},
                        capture::Endpoint{capture::IpAddress::v4(192, 0, 2, 2), port}) {
        for (const auto& s : conversation_.handshake()) writer_.write(s);
        if (!ws_.enabled) return;
        masks_ = ws_fixed_masks();
        const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3's: the same file every time
        data(Side::client, mqtt::as_bytes(ws_upgrade_request(fmt::format("192.0.2.2:{}", port), "/mqtt", key)));
        data(Side::server, mqtt::as_bytes(ws_upgrade_response(key)));
    }

    void write(mqtt::Bytes packet, const PacketMeta& meta) override {
        if (packet.empty()) return;
        const Side side = meta.from_server ? Side::server : Side::client;
        if (!ws_.enabled) return data(side, packet);
        framed_.clear();
        append_ws_message(framed_, ws_binary, packet, ws_.frame_size, side == Side::client ? masks_ : WsMasks{});
        data(side, framed_);
    }

    bool finish() override {
        if (ws_.enabled) {  // RFC 6455 §7.1.2: the client starts the closing handshake, the server answers
            for (const Side side : {Side::client, Side::server}) {
                framed_.clear();
                append_ws_control(framed_, ws_close, ws_close_payload(1000), side == Side::client ? masks_ : WsMasks{});
                data(side, framed_);
            }
        }
        for (const auto& s : conversation_.close()) writer_.write(s);
        writer_.flush();
        return writer_.ok();
    }

private:
    /// `bytes` from `side` in segments of at most segment_ bytes (or their IP fragments), then an
    /// ACK from the other side.
    void data(Side side, mqtt::Bytes bytes) {
        for (std::size_t at = 0; at < bytes.size(); at += segment_) {
            const capture::TcpSegmentSpec s =
                conversation_.data(side, bytes.subspan(at, std::min(segment_, bytes.size() - at)));
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

    std::size_t segment_;
    std::size_t ip_fragment_;
    PcapWebSocket ws_;
    WsMasks masks_;
    std::vector<std::uint8_t> framed_;  // one packet's frames, reused
    std::uint32_t ip_id_ = 0;
    capture::PcapWriter writer_;
    capture::TcpConversation conversation_;
};

}  // namespace

std::unique_ptr<PacketWriter> make_pcap_writer(std::FILE* out, std::uint16_t port, std::size_t segment,
                                               std::size_t ip_fragment, PcapWebSocket ws) {
    return std::make_unique<PcapOut>(out, port, segment, ip_fragment, ws);
}

}  // namespace mqttlens::craft
