#include "capture/pcap_writer.hpp"

#include "capture/ip_header.hpp"
#include "capture/tcp_segment.hpp"

#include <algorithm>

namespace mqttlens::capture {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(std::uint8_t(v >> 8));
    out.push_back(std::uint8_t(v));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    put16(out, std::uint16_t(v >> 16));
    put16(out, std::uint16_t(v));
}
using ip::set_be16;

/// RFC 1071 one's-complement sum, not yet folded.
std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += std::uint32_t(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += std::uint32_t(p[n - 1] << 8);
    return sum;
}
std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

std::vector<std::uint8_t> build_tcp(const TcpSegmentSpec& s) {
    std::vector<std::uint8_t> tcp;
    tcp.reserve(20 + s.payload.size());
    put16(tcp, s.src.port);
    put16(tcp, s.dst.port);
    put32(tcp, s.seq);
    put32(tcp, (s.flags & tcp_flag::ack) ? s.ack : 0);
    tcp.push_back(5 << 4);  // data offset: 20 bytes, no options
    tcp.push_back(s.flags);
    put16(tcp, s.window);
    put16(tcp, 0);  // checksum, below
    put16(tcp, 0);  // urgent pointer
    tcp.insert(tcp.end(), s.payload.begin(), s.payload.end());
    return tcp;
}

/// TCP checksum over the pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1) and the segment.
void checksum_tcp(std::vector<std::uint8_t>& tcp, const Endpoint& src, const Endpoint& dst) {
    const std::size_t addr = src.ip.version == 6 ? 16 : 4;
    std::uint32_t sum = sum16(src.ip.bytes.data(), addr);
    sum = sum16(dst.ip.bytes.data(), addr, sum);
    sum += 6;  // protocol
    sum += std::uint32_t(tcp.size() >> 16) + std::uint32_t(tcp.size() & 0xFFFF);
    sum = sum16(tcp.data(), tcp.size(), sum);
    set_be16(tcp.data() + 16, fold(sum));
}

std::vector<std::uint8_t> ipv6_extension(std::uint8_t type, std::uint8_t next) {
    switch (type) {
        case 44:  // fragment: next, reserved, offset 0 / M 0, identification
            return {next, 0, 0, 0, 0, 0, 0x12, 0x34};
        case 51:  // AH: next, length (4-octet units - 2), reserved, SPI, sequence, 4-byte ICV
            return {next, 2, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD};
        case 43:  // routing: type 0, segments left 0
            return {next, 0, 0, 0, 0, 0, 0, 0};
        default:  // hop-by-hop, destination options: a PadN option of 4 bytes
            return {next, 0, 1, 4, 0, 0, 0, 0};
    }
}

}  // namespace

std::vector<std::uint8_t> build_ip_packet(const TcpSegmentSpec& s) {
    std::vector<std::uint8_t> tcp = build_tcp(s);
    checksum_tcp(tcp, s.src, s.dst);
    std::vector<std::uint8_t> ip;
    if (s.src.ip.version == 6) {
        std::vector<std::uint8_t> extensions;
        for (std::size_t i = 0; i < s.ipv6_extensions.size(); ++i) {
            const std::uint8_t next = i + 1 < s.ipv6_extensions.size() ? s.ipv6_extensions[i + 1] : 6;
            const auto h = ipv6_extension(s.ipv6_extensions[i], next);
            extensions.insert(extensions.end(), h.begin(), h.end());
        }
        put32(ip, 0x60000000);
        put16(ip, static_cast<std::uint16_t>(extensions.size() + tcp.size()));
        ip.push_back(s.ipv6_extensions.empty() ? 6 : s.ipv6_extensions.front());
        ip.push_back(64);  // hop limit
        ip.insert(ip.end(), s.src.ip.bytes.begin(), s.src.ip.bytes.end());
        ip.insert(ip.end(), s.dst.ip.bytes.begin(), s.dst.ip.bytes.end());
        ip.insert(ip.end(), extensions.begin(), extensions.end());
    } else {
        ip.push_back(0x45);
        ip.push_back(0);
        put16(ip, static_cast<std::uint16_t>(20 + tcp.size()));
        put16(ip, 0x1234);  // identification
        std::uint16_t fragment = s.ipv4_fragment_offset & 0x1FFF;
        if (s.ipv4_more_fragments) fragment |= 0x2000;
        if (fragment == 0) fragment = 0x4000;  // DF
        put16(ip, fragment);
        ip.push_back(64);  // TTL
        ip.push_back(6);   // TCP
        put16(ip, 0);      // checksum, below
        ip.insert(ip.end(), s.src.ip.bytes.begin(), s.src.ip.bytes.begin() + 4);
        ip.insert(ip.end(), s.dst.ip.bytes.begin(), s.dst.ip.bytes.begin() + 4);
        set_be16(ip.data() + 10, fold(sum16(ip.data(), 20)));
    }
    ip.insert(ip.end(), tcp.begin(), tcp.end());
    return ip;
}

PcapWriter::PcapWriter(WriterOptions options) : options_(std::move(options)) { write_header(); }

PcapWriter::PcapWriter(std::FILE* out, WriterOptions options) : out_(out), options_(std::move(options)) {
    write_header();
}

PcapWriter::~PcapWriter() { flush(); }

void PcapWriter::put(const void* data, std::size_t size) {
    if (out_) {
        if (std::fwrite(data, 1, size, out_) != size) ok_ = false;
    } else {
        const auto* p = static_cast<const std::uint8_t*>(data);
        memory_.insert(memory_.end(), p, p + size);
    }
}

void PcapWriter::write_header() {
    const auto link = static_cast<std::uint32_t>(
        options_.link_type_override >= 0 ? options_.link_type_override : static_cast<int>(options_.link));
    // Host byte order: readers tell it from the magic number.
    struct {
        std::uint32_t magic;
        std::uint16_t major, minor;
        std::int32_t thiszone;
        std::uint32_t sigfigs, snaplen, linktype;
    } header{options_.nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u, 2, 4, 0, 0, options_.snaplen, link};
    put(&header, sizeof header);
}

void PcapWriter::write_frame(Timestamp ts, Bytes frame, std::uint32_t original_length) {
    const std::uint32_t caplen = std::min<std::uint32_t>(static_cast<std::uint32_t>(frame.size()), options_.snaplen);
    const std::uint32_t record[4] = {
        static_cast<std::uint32_t>(ts.sec),
        options_.nanosecond ? ts.nsec : ts.nsec / 1000,
        caplen,
        original_length ? original_length : static_cast<std::uint32_t>(frame.size()),
    };
    put(record, sizeof record);
    put(frame.data(), caplen);
}

void PcapWriter::write(const TcpSegmentSpec& segment) { write_ip(segment.ts, build_ip_packet(segment)); }

void PcapWriter::write_ip(Timestamp ts, Bytes ip) {
    const bool v6 = !ip.empty() && ip[0] >> 4 == 6;
    const std::uint16_t ethertype = v6 ? 0x86DD : 0x0800;
    frame_.clear();
    switch (options_.link) {
        case WriterLink::ethernet: {
            static constexpr std::uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
            frame_.insert(frame_.end(), macs, macs + 12);
            for (const VlanTag& tag : options_.vlan) {
                put16(frame_, tag.tpid);
                put16(frame_, tag.id & 0x0FFF);
            }
            put16(frame_, ethertype);
            break;
        }
        case WriterLink::raw:
            break;
        case WriterLink::linux_sll:
            // Packet type (host), ARPHRD_LOOPBACK, address length, address, protocol.
            put16(frame_, 0);
            put16(frame_, 772);
            put16(frame_, 6);
            for (int i = 0; i < 8; ++i) frame_.push_back(0);
            put16(frame_, ethertype);
            break;
        case WriterLink::linux_sll2:
            // Protocol, reserved, interface index, ARPHRD_LOOPBACK, packet type, address length,
            // address.
            put16(frame_, ethertype);
            put16(frame_, 0);
            put32(frame_, 1);
            put16(frame_, 772);
            frame_.push_back(0);
            frame_.push_back(6);
            for (int i = 0; i < 8; ++i) frame_.push_back(0);
            break;
        case WriterLink::null: {
            const std::uint32_t family = v6 ? 30 : 2;
            for (int i = 0; i < 4; ++i) frame_.push_back(std::uint8_t(family >> (8 * i)));
            break;
        }
    }
    frame_.insert(frame_.end(), ip.begin(), ip.end());
    write_frame(ts, frame_);
}

std::vector<std::vector<std::uint8_t>> fragment_ip_packet(Bytes ip, std::size_t max_data, std::uint32_t id) {
    std::vector<std::vector<std::uint8_t>> out;
    const std::size_t step = std::max<std::size_t>(8, max_data / 8 * 8);
    const bool v6 = !ip.empty() && ip[0] >> 4 == 6;
    const std::size_t header = v6 ? 40 : std::size_t(ip[0] & 0x0F) * 4;
    const Bytes data = ip.subspan(header);
    for (std::size_t at = 0; at < data.size(); at += step) {
        const std::size_t n = std::min(step, data.size() - at);
        const bool more = at + n < data.size();
        std::vector<std::uint8_t> f(ip.begin(), ip.begin() + static_cast<std::ptrdiff_t>(header));
        if (v6) {
            const std::uint8_t next = f[6];
            f[6] = 44;  // a fragment header follows
            const std::uint16_t offset_flags = static_cast<std::uint16_t>(at | (more ? 1 : 0));
            const std::uint8_t fh[8] = {next, 0, std::uint8_t(offset_flags >> 8), std::uint8_t(offset_flags),
                                        std::uint8_t(id >> 24), std::uint8_t(id >> 16), std::uint8_t(id >> 8),
                                        std::uint8_t(id)};
            f.insert(f.end(), fh, fh + 8);
            set_be16(f.data() + 4, static_cast<std::uint16_t>(8 + n));
        } else {
            set_be16(f.data() + 2, static_cast<std::uint16_t>(header + n));
            set_be16(f.data() + 4, static_cast<std::uint16_t>(id));
            set_be16(f.data() + 6, static_cast<std::uint16_t>((at / 8) | (more ? 0x2000 : 0)));
            set_be16(f.data() + 10, 0);
            set_be16(f.data() + 10, fold(sum16(f.data(), header)));
        }
        f.insert(f.end(), data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + n));
        out.push_back(std::move(f));
    }
    return out;
}

void PcapWriter::flush() {
    if (out_ && std::fflush(out_) != 0) ok_ = false;
}

TcpConversation::TcpConversation(Endpoint client, Endpoint server, std::uint32_t client_isn,
                                 std::uint32_t server_isn)
    : client_(client), server_(server), seq_{client_isn, server_isn} {}

TcpSegmentSpec TcpConversation::make(Side side, std::uint32_t seq, std::uint8_t flags, Bytes payload) {
    TcpSegmentSpec s;
    s.src = endpoint(side);
    s.dst = endpoint(side == Side::client ? Side::server : Side::client);
    s.seq = seq;
    s.ack = seq_[1 - index(side)];
    s.flags = flags;
    s.payload.assign(payload.begin(), payload.end());
    s.ts = clock_;
    clock_.nsec += step_ns_;
    while (clock_.nsec >= 1'000'000'000u) {
        clock_.nsec -= 1'000'000'000u;
        ++clock_.sec;
    }
    return s;
}

std::vector<TcpSegmentSpec> TcpConversation::handshake() {
    // Each SYN consumes a sequence number before the next segment acknowledges it.
    return {make(Side::client, seq_[0]++, tcp_flag::syn, {}),
            make(Side::server, seq_[1]++, tcp_flag::syn | tcp_flag::ack, {}),
            make(Side::client, seq_[0], tcp_flag::ack, {})};
}

TcpSegmentSpec TcpConversation::data(Side side, Bytes payload) {
    TcpSegmentSpec s = make(side, seq_[index(side)], tcp_flag::psh | tcp_flag::ack, payload);
    seq_[index(side)] += static_cast<std::uint32_t>(payload.size());
    return s;
}

std::vector<TcpSegmentSpec> TcpConversation::data_split(Side side, Bytes payload,
                                                        const std::vector<std::size_t>& cuts) {
    std::vector<TcpSegmentSpec> out;
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        out.push_back(data(side, payload.subspan(from, cut - from)));
        from = cut;
    }
    out.push_back(data(side, payload.subspan(from)));
    return out;
}

TcpSegmentSpec TcpConversation::data_at(Side side, std::uint32_t seq, Bytes payload) {
    return make(side, seq, tcp_flag::psh | tcp_flag::ack, payload);
}

TcpSegmentSpec TcpConversation::ack(Side side) { return make(side, seq_[index(side)], tcp_flag::ack, {}); }

TcpSegmentSpec TcpConversation::fin(Side side) {
    TcpSegmentSpec s = make(side, seq_[index(side)], tcp_flag::fin | tcp_flag::ack, {});
    ++seq_[index(side)];
    return s;
}

TcpSegmentSpec TcpConversation::rst(Side side) {
    return make(side, seq_[index(side)], tcp_flag::rst | tcp_flag::ack, {});
}

std::vector<TcpSegmentSpec> TcpConversation::close(Side first) {
    return {fin(first), fin(first == Side::client ? Side::server : Side::client), ack(first)};
}

void TcpConversation::skip(Side side, std::uint32_t n) noexcept { seq_[index(side)] += n; }

}  // namespace mqttlens::capture
