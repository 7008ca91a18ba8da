// IP fragments: a TCP segment cut into IPv4 or IPv6 fragments reaches MQTT whole, in any order,
// in the frame of the fragment that completes it; lost, inconsistent or excessive fragments are
// dropped within bounds and show as a gap, as before.
#include "harness.hpp"

#include "capture/ip_defrag.hpp"
#include "capture/ip_header.hpp"

#include <algorithm>
#include <string>

namespace mqttlens::capture::test {
namespace {

const Endpoint client4 = ep("10.0.0.1:40000");
const Endpoint server4 = ep("10.0.0.2:1883");
const Endpoint client6 = ep("[2001:db8::1]:40000");
const Endpoint server6 = ep("[2001:db8::2]:1883");

using Fragments = std::vector<Buffer>;

/// The conversation so far in `w` and the fragments of one client data segment carrying `data`.
Fragments fragments_of(TcpConversation& c, const Buffer& data, std::size_t max_data, std::uint32_t id = 7) {
    const TcpSegmentSpec seg = c.data(Side::client, view(data));
    return fragment_ip_packet(view(build_ip_packet(seg)), max_data, id);
}

Buffer big_publish() { return publish("big/topic", std::string(3000, 'x')); }  // 3,014 bytes

TEST(IpDefrag, Ipv4SegmentInThreeFragmentsDecodesWhole) {
    PcapWriter w;
    TcpConversation c(client4, server4);
    for (const auto& s : c.handshake()) w.write(s);  // #1-#3
    w.write(c.data(Side::client, view(connect("c1"))));  // #4
    const Fragments f = fragments_of(c, big_publish(), 1480);
    ASSERT_EQ(f.size(), 3u);
    for (const auto& frag : f) w.write_ip(c.time(), view(frag));  // #5-#7
    w.write(c.data(Side::client, view(pingreq())));  // #8
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #7 PUBLISH size=3014 off=16 v4",
        "pkt 0 c2s #8 PINGREQ size=2 off=3030 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.recorder.packets[1], big_publish());
    EXPECT_EQ(out.stats.ip_fragments, 3u);
    EXPECT_EQ(out.stats.ip.reassembled, 1u);
    EXPECT_EQ(out.stats.ip.dropped, 0u);
}

TEST(IpDefrag, Ipv4FragmentsInAnyOrderWithADuplicate) {
    PcapWriter w;
    TcpConversation c(client4, server4);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, view(connect("c1"))));  // #4
    Fragments f = fragments_of(c, big_publish(), 600);    // 6 fragments
    ASSERT_EQ(f.size(), 6u);
    // Last first, a duplicate with other bytes (the first copy wins), the rest backwards.
    Buffer forged = f[2];
    std::fill(forged.end() - 100, forged.end(), std::uint8_t('!'));
    const std::vector<Buffer> order{f[5], f[2], forged, f[4], f[3], f[1], f[0]};  // #5-#11
    for (const auto& frag : order) w.write_ip(c.time(), view(frag));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #11 PUBLISH size=3014 off=16 v4",
        "close 0 capture end",
    }));
    ASSERT_EQ(out.recorder.packets.size(), 2u);
    EXPECT_EQ(out.recorder.packets[1], big_publish());
}

TEST(IpDefrag, Ipv6SegmentInFragmentsDecodesWhole) {
    PcapWriter w;
    TcpConversation c(client6, server6);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, view(connect("c6"))));  // #4
    const Fragments f = fragments_of(c, big_publish(), 1232);
    ASSERT_EQ(f.size(), 3u);
    w.write_ip(c.time(), view(f[1]));  // #5
    w.write_ip(c.time(), view(f[0]));  // #6
    w.write_ip(c.time(), view(f[2]));  // #7
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 [2001:db8::1]:40000 -> [2001:db8::2]:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #7 PUBLISH size=3014 off=16 v4",
        "close 0 capture end",
    }));
    ASSERT_EQ(out.recorder.packets.size(), 2u);
    EXPECT_EQ(out.recorder.packets[1], big_publish());
    EXPECT_EQ(out.stats.ip.reassembled, 1u);
}

// RFC 8200 §4.5: destination options and AH may follow the fragment header (found by fuzz_craft:
// such fragments were counted as not TCP and the segment was lost).
TEST(IpDefrag, Ipv6FragmentsWhoseHeadersAfterTheFragmentHeaderLeadToTcpDecodeWhole) {
    PcapWriter w;
    TcpConversation c(client6, server6);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, view(connect("c6"))));  // #4
    TcpSegmentSpec seg = c.data(Side::client, view(big_publish()));
    seg.ipv6_extensions = {ip::ip6_dest_options, ip::ip6_auth};
    const Fragments f = fragment_ip_packet(view(build_ip_packet(seg)), 1232);
    ASSERT_EQ(f.size(), 3u);
    for (const auto& frag : f) w.write_ip(c.time(), view(frag));  // #5-#7
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 [2001:db8::1]:40000 -> [2001:db8::2]:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #7 PUBLISH size=3014 off=16 v4",
        "close 0 capture end",
    }));
    ASSERT_EQ(out.recorder.packets.size(), 2u);
    EXPECT_EQ(out.recorder.packets[1], big_publish());
    EXPECT_EQ(out.stats.not_tcp, 0u);
    EXPECT_EQ(out.stats.ip.reassembled, 1u);
}

TEST(IpDefrag, ALostFragmentLeavesAGapAndTheStreamGoesOn) {
    PcapWriter w;
    TcpConversation c(client4, server4);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, view(connect("c1"))));  // #4
    const Fragments f = fragments_of(c, big_publish(), 1480);
    w.write_ip(c.time(), view(f[0]));                     // #5
    w.write_ip(c.time(), view(f[2]));                     // #6 (f[1] lost)
    w.write(c.data(Side::client, view(pingreq())));       // #7
    w.write(c.fin(Side::client));                         // #8
    w.write(c.fin(Side::server));                         // #9
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "gap 0 c2s #7 off=16 size=3014",         // the whole segment the fragments carried
        "resync 0 c2s #7 off=3030 size=0",
        "pkt 0 c2s #7 PINGREQ size=2 off=3030 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.stats.ip.reassembled, 0u);
}

TEST(IpDefrag, TsharkFindsTheSameMessagesInTheSameFramesWithGoodChecksums) {
    for (const bool v6 : {false, true}) {
        PcapWriter w;
        TcpConversation c(v6 ? client6 : client4, v6 ? server6 : server4);
        for (const auto& s : c.handshake()) w.write(s);
        w.write(c.data(Side::client, view(connect("c1"))));  // #4
        const Fragments f = fragments_of(c, big_publish(), 1000);
        ASSERT_EQ(f.size(), 4u);
        for (const std::size_t i : {1, 3, 0, 2}) w.write_ip(c.time(), view(f[i]));  // #5-#8
        w.write(c.data(Side::client, view(pingreq())));  // #9
        const auto out = dissect(w);
        std::string ours;  // the frame of each MQTT packet, as tshark prints frame.number
        for (const auto& line : out.log()) {
            const std::size_t hash = line.find('#');
            if (line.rfind("pkt ", 0) == 0) ours += line.substr(hash + 1, line.find(' ', hash) - hash - 1) + "\n";
        }
        const std::string theirs = tshark(w.bytes(), "-Y mqtt -e frame.number");
        EXPECT_EQ(ours, "4\n8\n9\n") << (v6 ? "IPv6" : "IPv4");
        EXPECT_EQ(theirs, ours) << (v6 ? "IPv6" : "IPv4");
        if (!v6) {
            // Every fragment's header checksum is right (status 1: "Good").
            const std::string sums = tshark(w.bytes(), "-Y 'ip.flags.mf==1 || ip.frag_offset>0' -e ip.checksum.status");
            EXPECT_EQ(sums, "1\n1\n1\n1\n");
        }
    }
}

TEST(IpDefrag, FragmentsOfOtherProtocolsAreNotHeld) {
    PcapWriter w;
    TcpConversation c(client4, server4);
    Buffer ip = build_ip_packet(c.data(Side::client, view(big_publish())));
    ip[9] = 17;  // UDP, as far as the IP layer knows (fragment_ip_packet redoes the checksum)
    for (const auto& frag : fragment_ip_packet(view(ip), 1480)) w.write_ip(c.time(), view(frag));
    const auto out = dissect(w);
    EXPECT_TRUE(out.log().empty());
    EXPECT_EQ(out.stats.ip_fragments, 3u);
    EXPECT_EQ(out.stats.not_tcp, 3u);
    EXPECT_EQ(out.stats.ip.fragments, 0u);  // never reached the defragmenter
    EXPECT_EQ(out.stats.ip.reassembled, 0u);
}

// The defragmenter alone: bounds and inconsistencies.

NetworkPacket ipv4(const Buffer& b) { return {NetworkProtocol::ipv4, view(b)}; }

TEST(IpDefragmenter, InconsistentEndIsDropped) {
    TcpConversation c(client4, server4);
    Fragments f = fragments_of(c, big_publish(), 1480);
    IpDefragmenter d;
    EXPECT_FALSE(d.add(ipv4(f[2]), {}));  // the end: offset + size of the last fragment
    // The same datagram with its last fragment claiming an earlier end.
    Buffer shorter = f[2];
    const std::uint16_t total = static_cast<std::uint16_t>(((shorter[2] << 8) | shorter[3]) - 8);
    shorter[2] = std::uint8_t(total >> 8);
    shorter[3] = std::uint8_t(total);
    shorter.resize(total);
    EXPECT_FALSE(d.add(ipv4(shorter), {}));
    EXPECT_EQ(d.stats().dropped, 1u);
    EXPECT_EQ(d.pending(), 0u);
}

TEST(IpDefragmenter, AtMostMaxDatagramsInProgress) {
    TcpConversation c(client4, server4);
    DefragOptions options;
    options.max_datagrams = 4;
    IpDefragmenter d(options);
    for (std::uint32_t id = 1; id <= 10; ++id) {
        const Fragments f = fragments_of(c, big_publish(), 1480, id);
        EXPECT_FALSE(d.add(ipv4(f[0]), {}));  // first fragments only: never complete
        EXPECT_LE(d.pending(), 4u);
    }
    EXPECT_EQ(d.stats().dropped, 6u);
}

TEST(IpDefragmenter, HeldBytesAreBounded) {
    TcpConversation c(client4, server4);
    DefragOptions options;
    options.max_bytes = 4000;
    IpDefragmenter d(options);
    const Fragments a = fragments_of(c, big_publish(), 1480, 1);
    const Fragments b = fragments_of(c, big_publish(), 1480, 2);
    EXPECT_FALSE(d.add(ipv4(a[0]), {}));
    EXPECT_FALSE(d.add(ipv4(a[1]), {}));  // 2,960 bytes held
    EXPECT_FALSE(d.add(ipv4(b[1]), {}));  // datagram 2 would need 2,960 more: dropped
    EXPECT_EQ(d.stats().dropped, 1u);
    EXPECT_TRUE(d.add(ipv4(a[2]), {}));   // datagram 1 still completes
}

TEST(IpDefragmenter, OldDatagramsExpire) {
    TcpConversation c(client4, server4);
    IpDefragmenter d;  // 30 s
    const Fragments f = fragments_of(c, big_publish(), 1480);
    EXPECT_FALSE(d.add(ipv4(f[0]), Timestamp{100, 0}));
    EXPECT_FALSE(d.add(ipv4(f[1]), Timestamp{131, 0}));  // the first expired; this starts anew
    EXPECT_EQ(d.stats().dropped, 1u);
    EXPECT_FALSE(d.add(ipv4(f[2]), Timestamp{131, 0}));  // offset 0 is gone: incomplete
    EXPECT_EQ(d.pending(), 1u);
}

TEST(IpDefragmenter, EveryTruncationOfEveryFragmentIsSafe) {
    TcpConversation c(client4, server4);
    const Fragments f4 = fragments_of(c, big_publish(), 1480);
    TcpConversation c6(client6, server6);
    const Fragments f6 = fragments_of(c6, big_publish(), 1232);
    IpDefragmenter d;
    for (const auto* set : {&f4, &f6}) {
        for (const Buffer& frag : *set) {
            for (std::size_t n = 0; n <= frag.size(); n += 7) {
                const Buffer cut(frag.begin(), frag.begin() + static_cast<std::ptrdiff_t>(n));
                const NetworkPacket p{set == &f4 ? NetworkProtocol::ipv4 : NetworkProtocol::ipv6, view(cut)};
                (void)d.add(p, {});
            }
        }
    }
    EXPECT_LE(d.pending(), DefragOptions{}.max_datagrams);
}

}  // namespace
}  // namespace mqttlens::capture::test
