// The open TCP connections: found by their two endpoints in either order, and kept in order of
// activity (the least recently active first). Every step is O(1); a connection costs its own
// object and, on average, under 16 bytes of table.
#pragma once

#include "capture/endpoint.hpp"

#include <cstddef>
#include <vector>

namespace mqttlens::capture {

struct TcpConnection;

class ConnectionTable {
public:
    ConnectionTable() = default;
    ~ConnectionTable();
    ConnectionTable(const ConnectionTable&) = delete;
    ConnectionTable& operator=(const ConnectionTable&) = delete;

    /// The open connection between `a` and `b`, whichever sent its first segment; null if none.
    TcpConnection* find(const Endpoint& a, const Endpoint& b) const noexcept;
    /// A new connection whose first segment went from `src` to `dst` (none may be open between
    /// them): endpoint[0] = src, endpoint[1] = dst; it is the most recently active.
    TcpConnection& add(const Endpoint& src, const Endpoint& dst);
    /// Forgets `c` and frees it.
    void remove(TcpConnection& c) noexcept;
    /// `c` carried a segment: it becomes the most recently active.
    void touch(TcpConnection& c) noexcept;
    /// The least recently active connection; null when there is none.
    TcpConnection* oldest() const noexcept;
    /// Every open connection, from the least to the most recently active.
    std::vector<TcpConnection*> all() const;
    /// Frees every connection.
    void clear() noexcept;
    std::size_t size() const noexcept { return size_; }

    /// The same for (a, b) and (b, a).
    static std::size_t hash(const Endpoint& a, const Endpoint& b) noexcept;

private:
    struct Node;
    std::size_t slot_of(const Endpoint& a, const Endpoint& b) const noexcept;
    void place(Node* node) noexcept;
    void grow();
    void unlink(Node& node) noexcept;

    std::vector<Node*> slots_;  // open addressing, linear probing; null: free
    std::size_t size_ = 0;
    Node* oldest_ = nullptr;
    Node* newest_ = nullptr;
};

}  // namespace mqttlens::capture
