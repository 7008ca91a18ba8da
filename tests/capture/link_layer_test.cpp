// Link layers and IP versions: the same conversation through every supported framing.
#include "harness.hpp"

#include "capture/link_layer.hpp"
#include "capture/tcp_segment.hpp"

#include <pcap/pcap.h>

namespace mqttlens::capture::test {
namespace {

/// Handshake, CONNECT, CONNACK, PUBLISH, close: the packets every framing must yield.
Outcome converse(WriterOptions options, Endpoint client, Endpoint server,
                 std::vector<std::uint8_t> ipv6_extensions = {}) {
    PcapWriter w(std::move(options));
    TcpConversation c(client, server);
    auto put = [&](TcpSegmentSpec s) {
        s.ipv6_extensions = ipv6_extensions;
        w.write(s);
    };
    for (const auto& s : c.handshake()) put(s);
    put(c.data(Side::client, connect("c1")));
    put(c.data(Side::server, connack()));
    put(c.data(Side::client, publish("a/b", "hi")));
    for (const auto& s : c.close()) put(s);
    return dissect(w);
}

const Log v4_log{
    "open 0 192.0.2.1:50000 -> 192.0.2.2:1883",
    "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
    "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
    "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
    "close 0 FIN",
};
const Log v6_log{
    "open 0 [2001:db8::1]:50000 -> [2001:db8::2]:1883",
    "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
    "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
    "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
    "close 0 FIN",
};

WriterOptions link(WriterLink l) {
    WriterOptions o;
    o.link = l;
    return o;
}

TEST(LinkLayer, Ethernet) {
    EXPECT_EQ(converse(link(WriterLink::ethernet), ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log);
    EXPECT_EQ(converse(link(WriterLink::ethernet), ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883")).log(), v6_log);
}

TEST(LinkLayer, Vlan8021Q) {
    WriterOptions o;
    o.vlan = {{0x8100, 42}};
    EXPECT_EQ(converse(o, ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log);
}

TEST(LinkLayer, StackedQinQ) {
    for (std::uint16_t outer : {0x88A8, 0x9100, 0x8100}) {
        WriterOptions o;
        o.vlan = {{outer, 100}, {0x8100, 42}};
        EXPECT_EQ(converse(o, ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log) << outer;
    }
    WriterOptions triple;
    triple.vlan = {{0x88A8, 1}, {0x88A8, 2}, {0x8100, 3}};
    EXPECT_EQ(converse(triple, ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883")).log(), v6_log);
}

TEST(LinkLayer, LinuxCookedV1AndV2) {
    for (WriterLink l : {WriterLink::linux_sll, WriterLink::linux_sll2}) {
        EXPECT_EQ(converse(link(l), ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log);
        EXPECT_EQ(converse(link(l), ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883")).log(), v6_log);
    }
}

TEST(LinkLayer, BsdLoopback) {
    EXPECT_EQ(converse(link(WriterLink::null), ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log);
    EXPECT_EQ(converse(link(WriterLink::null), ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883")).log(), v6_log);
}

TEST(LinkLayer, RawIp) {
    EXPECT_EQ(converse(link(WriterLink::raw), ep("192.0.2.1:50000"), ep("192.0.2.2:1883")).log(), v4_log);
    EXPECT_EQ(converse(link(WriterLink::raw), ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883")).log(), v6_log);
}

TEST(LinkLayer, Ipv6ExtensionHeadersAreSkipped) {
    // Hop-by-hop, destination options, routing, an atomic fragment and AH, chained.
    EXPECT_EQ(converse(link(WriterLink::ethernet), ep("[2001:db8::1]:50000"), ep("[2001:db8::2]:1883"),
                       {0, 60, 43, 44, 51, 60})
                  .log(),
              v6_log);
}

TEST(LinkLayer, UnsupportedLinkTypeIsNamed) {
    WriterOptions o;
    o.link_type_override = 105;  // LINKTYPE_IEEE802_11
    const auto out = converse(o, ep("192.0.2.1:50000"), ep("192.0.2.2:1883"));
    EXPECT_EQ(out.result.status, RunResult::Status::unsupported_link_type);
    EXPECT_EQ(out.result.message, "unsupported link type IEEE802_11 (802.11)");
    EXPECT_TRUE(out.log().empty());
}

TEST(LinkLayer, NonIpFramesAreCounted) {
    PcapWriter w;
    const std::uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06};
    w.write_frame({1, 0}, Bytes(arp, sizeof arp));
    const std::uint8_t llc[60] = {1, 0x80, 0xC2, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0x00, 0x26};
    w.write_frame({1, 0}, Bytes(llc, sizeof llc));
    const auto out = dissect(w);
    EXPECT_EQ(out.stats.not_ip, 2u);
    EXPECT_EQ(out.result.status, RunResult::Status::end);
}

// Every prefix of a valid frame, for every link type: parsing never reads past the end (run
// under AddressSanitizer: each prefix is copied into its own exact-size allocation).
TEST(LinkLayer, TruncatedFramesNeverOverread) {
    for (WriterLink l : {WriterLink::ethernet, WriterLink::raw, WriterLink::linux_sll,
                         WriterLink::linux_sll2, WriterLink::null}) {
        for (const char* a : {"192.0.2.1:50000", "[2001:db8::1]:50000"}) {
            WriterOptions o = link(l);
            o.vlan = l == WriterLink::ethernet ? std::vector<VlanTag>{{0x88A8, 1}, {0x8100, 2}}
                                               : std::vector<VlanTag>{};
            PcapWriter w(o);
            TcpConversation c(ep(a), ep(a[0] == '[' ? "[2001:db8::2]:1883" : "192.0.2.2:1883"));
            auto s = c.data(Side::client, connect("c1"));
            if (a[0] == '[') s.ipv6_extensions = {0, 44, 51};
            w.write(s);
            const Bytes file(w.bytes());
            const Bytes frame = file.subspan(24 + 16);
            const int dlt = l == WriterLink::ethernet ? DLT_EN10MB
                          : l == WriterLink::raw ? DLT_RAW
                          : l == WriterLink::linux_sll ? DLT_LINUX_SLL
                          : l == WriterLink::linux_sll2 ? 276 : DLT_NULL;
            for (std::size_t n = 0; n <= frame.size(); ++n) {
                auto copy = std::make_unique<std::uint8_t[]>(n + 1);
                std::copy_n(frame.begin(), n, copy.get());
                const NetworkPacket p = strip_link_layer(dlt, Bytes(copy.get(), n));
                TcpSegment seg;
                const SegmentStatus st = parse_tcp_segment(p, seg);
                if (n == frame.size()) {
                    ASSERT_EQ(st, SegmentStatus::tcp);
                    EXPECT_EQ(seg.payload.size(), connect("c1").size());
                } else if (st == SegmentStatus::tcp) {
                    EXPECT_LT(seg.payload.size(), connect("c1").size());  // cut short, never past n
                    EXPECT_LE(seg.payload.data() + seg.payload.size(), copy.get() + n);
                }
            }
        }
    }
}

TEST(LinkLayer, EthernetPaddingIsNotPayload) {
    PcapWriter w;
    TcpConversation c(ep("192.0.2.1:50000"), ep("192.0.2.2:1883"));
    for (const auto& s : c.handshake()) w.write(s);
    // A 2-byte PINGREQ: 14 + 20 + 20 + 2 = 56 bytes, padded to Ethernet's 60 with zeros.
    const auto ip = build_ip_packet(c.data(Side::client, pingreq()));
    std::vector<std::uint8_t> frame{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    frame.insert(frame.end(), ip.begin(), ip.end());
    frame.resize(60, 0);
    w.write_frame({1700000000, 0}, frame);
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 192.0.2.1:50000 -> 192.0.2.2:1883",
        "pkt 0 c2s #4 PINGREQ size=2 off=0",
        "close 0 capture end",
    }));
}

}  // namespace
}  // namespace mqttlens::capture::test
