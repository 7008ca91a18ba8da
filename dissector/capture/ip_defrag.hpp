// IP fragment reassembly (RFC 791 for IPv4, RFC 8200 §4.5 for IPv6), bounded.
//
// Fragments are collected per datagram — (source, destination, identification, protocol) for
// IPv4, (source, destination, identification) for IPv6 — in any order. Where two fragments
// overlap, the bytes that came first win (as in TCP reassembly; RFC 5722 tells an IPv6 host to
// drop such a datagram, but a dissector should show what it has). When every byte from 0 to the
// end given by the last fragment (More Fragments clear) is present, the datagram is handed back
// as one unfragmented IP packet: IPv4 with the first fragment's header, the flags and offset
// cleared and the total length set; IPv6 with the fixed header whose Next Header is the fragment
// header's, the extension headers before it dropped.
//
// Memory is bounded: at most `max_datagrams` in progress and `max_bytes` held; a datagram that
// would exceed a bound, or that has waited `timeout` of capture time, is dropped (counted) and its
// bytes then show up as a gap in the TCP stream, as before reassembly existed.
#pragma once

#include "capture/capture_source.hpp"
#include "capture/link_layer.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <vector>

namespace mqttlens::capture {

struct DefragOptions {
    std::size_t max_datagrams = 256;
    std::size_t max_bytes = 4u << 20;      ///< all datagrams in progress together
    std::int64_t timeout_ns = 30'000'000'000;  ///< capture time since the first fragment (30 s)
};

struct DefragStats {
    std::uint64_t fragments = 0;     ///< fragment records seen
    std::uint64_t reassembled = 0;   ///< datagrams completed
    std::uint64_t dropped = 0;       ///< datagrams given up (bounds, timeout, inconsistent)
};

class IpDefragmenter {
public:
    explicit IpDefragmenter(DefragOptions options = {}) : options_(options) {}

    /// The protocol a fragment carries (IPv4's Protocol, the fragment header's Next Header for
    /// IPv6): known from any fragment, so fragments of other protocols need not be held at all.
    static std::optional<std::uint8_t> fragment_protocol(const NetworkPacket& packet) noexcept;

    /// Takes one fragment seen at `ts`. When it completes its datagram, returns the whole packet;
    /// the view stays valid until the next call.
    std::optional<NetworkPacket> add(const NetworkPacket& fragment, Timestamp ts);

    const DefragStats& stats() const noexcept { return stats_; }
    std::size_t pending() const noexcept { return datagrams_.size(); }

private:
    struct Key {
        std::uint8_t version = 4;
        std::uint8_t protocol = 0;   // IPv4 only
        std::uint32_t id = 0;
        std::array<std::uint8_t, 16> src{};
        std::array<std::uint8_t, 16> dst{};
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct Datagram {
        Key key;
        Timestamp first_ts;
        std::vector<std::uint8_t> header;    // IPv4: the first fragment's; IPv6: the fixed header
        std::uint8_t next_header = 0;        // IPv6: the protocol after the fragment header
        std::vector<std::uint8_t> payload;   // bytes from offset 0, grown as fragments come
        std::vector<std::pair<std::uint32_t, std::uint32_t>> have;  // [start, end), sorted, merged
        std::optional<std::uint32_t> end;    // known from the last fragment
    };

    void drop(std::list<Datagram>::iterator it) noexcept;
    void expire(Timestamp now);

    DefragOptions options_;
    DefragStats stats_;
    std::list<Datagram> datagrams_;  // oldest first
    std::size_t held_ = 0;           // payload bytes held
    std::vector<std::uint8_t> out_;  // the last datagram completed
};

}  // namespace mqttlens::capture
