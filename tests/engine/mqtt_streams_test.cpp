// Which connections are MQTT, who is the client, framing errors and resynchronisation.
#include "harness.hpp"

namespace mqttlens::capture::test {
namespace {

Outcome one_conversation(Endpoint client, Endpoint server, const std::vector<std::pair<Side, Buffer>>& talk,
                         Options options = {}, bool handshake = true) {
    PcapWriter w;
    TcpConversation c(client, server);
    const auto hs = c.handshake();
    if (handshake) for (const auto& s : hs) w.write(s);
    for (const auto& [side, bytes] : talk) w.write(c.data(side, bytes));
    for (const auto& s : c.close()) w.write(s);
    return dissect(w, std::move(options));
}

TEST(MqttStreams, ConnectOnAnyPortIsDetected) {
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"),
                                      {{Side::client, connect("c1")}, {Side::server, connack()},
                                       {Side::client, pingreq()}});
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:9999 auto",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
        "pkt 0 c2s #6 PINGREQ size=2 off=16 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.stats.mqtt.auto_detected, 1u);
}

TEST(MqttStreams, ConnectSplitInTinySegmentsIsStillDetected) {
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"));
    for (const auto& s : c.handshake()) w.write(s);
    for (const auto& s : c.data_split(Side::client, cat({connect("c1"), pingreq()}), {1, 2, 3, 5, 8, 13})) w.write(s);
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:9999 auto",
        "pkt 0 c2s #10 CONNECT size=16 off=0 v4",
        "pkt 0 c2s #10 PINGREQ size=2 off=16 v4",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, OtherTrafficIsIgnoredButNumbered) {
    PcapWriter w;
    TcpConversation http(ep("10.0.0.1:40000"), ep("10.0.0.2:80"));
    for (const auto& s : http.handshake()) w.write(s);
    const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    w.write(http.data(Side::client, mqtt::as_bytes(get)));
    TcpConversation mqtt(ep("10.0.0.1:40001"), ep("10.0.0.2:1883"));
    for (const auto& s : mqtt.handshake()) w.write(s);
    w.write(mqtt.data(Side::client, connect("c1")));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 1 10.0.0.1:40001 -> 10.0.0.2:1883",
        "pkt 1 c2s #8 CONNECT size=16 off=0 v4",
        "close 1 capture end",
    }));
    EXPECT_EQ(out.stats.tcp.connections, 2u);
}

TEST(MqttStreams, AutoDetectionCanBeTurnedOffAndPortsConfigured) {
    const std::vector<std::pair<Side, Buffer>> talk{{Side::client, connect("c1")}};
    Options off;
    off.streams.auto_detect = false;
    EXPECT_TRUE(one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"), talk, off).log().empty());
    Options port;
    port.streams.auto_detect = false;
    port.streams.mqtt_ports = {9999};
    EXPECT_EQ(one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"), talk, port).log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:9999",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "close 0 FIN",
    }));
}

TEST(MqttStreams, TlsPortWithoutAServerHelloIsListedOnceAtItsEnd) {
    // The TLS layer reads the handshake (tests/transport/tls_test.cpp); with no ServerHello there is
    // nothing to say until the connection ends.
    const Buffer client_hello{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00};
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:8883"),
                                      {{Side::client, client_hello}, {Side::server, client_hello}});
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:8883 tls",
        "tls 0 c2s #7 off=0 size=0",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.stats.mqtt.tls_connections, 1u);
    EXPECT_EQ(out.stats.mqtt.packets, 0u);
}

TEST(MqttStreams, Mqtt5IsFramedAndMarkedWithItsLevel) {
    const Buffer connack5{0x20, 0x03, 0x00, 0x00, 0x00};  // with an empty property length
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"),
                                      {{Side::client, connect("c1", 5)}, {Side::server, connack5}});
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=17 off=0 v5",
        "pkt 0 s2c #5 CONNACK size=5 off=0 v5",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.recorder.opened.size(), 1u);
}

TEST(MqttStreams, BadRemainingLengthIsReportedAndTheStreamResynchronises) {
    const Buffer broken{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};  // 4th length byte continues
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"),
                                      {{Side::client, connect("c1")},
                                       {Side::client, cat({broken, publish("t", "x", 7), pingreq()})}});
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "framing_error 0 c2s #5 off=16 size=0 remaining_length_malformed",
        "resync 0 c2s #5 off=22 size=6",
        "pkt 0 c2s #5 PUBLISH size=8 off=22 v4",
        "pkt 0 c2s #5 PINGREQ size=2 off=30 v4",
        "close 0 FIN",
    }));
    EXPECT_EQ(out.recorder.codes, (std::vector<mqtt::Code>{mqtt::Code::remaining_length_malformed,
                                                         mqtt::Code::stream_unsynchronised}));
}

TEST(MqttStreams, BadRemainingLengthAcrossSegmentsIsReportedTheSame) {
    const Buffer stream = cat({connect("c1"), Buffer{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, publish("t", "x", 7), pingreq()});
    // Up to 4 header bytes in segment #4 the error shows in #5; with all 5 it shows in #4.
    for (std::size_t cut = 17; cut < 23; ++cut) {
        const std::string error_frame = cut < 21 ? "#5" : "#4";
        PcapWriter w;
        TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
        for (const auto& s : c.handshake()) w.write(s);
        for (const auto& s : c.data_split(Side::client, stream, {cut})) w.write(s);  // #4, #5
        const auto out = dissect(w);
        EXPECT_EQ(out.log(), (Log{
            "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
            "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
            std::string("framing_error 0 c2s ") + error_frame + " off=16 size=0 remaining_length_malformed",
            "resync 0 c2s #5 off=22 size=6",
            "pkt 0 c2s #5 PUBLISH size=8 off=22 v4",
            "pkt 0 c2s #5 PINGREQ size=2 off=30 v4",
            "close 0 capture end",
        })) << cut;
    }
}

TEST(MqttStreams, PacketTooLargeIsAFramingError) {
    Options options;
    options.streams.framer.max_remaining_length = 100;
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"),
                                      {{Side::client, connect("c1")},
                                       {Side::client, cat({publish("t", std::string(200, 'b')), pingreq()})}},
                                      options);
    ASSERT_GE(out.log().size(), 3u);
    EXPECT_EQ(out.log()[2], "framing_error 0 c2s #5 off=16 size=0 packet_too_large");
}

TEST(MqttStreams, PacketCutByTheEndOfTheConnectionIsTruncated) {
    const Buffer whole = publish("a/b", std::string(50, 'c'));
    const auto out = one_conversation(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"),
                                      {{Side::client, connect("c1")},
                                       {Side::client, Buffer(whole.begin(), whole.begin() + 20)}});
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "framing_error 0 c2s #7 off=16 size=20 packet_truncated",
        "close 0 FIN",
    }));
}

TEST(MqttStreams, WithoutSynTheMqttPortSideIsTheServer) {
    const auto out = one_conversation(ep("10.0.0.2:1883"), ep("10.0.0.1:40000"),
                                      {{Side::server, publish("t", "x", 7)}, {Side::client, puback(7)}},
                                      {}, false);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883 nosyn",
        "midstream_sync 0 c2s #1 off=0 size=0",
        "pkt 0 c2s #1 PUBLISH size=8 off=0",
        "midstream_sync 0 s2c #2 off=0 size=0",
        "pkt 0 s2c #2 PUBACK size=4 off=0",
        "close 0 FIN",
    }));
}

TEST(MqttStreams, WithoutSynOrMqttPortRolesWaitForAConnect) {
    Options options;
    options.streams.mqtt_ports = {1883, 2883};
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:2883"), ep("10.0.0.2:1883"));
    c.handshake();  // not captured
    w.write(c.data(Side::server, pingresp()));   // #1: which side is the client is unknown
    w.write(c.data(Side::client, connect("c1")));  // #2: now it is known
    w.write(c.data(Side::server, connack()));    // #3
    const auto out = dissect(w, options);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:2883 -> 10.0.0.2:1883 roles? nosyn",
        "midstream_sync 0 unknown #1 off=0 size=0",
        "pkt 0 unknown #1 PINGRESP size=2 off=0",
        "midstream_sync 0 unknown #2 off=0 size=0",
        "pkt 0 c2s #2 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #3 CONNACK size=4 off=2 v4",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, MidstreamResyncSkipsPayloadThatLooksLikeHeaders) {
    // The capture starts inside a PUBLISH whose payload holds a PINGREQ-like pair (C0 00) that
    // is not followed by a plausible packet; the real boundary follows the payload.
    const Buffer payload_tail{'a', 0xC0, 0x00, 'z', 'z', 'z'};
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    c.handshake();
    w.write(c.data(Side::client, cat({payload_tail, puback(3), pingreq()})));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883 nosyn",
        "midstream_sync 0 c2s #1 off=6 size=6",
        "pkt 0 c2s #1 PUBACK size=4 off=6",
        "pkt 0 c2s #1 PINGREQ size=2 off=10",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, NoBoundaryAtAllIsReportedAsUnsynchronised) {
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    c.handshake();
    const std::string junk(300, 'j');  // 0x6A: PUBREL type with wrong flags, never plausible
    w.write(c.data(Side::client, mqtt::as_bytes(junk)));
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883 nosyn",
        "unsynchronised 0 c2s #0 off=0 size=300",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, ServerDataBeforeDetectionIsResynchronised) {
    // An auto-detected connection where the server spoke first: its bytes are kept and framed.
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"));
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::server, pingresp()));    // #4
    w.write(c.data(Side::client, connect("c1")));  // #5
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:9999 auto",
        "pkt 0 c2s #5 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 PINGRESP size=2 off=0 v4",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, ServerBytesBeyondTheProbeBeforeDetectionAreSkipped) {
    // The server sends more than the detector keeps before the client's CONNECT: those bytes are
    // reported as skipped and the server's next packets are found by resynchronising.
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:9999"));
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::server, mqtt::as_bytes(std::string(40, 'b'))));  // #4
    w.write(c.data(Side::client, connect("c1")));                          // #5
    w.write(c.data(Side::server, cat({connack(), pingresp()})));           // #6
    const auto out = dissect(w);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:9999 auto",
        "pkt 0 c2s #5 CONNECT size=16 off=0 v4",
        "resync 0 s2c #6 off=40 size=40",
        "pkt 0 s2c #6 CONNACK size=4 off=40 v4",
        "pkt 0 s2c #6 PINGRESP size=2 off=44 v4",
        "close 0 capture end",
    }));
}

TEST(MqttStreams, PacketsOfOneSegmentComeWholeAndInOrder) {
    // 70 PUBLISH in one segment (more than a run holds), a CONNECT inside one, a packet cut
    // by the segment's end, a framing error: each packet comes once, in order.
    Buffer many = connect("c1");
    std::vector<Buffer> expected{connect("c1")};
    for (int i = 0; i < 70; ++i) {
        expected.push_back(publish("t/" + std::to_string(i), "x"));
        many = cat({many, expected.back()});
    }
    const Buffer second = cat({publish("a", "1"), connect("again"), publish("b", "2"), publish("cut", "zzzz")});
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, many));
    w.write(c.data(Side::server, cat({connack(), puback(1), puback(2)})));
    w.write(c.data(Side::client, Buffer(second.begin(), second.end() - 3)));
    w.write(c.data(Side::client, cat({Buffer(second.end() - 3, second.end()), publish("d", "3"), Buffer{0x30, 0xFF, 0xFF, 0xFF, 0xFF}})));
    for (const auto& s : c.close()) w.write(s);
    const auto out = dissect(w);
    for (const Buffer& b : {connack(), puback(1), puback(2), publish("a", "1"), connect("again"), publish("b", "2"),
                            publish("cut", "zzzz"), publish("d", "3")}) {
        expected.push_back(b);
    }
    EXPECT_EQ(out.recorder.packets, expected);
    EXPECT_NE(std::find(out.log().begin(), out.log().end(), "framing_error 0 c2s #7 off=" +
                        std::to_string(many.size() + second.size() + publish("d", "3").size()) +
                        " size=0 remaining_length_malformed"), out.log().end());
}

}  // namespace
}  // namespace mqttlens::capture::test
