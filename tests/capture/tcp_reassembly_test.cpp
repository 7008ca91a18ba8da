// TCP situations of issue 3, each as a hand-built capture: which MQTT packets come out, in which
// frame, direction and stream.
#include "harness.hpp"

#include "capture/tcp_reassembler.hpp"

namespace mqttlens::capture::test {
namespace {

const Endpoint client = ep("10.0.0.1:40000");
const Endpoint server = ep("10.0.0.2:1883");

// Sizes used below: connect("c1") 16 bytes, connack() 4, publish("a/b", "hi") 9,
// publish("t", "x", 7) 8, puback(7) 4.

TEST(TcpReassembly, PlainConversation) {
    PcapWriter w;
    TcpConversationWriter conv(w, client, server);  // #1-#3 handshake
    conv.client_send(connect("c1"));                // #4
    conv.server_send(connack());                    // #5
    conv.client_send(publish("a/b", "hi"));         // #6
    conv.close();                                   // #7-#9
    const auto out = dissect(w);
    EXPECT_EQ(out.result.status, RunResult::Status::end);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
        "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.recorder.packets[2], publish("a/b", "hi"));
    EXPECT_EQ(out.recorder.src_dst[1], "10.0.0.2:1883 -> 10.0.0.1:40000");
}

TEST(TcpReassembly, RetransmissionDeliversOnce) {
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    const auto seg = c.data(Side::client, connect("c1"));
    w.write(seg);  // #4
    w.write(seg);  // #5: the same bytes again
    w.write(c.data(Side::client, pingreq()));  // #6
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #6 PINGREQ size=2 off=16 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.stats.tcp.retransmitted_segments, 1u);
}

TEST(TcpReassembly, OverlappingSegmentsDeliverEachByteOnce) {
    const Buffer bytes = cat({connect("c1"), publish("a/b", "hi")});  // 25 bytes
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    const std::uint32_t isn = c.next_seq(Side::client);
    w.write(c.data_at(Side::client, isn, view(bytes).first(10)));               // #4: [0,10)
    w.write(c.data_at(Side::client, isn + 5, view(bytes).subspan(5, 15)));     // #5: [5,20)
    w.write(c.data_at(Side::client, isn + 12, view(bytes).subspan(12)));       // #6: [12,25)
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #5 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.recorder.packets[0], connect("c1"));
    EXPECT_EQ(out.recorder.packets[1], publish("a/b", "hi"));
}

TEST(TcpReassembly, OutOfOrderSegmentsAreDeliveredInOrder) {
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    const auto first = c.data(Side::client, connect("c1"));
    const auto second = c.data(Side::client, publish("a/b", "hi"));
    const auto third = c.data(Side::client, pingreq());
    w.write(third);   // #4
    w.write(second);  // #5
    w.write(first);   // #6: fills the hole; everything is delivered here
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #6 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
        "pkt 0 c2s #6 PINGREQ size=2 off=25 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.stats.tcp.out_of_order_segments, 2u);
}

TEST(TcpReassembly, OnePacketOverManySegments) {
    const std::string payload(300, 'p');
    const Buffer big = publish("sensors/long", payload);  // Remaining Length 314: 2 bytes
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));                              // #4
    for (const auto& s : c.data_split(Side::client, big, {1, 2, 50, 51, 200})) w.write(s);  // #5-#10
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #10 PUBLISH size=317 off=16 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.recorder.packets[1], big);
}

TEST(TcpReassembly, ManyPacketsInOneSegment) {
    Buffer burst = connect("c1");
    for (int i = 0; i < 50; ++i) burst = cat({burst, publish("t", "x", 7)});
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, burst));  // #4
    const auto out = dissect(w);
    ASSERT_EQ(out.recorder.packets.size(), 51u);
    EXPECT_EQ(out.log()[1], "pkt 0 c2s #4 CONNECT size=16 off=0 v4");
    EXPECT_EQ(out.log()[51], "pkt 0 c2s #4 PUBLISH size=8 off=408 v4");
    for (std::size_t i = 1; i < 51; ++i) EXPECT_EQ(out.recorder.packets[i], publish("t", "x", 7));
}

TEST(TcpReassembly, RemainingLengthSplitAcrossSegments) {
    const Buffer big = publish("a", std::string(200, 'z'));  // 30 CB 01 ...: RL 203 in 2 bytes
    ASSERT_EQ(big[1], 0xCB);
    // Segment 1 ends after the first Remaining Length byte, with a whole packet before it.
    const Buffer stream = cat({connect("c1"), big, pingreq()});
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    for (const auto& s : c.data_split(Side::client, stream, {16 + 2})) w.write(s);  // #4, #5
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #5 PUBLISH size=206 off=16 v4",
        "pkt 0 c2s #5 PINGREQ size=2 off=222 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.recorder.packets[1], big);
}

TEST(TcpReassembly, EveryCutOfTheStreamGivesTheSamePackets) {
    const Buffer stream = cat({connect("c1"), publish("a/b", std::string(130, 'q'), 9), pingreq(),
                               publish("x", "")});
    for (std::size_t cut = 1; cut < stream.size(); ++cut) {
        for (std::size_t cut2 = cut + 1; cut2 <= stream.size(); cut2 += 29) {
            PcapWriter w;
            TcpConversation c(client, server);
            for (const auto& s : c.handshake()) w.write(s);
            std::vector<std::size_t> cuts{cut};
            if (cut2 < stream.size()) cuts.push_back(cut2);
            for (const auto& s : c.data_split(Side::client, stream, cuts)) w.write(s);
            const auto out = dissect(w);
            ASSERT_EQ(out.recorder.packets.size(), 4u) << cut << " " << cut2;
            EXPECT_EQ(cat({out.recorder.packets[0], out.recorder.packets[1], out.recorder.packets[2],
                           out.recorder.packets[3]}),
                      stream);
        }
    }
}

TEST(TcpReassembly, CaptureStartingMidConnection) {
    const Buffer earlier = publish("a/b", std::string(40, 'e'));
    PcapWriter w;
    TcpConversation c(client, server);
    c.handshake();  // not written
    c.skip(Side::client, static_cast<std::uint32_t>(earlier.size() - 13));
    // #1: the last 13 bytes of a PUBLISH, then two whole packets.
    w.write(c.data(Side::client, cat({Buffer(earlier.end() - 13, earlier.end()), publish("t", "x", 7), pingreq()})));
    w.write(c.data(Side::server, puback(7)));  // #2
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883 nosyn",
        "midstream_sync 0 c2s #1 off=13 size=13",
        "pkt 0 c2s #1 PUBLISH size=8 off=13",
        "pkt 0 c2s #1 PINGREQ size=2 off=21",
        "midstream_sync 0 s2c #2 off=0 size=0",
        "pkt 0 s2c #2 PUBACK size=4 off=0",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.recorder.codes, (std::vector<mqtt::Code>{mqtt::Code::stream_midstream,
                                                         mqtt::Code::stream_midstream}));
}

TEST(TcpReassembly, GapIsReportedAndTheStreamResynchronises) {
    const Buffer lost = publish("a/b", std::string(100, 'l'));  // 107 bytes
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));                                   // #4
    w.write(c.data(Side::client, view(lost).first(30)));                            // #5
    c.skip(Side::client, 50);                                                        // lost
    w.write(c.data(Side::client, cat({Buffer(lost.begin() + 80, lost.end()), pingreq(), disconnect()})));  // #6
    w.write(c.fin(Side::client));  // #7
    w.write(c.fin(Side::server));  // #8
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "unsynchronised 0 c2s #6 off=16 size=30",
        "gap 0 c2s #6 off=46 size=50",
        "resync 0 c2s #6 off=123 size=27",
        "pkt 0 c2s #6 PINGREQ size=2 off=123 v4",
        "pkt 0 c2s #6 DISCONNECT size=2 off=125 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.stats.tcp.gap_bytes, 50u);
    EXPECT_EQ(out.recorder.codes, (std::vector<mqtt::Code>{mqtt::Code::stream_unsynchronised,
                                                         mqtt::Code::stream_gap, mqtt::Code::stream_gap}));
}

TEST(TcpReassembly, OutOfOrderBeyondTheBoundIsAGap) {
    Options options;
    options.reassembly.max_out_of_order = 100;
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));  // #4
    c.skip(Side::client, 20);
    for (int i = 0; i < 20; ++i) w.write(c.data(Side::client, publish("t", "x", 7)));  // #5-#24, 8 bytes each
    const auto out = dissect(w, options);
    // The 13th buffered segment pushes the buffer to 104 bytes > 100: the hole is a gap.
    ASSERT_GE(out.log().size(), 4u);
    EXPECT_EQ(out.log()[2], "gap 0 c2s #17 off=16 size=20");
    EXPECT_EQ(out.log()[3], "resync 0 c2s #17 off=36 size=0");
    EXPECT_EQ(out.recorder.packets.size(), 21u);
}

TEST(TcpReassembly, FinEndsTheConnection) {
    PcapWriter w;
    TcpConversationWriter conv(w, client, server);
    conv.client_send(connect("c1"));
    conv.close();
    conv.write(conv.conversation().ack(Side::server));  // a late segment keeps stream 0
    const auto out = dissect(w);
    EXPECT_EQ(out.log().back(), "close 0 FIN");
    EXPECT_EQ(out.stats.tcp.connections, 1u);
}

TEST(TcpReassembly, RstEndsTheConnection) {
    PcapWriter w;
    TcpConversationWriter conv(w, client, server);
    conv.client_send(connect("c1"));  // #4
    conv.reset(Side::server);         // #5
    conv.client_send(pingreq());      // #6: after the reset, ignored
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "close 0 RST",
    }));
}

TEST(TcpReassembly, ConnectionsAreNumberedInOrderOfAppearanceAndReuseGetsANewNumber) {
    PcapWriter w;
    TcpConversation a(client, server), b(ep("10.0.0.3:40001"), server);
    for (const auto& s : a.handshake()) w.write(s);  // stream 0
    for (const auto& s : b.handshake()) w.write(s);  // stream 1
    w.write(b.data(Side::client, connect("b")));
    w.write(a.data(Side::client, connect("a")));
    for (const auto& s : a.close()) w.write(s);
    TcpConversation again(client, server, 777777, 888888);  // same ports, new SYN: stream 2
    for (const auto& s : again.handshake()) w.write(s);
    w.write(again.data(Side::client, connect("a2")));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 1 10.0.0.3:40001 -> 10.0.0.2:1883",  // reported with its first packet
        "pkt 1 c2s #7 CONNECT size=15 off=0 v4",
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #8 CONNECT size=15 off=0 v4",
        "close 0 FIN",
        "open 2 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 2 c2s #15 CONNECT size=16 off=0 v4",
        "close 1 capture end",
        "close 2 capture end",
    }));
}

// Bounded memory: at most max_connections are open; a new one first closes the least recently
// active, through the usual path (its end events, then close), with reason "evicted".
TEST(TcpReassembly, BeyondMaxConnectionsTheLeastRecentlyActiveIsEvicted) {
    Options options;
    options.reassembly.max_connections = 2;
    PcapWriter w;
    TcpConversation a(client, server), b(ep("10.0.0.3:40001"), server), c(ep("10.0.0.4:40002"), server);
    for (const auto& s : a.handshake()) w.write(s);     // #1-#3: stream 0
    for (const auto& s : b.handshake()) w.write(s);     // #4-#6: stream 1
    w.write(a.data(Side::client, connect("a")));        // #7: 0 is now the more recent
    for (const auto& s : c.handshake()) w.write(s);     // #8-#10: stream 2; evicts 1 at #8
    w.write(b.data(Side::client, publish("a/b", "hi"))); // #11: 1 is gone: stream 3; evicts 0
    const auto out = dissect(w, options);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #7 CONNECT size=15 off=0 v4",
        "open 1 10.0.0.3:40001 -> 10.0.0.2:1883",
        "close 1 evicted",
        "close 0 evicted",
        "open 3 10.0.0.3:40001 -> 10.0.0.2:1883 nosyn",  // a new number, never 1 again
        "midstream_sync 3 c2s #11 off=0 size=0",
        "pkt 3 c2s #11 PUBLISH size=9 off=0",
        "open 2 10.0.0.4:40002 -> 10.0.0.2:1883",
        "close 2 capture end",
        "close 3 capture end",
    }));
    EXPECT_EQ(out.stats.tcp.connections, 4u);
    EXPECT_EQ(out.stats.tcp.evicted, 2u);
}

TEST(TcpReassembly, SequenceNumbersWrapAround) {
    PcapWriter w;
    TcpConversation c(client, server, 0xFFFFFFF0u, 0xFFFFFFFEu);
    for (const auto& s : c.handshake()) w.write(s);
    const Buffer stream = cat({connect("c1"), publish("a/b", "hi")});
    for (const auto& s : c.data_split(Side::client, stream, {10, 20})) w.write(s);  // crosses 2^32
    w.write(c.data(Side::server, connack()));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #5 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #6 PUBLISH size=9 off=16 v4",
        "pkt 0 s2c #7 CONNACK size=4 off=0 v4",
        "close 0 capture end",
    }));
}

TEST(TcpReassembly, CaptureStartingAtTheSynAckKnowsWhereTheClientStarts) {
    PcapWriter w;
    TcpConversation c(client, server);
    const auto hs = c.handshake();
    w.write(hs[1]);                                // #1: SYN/ACK (the SYN was missed)
    w.write(hs[2]);                                // #2
    w.write(c.data(Side::client, connect("c1")));  // #3
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #3 CONNECT size=16 off=0 v4",
        "close 0 capture end",
    }));
}

TEST(TcpReassembly, ConnectionsNotFollowedAreNotBuffered) {
    PcapWriter w;
    TcpConversation http(ep("10.0.0.1:40000"), ep("10.0.0.2:80"));
    for (const auto& s : http.handshake()) w.write(s);
    w.write(http.data(Side::client, mqtt::as_bytes("GET / HTTP/1.1\r\n\r\n")));
    http.skip(Side::client, 1000);
    for (int i = 0; i < 10; ++i) w.write(http.data(Side::client, mqtt::as_bytes("more bytes after a hole")));
    for (const auto& s : http.close()) w.write(s);
    const auto out = dissect(w);
    EXPECT_TRUE(out.log().empty());
    EXPECT_EQ(out.stats.tcp.out_of_order_segments, 0u);
    EXPECT_EQ(out.stats.tcp.connections, 1u);
}

/// Counts what the reassembler reports, for tests that drive it segment by segment.
class CountingSink : public ByteStreamSink {
public:
    int opened = 0, closed = 0;
    void on_open(ByteStream&, std::uint64_t, Timestamp) override { ++opened; }
    void on_data(ByteStream&, int, Bytes, std::uint64_t, std::uint64_t, Timestamp) override {}
    void on_gap(ByteStream&, int, std::uint64_t, std::uint64_t, std::uint64_t, Timestamp) override {}
    void on_close(ByteStream&, CloseReason, std::uint64_t, Timestamp) override { ++closed; }
};

TcpSegment segment(const Endpoint& src, const Endpoint& dst, std::uint32_t seq, std::uint8_t flags) {
    TcpSegment s;
    s.src = src;
    s.dst = dst;
    s.seq = seq;
    s.flags = flags;
    return s;
}

/// Connection `i`: SYN, SYN/ACK, FIN both ways at time `sec`; then returns the client endpoint.
Endpoint open_and_close(TcpReassembler& r, int i, std::int64_t sec) {
    const Endpoint c = ep("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":40000");
    const Timestamp ts{sec, 0};
    r.process(segment(c, server, 1, tcp_flag::syn), 1, ts);
    r.process(segment(server, c, 1, tcp_flag::syn | tcp_flag::ack), 1, ts);
    r.process(segment(c, server, 2, tcp_flag::fin | tcp_flag::ack), 1, ts);
    r.process(segment(server, c, 2, tcp_flag::fin | tcp_flag::ack), 1, ts);
    return c;
}

TEST(TcpReassembly, EveryNewSegmentMakesItsConnectionTheMostRecentlyActive) {
    CountingSink sink;
    ReassemblyOptions options;
    options.max_connections = 3;
    TcpReassembler r(sink, options);
    const Endpoint c0 = ep("10.0.0.10:40000"), c1 = ep("10.0.0.11:40000"), c2 = ep("10.0.0.12:40000");
    r.process(segment(c0, server, 1, tcp_flag::syn), 1, {});
    r.process(segment(c1, server, 1, tcp_flag::syn), 2, {});
    r.process(segment(c2, server, 1, tcp_flag::syn), 3, {});
    r.process(segment(server, c0, 1, tcp_flag::ack), 4, {});  // either direction counts: c1 is oldest
    r.process(segment(ep("10.0.0.13:40000"), server, 1, tcp_flag::syn), 5, {});  // evicts c1
    EXPECT_EQ(sink.closed, 1);
    EXPECT_EQ(r.open_connections(), 3u);
    r.process(segment(c0, server, 2, tcp_flag::ack), 6, {});  // still open: no new connection
    EXPECT_EQ(sink.opened, 4);
    r.process(segment(c1, server, 2, tcp_flag::ack), 7, {});  // a new connection; evicts c2
    EXPECT_EQ(sink.opened, 5);
    r.process(segment(c2, server, 2, tcp_flag::ack), 8, {});  // a new one too; evicts the SYN of #5
    EXPECT_EQ(sink.opened, 6);
    EXPECT_EQ(sink.closed, 3);
    EXPECT_EQ(r.stats().evicted, 3u);
    EXPECT_EQ(r.stats().connections, 6u);
}

TEST(TcpReassembly, ClosedConnectionsAreRememberedBoundedInTimeAndCount) {
    {
        CountingSink sink;
        TcpReassembler r(sink);
        const Endpoint first = open_and_close(r, 0, 1000);
        for (int i = 1; i < 5000; ++i) open_and_close(r, i, 1000);
        EXPECT_EQ(r.open_connections(), 0u);
        EXPECT_EQ(r.closed_connections(), 5000u);
        r.process(segment(server, first, 3, tcp_flag::ack), 2, {1001, 0});  // late ACK: same stream
        EXPECT_EQ(r.stats().connections, 5000u);
    }
    {
        ReassemblyOptions options;
        options.closed_linger_seconds = 10;
        options.max_closed = 1000;
        CountingSink sink;
        TcpReassembler r(sink, options);
        const Endpoint first = open_and_close(r, 0, 1000);
        for (int i = 1; i < 5000; ++i) open_and_close(r, i, 1000 + i / 1000);
        EXPECT_LE(r.closed_connections(), 4096u);  // swept: at most the newest `max_closed` plus
                                                    // what closed since the last sweep
        r.process(segment(server, first, 3, tcp_flag::ack), 2, {1100, 0});  // forgotten: new stream
        EXPECT_EQ(r.stats().connections, 5001u);
        EXPECT_EQ(sink.closed, 5000);
    }
}

TEST(TcpReassembly, BytesCutByTheSnaplenAreAGapAtOnce) {
    WriterOptions o;
    o.snaplen = 80;  // 14 + 20 + 20 headers: 26 payload bytes per frame at most
    PcapWriter w(o);
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));                          // #4: 16 bytes, whole
    w.write(c.data(Side::client, publish("a/b", std::string(100, 'x'))));  // #5: 107, 26 captured
    w.write(c.data(Side::client, pingreq()));                              // #6
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "unsynchronised 0 c2s #5 off=16 size=26",
        "gap 0 c2s #5 off=42 size=81",
        "resync 0 c2s #6 off=123 size=0",
        "pkt 0 c2s #6 PINGREQ size=2 off=123 v4",
        "close 0 capture end",
    }));
    EXPECT_EQ(out.stats.tcp.out_of_order_segments, 0u);
}

TEST(TcpReassembly, Ipv4FragmentsAreSkippedAndShowAsAGap) {
    PcapWriter w;
    TcpConversation c(client, server);
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));  // #4
    auto fragmented = c.data(Side::client, publish("a/b", "hi"));
    fragmented.ipv4_more_fragments = true;
    w.write(fragmented);                             // #5: skipped
    w.write(c.data(Side::client, pingreq()));        // #6
    w.write(c.fin(Side::client));                    // #7
    w.write(c.fin(Side::server));                    // #8
    const auto out = dissect(w);
    EXPECT_EQ(out.stats.ip_fragments, 1u);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "gap 0 c2s #6 off=16 size=9",
        "resync 0 c2s #6 off=25 size=0",
        "pkt 0 c2s #6 PINGREQ size=2 off=25 v4",
        "close 0 FIN",
    }));
}

}  // namespace
}  // namespace mqttlens::capture::test
