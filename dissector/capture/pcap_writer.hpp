// Pcap writer: synthetic TCP conversations as classic pcap files, for tests and mqtt-craft.
//
// Frames are built whole: link layer (Ethernet with optional VLAN tags, Linux cooked v1/v2,
// BSD loopback, or raw IP), IPv4 or IPv6 (optionally with extension headers), TCP with correct
// IP and TCP checksums.
#pragma once

#include "capture/capture_source.hpp"
#include "capture/endpoint.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace mqttlens::capture {

/// Values are the LINKTYPE_ numbers written in the file header.
enum class WriterLink : std::uint16_t {
    ethernet = 1,      ///< LINKTYPE_ETHERNET
    raw = 101,         ///< LINKTYPE_RAW: the IP packet alone
    linux_sll = 113,   ///< LINKTYPE_LINUX_SLL, Linux cooked v1
    linux_sll2 = 276,  ///< LINKTYPE_LINUX_SLL2, Linux cooked v2
    null = 0,          ///< LINKTYPE_NULL: 4-byte address family, little-endian (AF_INET6 = 30)
};

struct VlanTag {
    std::uint16_t tpid = 0x8100;  ///< 0x8100 (802.1Q), 0x88a8 or 0x9100 (QinQ outer tags)
    std::uint16_t id = 1;
};

struct WriterOptions {
    WriterLink link = WriterLink::ethernet;
    std::vector<VlanTag> vlan;   ///< Ethernet only: tags outermost first
    std::uint32_t snaplen = 262144;
    bool nanosecond = false;     ///< write the nanosecond-resolution magic
    int link_type_override = -1; ///< write this LINKTYPE in the header instead (for error tests)
};

/// One TCP segment to write; the writer fills in lengths and checksums.
struct TcpSegmentSpec {
    Endpoint src;
    Endpoint dst;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t flags = 0;  ///< tcp_flag bits
    std::uint16_t window = 65535;
    std::vector<std::uint8_t> payload;
    Timestamp ts;
    /// IPv6 only: extension headers to insert before TCP, by Next Header value: 0 hop-by-hop,
    /// 43 routing, 44 fragment (an atomic one: offset 0, no more fragments), 51 AH, 60 destination.
    std::vector<std::uint8_t> ipv6_extensions;
    /// IPv4 only: fragment offset (8-byte units) and More Fragments, to test fragment handling.
    std::uint16_t ipv4_fragment_offset = 0;
    bool ipv4_more_fragments = false;
};

/// The IP packet (header(s) and TCP) for `segment`, with correct checksums.
std::vector<std::uint8_t> build_ip_packet(const TcpSegmentSpec& segment);

/// Cuts an unfragmented IP packet (as build_ip_packet() makes: IPv4, or IPv6 whose extension
/// headers are none of hop-by-hop, routing and fragment) into fragments carrying at most
/// `max_data` bytes each (rounded down to a multiple of 8), in order. IPv4 fragments repeat the
/// header with the offset and More Fragments set (and a fresh header checksum); IPv6 fragments
/// insert a fragment header (identification `id`) after the fixed header.
std::vector<std::vector<std::uint8_t>> fragment_ip_packet(Bytes ip, std::size_t max_data, std::uint32_t id = 0x1234);

/// Writes a classic pcap stream to a FILE, or into memory when constructed without one.
class PcapWriter {
public:
    /// In memory: read the result with bytes().
    explicit PcapWriter(WriterOptions options = {});
    /// To `out` (not closed by the writer; flushed by flush() and the destructor).
    PcapWriter(std::FILE* out, WriterOptions options);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    /// Writes one record holding `frame` (already link-framed). `original_length` 0: frame size.
    void write_frame(Timestamp ts, Bytes frame, std::uint32_t original_length = 0);
    /// Wraps `segment` in the link layer chosen in the options and writes it.
    void write(const TcpSegmentSpec& segment);
    /// Wraps an IP packet (IPv4 or IPv6, by its version nibble) in the link layer and writes it.
    void write_ip(Timestamp ts, Bytes ip);
    void flush();

    /// Everything written so far (memory mode; empty when writing to a FILE).
    const std::vector<std::uint8_t>& bytes() const noexcept { return memory_; }
    /// False once a write to the FILE failed.
    bool ok() const noexcept { return ok_; }

private:
    void put(const void* data, std::size_t size);
    void write_header();

    std::FILE* out_ = nullptr;
    WriterOptions options_;
    std::vector<std::uint8_t> memory_;
    std::vector<std::uint8_t> frame_;  // reused for each frame
    bool ok_ = true;
};

enum class Side : std::uint8_t { client, server };

/// Builds the segments of one TCP conversation with consistent sequence and acknowledgement
/// numbers. Each segment gets the conversation clock, which then advances by `step`.
class TcpConversation {
public:
    TcpConversation(Endpoint client, Endpoint server, std::uint32_t client_isn = 1000,
                    std::uint32_t server_isn = 50000);

    /// SYN, SYN/ACK, ACK.
    std::vector<TcpSegmentSpec> handshake();
    /// One data segment (PSH/ACK) at the side's next sequence number; advances it.
    TcpSegmentSpec data(Side side, Bytes payload);
    /// Data cut into segments at the given offsets (increasing, inside the payload).
    std::vector<TcpSegmentSpec> data_split(Side side, Bytes payload, const std::vector<std::size_t>& cuts);
    /// One data segment at an explicit sequence number; the side's next sequence is unchanged.
    TcpSegmentSpec data_at(Side side, std::uint32_t seq, Bytes payload);
    /// A pure ACK from `side`.
    TcpSegmentSpec ack(Side side);
    /// FIN/ACK from `side` (consumes one sequence number).
    TcpSegmentSpec fin(Side side);
    /// RST/ACK from `side`.
    TcpSegmentSpec rst(Side side);
    /// FIN from `first`, FIN from the other side, last ACK.
    std::vector<TcpSegmentSpec> close(Side first = Side::client);
    /// Advances `side`'s sequence number by `n` without a segment: those bytes are lost.
    void skip(Side side, std::uint32_t n) noexcept;

    std::uint32_t next_seq(Side side) const noexcept { return seq_[index(side)]; }
    void set_time(Timestamp ts) noexcept { clock_ = ts; }
    Timestamp time() const noexcept { return clock_; }
    void set_step_ns(std::uint32_t ns) noexcept { step_ns_ = ns; }
    const Endpoint& endpoint(Side side) const noexcept { return side == Side::client ? client_ : server_; }

private:
    static int index(Side s) noexcept { return s == Side::client ? 0 : 1; }
    TcpSegmentSpec make(Side side, std::uint32_t seq, std::uint8_t flags, Bytes payload);

    Endpoint client_;
    Endpoint server_;
    std::uint32_t seq_[2];
    Timestamp clock_{1700000000, 0};
    std::uint32_t step_ns_ = 1'000'000;
};

}  // namespace mqttlens::capture
