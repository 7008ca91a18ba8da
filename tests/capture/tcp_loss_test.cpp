// Lost TCP data: when the capture lacks bytes the receiver acknowledged, the hole is a gap at once,
// and what was held behind it comes out in order, before the other direction's later packets.
#include "harness.hpp"

#include "capture/tcp_reassembler.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/session_checker.hpp"

#include <map>

namespace mqttlens::capture::test {
namespace {

const Endpoint client = ep("10.0.0.1:40000");
const Endpoint server = ep("10.0.0.2:1883");

// Sizes: connect("c1") 16 bytes, connack() 4, publish("a/b", "hi") 9, publish("t", "x", 7) 8,
// pingreq() 2, pingresp() 2, puback(7) 4.

/// Client PUBLISH lost after CONNECT/CONNACK; the client then sends PINGREQ (#6) and a QoS 1
/// PUBLISH (#7); the server's PINGRESP (#8) acknowledges all of it, its PUBACK (#9) follows.
Buffer lost_publish_capture(bool answered = true) {
    PcapWriter w;
    TcpConversationWriter conv(w, client, server);  // #1-#3
    conv.client_send(connect("c1"));                // #4
    conv.server_send(connack());                    // #5
    conv.conversation().skip(Side::client, 9);      // publish("a/b", "hi"): not captured
    conv.client_send(pingreq());                    // #6
    conv.client_send(publish("t", "x", 7));         // #7
    if (answered) {
        conv.server_send(pingresp());  // #8: ACKs past the hole
        conv.server_send(puback(7));   // #9
    } else {
        conv.write(conv.conversation().ack(Side::server));  // #8: ACKs past the hole, answers nothing
    }
    conv.close();  // #10-#12 (#9-#11)
    return w.bytes();
}

TEST(TcpLoss, HoleAckedByThePeerIsAGapBeforeThePeersLaterPackets) {
    const Buffer capture = lost_publish_capture();
    const auto out = dissect(view(capture));
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
        "gap 0 c2s #6 off=16 size=9",
        "resync 0 c2s #6 off=25 size=0",
        "pkt 0 c2s #6 PINGREQ size=2 off=25 v4",
        "pkt 0 c2s #7 PUBLISH size=8 off=27 v4",
        "pkt 0 s2c #8 PINGRESP size=2 off=4 v4",
        "pkt 0 s2c #9 PUBACK size=4 off=6 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.stats.tcp.gaps, 1u);
    EXPECT_EQ(out.stats.tcp.gap_bytes, 9u);
    EXPECT_EQ(out.recorder.packets[2], pingreq());
    EXPECT_EQ(out.recorder.packets[3], publish("t", "x", 7));
}

/// The session findings mqtt-dissect reports (a gap or resync tells the checker data was lost), by
/// rule code.
class Checked : public Listener {
public:
    std::vector<mqtt::Code> findings;

    void on_packet(const Delivery&, const PacketSeen& p) override {
        for (const auto& d : p.stream) findings.push_back(d.code);
    }
    void on_close(const ConnectionInfo&, const Conversation&, const Closing& e) override {
        for (const auto& f : e.findings) findings.push_back(f.diagnostic.code);
    }
};

std::vector<mqtt::Code> session_findings(const Buffer& capture) {
    Checked checked;
    TempFile file;
    EXPECT_TRUE(save_file(file.path(), view(capture)));
    auto opened = CaptureSource::open_file(file.path());
    EXPECT_TRUE(opened) << opened.error;
    if (!opened) return {};
    FramedDissector dissector(checked, {});
    dissector.run(*opened.source);
    return checked.findings;
}

TEST(TcpLoss, AnsweredRequestsAfterALostPacketAreNotReportedAsUnanswered) {
    EXPECT_EQ(session_findings(lost_publish_capture(true)), std::vector<mqtt::Code>{});
}

TEST(TcpLoss, UnansweredRequestsAfterALostPacketAreStillReported) {
    EXPECT_EQ(session_findings(lost_publish_capture(false)),
              std::vector<mqtt::Code>{mqtt::Code::pingreq_unanswered});
}

/// Drives the reassembler directly, marking which record each callback happened in.
class Trace : public ByteStreamSink {
public:
    std::vector<std::string> log;
    std::uint64_t now = 0;
    void on_open(ByteStream&, std::uint64_t, Timestamp) override {}
    void on_data(ByteStream&, int d, Bytes b, std::uint64_t offset, std::uint64_t frame, Timestamp) override {
        log.push_back("in #" + std::to_string(now) + ": data " + std::to_string(d) + " off=" + std::to_string(offset) +
                      " size=" + std::to_string(b.size()) + " #" + std::to_string(frame));
    }
    void on_gap(ByteStream&, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame, Timestamp) override {
        log.push_back("in #" + std::to_string(now) + ": gap " + std::to_string(d) + " off=" + std::to_string(offset) +
                      " size=" + std::to_string(size) + " #" + std::to_string(frame));
    }
    void on_close(ByteStream&, CloseReason r, std::uint64_t, Timestamp) override {
        log.push_back("in #" + std::to_string(now) + ": close " + std::string(close_reason_name(r)));
    }
};

/// Feeds `segments` as records #1, #2, ... then ends the capture.
Log trace(const std::vector<TcpSegmentSpec>& segments, ReassemblyOptions options = {}) {
    Trace sink;
    TcpReassembler r(sink, options);
    for (const auto& spec : segments) {
        TcpSegment s;
        s.src = spec.src;
        s.dst = spec.dst;
        s.seq = spec.seq;
        s.ack = spec.ack;
        s.flags = spec.flags;
        s.payload = Bytes(spec.payload);
        r.process(s, ++sink.now, spec.ts);
    }
    sink.now = 0;
    r.finish();
    return sink.log;
}

/// Handshake (#1-#3) and CONNECT (#4): half 0 is the client.
std::vector<TcpSegmentSpec> opened(TcpConversation& c) {
    auto out = c.handshake();
    out.push_back(c.data(Side::client, connect("c1")));
    return out;
}

TEST(TcpLoss, TheGapIsDeclaredInTheRecordOfTheAckBeforeItsOwnBytes) {
    TcpConversation c(client, server);
    auto s = opened(c);
    c.skip(Side::client, 9);
    s.push_back(c.data(Side::client, pingreq()));   // #5: held
    s.push_back(c.data(Side::server, connack()));   // #6: ACKs it all
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=9 #5",
        "in #6: data 0 off=25 size=2 #5",
        "in #6: data 1 off=0 size=4 #6",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AckPartlyIntoTheHoleDeclaresOnlyWhatItCovers) {
    TcpConversation c(client, server);
    auto s = opened(c);
    const std::uint32_t hole = c.next_seq(Side::client);
    c.skip(Side::client, 20);
    s.push_back(c.data(Side::client, pingreq()));   // #5: held at offset 36
    auto partial = c.ack(Side::server);             // #6: the receiver has 12 of the 20 bytes
    partial.ack = hole + 12;
    s.push_back(partial);
    // #7: the 8 bytes the receiver lacked too are retransmitted, and captured.
    s.push_back(c.data_at(Side::client, hole + 12, publish("t", "x", 7)));
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=12 #6",
        "in #7: data 0 off=28 size=8 #7",
        "in #7: data 0 off=36 size=2 #7",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AnAckSeenBeforeItsDataIsNoLoss) {
    // A capture that reorders: the server's ACK of the PUBLISH is recorded before the PUBLISH.
    TcpConversation c(client, server);
    auto s = opened(c);
    const auto data = c.data(Side::client, publish("a/b", "hi"));
    s.push_back(c.ack(Side::server));  // #5: ACKs 9 bytes not seen yet
    s.push_back(data);                 // #6
    for (int i = 0; i < 10; ++i) s.push_back(c.ack(Side::server));  // #7-#16: past the grace
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: data 0 off=16 size=9 #6",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AckedLastBytesAreLostAfterTheGraceInRecordsAndTime) {
    TcpConversation c(client, server);
    auto s = opened(c);
    c.skip(Side::client, 2);                                   // the client's PINGREQ: not captured
    for (int i = 0; i < 10; ++i) s.push_back(c.ack(Side::server));  // #5-#14, 1 ms apart
    // Declared in the record 8 records after the first ACK past the bytes (#5 + 8).
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #13: gap 0 off=16 size=2 #13",
        "in #0: close capture end",
    }));

    ReassemblyOptions quick;  // the time bound holds too: 8 records within 1 ms are not enough
    TcpConversation fast(client, server);
    fast.set_step_ns(1000);
    auto t = opened(fast);
    fast.skip(Side::client, 2);
    for (int i = 0; i < 10; ++i) t.push_back(fast.ack(Side::server));  // #5-#14, 1 µs apart
    EXPECT_EQ(trace(t, quick), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #0: gap 0 off=16 size=2 #5",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, DataAfterAnAckedHoleEndsTheWaitAtOnce) {
    TcpConversation c(client, server);
    auto s = opened(c);
    c.skip(Side::client, 9);
    s.push_back(c.ack(Side::server));               // #5: ACKs 9 bytes not seen
    s.push_back(c.data(Side::client, pingreq()));   // #6: after them: they were lost
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=9 #6",
        "in #6: data 0 off=25 size=2 #6",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AckedFinEndsTheConnectionAtOnce) {
    TcpConversation c(client, server);
    auto s = opened(c);
    c.skip(Side::client, 2);                 // the client's DISCONNECT: not captured
    s.push_back(c.fin(Side::client));        // #5
    s.push_back(c.fin(Side::server));        // #6: ACKs the FIN: nothing more can come
    s.push_back(c.ack(Side::client));        // #7
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=2 #6",
        "in #6: close FIN",
    }));
}

TEST(TcpLoss, OneByteAckedPastTheDataMayBeALostFin) {
    TcpConversation c(client, server);
    auto s = opened(c);
    c.fin(Side::client);                                            // not captured
    for (int i = 0; i < 10; ++i) s.push_back(c.ack(Side::server));  // #5-#14: ACK the FIN
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, ARetransmissionFillsAHoleTheReceiverMissedToo) {
    // Real network loss: the receiver's duplicate ACKs stop at the hole; the retransmission comes.
    TcpConversation c(client, server);
    auto s = opened(c);
    const std::uint32_t hole = c.next_seq(Side::client);
    const Buffer lost = publish("a/b", "hi");
    c.skip(Side::client, 9);
    s.push_back(c.data(Side::client, pingreq()));  // #5: held
    auto dup = c.ack(Side::server);                // #6, #7: duplicate ACKs at the hole
    dup.ack = hole;
    s.push_back(dup);
    s.push_back(dup);
    s.push_back(c.data_at(Side::client, hole, lost));  // #8: the retransmission
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #8: data 0 off=16 size=9 #8",
        "in #8: data 0 off=25 size=2 #8",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, HeldDataWaitingTooLongIsAGap) {
    // Only the client's side is captured: no ACK tells that the hole was lost; time does.
    TcpConversation c(client, server);
    auto s = opened(c);
    c.skip(Side::client, 9);
    s.push_back(c.data(Side::client, pingreq()));  // #5: held, at t0 + 4 ms
    c.set_time({c.time().sec + 3, c.time().nsec + 1'000'000});
    s.push_back(c.data(Side::client, pingreq()));  // #6: 3.001 s later
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=9 #5",
        "in #6: data 0 off=25 size=2 #5",
        "in #6: data 0 off=27 size=2 #6",
        "in #0: close capture end",
    }));

    // A duplicate ACK at the hole says the receiver waits for a retransmission: so do we.
    TcpConversation d(client, server);
    auto t = opened(d);
    const std::uint32_t hole = d.next_seq(Side::client);
    d.skip(Side::client, 9);
    t.push_back(d.data(Side::client, pingreq()));  // #5
    d.set_time({d.time().sec + 2, d.time().nsec});
    auto dup = d.ack(Side::server);                // #6: 2 s later
    dup.ack = hole;
    t.push_back(dup);
    d.set_time({d.time().sec + 2, d.time().nsec});
    t.push_back(d.data_at(Side::client, hole, publish("a/b", "hi")));  // #7: 4 s after #5
    EXPECT_EQ(trace(t), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #7: data 0 off=16 size=9 #7",
        "in #7: data 0 off=25 size=2 #7",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AHoleAcrossTheSequenceWrapIsMeasuredRight) {
    TcpConversation c(client, server, 0xFFFFFFF0u, 0xFFFFFFFEu);
    auto s = opened(c);                            // CONNECT crosses 2^32
    c.skip(Side::client, 0x20);                    // 32 bytes lost just after the wrap
    s.push_back(c.data(Side::client, pingreq()));  // #5
    s.push_back(c.data(Side::server, connack()));  // #6: server seq and ack wrap too
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #6: gap 0 off=16 size=32 #5",
        "in #6: data 0 off=48 size=2 #5",
        "in #6: data 1 off=0 size=4 #6",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, AnAckFarAheadOfAnythingSeenIsNotTrusted) {
    TcpConversation c(client, server);
    auto s = opened(c);
    auto bogus = c.ack(Side::server);  // #5: 1 MB past the client's bytes
    bogus.ack += 1'000'000;
    s.push_back(bogus);
    for (int i = 0; i < 10; ++i) s.push_back(c.ack(Side::server));  // #6-#15
    s.push_back(c.data(Side::client, pingreq()));                    // #16
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #16: data 0 off=16 size=2 #16",
        "in #0: close capture end",
    }));
}

TEST(TcpLoss, KeepAlivesAndWindowProbesAreNoLoss) {
    TcpConversation c(client, server);
    auto s = opened(c);
    const std::uint32_t next = c.next_seq(Side::client);
    s.push_back(c.data_at(Side::client, next - 1, {}));              // #5: keep-alive, no byte
    s.push_back(c.data_at(Side::client, next - 1, Bytes(connect("c1")).last(1)));  // #6: keep-alive, old byte
    s.push_back(c.ack(Side::server));                                // #7: ACKs what was seen
    s.push_back(c.data(Side::client, pingreq()));                    // #8
    for (int i = 0; i < 10; ++i) s.push_back(c.ack(Side::server));  // #9-#18
    EXPECT_EQ(trace(s), (Log{
        "in #4: data 0 off=0 size=16 #4",
        "in #8: data 0 off=16 size=2 #8",
        "in #0: close capture end",
    }));
}

}  // namespace
}  // namespace mqttlens::capture::test