// fuzz_craft: the encoder with overrides; the decoder's diagnosis must match the breakage asked for.
// One input in eight also writes the packet into a capture and reads it back as mqtt-dissect does.
//
// Input: read front to back by fuzz::Reader. First a packet value (type, flags, fields: strings
// drawn from a pool of interesting values or from the input), then a mask choosing overrides
// (byte 0, type, flags, Remaining Length value / width / raw bytes, string length prefixes,
// truncation, trailing bytes) and their values. On the capture path (one input in eight, by a
// hash of all its bytes, so that a crash replays) the capture's shape follows: IPv4 or IPv6,
// nanosecond timestamps, IP fragments, how the connection ends, the clock; the link type
// (Ethernet with 0 to 3 VLAN tags, raw IP, Linux cooked v1 / v2, BSD loopback); IPv6 extension
// headers; both initial sequence numbers; where the data is cut into segments; fragment size.
//
// Properties (abort on violation), checked on decode(encode(p, overrides)):
//   - type 0 or 15 in byte 0 => reserved_packet_type;
//   - non-PUBLISH flags other than Table 2.2's => a flags diagnostic; PUBLISH QoS 3 =>
//     publish_qos_invalid; DUP with QoS 0 => publish_dup_qos0;
//   - Remaining Length width 2..4 above the minimum => remaining_length_non_minimal (a warning);
//     width 5 or more => remaining_length_malformed;
//   - Remaining Length value other than the body size, or truncation, => not valid;
//   - trailing bytes => packet_length_mismatch;
//   - no overrides => canonical output, and if it decodes valid with a consistent value (a CONNECT
//     at level 3 or 4), the decoded body equals the value and re-encodes to the same bytes;
//   - write_remaining_length / read_remaining_length agree for every value and width 1..4;
//   - capture path, when the encoded bytes are exactly one packet (byte 0, a Remaining Length
//     that reads, that many bytes after it): written by capture::PcapWriter (in memory) as a TCP
//     conversation to port 1883 (handshake; the bytes from the client in segments, as IP
//     fragments or not; the server's ACK; a FIN close, a RST or nothing) and read back through
//     CaptureSource::open_memory, the Dissector and the Engine, every record is TCP (none
//     malformed, no datagram dropped); the engine opens one connection and hands over exactly
//     one packet, client to server, at stream offset 0, equal to the encoded bytes, in the record
//     that carried its last byte; no stream event; the connection closes as written (FIN, RST,
//     capture end). Every type and byte 0 qualifies, reserved types, wrong flags and non-minimal
//     lengths included: on an MQTT port after a SYN the engine frames from the first byte and
//     hands over whatever frames, CONNECT first or not; bytes that are not one packet
//     (truncated, trailing bytes, a Remaining Length that is malformed or disagrees) are not
//     written. (This property found that the Dissector counted IPv6 fragments whose fragment
//     header led to destination options or AH, RFC 8200 §4.5, as not TCP, and lost them.)
#include "fuzz_common.hpp"

#include "capture/capture_source.hpp"
#include "capture/dissector.hpp"
#include "capture/pcap_writer.hpp"
#include "engine/engine.hpp"
#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

using namespace mqttlens;
using mqtt::Bytes;
using mqtt::Code;
using mqtt::PacketType;

namespace {

constexpr std::array<std::string_view, 24> pool = {
    "", "a", "a/b", "sensors/+/temp", "#", "a/#", "+", "+/+/#", "$SYS/broker/load", "$share/g/t",
    "client-1", "MQTT", "MQIsdp", std::string_view("a\0b", 3), "\xC0\x80", "\xED\xA0\x80",
    "\xEF\xBB\xBF" "bom", "\xF4\x90\x80\x80", "\x7F\x01", "\xEF\xBF\xBF", "caf\xC3\xA9", "a#", "a+/b",
    "/",
};

/// A string from the pool or straight from the input.
std::string_view text(fuzz::Reader& in) {
    const std::uint8_t pick = in.u8();
    if (pick < 0xC0) return pool[pick % pool.size()];
    return mqtt::as_string(in.take(40));
}

struct Built {
    mqtt::Packet packet;
    bool consistent = true;  ///< flags and optional fields agree, so decode must give the value back
};

Built build(fuzz::Reader& in, std::vector<std::uint8_t>& storage) {
    const auto type = static_cast<PacketType>(1 + in.u8() % 14);
    Built b;
    std::uint8_t publish_flags = 0;
    mqtt::Body body = mqtt::Empty{};
    switch (type) {
        case PacketType::connect: {
            mqtt::Connect c;
            const std::uint8_t shape = in.u8();
            if (shape & 0x01) c.protocol_name = text(in);
            if (shape & 0x02) c.protocol_level = in.u8();
            c.keep_alive = in.u16();
            c.client_id = text(in);
            if (shape & 0x04) c.will = mqtt::Will{text(in), mqtt::as_bytes(text(in))};
            if (shape & 0x08) c.username = text(in);
            if (shape & 0x10) c.password = mqtt::as_bytes(text(in));
            const std::uint8_t will_qos = c.will ? (in.u8() % 3) : 0;
            c.flags = mqtt::Connect::make_flags(shape & 0x20, c.will.has_value(), will_qos,
                                                c.will && (shape & 0x40), c.username.has_value(),
                                                c.password.has_value());
            if (shape & 0x80) {
                c.flags = in.u8();
                b.consistent = false;
            }
            body = c;
            break;
        }
        case PacketType::connack:
            body = mqtt::Connack{in.u8(), in.u8()};
            break;
        case PacketType::publish: {
            publish_flags = in.u8() & 0x0F;
            mqtt::Publish p;
            p.topic = text(in);
            if ((publish_flags >> 1) & 0x03) p.packet_id = in.u16();
            p.payload = in.take(200);
            body = p;
            break;
        }
        case PacketType::subscribe: {
            std::vector<mqtt::Subscription> subs(in.u8() % 4);
            for (auto& s : subs) s = {text(in), static_cast<std::uint8_t>(in.u8() % 5 == 0 ? in.u8() : in.u8() % 3)};
            body = mqtt::Subscribe{in.u16(), mqtt::build_subscriptions(storage, subs)};
            break;
        }
        case PacketType::suback:
            body = mqtt::Suback{in.u16(), in.take(6)};
            break;
        case PacketType::unsubscribe: {
            std::vector<std::string_view> filters(in.u8() % 4);
            for (auto& f : filters) f = text(in);
            body = mqtt::Unsubscribe{in.u16(), mqtt::build_filters(storage, filters)};
            break;
        }
        case PacketType::puback: case PacketType::pubrec: case PacketType::pubrel:
        case PacketType::pubcomp: case PacketType::unsuback:
            body = mqtt::Ack{in.u16()};
            break;
        default:
            break;
    }
    b.packet = mqtt::make_packet(type, body, publish_flags);
    return b;
}

bool has_flags_diagnostic(const mqtt::Packet& p) {
    for (Code c : {Code::invalid_fixed_header_flags, Code::pubrel_flags, Code::subscribe_flags,
                   Code::unsubscribe_flags, Code::disconnect_flags})
        if (p.diagnostics.has(c)) return true;
    return false;
}

std::size_t minimal_width(std::uint32_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
}

void check_length_codec(fuzz::Reader& in) {
    const std::uint32_t value = in.u32() & 0x0FFFFFFF;
    const auto width = static_cast<std::uint8_t>(in.u8() % 5);
    std::vector<std::uint8_t> out;
    const std::size_t n = mqtt::write_remaining_length(value, out, width);
    MQTTLENS_FUZZ_CHECK(n == out.size() && n == std::max<std::size_t>(width, minimal_width(value)), out);
    const mqtt::LengthResult r = mqtt::read_remaining_length(out);
    MQTTLENS_FUZZ_CHECK(r.status == mqtt::LengthResult::Status::ok && r.value == value && r.size == n, out);
}

/// One input in eight, by a hash (FNV-1a) of all its bytes.
bool one_in_eight(Bytes input) noexcept {
    std::uint32_t hash = 2166136261u;
    for (std::uint8_t b : input) hash = (hash ^ b) * 16777619u;
    return hash >> 29 == 0;
}

/// True when `bytes` are exactly one packet: byte 0, a Remaining Length that reads, that many bytes.
bool one_whole_packet(Bytes bytes) noexcept {
    if (bytes.size() < 2) return false;
    const mqtt::LengthResult r = mqtt::read_remaining_length(bytes.subspan(1));
    return r.status == mqtt::LengthResult::Status::ok && 1 + r.size + std::size_t(r.value) == bytes.size();
}

/// What the engine makes of the capture written from one packet, counted; the packet is checked
/// as it comes: from the client, at stream offset 0, equal to `expected`, in record `last_frame`.
class OnePacket final : public engine::Listener {
public:
    OnePacket(Bytes expected, std::uint64_t last_frame) : expected_(expected), last_frame_(last_frame) {}

    void on_open(const engine::ConnectionInfo&) override { ++opened; }
    void on_packet(const engine::Delivery& d, const engine::PacketSeen& p) override {
        ++packets;
        MQTTLENS_FUZZ_CHECK(d.direction == mqtt::Direction::c2s, p.bytes);
        MQTTLENS_FUZZ_CHECK(p.stream_offset == 0 && mqtt::same_bytes(p.bytes, expected_), p.bytes, expected_);
        MQTTLENS_FUZZ_CHECK(d.frame == last_frame_, p.bytes);
    }
    void on_event(const engine::ConnectionInfo&, const engine::Conversation&, const engine::StreamEvent&) override {
        ++events;
    }
    void on_close(const engine::ConnectionInfo&, const engine::Conversation&, const engine::Closing& end) override {
        ++closed;
        reason = end.reason;
    }

    int opened = 0;
    int packets = 0;
    int events = 0;
    int closed = 0;
    capture::CloseReason reason = capture::CloseReason::capture_end;

private:
    Bytes expected_;
    std::uint64_t last_frame_;
};

constexpr std::array links = {capture::WriterLink::ethernet, capture::WriterLink::raw, capture::WriterLink::linux_sll,
                              capture::WriterLink::linux_sll2, capture::WriterLink::null};
constexpr std::array<std::uint16_t, 3> vlan_tpids = {0x8100, 0x88a8, 0x9100};
// The IPv6 extension headers PcapWriter builds.
constexpr std::array<std::uint8_t, 5> ipv6_extensions = {0, 43, 44, 51, 60};
constexpr std::array<std::uint8_t, 2> fragmentable_extensions = {51, 60};
constexpr std::uint8_t client_ipv6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
constexpr std::uint8_t server_ipv6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

/// Writes `packet` (one whole packet) as the client's data in a TCP conversation to port 1883,
/// shaped by the input, into an in-memory pcap, and reads it back through the capture layer and
/// the engine: they must hand over that packet alone.
void check_capture(Bytes packet, fuzz::Reader& in) {
    using capture::Side;
    const std::uint8_t shape = in.u8();
    const bool v6 = shape & 0x01;
    const bool fragments = shape & 0x04;
    const unsigned ending = (shape >> 3) & 3;  // nothing, FIN from the client first, from the server, RST
    capture::WriterOptions options;
    options.nanosecond = shape & 0x02;
    options.link = links[in.u8() % links.size()];
    if (options.link == capture::WriterLink::ethernet) {
        options.vlan.resize(in.u8() % 4);
        for (capture::VlanTag& tag : options.vlan) tag = {vlan_tpids[in.u8() % vlan_tpids.size()], in.u16()};
    }
    // fragment_ip_packet() inserts its fragment header after the fixed header: what follows it
    // may be destination options and AH (RFC 8200 §4.5), not hop-by-hop, routing or fragment.
    std::vector<std::uint8_t> extensions(v6 ? in.u8() % 5 : 0);
    for (std::uint8_t& e : extensions)
        e = fragments ? fragmentable_extensions[in.u8() % fragmentable_extensions.size()]
                      : ipv6_extensions[in.u8() % ipv6_extensions.size()];

    using capture::IpAddress;
    const capture::Endpoint client{v6 ? IpAddress::v6(client_ipv6) : IpAddress::v4(192, 0, 2, 1), 50000};
    const capture::Endpoint server{v6 ? IpAddress::v6(server_ipv6) : IpAddress::v4(192, 0, 2, 2), 1883};
    const std::uint32_t client_isn = in.u32();  // before the server's: arguments have no order
    capture::TcpConversation conversation(client, server, client_isn, in.u32());
    if (shape & 0x20) {
        conversation.set_time({1700000000 + in.u16(), in.u32() % 1'000'000'000u});
        conversation.set_step_ns(in.u32());
    }
    std::vector<std::size_t> cuts(in.u8() % 8);
    for (std::size_t& cut : cuts) cut = in.u16() % packet.size();
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    if (!cuts.empty() && cuts.front() == 0) cuts.erase(cuts.begin());
    const std::size_t fragment_data = in.u8();

    capture::PcapWriter writer(options);
    std::uint64_t records = 0;
    const auto write = [&](capture::TcpSegmentSpec s) {
        s.ipv6_extensions = extensions;
        writer.write(s);
        ++records;
    };
    for (const capture::TcpSegmentSpec& s : conversation.handshake()) write(s);
    std::uint32_t ip_id = 0;
    for (capture::TcpSegmentSpec& s : conversation.data_split(Side::client, packet, cuts)) {
        if (!fragments) {
            write(std::move(s));
            continue;
        }
        s.ipv6_extensions = extensions;
        for (const auto& fragment : capture::fragment_ip_packet(capture::build_ip_packet(s), fragment_data, ++ip_id)) {
            writer.write_ip(s.ts, fragment);
            ++records;
        }
    }
    const std::uint64_t last_data = records;  // frame numbers count from 1
    write(conversation.ack(Side::server));
    capture::CloseReason reason = capture::CloseReason::capture_end;
    if (ending == 1 || ending == 2) {
        for (const capture::TcpSegmentSpec& s : conversation.close(ending == 1 ? Side::client : Side::server)) write(s);
        reason = capture::CloseReason::fin;
    } else if (ending == 3) {
        write(conversation.rst(Side::client));
        reason = capture::CloseReason::rst;
    }

    auto opened = capture::CaptureSource::open_memory(writer.bytes());
    MQTTLENS_FUZZ_CHECK(opened, packet);
    OnePacket sink(packet, last_data);
    engine::Engine engine(sink);
    capture::Dissector dissector(engine);
    MQTTLENS_FUZZ_CHECK(dissector.run(*opened.source).status == capture::RunResult::Status::end, packet);
    const capture::DissectorStats& stats = dissector.stats();
    MQTTLENS_FUZZ_CHECK(stats.records == records && stats.not_ip == 0 && stats.not_tcp == 0 && stats.malformed == 0,
                        packet);
    MQTTLENS_FUZZ_CHECK(stats.ip.dropped == 0, packet);
    MQTTLENS_FUZZ_CHECK(sink.opened == 1 && sink.packets == 1 && sink.events == 0, packet);
    MQTTLENS_FUZZ_CHECK(sink.closed == 1 && sink.reason == reason, packet);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(Bytes(data, size));
    std::vector<std::uint8_t> storage;
    storage.reserve(1024);  // the lists view it: it must not move
    const Built built = build(in, storage);
    const mqtt::Packet& packet = built.packet;

    std::vector<std::uint8_t> canonical;
    mqtt::encode(packet, canonical);
    const mqtt::LengthResult canon_len = mqtt::read_remaining_length(Bytes(canonical).subspan(1));
    MQTTLENS_FUZZ_CHECK(canon_len.status == mqtt::LengthResult::Status::ok, canonical);
    const std::uint32_t real_length = canon_len.value;
    MQTTLENS_FUZZ_CHECK(canonical.size() == 1 + canon_len.size + real_length, canonical);

    const std::uint8_t mask = in.u8();
    mqtt::EncodeOverrides o;
    if (mask & 0x01) {
        const std::uint8_t which = in.u8();
        if (which & 1) o.first_byte = in.u8();
        if (which & 2) o.type = in.u8() & 0x0F;
        if (which & 4) o.flags = in.u8() & 0x0F;
    }
    if (mask & 0x02) {
        switch (in.u8() % 3) {
            case 0: o.remaining_length = in.u32() & 0x0FFFFFFF; break;
            case 1: o.remaining_length_width = static_cast<std::uint8_t>(1 + in.u8() % 5); break;
            default: {
                const Bytes raw = in.take(6);
                o.remaining_length_bytes = std::vector<std::uint8_t>(raw.begin(), raw.end());
            }
        }
    }
    if (mask & 0x04) {
        const std::uint8_t n = in.u8() % 3;
        for (std::uint8_t i = 0; i < n; ++i)
            o.length_prefixes.push_back({static_cast<mqtt::Field>(in.u8() % 22), in.u8() % 3u, in.u16()});
    }
    if (mask & 0x08) o.truncate = in.u16() % (canonical.size() + 8);
    if (mask & 0x10) {
        const Bytes tail = in.take(16);
        o.append.assign(tail.begin(), tail.end());
    }
    check_length_codec(in);

    mqtt::EncodeOverrides uncut = o;
    uncut.truncate.reset();
    uncut.append.clear();
    std::vector<std::uint8_t> full;
    mqtt::encode(packet, full, uncut);

    std::vector<std::uint8_t> out;
    const std::size_t written = mqtt::encode(packet, out, o);
    MQTTLENS_FUZZ_CHECK(written == out.size(), out);
    const fuzz::ExactCopy copy(out);
    const mqtt::Packet q = mqtt::decode(copy.bytes());
    volatile unsigned sink = fuzz::check_decoded(q, copy.bytes());
    (void)sink;

    const bool length_kept = !o.remaining_length && !o.remaining_length_bytes;
    const bool whole = !o.truncate || *o.truncate >= full.size();
    const bool complete = whole && length_kept && (!o.remaining_length_width || *o.remaining_length_width <= 4);
    // Before the diagnosis below, which stops early on some inputs: the capture path needs only `out`.
    if (one_in_eight(Bytes(data, size)) && one_whole_packet(out)) check_capture(out, in);

    if (out.empty() || q.diagnostics.dropped() != 0) return 0;
    const std::uint8_t fb = out[0];
    const auto type = static_cast<PacketType>(fb >> 4);

    if (type == PacketType::reserved0 || type == PacketType::reserved15)
        MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::reserved_packet_type), copy.bytes());
    else if (type != PacketType::publish && (fb & 0x0F) != mqtt::required_flags(type))
        MQTTLENS_FUZZ_CHECK(has_flags_diagnostic(q), copy.bytes());
    else if (type == PacketType::publish && ((fb >> 1) & 3) == 3)
        MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::publish_qos_invalid), copy.bytes());
    else if (type == PacketType::publish && (fb & 0x08) && ((fb >> 1) & 3) == 0)
        MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::publish_dup_qos0), copy.bytes());

    if (whole && length_kept && o.remaining_length_width) {
        const std::size_t w = *o.remaining_length_width;
        if (w >= 5) {
            MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::remaining_length_malformed), copy.bytes());
        } else if (w > minimal_width(real_length)) {
            MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::remaining_length_non_minimal), copy.bytes());
        } else {
            MQTTLENS_FUZZ_CHECK(!q.diagnostics.has(Code::remaining_length_non_minimal), copy.bytes());
        }
    }
    if (whole && o.append.empty() && o.remaining_length && *o.remaining_length != real_length)
        MQTTLENS_FUZZ_CHECK(!q.valid(), copy.bytes());
    if (!whole && length_kept && o.append.empty()) MQTTLENS_FUZZ_CHECK(!q.valid(), copy.bytes());
    if (complete && !o.append.empty())
        MQTTLENS_FUZZ_CHECK(q.diagnostics.has(Code::packet_length_mismatch), copy.bytes());

    const bool untouched = !(mask & 0x1F) || (!o.first_byte && !o.type && !o.flags && length_kept &&
                                              !o.remaining_length_width && o.length_prefixes.empty() &&
                                              whole && o.append.empty());
    if (untouched) {
        MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(out, canonical), out, canonical);
        MQTTLENS_FUZZ_CHECK(!q.diagnostics.has(Code::remaining_length_non_minimal), out);
        MQTTLENS_FUZZ_CHECK(!q.diagnostics.has(Code::packet_length_mismatch), out);
        MQTTLENS_FUZZ_CHECK(!q.diagnostics.has(Code::packet_truncated), out);
        // A CONNECT of another protocol level (MQTT 5.0) is framed, not decoded.
        const auto* con = q.get<mqtt::Connect>();
        const bool decoded = !con || con->protocol_level == 3 || con->protocol_level == 4;
        if (q.valid() && built.consistent && decoded) {
            MQTTLENS_FUZZ_CHECK(q.header.first_byte == packet.header.first_byte, out);
            MQTTLENS_FUZZ_CHECK(q.body == packet.body, out);
            std::vector<std::uint8_t> again;
            mqtt::encode(q, again);
            MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(again, out), out, again);
        }
    }
    return 0;
}
