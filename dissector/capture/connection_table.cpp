#include "capture/connection_table.hpp"

#include "capture/tcp_reassembler.hpp"

#include <cstring>
#include <utility>

namespace mqttlens::capture {

struct ConnectionTable::Node final : TcpConnection {
    Node* older = nullptr;
    Node* newer = nullptr;
};

namespace {

inline void mix(std::size_t& h, std::uint64_t v) noexcept {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
}

std::size_t hash_endpoint(const Endpoint& e) noexcept {
    std::uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, e.ip.bytes.data(), 8);
    std::memcpy(&hi, e.ip.bytes.data() + 8, 8);
    std::size_t h = 0;
    mix(h, lo);
    mix(h, hi);
    mix(h, std::uint64_t(e.port) << 8 | e.ip.version);
    return h;
}

bool joins(const TcpConnection& c, const Endpoint& a, const Endpoint& b) noexcept {
    return (c.endpoint[0] == a && c.endpoint[1] == b) || (c.endpoint[0] == b && c.endpoint[1] == a);
}

}  // namespace

std::size_t ConnectionTable::hash(const Endpoint& a, const Endpoint& b) noexcept {
    // The same for (a, b) and (b, a) without ordering the two (a 19-byte comparison per packet):
    // the sum of the endpoints' hashes, through a multiply-xorshift finaliser so that the low bits
    // (the slot) depend on every bit of both.
    std::uint64_t h = hash_endpoint(a) + hash_endpoint(b);
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return h;
}

ConnectionTable::~ConnectionTable() { clear(); }

std::size_t ConnectionTable::slot_of(const Endpoint& a, const Endpoint& b) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash(a, b) & mask;
    while (slots_[i] && !joins(*slots_[i], a, b)) i = (i + 1) & mask;
    return i;
}

TcpConnection* ConnectionTable::find(const Endpoint& a, const Endpoint& b) const noexcept {
    if (size_ == 0) return nullptr;
    return slots_[slot_of(a, b)];
}

void ConnectionTable::place(Node* node) noexcept {
    slots_[slot_of(node->endpoint[0], node->endpoint[1])] = node;
}

void ConnectionTable::grow() {
    std::vector<Node*> old = std::exchange(slots_, std::vector<Node*>(slots_.empty() ? 64 : 2 * slots_.size()));
    for (Node* node : old) {
        if (node) place(node);
    }
}

TcpConnection& ConnectionTable::add(const Endpoint& src, const Endpoint& dst) {
    if (4 * (size_ + 1) > 3 * slots_.size()) grow();  // at most 3/4 full: probes stay short
    auto* node = new Node;
    node->endpoint[0] = src;
    node->endpoint[1] = dst;
    place(node);
    ++size_;
    node->older = newest_;
    (newest_ ? newest_->newer : oldest_) = node;
    newest_ = node;
    return *node;
}

void ConnectionTable::unlink(Node& node) noexcept {
    (node.older ? node.older->newer : oldest_) = node.newer;
    (node.newer ? node.newer->older : newest_) = node.older;
    node.older = node.newer = nullptr;
}

void ConnectionTable::touch(TcpConnection& c) noexcept {
    auto& node = static_cast<Node&>(c);
    if (&node == newest_) return;
    unlink(node);
    node.older = newest_;
    newest_->newer = &node;
    newest_ = &node;
}

void ConnectionTable::remove(TcpConnection& c) noexcept {
    auto& node = static_cast<Node&>(c);
    unlink(node);
    const std::size_t mask = slots_.size() - 1;
    std::size_t hole = slot_of(node.endpoint[0], node.endpoint[1]);
    // Backward shift: an entry after the hole moves into it unless its home slot lies cyclically
    // in (hole, j], where a lookup would then no longer reach it.
    for (std::size_t j = (hole + 1) & mask; slots_[j]; j = (j + 1) & mask) {
        const std::size_t home = hash(slots_[j]->endpoint[0], slots_[j]->endpoint[1]) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = nullptr;
    --size_;
    delete &node;
}

TcpConnection* ConnectionTable::oldest() const noexcept { return oldest_; }

std::vector<TcpConnection*> ConnectionTable::all() const {
    std::vector<TcpConnection*> out;
    out.reserve(size_);
    for (Node* n = oldest_; n; n = n->newer) out.push_back(n);
    return out;
}

void ConnectionTable::clear() noexcept {
    for (Node*& node : slots_) {
        delete node;
        node = nullptr;
    }
    size_ = 0;
    oldest_ = newest_ = nullptr;
}

}  // namespace mqttlens::capture
