// The pcap writer: checksums, sequence numbers, and what tshark (a real peer) makes of its output.
#include "harness.hpp"

#include "capture/link_layer.hpp"
#include "capture/tcp_segment.hpp"

#include <cstdio>
#include <memory>

namespace mqttlens::capture::test {
namespace {

/// One's-complement sum of `n` bytes, folded.
std::uint16_t folded_sum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += std::uint32_t(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

TEST(PcapWriter, Ipv4AndTcpChecksumsVerify) {
    TcpConversation c(ep("192.0.2.1:50000"), ep("192.0.2.2:1883"));
    for (const Buffer& payload : {Buffer{}, connect("odd"), publish("even", "x")}) {
        const Buffer ip = build_ip_packet(c.data(Side::client, payload));
        EXPECT_EQ(folded_sum(ip.data(), 20), 0xFFFF);  // header sums to all ones
        const std::size_t tcp_len = ip.size() - 20;
        std::uint32_t pseudo = folded_sum(ip.data() + 12, 8);
        pseudo += 6 + std::uint32_t(tcp_len);
        EXPECT_EQ(folded_sum(ip.data() + 20, tcp_len, pseudo), 0xFFFF);
    }
}

TEST(PcapWriter, Ipv6TcpChecksumVerifies) {
    TcpConversation c(ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883"));
    const Buffer ip = build_ip_packet(c.data(Side::client, publish("a", "bcd")));
    const std::size_t tcp_len = ip.size() - 40;
    std::uint32_t pseudo = folded_sum(ip.data() + 8, 32);
    pseudo += 6 + std::uint32_t(tcp_len);
    EXPECT_EQ(folded_sum(ip.data() + 40, tcp_len, pseudo), 0xFFFF);
}

TEST(PcapWriter, SequenceAndAcknowledgementNumbersFollowTheConversation) {
    TcpConversation c(ep("192.0.2.1:50000"), ep("192.0.2.2:1883"), 100, 900);
    const auto hs = c.handshake();
    ASSERT_EQ(hs.size(), 3u);
    EXPECT_EQ(hs[0].seq, 100u);
    EXPECT_EQ(hs[0].flags, tcp_flag::syn);
    EXPECT_EQ(hs[1].seq, 900u);
    EXPECT_EQ(hs[1].ack, 101u);
    EXPECT_EQ(hs[2].seq, 101u);
    EXPECT_EQ(hs[2].ack, 901u);
    const auto d = c.data(Side::client, connect("c1"));
    EXPECT_EQ(d.seq, 101u);
    EXPECT_EQ(c.next_seq(Side::client), 117u);
    const auto r = c.data(Side::server, connack());
    EXPECT_EQ(r.ack, 117u);
    const auto close = c.close();
    EXPECT_EQ(close[0].seq, 117u);
    EXPECT_EQ(close[1].ack, 118u);
    EXPECT_EQ(close[2].ack, 906u);

    // Parsed back: the same numbers.
    TcpSegment seg;
    const Buffer ip = build_ip_packet(r);
    ASSERT_EQ(parse_tcp_segment({NetworkProtocol::ipv4, ip}, seg), SegmentStatus::tcp);
    EXPECT_EQ(seg.seq, 901u);
    EXPECT_EQ(seg.ack, 117u);
    EXPECT_EQ(seg.flags, tcp_flag::psh | tcp_flag::ack);
    EXPECT_EQ(Buffer(seg.payload.begin(), seg.payload.end()), connack());
}

TEST(PcapWriter, TsharkAcceptsEveryLinkTypeAndChecksum) {
    for (WriterLink l : {WriterLink::ethernet, WriterLink::raw, WriterLink::linux_sll,
                         WriterLink::linux_sll2, WriterLink::null}) {
        for (bool v6 : {false, true}) {
            WriterOptions o;
            o.link = l;
            if (l == WriterLink::ethernet) o.vlan = {{0x88A8, 5}, {0x8100, 7}};
            PcapWriter w(o);
            TcpConversation c(ep(v6 ? "[2001:db8::1]:50000" : "10.0.0.1:50000"),
                              ep(v6 ? "[2001:db8::2]:1883" : "10.0.0.2:1883"));
            auto put = [&](TcpSegmentSpec s) {
                if (v6) s.ipv6_extensions = {0, 60};
                w.write(s);
            };
            for (const auto& s : c.handshake()) put(s);
            put(c.data(Side::client, connect("c1")));
            put(c.data(Side::server, connack()));
            const std::string out = tshark(w.bytes(), "-e frame.number -e tcp.checksum.status -e mqtt.msgtype");
            // checksum.status 1 is "Good"
            EXPECT_EQ(out, "1\t1\t\n2\t1\t\n3\t1\t\n4\t1\t1\n5\t1\t2\n") << int(l) << v6;
        }
    }
}

TEST(PcapWriter, StreamNumbersMatchTshark) {
    // Interleaved connections, a closed one reused with a new SYN, a late ACK after close.
    PcapWriter w;
    TcpConversation a(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    TcpConversation b(ep("10.0.0.3:40001"), ep("10.0.0.2:1883"));
    for (const auto& s : a.handshake()) w.write(s);
    for (const auto& s : b.handshake()) w.write(s);
    w.write(b.data(Side::client, connect("b")));
    w.write(a.data(Side::client, connect("a")));
    for (const auto& s : a.close()) w.write(s);
    w.write(a.ack(Side::server));
    TcpConversation again(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"), 777777, 888888);
    for (const auto& s : again.handshake()) w.write(s);
    w.write(again.data(Side::client, connect("a2")));
    w.write(b.data(Side::client, pingreq()));

    const std::string theirs = tshark(w.bytes(), "-e frame.number -e tcp.stream -e mqtt.msgtype");
    std::string ours;
    class Frames : public Recorder {
    public:
        std::string* out;
        void on_packet(const Delivery& d, const PacketSeen& p) override {
            *out += std::to_string(d.frame) + "\t" + std::to_string(d.connection.stream) + "\t" +
                    std::to_string(p.bytes[0] >> 4) + "\n";
        }
    } frames;
    frames.out = &ours;
    auto opened = CaptureSource::open_memory(w.bytes());
    ASSERT_TRUE(opened);
    FramedDissector(frames).run(*opened.source);
    // Keep tshark's lines that carry an MQTT packet.
    std::string mqtt_lines;
    std::size_t pos = 0;
    while (pos < theirs.size()) {
        const std::size_t end = theirs.find('\n', pos);
        const std::string line = theirs.substr(pos, end - pos);
        if (!line.empty() && line.back() != '\t') mqtt_lines += line + "\n";
        pos = end + 1;
    }
    EXPECT_EQ(ours, mqtt_lines);
    EXPECT_EQ(ours, "7\t1\t1\n8\t0\t1\n16\t2\t1\n17\t1\t12\n");
}

}  // namespace
}  // namespace mqttlens::capture::test
