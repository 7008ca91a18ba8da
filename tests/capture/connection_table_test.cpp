// The open-connection table: found in either direction, forgotten when removed, listed by
// activity; checked against a plain map over many insertions and removals.
#include "harness.hpp"

#include "capture/connection_table.hpp"
#include "capture/tcp_reassembler.hpp"

#include <map>

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
