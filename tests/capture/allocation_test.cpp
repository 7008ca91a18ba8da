// The hot path allocates nothing: in-order segments holding whole packets are framed in place.
#include "harness.hpp"

#include "counting_new.hpp"

#include <malloc.h>

namespace mqttlens::capture::test {

using mqttlens::test::allocation_count;

namespace {

class Quiet : public Listener {
public:
    std::size_t packets = 0;
    void on_packet(const Delivery&, const PacketSeen&) override { ++packets; }
};

struct Held {
    Record record;
    Buffer bytes;
};

/// Every record of `capture`, copied out of libpcap so that only the dissector runs below.
std::vector<Held> records_of(const Buffer& capture) {
    std::vector<Held> out;
    auto opened = CaptureSource::open_memory(capture);
    EXPECT_TRUE(opened);
    Record r;
    while (opened && opened.source->next(r) == CaptureSource::Status::record) {
        out.push_back({r, Buffer(r.bytes.begin(), r.bytes.end())});
    }
    for (auto& h : out) h.record.bytes = h.bytes;
    return out;
}

TEST(Allocation, InOrderWholePacketsAllocateNothing) {
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));
    w.write(c.data(Side::server, connack()));
    for (int i = 0; i < 1000; ++i) {
        w.write(c.data(Side::client, cat({publish("sensors/t", "21.5", std::uint16_t(i + 1)), pingreq()})));
        w.write(c.data(Side::server, puback(std::uint16_t(i + 1))));
    }
    const auto records = records_of(w.bytes());
    ASSERT_EQ(records.size(), 2005u);

    Quiet quiet;
    FramedDissector dissector(quiet);
    for (std::size_t i = 0; i < 10; ++i) dissector.process(records[i].record);  // opens the connection
    const std::size_t before = allocation_count();
    for (std::size_t i = 10; i < records.size(); ++i) dissector.process(records[i].record);
    const std::size_t during = allocation_count() - before;
    dissector.finish();
    EXPECT_EQ(during, 0u);
    EXPECT_EQ(quiet.packets, 2u + 3000u);
}

TEST(Allocation, PacketsStraddlingSegmentsReuseTheFramerBuffer) {
    PcapWriter w;
    TcpConversation c(ep("10.0.0.1:40000"), ep("10.0.0.2:1883"));
    for (const auto& s : c.handshake()) w.write(s);
    w.write(c.data(Side::client, connect("c1")));
    const Buffer p = publish("sensors/t", std::string(300, 'v'));
    for (int i = 0; i < 500; ++i) {
        for (const auto& s : c.data_split(Side::client, p, {1, 100, 250})) w.write(s);
    }
    const auto records = records_of(w.bytes());
    Quiet quiet;
    FramedDissector dissector(quiet);
    for (std::size_t i = 0; i < 20; ++i) dissector.process(records[i].record);
    const std::size_t before = allocation_count();
    for (std::size_t i = 20; i < records.size(); ++i) dissector.process(records[i].record);
    EXPECT_EQ(allocation_count() - before, 0u);
    dissector.finish();
    EXPECT_EQ(quiet.packets, 501u);
}

// Bounded memory: a connection that is idle (a SYN and the first 3 bytes of a CONNECT) costs at
// most 512 bytes of heap, everything included: the TCP connection, its place in the table, the
// bytes held for MQTT. It has nothing to report yet, so the consumer has not heard of it.
TEST(Allocation, AnIdleConnectionCostsAtMost512Bytes) {
    constexpr int n = 4000;
    PcapWriter w;
    for (int i = 0; i < n; ++i) {
        TcpConversation c(ep("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":40000"),
                          ep("10.0.0.2:1883"));
        w.write(c.handshake()[0]);
        w.write(c.data(Side::client, Buffer{0x10, 0x0c, 0x00}));
    }
    const auto records = records_of(w.bytes());
    Quiet quiet;
    FramedDissector dissector(quiet);
    const std::size_t before = mallinfo2().uordblks;
    for (const Held& h : records) dissector.process(h.record);
    const std::size_t per_connection = (mallinfo2().uordblks - before) / n;
    EXPECT_EQ(dissector.stats().tcp.connections, std::uint64_t(n));
    EXPECT_LE(per_connection, 512u);
    RecordProperty("bytes_per_idle_connection", static_cast<int>(per_connection));
    dissector.finish();
}

}  // namespace
}  // namespace mqttlens::capture::test
