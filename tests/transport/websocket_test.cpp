// The WebSocket layer's frames (RFC 6455 §5) after a standard handshake: what each vector hands up
// and which rule it breaks at which offset. Every vector goes through run_every_chunking: whole,
// byte by byte, and split at every position, with the same output and findings each time. Offsets
// in the logs count from the first byte after each side's handshake head.
#include "transport/websocket.hpp"

#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <malloc.h>

#include <cstdint>
#include <string>
#include <vector>

#include "websocket_test_util.hpp"

namespace mqttlens::transport::wstest {
namespace {

using Log = std::vector<std::string>;

const ByteVec kKey = hex("37 fa 21 3d");  // RFC 6455 §5.7's masking key
// An MQTT 3.1.1 CONNECT: fixed header | "MQTT" | level 4 | clean session | keep alive 60 | "" id
const ByteVec kConnect = hex("10 0c | 00 04 4d 51 54 54 | 04 | 02 | 00 3c | 00 00");
const ByteVec kConnack = hex("20 02 00 00");
const ByteVec kPingreq = hex("c0 00");
const ByteVec kPingresp = hex("d0 00");

ByteVec pattern(std::size_t n) {
    ByteVec v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::uint8_t(i * 7 % 251);
    return v;
}

Event data(int side, const ByteVec& bytes) { return data_event(side, std::string(bytes.begin(), bytes.end())); }

// ---- Frames that break nothing ------------------------------------------------------------------

TEST(WebSocketFrames, BinaryFramesOfBothSidesCarryMqtt) {
    EXPECT_EQ(frames_log({
                  client(hex("82 82 | 37 fa 21 3d | f7 fa")),  // binary, FIN | MASK, 2 | key | c0 00 masked
                  server(hex("82 02 | d0 00")),                // binary, FIN | 2 | PINGRESP
              }),
              (Log{"C data c0 00", "S data d0 00"}));
}

TEST(WebSocketFrames, RfcSingleFrameTextExamples) {
    // RFC 6455 §5.7: "Hello" unmasked from the server and masked from the client. A text frame on
    // an MQTT connection breaks MQTT-6.0.0-1; its bytes still go up.
    EXPECT_EQ(frames_log({server(hex("81 05 | 48 65 6c 6c 6f"))}), (Log{"S MQTT-6.0.0-1 @0", "S data 'Hello'"}));
    EXPECT_EQ(frames_log({client(hex("81 85 | 37 fa 21 3d | 7f 9f 4d 51 58"))}),
              (Log{"C MQTT-6.0.0-1 @0", "C data 'Hello'"}));
}

TEST(WebSocketFrames, FragmentedMessageWithPingBetweenFragments) {
    // RFC 6455 §5.7's fragmented "Hello", with a ping between its fragments (§5.4: control frames
    // may be injected in the middle of a fragmented message). The ping's payload is not handed up.
    EXPECT_EQ(frames_log({server(hex("01 03 | 48 65 6c"          // text, not FIN: "Hel"
                                     "89 05 | 48 65 6c 6c 6f"    // ping "Hello"
                                     "80 02 | 6c 6f"))}),        // continuation, FIN: "lo"
              (Log{"S MQTT-6.0.0-1 @0", "S data 'Hello'"}));
    // The same from the client, binary, each frame with its own key.
    EXPECT_EQ(frames_log({client(cat({frame(0x02, text("Hel"), kKey), frame(0x89, text("ping"), hex("01 02 03 04")),
                                      frame(0x8A, {}, hex("05 06 07 08")), frame(0x80, text("lo"), hex("a0 b0 c0 d0"))}))}),
              (Log{"C data 'Hello'"}));
}

TEST(WebSocketFrames, SevenSixteenAndSixtyFourBitLengths) {
    for (const std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
        const ByteVec payload = pattern(n);
        const Script script = {client(kRequest), server(kResponse), server(frame(0x82, payload)),
                               client(frame(0x82, payload, kKey))};
        const std::vector<Event> got = after_handshake(run_every_chunking(script));
        std::vector<Event> expected;
        if (n > 0) expected = {data(S, payload), data(C, payload)};
        EXPECT_EQ(got, expected) << "payload of " << n << " bytes";
    }
    // The length fields themselves: 125 in 7 bits, 126 in 16, 65536 in 64.
    EXPECT_EQ(frame_header(0x82, 125), hex("82 7d"));
    EXPECT_EQ(frame_header(0x82, 126), hex("82 7e 00 7e"));
    EXPECT_EQ(frame_header(0x82, 65536), hex("82 7f 00 00 00 00 00 01 00 00"));
}

TEST(WebSocketFrames, EmptyDataFramesHandNothingUp) {
    EXPECT_EQ(frames_log({server(hex("02 00 | 80 00 | 82 00")), client(hex("82 80 | 37 fa 21 3d"))}), (Log{}));
}

// ---- MQTT over the frames (MQTT-6.0.0-2) --------------------------------------------------------

/// The MQTT packets the framer cuts from a side's output.
std::vector<ByteVec> mqtt_packets(const std::vector<Event>& events, int side) {
    mqtt::Framer framer;
    for (const Event& e : events)
        if (e.kind == Event::Kind::data && e.side == side) framer.feed(text(e.bytes));
    std::vector<ByteVec> packets;
    for (mqtt::Frame f = framer.next(); f.status == mqtt::Frame::Status::packet; f = framer.next())
        packets.emplace_back(f.packet.begin(), f.packet.end());
    return packets;
}

TEST(WebSocketMqtt, ConnectSplitOverThreeFramesComesOutWhole) {
    const ByteVec first(kConnect.begin(), kConnect.begin() + 5), second(kConnect.begin() + 5, kConnect.begin() + 10),
        third(kConnect.begin() + 10, kConnect.end());
    const Script script = {client(kRequest), server(kResponse),
                           client(cat({frame(0x02, first, kKey),                         // binary, not FIN
                                       frame(0x89, {}, hex("11 22 33 44")),              // ping between
                                       frame(0x00, second, hex("55 66 77 88")),          // continuation
                                       frame(0x80, third, hex("99 aa bb cc"))}))};       // continuation, FIN
    const std::vector<Event> events = after_handshake(run_every_chunking(script));
    EXPECT_EQ(events, (std::vector<Event>{data(C, kConnect)}));
    EXPECT_EQ(mqtt_packets(events, C), (std::vector<ByteVec>{kConnect}));
}

TEST(WebSocketMqtt, TwoPacketsInOneFrameComeOutAsTwo) {
    const Script script = {client(kRequest), server(kResponse), server(frame(0x82, cat({kConnack, kPingresp})))};
    const std::vector<Event> events = after_handshake(run_every_chunking(script));
    EXPECT_EQ(mqtt_packets(events, S), (std::vector<ByteVec>{kConnack, kPingresp}));
}

TEST(WebSocketMqtt, PacketCutAcrossFramesAtEveryPosition) {
    // A PUBLISH cut between two frames at each position: the same bytes come out every time.
    const ByteVec publish = hex("30 0b | 00 03 61 2f 62 | 68 65 6c 6c 6f 21");
    for (std::size_t cut = 0; cut <= publish.size(); ++cut) {
        const auto at = publish.begin() + std::ptrdiff_t(cut);
        const ByteVec a(publish.begin(), at), b(at, publish.end());
        const std::vector<Event> events =
            after_handshake(run({client(kRequest), server(kResponse), server(cat({frame(0x02, a), frame(0x80, b)}))}, {}));
        EXPECT_EQ(mqtt_packets(events, S), (std::vector<ByteVec>{publish})) << "cut at " << cut;
    }
}

// ---- Each frame rule, with its offset -----------------------------------------------------------

TEST(WebSocketFrameRules, ClientFrameNotMasked) {
    EXPECT_EQ(frames_log({client(hex("82 02 | c0 00"))}), (Log{"C RFC6455-5.1 @0", "C data c0 00"}));
}

TEST(WebSocketFrameRules, ServerFrameMasked) {
    // binary | MASK, 2 | key 01 02 03 04 | d0 00 masked
    EXPECT_EQ(frames_log({server(hex("82 02 | d0 00  82 82 | 01 02 03 04 | d1 02"))}),
              (Log{"S data d0 00", "S RFC6455-5.1 @4", "S data d0 00"}));
}

TEST(WebSocketFrameRules, ReservedBitsWithoutAnExtension) {
    EXPECT_EQ(frames_log({server(hex("a2 02 | d0 00"))}), (Log{"S RFC6455-5.2 @0", "S data d0 00"}));  // RSV2
    EXPECT_EQ(frames_log({server(hex("92 02 | d0 00"))}), (Log{"S RFC6455-5.2 @0", "S data d0 00"}));  // RSV3
    // RSV1 means "compressed" only once permessage-deflate is negotiated.
    EXPECT_EQ(frames_log({server(hex("c2 02 | d0 00"))}), (Log{"S RFC6455-5.2 @0", "S data d0 00"}));
}

TEST(WebSocketFrameRules, ReservedOpcodesAreSkipped) {
    EXPECT_EQ(frames_log({server(hex("83 02 | aa bb"      // opcode 3, reserved non-control
                                     "8b 01 | cc"         // opcode 0xB, reserved control
                                     "82 02 | d0 00"))}),
              (Log{"S RFC6455-5.2 @0", "S RFC6455-5.2 @4", "S data d0 00"}));
}

TEST(WebSocketFrameRules, LengthNotInItsShortestForm) {
    EXPECT_EQ(frames_log({server(hex("82 7e 00 02 | d0 00"))}), (Log{"S RFC6455-5.2 @0", "S data d0 00"}));
    EXPECT_EQ(frames_log({server(hex("82 7e 00 7d")), server(pattern(125))}).front(), "S RFC6455-5.2 @0");
    EXPECT_EQ(frames_log({server(hex("82 7f 00 00 00 00 00 00 00 02 | d0 00"))}), (Log{"S RFC6455-5.2 @0", "S data d0 00"}));
    // 65535 fits in 16 bits, so 64 is too many; 65536 does not (SevenSixteenAndSixtyFourBitLengths).
    EXPECT_EQ(frames_log({server(cat({hex("82 7f 00 00 00 00 00 00 ff ff"), pattern(65535)}))}).front(), "S RFC6455-5.2 @0");
}

TEST(WebSocketFrameRules, SixtyFourBitLengthWithItsTopBitSet) {
    EXPECT_EQ(frames_log({server(hex("82 7f 80 00 00 00 00 00 00 00 | d0 00"))}),
              (Log{"S RFC6455-5.2 @0", "S data d0 00",
                   "S warning @0 the connection ended inside a frame: 2 of 9223372036854775808 payload bytes seen"}));
}

TEST(WebSocketFrameRules, ContinuationWithNoMessageOpen) {
    // Its bytes belong to no known message: they are not handed up, and the stream above learns
    // that 2 bytes were lost.
    EXPECT_EQ(frames_log({server(hex("80 02 | aa bb  82 02 | d0 00"))}),
              (Log{"S RFC6455-5.4 @0", "S gap 2", "S data d0 00"}));
}

TEST(WebSocketFrameRules, NewMessageWhileAFragmentedOneIsOpen) {
    EXPECT_EQ(frames_log({server(hex("02 02 | 20 02  82 02 | d0 00"))}),
              (Log{"S data 20 02", "S RFC6455-5.4 @4", "S data d0 00"}));
}

TEST(WebSocketFrameRules, ControlFrameOver125Bytes) {
    EXPECT_EQ(frames_log({server(cat({hex("89 7e 00 7e"), pattern(126), hex("82 02 d0 00")}))}),
              (Log{"S RFC6455-5.5 @0", "S data d0 00"}));
}

TEST(WebSocketFrameRules, ControlFrameFragmented) {
    EXPECT_EQ(frames_log({server(hex("09 00  82 02 | d0 00"))}), (Log{"S RFC6455-5.5 @0", "S data d0 00"}));
}

TEST(WebSocketFrameRules, TextFrameFromEitherSide) {
    EXPECT_EQ(frames_log({client(frame(0x81, kPingreq, kKey)), server(frame(0x81, kPingresp))}),
              (Log{"C MQTT-6.0.0-1 @0", "C data c0 00", "S MQTT-6.0.0-1 @0", "S data d0 00"}));
    // Once per message, at its first frame.
    EXPECT_EQ(frames_log({server(hex("01 01 | d0  80 01 | 00"))}), (Log{"S MQTT-6.0.0-1 @0", "S data d0 00"}));
}

TEST(WebSocketFrameRules, EveryBrokenFieldOfOneFrameIsReported) {
    // A client frame: unmasked, RSV2, a ping (control) of 126 bytes without FIN.
    EXPECT_EQ(frames_log({client(cat({hex("29 7e 00 7e"), pattern(126)}))}),
              (Log{"C RFC6455-5.1 @0", "C RFC6455-5.2 @0", "C RFC6455-5.5 @0", "C RFC6455-5.5 @0"}));
}

// ---- Close frames -------------------------------------------------------------------------------

TEST(WebSocketClose, CodeAndReasonBecomeANote) {
    EXPECT_EQ(frames_log({server(hex("88 05 | 03 e8 | 62 79 65"))}),  // close | 1000 | "bye"
              (Log{"S note @0 close 1000 (normal closure) reason \"bye\""}));
    EXPECT_EQ(frames_log({client(frame(0x88, hex("03 e9"), kKey))}), (Log{"C note @0 close 1001 (going away)"}));
    EXPECT_EQ(frames_log({server(hex("88 00"))}), (Log{"S note @0 close frame without a status code"}));
    EXPECT_EQ(frames_log({server(cat({hex("88 07 | 0f a0"), text("a\"b\\\x01")}))}),
              (Log{"S note @0 close 4000 (private use) reason \"a\\\"b\\\\\\x01\""}));
}

TEST(WebSocketClose, OneBytePayload) {
    EXPECT_EQ(frames_log({server(hex("88 01 | 03"))}), (Log{"S RFC6455-5.5.1 @2"}));
}

TEST(WebSocketClose, CodesNoEndpointMaySend) {
    struct Case {
        unsigned code;
        std::string rule;  // empty: a code that may be sent
    };
    for (const Case& c : {Case{0, "RFC6455-7.4.2"}, Case{999, "RFC6455-7.4.2"}, Case{1000, ""}, Case{1003, ""},
                          Case{1004, "RFC6455-7.4.1"}, Case{1005, "RFC6455-7.4.1"}, Case{1006, "RFC6455-7.4.1"},
                          Case{1007, ""}, Case{1011, ""}, Case{1014, ""}, Case{1015, "RFC6455-7.4.1"},
                          Case{1016, "RFC6455-7.4.2"}, Case{2999, "RFC6455-7.4.2"}, Case{3000, ""}, Case{4999, ""},
                          Case{5000, "RFC6455-7.4.2"}, Case{65535, "RFC6455-7.4.2"}}) {
        const Log got = frames_log({server(frame(0x88, {std::uint8_t(c.code >> 8), std::uint8_t(c.code)}))});
        ASSERT_FALSE(got.empty());
        EXPECT_EQ(got.back().rfind("S note @0 close " + std::to_string(c.code), 0), 0u) << got.back();
        EXPECT_EQ(got.size(), c.rule.empty() ? 1u : 2u) << c.code;
        if (!c.rule.empty()) {
            EXPECT_EQ(got.front(), "S " + c.rule + " @2") << c.code;
        }
    }
}

TEST(WebSocketClose, ReasonNotUtf8) {
    // 1000 | "\xc3(" (a lead byte without its continuation)
    EXPECT_EQ(frames_log({server(hex("88 04 | 03 e8 | c3 28"))}),
              (Log{"S RFC6455-5.5.1 @4", "S note @0 close 1000 (normal closure) reason \"\\xc3(\""}));
    // "é" is fine.
    EXPECT_EQ(frames_log({server(hex("88 04 | 03 e8 | c3 a9"))}),
              (Log{"S note @0 close 1000 (normal closure) reason \"é\""}));
}

TEST(WebSocketClose, DataFrameAfterTheSidesClose) {
    // The client's close (8 bytes), then a binary frame from it: reported once, still handed up.
    EXPECT_EQ(frames_log({client(cat({frame(0x88, hex("03 e8"), kKey), frame(0x82, kPingreq, kKey),
                                      frame(0x82, kPingreq, kKey)})),
                          server(frame(0x82, kPingresp))}),  // the server has not closed
              (Log{"C note @0 close 1000 (normal closure)", "C RFC6455-5.5.1 @8", "C data c0 00 c0 00", "S data d0 00"}));
}

TEST(WebSocketClose, CloseBetweenFragmentsKeepsTheMessage) {
    EXPECT_EQ(frames_log({server(hex("02 01 | d0  88 02 | 03 e8  80 01 | 00"))}),
              (Log{"S data d0", "S note @3 close 1000 (normal closure)", "S RFC6455-5.5.1 @7", "S data 00"}));
}

// ---- The end of the connection ------------------------------------------------------------------

TEST(WebSocketEnd, FrameCutShort) {
    EXPECT_EQ(frames_log({server(hex("82 05 | d0"))}),
              (Log{"S data d0", "S warning @0 the connection ended inside a frame: 1 of 5 payload bytes seen"}));
    EXPECT_EQ(frames_log({client(hex("82 85 | 37 fa"))}), (Log{"C warning @0 the connection ended inside a frame header"}));
}

// ---- Gaps ---------------------------------------------------------------------------------------

TEST(WebSocketGaps, GapInsideAPayloadKeepsTheFrameBoundaries) {
    // A 6-byte frame loses its bytes 2 and 3: the gap goes up with its size, and the next frame
    // is read as before.
    EXPECT_EQ(frames_log({server(hex("82 06 | 20 02")), lost(S, 2), server(hex("d0 00  82 02 | c0 00"))}),
              (Log{"S data 20 02", "S gap 2", "S data d0 00 c0 00"}));
}

TEST(WebSocketGaps, GapInsideAMaskedPayloadKeepsTheKeyInStep) {
    const ByteVec f = frame(0x82, kConnect, kKey);  // 2 + 4 + 14 bytes
    const ByteVec a(f.begin(), f.begin() + 11), b(f.begin() + 14, f.end());
    EXPECT_EQ(frames_log({client(a), lost(C, 3), client(b)}),
              (Log{"C data 10 0c 00 04 4d", "C gap 3", "C data 04 02 00 3c 00 00"}));
}

TEST(WebSocketGaps, GapUpToTheFramesEnd) {
    EXPECT_EQ(frames_log({server(hex("82 04 | 20 02")), lost(S, 2), server(hex("82 02 | d0 00"))}),
              (Log{"S data 20 02", "S gap 2", "S data d0 00"}));
}

TEST(WebSocketGaps, GapWhereAHeaderWasDueLosesTheSide) {
    const std::string lost_side =
        "S warning @2 bytes lost where a frame header was due or across a frame's end: frame boundaries lost: "
        "nothing more is read from this side";
    // Between frames.
    EXPECT_EQ(frames_log({server(hex("82 00")), lost(S, 4), server(hex("82 02 | d0 00")),
                          client(frame(0x82, kPingreq, kKey))}),
              (Log{lost_side, "S gap 0", "C data c0 00"}));
    // Inside a header.
    EXPECT_EQ(frames_log({server(hex("82 7e")), lost(S, 1), server(hex("02 | d0 00 | 82 02 | d0 00"))}),
              (Log{lost_side, "S gap 0"}));
    // Across a frame's end.
    EXPECT_EQ(frames_log({server(hex("82 01")), lost(S, 3), server(hex("82 02 | d0 00"))}), (Log{lost_side, "S gap 0"}));
    // Of unknown size.
    EXPECT_EQ(frames_log({server(hex("82 09")), lost(S, 0), server(hex("82 02 | d0 00"))}), (Log{lost_side, "S gap 0"}));
}

TEST(WebSocketGaps, GapInACloseFramesPayload) {
    EXPECT_EQ(frames_log({server(hex("88 05 | 03")), lost(S, 2), server(hex("79 65"))}),
              (Log{"S note @0 close frame, its payload lost"}));
}

TEST(WebSocketGaps, TheLostSideStaysLostTheOtherGoesOn) {
    const Log got = frames_log({server(hex("82")), lost(S, 1), server(hex("00 82 02 d0 00")),
                                client(frame(0x82, kPingreq, kKey)), lost(S, 7), server(hex("d0 00"))});
    EXPECT_EQ(got.size(), 3u);
    EXPECT_EQ(got.back(), "C data c0 00");
}

// ---- Memory -------------------------------------------------------------------------------------

/// Counts what goes up, keeping nothing.
class Counter final : public Output {
public:
    std::uint64_t bytes = 0;
    std::uint64_t others = 0;
    std::uint64_t checksum = 0;
    void data(int, Bytes b) override {
        bytes += b.size();
        for (std::size_t i = 0; i < b.size(); i += 4093) checksum = checksum * 31 + b[i];
    }
    void gap(int, std::uint64_t) override { ++others; }
    void finding(int, const Finding&) override { ++others; }
};

TEST(WebSocketMemory, AGigabyteFrameCostsNoMemory) {
    constexpr std::uint64_t kGiB = 1ull << 30;
    const ByteVec chunk = pattern(1 << 20);
    for (const int side : {S, C}) {
        WebSocketLayer layer(C);
        Recorder handshake;
        layer.data(C, text(kRequest), handshake);
        layer.data(S, text(kResponse), handshake);
        const ByteVec header = side == C ? frame_header(0x82, kGiB, kKey) : frame_header(0x82, kGiB);
        Counter counter;
        const std::size_t before = mallinfo2().uordblks;
        layer.data(side, header, counter);
        for (std::uint64_t sent = 0; sent < kGiB; sent += chunk.size()) layer.data(side, chunk, counter);
        const std::size_t after = mallinfo2().uordblks;
        EXPECT_EQ(counter.bytes, kGiB);
        EXPECT_EQ(counter.others, 0u);
        // Heap in use is the same before and after a gigabyte (glibc's count; ASan's allocator
        // keeps its own, and then both are 0).
        EXPECT_LE(after, before + 1024) << "side " << side;
        layer.close(counter);
        EXPECT_EQ(counter.others, 0u);
    }
}

}  // namespace
}  // namespace mqttlens::transport::wstest
