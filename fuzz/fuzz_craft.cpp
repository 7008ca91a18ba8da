// fuzz_craft: the encoder with overrides; the decoder's diagnosis must match the breakage asked for.
//
// Input: read front to back by fuzz::Reader. First a packet value (type, flags, fields: strings
// drawn from a pool of interesting values or from the input), then a mask choosing overrides
// (byte 0, type, flags, Remaining Length value / width / raw bytes, string length prefixes,
// truncation, trailing bytes) and their values.
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
//   - write_remaining_length / read_remaining_length agree for every value and width 1..4.
#include "fuzz_common.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

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
