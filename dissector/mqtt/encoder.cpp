// Encoder: sizes the body, then writes fixed header and body straight into the caller's vector.
//
// Override order: first_byte replaces byte 0, then type and flags replace their nibble of it.
// remaining_length_bytes wins over remaining_length and remaining_length_width; a width below the
// value's minimum is raised to it, and widths past 5 keep adding continuation bytes. The body is
// written from packet.body alone, whatever byte 0 says; truncate then cuts the whole result and
// append adds bytes after it. A property override changes a list the body has; it adds none.
#include "mqtt/encoder.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <variant>

namespace mqttlens::mqtt {

namespace {

/// Number of 7-bit groups `value` needs (1..5).
std::size_t minimal_width(std::uint32_t value) noexcept {
    std::size_t n = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++n;
    }
    return n;
}

/// Writes `width` Remaining Length bytes of `value` at `p`; `width` >= minimal_width(value).
void put_remaining_length(std::uint32_t value, std::size_t width, std::uint8_t* p) noexcept {
    for (std::size_t i = 0; i < width; ++i) {
        std::uint8_t b = value & 0x7F;
        value >>= 7;
        if (i + 1 < width) b |= 0x80;
        p[i] = b;
    }
}

/// Counts bytes: the first pass.
struct Counter {
    std::size_t n = 0;
    void u8(std::uint8_t) noexcept { ++n; }
    void u16(std::uint16_t) noexcept { n += 2; }
    void raw(Bytes b) noexcept { n += b.size(); }
    void varint(std::uint32_t v, std::size_t width = 0) noexcept { n += std::max(width, minimal_width(v)); }
};

/// Writes bytes into space already reserved: the second pass.
struct Writer {
    std::uint8_t* p;
    void u8(std::uint8_t v) noexcept { *p++ = v; }
    void u16(std::uint16_t v) noexcept {
        p[0] = static_cast<std::uint8_t>(v >> 8);
        p[1] = static_cast<std::uint8_t>(v);
        p += 2;
    }
    void raw(Bytes b) noexcept {
        if (!b.empty()) std::memcpy(p, b.data(), b.size());
        p += b.size();
    }
    void varint(std::uint32_t v, std::size_t width = 0) noexcept {
        const std::size_t n = std::max(width, minimal_width(v));
        put_remaining_length(v, n, p);
        p += n;
    }
};

/// Writes packet bodies, applying the overrides of length prefixes and property lists.
template <class Out>
class BodyWriter {
public:
    BodyWriter(Out& out, const EncodeOverrides& overrides) noexcept : out_(out), overrides_(overrides) {}

    void operator()(const Opaque& b) { out_.raw(b.bytes); }

    // Variable header: Protocol Name, Protocol Level, Connect Flags, Keep Alive.
    // Payload: Client Identifier, Will Topic, Will Message, User Name, Password (§3.1.3).
    void operator()(const Connect& c) {
        string(Field::protocol_name, 0, as_bytes(c.protocol_name));
        out_.u8(c.protocol_level);
        out_.u8(c.flags);
        out_.u16(c.keep_alive);
        properties(c.properties);
        string(Field::client_id, 0, as_bytes(c.client_id));
        if (c.will) {
            properties(c.will->properties, overrides_.will_properties);
            string(Field::will_topic, 0, as_bytes(c.will->topic));
            string(Field::will_message, 0, c.will->message);
        }
        if (c.username) string(Field::username, 0, as_bytes(*c.username));
        if (c.password) string(Field::password, 0, *c.password);
    }

    void operator()(const Connack& c) {
        if (c.ack_flags) out_.u8(*c.ack_flags);
        if (c.return_code) out_.u8(*c.return_code);
        properties(c.properties);
    }

    void operator()(const Publish& p) {
        string(Field::topic, 0, as_bytes(p.topic));
        if (p.packet_id) out_.u16(*p.packet_id);
        properties(p.properties);
        out_.raw(p.payload);
    }

    void operator()(const Ack& a) {
        if (a.packet_id) out_.u16(*a.packet_id);
        if (a.reason_code) out_.u8(*a.reason_code);
        properties(a.properties);
    }

    void operator()(const Subscribe& s) {
        if (s.packet_id) out_.u16(*s.packet_id);
        properties(s.properties);
        std::size_t i = 0;
        for (const Subscription& sub : s.subscriptions) {
            string(Field::topic_filter, i++, as_bytes(sub.filter));
            out_.u8(sub.options);
        }
    }

    void operator()(const Suback& s) {
        if (s.packet_id) out_.u16(*s.packet_id);
        properties(s.properties);
        out_.raw(s.return_codes);
    }

    void operator()(const Unsubscribe& u) {
        if (u.packet_id) out_.u16(*u.packet_id);
        properties(u.properties);
        std::size_t i = 0;
        for (std::string_view filter : u.filters) string(Field::topic_filter, i++, as_bytes(filter));
    }

    void operator()(const Empty&) {}

    void operator()(const Reason& r) {
        if (r.reason_code) out_.u8(*r.reason_code);
        properties(r.properties);
    }

private:
    /// MQTT 5.0: a Property Length (shortest form) and the list's bytes, when the body has a
    /// list; `broken` replaces either.
    void properties(const std::optional<PropertyList>& list) { properties(list, overrides_.properties); }
    void properties(const std::optional<PropertyList>& list, const std::optional<PropertyOverride>& broken) {
        if (!list) return;
        const Bytes bytes = broken && broken->bytes ? Bytes(*broken->bytes) : list->raw();
        const auto size = static_cast<std::uint32_t>(bytes.size());
        out_.varint(broken ? broken->length.length.value_or(size) : size, broken ? broken->length.length_width : 0);
        out_.raw(bytes);
    }

    /// A 2-byte big-endian length (the override's value, or the size modulo 65,536), then bytes.
    void string(Field field, std::size_t index, Bytes bytes) {
        auto prefix = static_cast<std::uint16_t>(bytes.size());
        if constexpr (std::is_same_v<Out, Writer>) {
            for (const LengthPrefixOverride& o : overrides_.length_prefixes)
                if (o.field == field && o.index == index) prefix = o.value;
        }
        out_.u16(prefix);
        out_.raw(bytes);
    }

    Out& out_;
    const EncodeOverrides& overrides_;
};

std::uint8_t first_byte(const Packet& packet, const EncodeOverrides& o) noexcept {
    std::uint8_t b = o.first_byte.value_or(packet.header.first_byte);
    if (o.type) b = static_cast<std::uint8_t>((*o.type << 4) | (b & 0x0F));
    if (o.flags) b = static_cast<std::uint8_t>((b & 0xF0) | (*o.flags & 0x0F));
    return b;
}

}  // namespace

std::size_t write_remaining_length(std::uint32_t value, std::vector<std::uint8_t>& out,
                                   std::uint8_t width) {
    const std::size_t n = std::max<std::size_t>(width, minimal_width(value));
    const std::size_t base = out.size();
    out.resize(base + n);
    put_remaining_length(value, n, out.data() + base);
    return n;
}

std::size_t encode(const Packet& packet, std::vector<std::uint8_t>& out,
                   const EncodeOverrides& overrides) {
    Counter counter;
    std::visit(BodyWriter<Counter>(counter, overrides), packet.body);
    const std::size_t body_size = counter.n;

    const auto length = overrides.remaining_length.value_or(static_cast<std::uint32_t>(body_size));
    const std::size_t length_size =
        overrides.remaining_length_bytes
            ? overrides.remaining_length_bytes->size()
            : std::max<std::size_t>(overrides.remaining_length_width.value_or(0), minimal_width(length));

    const std::size_t base = out.size();
    out.resize(base + 1 + length_size + body_size);
    Writer w{out.data() + base};
    w.u8(first_byte(packet, overrides));
    if (overrides.remaining_length_bytes) {
        w.raw(*overrides.remaining_length_bytes);
    } else {
        put_remaining_length(length, length_size, w.p);
        w.p += length_size;
    }
    std::visit(BodyWriter<Writer>(w, overrides), packet.body);

    if (overrides.truncate && *overrides.truncate < out.size() - base) out.resize(base + *overrides.truncate);
    out.insert(out.end(), overrides.append.begin(), overrides.append.end());
    return out.size() - base;
}

}  // namespace mqttlens::mqtt
