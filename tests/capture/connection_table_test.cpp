// The open-connection table: found in either direction, forgotten when removed, listed by
// activity; checked against a plain map over many insertions and removals.
#include "harness.hpp"

#include "capture/connection_table.hpp"
#include "capture/tcp_reassembler.hpp"

#include <map>
#include <vector>

namespace mqttlens::capture::test {
namespace {

Endpoint client_n(int n) {
    return ep("10.1." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1) + ":" +
              std::to_string(40000 + n % 7));
}
const Endpoint server = ep("10.0.0.2:1883");

TEST(ConnectionTable, FindsEitherDirectionAndForgetsWhatIsRemoved) {
    ConnectionTable table;
    std::map<int, TcpConnection*> open;
    for (int n = 0; n < 20000; ++n) {
        TcpConnection& c = n % 2 ? table.add(client_n(n), server) : table.add(server, client_n(n));
        c.stream = static_cast<std::uint32_t>(n);
        open[n] = &c;
        if (n % 3 == 2) {  // removing every third keeps probe chains broken and mended
            table.remove(*open[n - 1]);
            open.erase(n - 1);
        }
    }
    EXPECT_EQ(table.size(), open.size());
    for (int n = 0; n < 20000; ++n) {
        const auto it = open.find(n);
        TcpConnection* found = table.find(client_n(n), server);
        EXPECT_EQ(found, it == open.end() ? nullptr : it->second) << n;
        EXPECT_EQ(table.find(server, client_n(n)), found) << n;
    }
}

TEST(Endpoints, AreEqualExactlyWhenTheyOrderTheSame) {
    // == compares the address as two 8-byte words: a difference in any one byte, the version
    // or the port makes two endpoints unequal, as the ordering has it.
    std::vector<Endpoint> all{ep("10.0.0.1:1883"), ep("[2001:db8::1]:1883")};
    for (std::size_t byte = 0; byte < 16; ++byte) {
        Endpoint e = ep("[2001:db8::1]:1883");
        e.ip.bytes[byte] ^= 0x80;
        all.push_back(e);
    }
    Endpoint v4_as_v6 = ep("10.0.0.1:1883");
    v4_as_v6.ip.version = 6;
    Endpoint other_port = ep("10.0.0.1:1884");
    all.push_back(v4_as_v6);
    all.push_back(other_port);
    for (const Endpoint& a : all) {
        for (const Endpoint& b : all) {
            EXPECT_EQ(a == b, (a <=> b) == 0) << to_string(a) << " " << to_string(b);
            EXPECT_EQ(a == b, &a == &b) << to_string(a) << " " << to_string(b);
        }
    }
}

TEST(ConnectionTable, IPv6ConnectionsThatDifferInTheLastBytesAreApart) {
    // Clients 2001:db8::1:N differ only in the address's second half; each finds its own.
    ConnectionTable table;
    const Endpoint broker = ep("[2001:db8::2]:1883");
    std::vector<TcpConnection*> made;
    for (int n = 1; n <= 300; ++n) {
        TcpConnection& c = table.add(ep("[2001:db8::1:" + std::to_string(n) + "]:50000"), broker);
        c.stream = static_cast<std::uint32_t>(n);
        made.push_back(&c);
    }
    // And a connection between one endpoint and itself (a capture can hold anything).
    TcpConnection& self = table.add(broker, broker);
    for (int n = 1; n <= 300; ++n) {
        EXPECT_EQ(table.find(broker, ep("[2001:db8::1:" + std::to_string(n) + "]:50000")), made[n - 1]) << n;
    }
    EXPECT_EQ(table.find(broker, broker), &self);
    EXPECT_EQ(table.find(broker, ep("[2001:db8::1:301]:50000")), nullptr);
}

TEST(ConnectionTable, ListsFromTheLeastToTheMostRecentlyActive) {
    ConnectionTable table;
    TcpConnection& a = table.add(client_n(1), server);
    TcpConnection& b = table.add(client_n(2), server);
    TcpConnection& c = table.add(client_n(3), server);
    EXPECT_EQ(table.oldest(), &a);
    table.touch(a);
    EXPECT_EQ(table.all(), (std::vector<TcpConnection*>{&b, &c, &a}));
    table.remove(b);
    EXPECT_EQ(table.oldest(), &c);
    table.touch(a);  // already the most recent
    EXPECT_EQ(table.all(), (std::vector<TcpConnection*>{&c, &a}));
    table.clear();
    EXPECT_EQ(table.oldest(), nullptr);
    EXPECT_EQ(table.find(client_n(1), server), nullptr);
}

}  // namespace
}  // namespace mqttlens::capture::test
