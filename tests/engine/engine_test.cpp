// What the Engine hands its Listener: one call per packet, or per run of clean QoS 0 PUBLISHes
// for a listener that only prints them (EngineOptions::build_clean_publish false).
#include "harness.hpp"

namespace mqttlens::capture::test {
namespace {

/// A connection's capture records, each holding its packets back to back, through the engine.
Outcome records(const std::vector<std::pair<Side, std::vector<Buffer>>>& talk, bool build_clean_publish) {
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    for (const auto& s : c.handshake()) w.write(s);
    for (const auto& [side, packets] : talk) {
        Buffer all;
        for (const Buffer& p : packets) all.insert(all.end(), p.begin(), p.end());
        w.write(c.data(side, all));
    }
    Options options;
    options.build_clean_publish = build_clean_publish;
    return dissect(w, std::move(options));
}

/// CONNECT, CONNACK, then one capture record of the client's holding `packets`.
Outcome one_record_of(const std::vector<Buffer>& packets, bool build_clean_publish) {
    return records({{Side::client, {connect("c1")}}, {Side::server, {connack()}}, {Side::client, packets}},
                   build_clean_publish);
}

const std::vector<Buffer> five = {
    publish("a", "1"),       // clean QoS 0: 6 bytes at 16
    publish("b", "22"),      // clean QoS 0: 7 bytes at 22
    publish("c", "333", 7),  // QoS 1: built; 10 bytes at 29
    publish("d", "4"),       // 6 bytes at 39
    publish("e/#", "5"),     // a wildcard in a Topic Name: built, with its error; 8 bytes at 45
};

TEST(Engine, CleanPublishesThatFollowOneAnotherReachAPrintingListenerAsOneRun) {
    const auto out = one_record_of(five, false);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
        "run 0 c2s #6 PUBLISH size=13 off=16 v4 packets=2",
        "pkt 0 c2s #6 PUBLISH size=10 off=29 v4",
        "run 0 c2s #6 PUBLISH size=6 off=39 v4 packets=1",
        "pkt 0 c2s #6 PUBLISH size=8 off=45 v4",
        "close 0 capture end",
    }));
    ASSERT_EQ(out.recorder.packets.size(), 6u);
    EXPECT_EQ(out.recorder.packets[2], cat({five[0], five[1]})) << "the run is the packets' own bytes";
    EXPECT_EQ(out.recorder.packets[4], five[3]);
}

TEST(Engine, EveryPacketIsItsOwnCallWhenCleanPublishesAreBuilt) {
    const auto out = one_record_of(five, true);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "pkt 0 s2c #5 CONNACK size=4 off=0 v4",
        "pkt 0 c2s #6 PUBLISH size=6 off=16 v4",
        "pkt 0 c2s #6 PUBLISH size=7 off=22 v4",
        "pkt 0 c2s #6 PUBLISH size=10 off=29 v4",
        "pkt 0 c2s #6 PUBLISH size=6 off=39 v4",
        "pkt 0 c2s #6 PUBLISH size=8 off=45 v4",
        "close 0 capture end",
    }));
}

TEST(Engine, ARunEndsWithItsCaptureRecord) {
    const auto out = records({{Side::client, {connect("c1")}},
                              {Side::client, {publish("a", "1"), publish("b", "2")}},
                              {Side::client, {publish("c", "3")}}},
                             false);
    EXPECT_EQ(out.log(), (Log{
        "open 0 10.0.0.1:40000 -> 10.0.0.2:1883",
        "pkt 0 c2s #4 CONNECT size=16 off=0 v4",
        "run 0 c2s #5 PUBLISH size=12 off=16 v4 packets=2",
        "run 0 c2s #6 PUBLISH size=6 off=28 v4 packets=1",
        "close 0 capture end",
    }));
}

}  // namespace
}  // namespace mqttlens::capture::test
