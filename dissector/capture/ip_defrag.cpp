#include "capture/ip_defrag.hpp"

#include "capture/ip_header.hpp"

#include <algorithm>
#include <cstring>

namespace mqttlens::capture {

namespace {

constexpr std::uint32_t max_datagram = 65535;  // IPv4 total length; IPv6 payload without jumbograms

/// One fragment, read from its packet.
struct Fragment {
    std::uint8_t version = 4;
    std::uint8_t protocol = 0;      // IPv4: the protocol; IPv6: the fragment header's Next Header
    std::uint32_t id = 0;
    const std::uint8_t* src = nullptr;
    const std::uint8_t* dst = nullptr;
    std::uint32_t offset = 0;       // bytes
    bool more = false;
    Bytes header;                   // IPv4: the whole header; IPv6: the 40-byte fixed header
    Bytes data;                     // the fragment's bytes, as captured
    std::uint32_t wire_size = 0;    // the fragment's bytes on the wire (data may be shorter)
};

std::optional<Fragment> read_ipv4(Bytes b) noexcept {
    ip::Ipv4Header h;
    if (!ip::read_ipv4(b, h)) return std::nullopt;
    Fragment f;
    f.version = 4;
    f.protocol = h.protocol;
    f.id = h.id;
    f.src = h.src;
    f.dst = h.dst;
    f.offset = h.offset();
    f.more = h.more_fragments();
    f.header = b.first(h.size);
    f.data = h.payload(b);
    f.wire_size = static_cast<std::uint32_t>(h.total - h.size);
    return f;
}

std::optional<Fragment> read_ipv6(Bytes b) noexcept {
    ip::Ipv6Chain chain;
    int budget = 16;
    if (!ip::read_ipv6(b, chain) || !ip::skip_ipv6_options(chain, budget) || chain.next != ip::ip6_fragment ||
        chain.rest.size() < 8)
        return std::nullopt;  // no fragment header before the upper layer
    const std::uint16_t offset_flags = ip::be16(chain.rest.data() + 2);
    Fragment f;
    f.version = 6;
    f.protocol = chain.rest[0];
    f.id = ip::be32(chain.rest.data() + 4);
    f.src = b.data() + 8;
    f.dst = b.data() + 24;
    f.offset = std::uint32_t(offset_flags & 0xFFF8);
    f.more = (offset_flags & 1) != 0;
    f.header = b.first(40);
    f.data = chain.rest.subspan(8);
    f.wire_size = chain.wire >= 8 ? static_cast<std::uint32_t>(chain.wire - 8) : 0;
    return f;
}

std::optional<Fragment> read_fragment(const NetworkPacket& packet) noexcept {
    switch (packet.protocol) {
        case NetworkProtocol::ipv4: return read_ipv4(packet.bytes);
        case NetworkProtocol::ipv6: return read_ipv6(packet.bytes);
        case NetworkProtocol::none: break;
    }
    return std::nullopt;
}

using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;  // [start, end), sorted, merged

/// Copies into `payload` the bytes of `data` (which starts at `start`) up to `end` that no range in
/// `have` holds yet: where fragments overlap, the first copy wins.
void copy_missing(std::vector<std::uint8_t>& payload, const Ranges& have, Bytes data, std::uint32_t start,
                  std::uint32_t end) noexcept {
    std::uint32_t pos = start;
    for (const auto& [s, e] : have) {
        if (pos >= end) break;
        if (e <= pos) continue;
        if (s > pos) std::memcpy(payload.data() + pos, data.data() + (pos - start), std::min(s, end) - pos);
        pos = std::max(pos, e);
    }
    if (pos < end) std::memcpy(payload.data() + pos, data.data() + (pos - start), end - pos);
}

/// Adds [start, end) to `have`, which stays sorted with overlapping or touching ranges merged.
void add_range(Ranges& have, std::uint32_t start, std::uint32_t end) {
    have.emplace_back(start, end);
    std::sort(have.begin(), have.end());
    Ranges merged;
    for (const auto& r : have) {
        if (!merged.empty() && r.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    }
    have = std::move(merged);
}

}  // namespace

std::optional<std::uint8_t> IpDefragmenter::fragment_protocol(const NetworkPacket& packet) noexcept {
    const auto f = read_fragment(packet);
    if (!f) return std::nullopt;
    return f->protocol;
}

void IpDefragmenter::drop(std::list<Datagram>::iterator it) noexcept {
    held_ -= it->payload.size();
    ++stats_.dropped;
    datagrams_.erase(it);
}

void IpDefragmenter::expire(Timestamp now) {
    const auto expired = [&](const Datagram& d) {
        return micros_between(d.first_ts, now) > options_.timeout_ns / 1000;
    };
    while (!datagrams_.empty() && expired(datagrams_.front())) drop(datagrams_.begin());
}

std::optional<NetworkPacket> IpDefragmenter::add(const NetworkPacket& packet, Timestamp ts) {
    ++stats_.fragments;
    expire(ts);
    const auto f = read_fragment(packet);
    if (!f) return std::nullopt;
    Key key;
    key.version = f->version;
    key.protocol = f->version == 4 ? f->protocol : 0;
    key.id = f->id;
    const std::size_t address = f->version == 4 ? 4 : 16;
    std::memcpy(key.src.data(), f->src, address);
    std::memcpy(key.dst.data(), f->dst, address);

    auto it = std::find_if(datagrams_.begin(), datagrams_.end(), [&](const Datagram& d) { return d.key == key; });
    if (it == datagrams_.end()) {
        if (datagrams_.size() >= options_.max_datagrams) drop(datagrams_.begin());
        it = datagrams_.insert(datagrams_.end(), Datagram{});
        it->key = key;
        it->first_ts = ts;
    }
    Datagram& d = *it;
    const std::uint32_t start = f->offset;
    const std::uint32_t wire_end = start + f->wire_size;
    const auto end = static_cast<std::uint32_t>(start + f->data.size());
    // Inconsistent with what came before, or larger than a datagram can be: give it up.
    const bool too_large = wire_end > max_datagram - (f->version == 4 ? f->header.size() : 0);
    const bool past_end = d.end && wire_end > *d.end;
    const bool end_moves = !f->more && ((d.end && *d.end != wire_end) || (!d.have.empty() && d.have.back().second > wire_end));
    if (too_large || past_end || end_moves) {
        drop(it);
        return std::nullopt;
    }
    if (!f->more) d.end = wire_end;
    if (start == 0) {
        d.header.assign(f->header.begin(), f->header.end());
        d.next_header = f->protocol;
    }
    if (end > d.payload.size()) {
        const std::size_t growth = end - d.payload.size();
        if (held_ + growth > options_.max_bytes) {
            drop(it);
            return std::nullopt;
        }
        d.payload.resize(end);
        held_ += growth;
    }
    // Copy the bytes not held yet (the first copy wins), then merge [start, end) into `have`.
    copy_missing(d.payload, d.have, f->data, start, end);
    if (end > start) add_range(d.have, start, end);

    const bool complete = d.end && !d.header.empty() &&
                          (*d.end == 0 || (d.have.size() == 1 && d.have[0].first == 0 && d.have[0].second == *d.end));
    if (!complete) return std::nullopt;

    // One unfragmented packet: the header, then every byte.
    out_.assign(d.header.begin(), d.header.end());
    out_.insert(out_.end(), d.payload.begin(), d.payload.begin() + *d.end);
    if (d.key.version == 4) {
        ip::set_be16(out_.data() + 2, static_cast<std::uint16_t>(out_.size()));
        ip::set_be16(out_.data() + 6, 0);  // flags (DF kept clear) and offset
    } else {
        ip::set_be16(out_.data() + 4, static_cast<std::uint16_t>(*d.end));
        out_[6] = d.next_header;
    }
    const NetworkProtocol protocol = d.key.version == 4 ? NetworkProtocol::ipv4 : NetworkProtocol::ipv6;
    held_ -= d.payload.size();
    datagrams_.erase(it);
    ++stats_.reassembled;
    return NetworkPacket{protocol, Bytes(out_)};
}

}  // namespace mqttlens::capture
