// Structure-aware MQTT mutator: parse into segments, mutate one thing, write back.
#include "mqtt_mutator.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace mqttlens::fuzz {
namespace {

using Buf = std::vector<std::uint8_t>;
constexpr std::string_view separator = "|SPLIT|";

/// A packet (byte 0 + body, Remaining Length written on output) or raw bytes kept as they are.
struct Segment {
    bool raw = false;
    std::uint8_t first = 0;
    Buf body;    ///< packet body, or the raw bytes
    Buf length;  ///< Remaining Length bytes to write instead of the minimal form (broken on purpose
                 ///< or kept from the input); empty: minimal form of body.size()
};

/// Where a length-prefixed string sits in a body: offset of its 2-byte prefix.
struct StringAt {
    std::size_t offset;
    std::size_t size;
};

using Rng = std::minstd_rand;

std::size_t pick(Rng& rng, std::size_t n) { return n ? rng() % n : 0; }
bool chance(Rng& rng, unsigned one_in) { return rng() % one_in == 0; }

void put_length(std::uint32_t value, Buf& out) {
    do {
        std::uint8_t b = value & 0x7F;
        value >>= 7;
        if (value) b |= 0x80;
        out.push_back(b);
    } while (value);
}

std::size_t minimal_width(std::size_t value) noexcept {
    std::size_t n = 1;
    while (value >= 0x80) value >>= 7, ++n;
    return n;
}

/// Buffers of segments no longer in use, kept for the next parse: under ASan every malloc records
/// a stack trace, and the mutator runs once per execution.
std::vector<Segment>& spare() {
    static thread_local std::vector<Segment> s;
    return s;
}

/// At most this many spare segments are kept: more than one parse needs. Without a bound the pool
/// grew by every crossover's output (built from new segments, then parsed over), until a long
/// fuzz_stream run died of out-of-memory after a million executions.
constexpr std::size_t max_spare = 4096;

/// Parses into `segs`, reusing the buffers of its old segments and of spare().
void parse(const std::uint8_t* data, std::size_t size, bool separators, std::vector<Segment>& segs) {
    for (Segment& s : segs) {
        if (spare().size() >= max_spare) break;
        spare().push_back(std::move(s));
    }
    segs.clear();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t pos = 0;
    auto add = [&]() -> Segment& {
        if (spare().empty()) return segs.emplace_back();
        segs.push_back(std::move(spare().back()));
        spare().pop_back();
        Segment& s = segs.back();
        s.raw = false;
        s.first = 0;
        s.body.clear();
        s.length.clear();
        return s;
    };
    auto raw_until = [&](std::size_t end) {
        Segment& s = add();
        s.raw = true;
        s.body.assign(data + pos, data + end);
        pos = end;
    };
    while (pos < size) {
        if (separators && text.compare(pos, separator.size(), separator) == 0) {
            raw_until(pos + separator.size());
            continue;
        }
        const mqtt::LengthResult r = mqtt::read_remaining_length(mqtt::Bytes(data + pos + 1, size - pos - 1));
        if (size - pos >= 2 && r.status == mqtt::LengthResult::Status::ok &&
            r.value <= size - pos - 1 - r.size) {
            Segment& s = add();
            s.first = data[pos];
            const std::uint8_t* b = data + pos + 1 + r.size;
            s.body.assign(b, b + r.value);
            if (minimal_width(r.value) != r.size) s.length.assign(data + pos + 1, data + pos + 1 + r.size);
            pos += 1 + r.size + r.value;
            continue;
        }
        std::size_t end = size;
        if (separators) end = std::min(size, text.find(separator, pos + 1));
        raw_until(end);
    }
}

void write(const std::vector<Segment>& segs, Buf& out) {
    for (const Segment& s : segs) {
        if (!s.raw) {
            out.push_back(s.first);
            if (s.length.empty()) put_length(static_cast<std::uint32_t>(s.body.size()), out);
            else out.insert(out.end(), s.length.begin(), s.length.end());
        }
        out.insert(out.end(), s.body.begin(), s.body.end());
    }
}

/// The length-prefixed strings of a body whose prefix fits inside it.
const std::vector<StringAt>& strings(const Segment& s) {
    static thread_local std::vector<StringAt> out;
    out.clear();
    const Buf& b = s.body;
    auto at = [&](std::size_t off) -> std::size_t {  // returns the offset after the string, or 0
        if (off + 2 > b.size()) return 0;
        const std::size_t n = (std::size_t(b[off]) << 8) | b[off + 1];
        if (off + 2 + n > b.size()) return 0;
        out.push_back({off, n});
        return off + 2 + n;
    };
    switch (static_cast<mqtt::PacketType>(s.first >> 4)) {
        case mqtt::PacketType::connect: {
            std::size_t off = at(0);
            if (!off || off + 4 > b.size()) break;
            const std::uint8_t flags = b[off + 1];
            off = at(off + 4);                                 // client id
            if (off && (flags & 0x04)) off = at(off), off = off ? at(off) : 0;  // will topic, message
            if (off && (flags & 0x80)) off = at(off);          // user name
            if (off && (flags & 0x40)) at(off);                // password
            break;
        }
        case mqtt::PacketType::publish:
            at(0);
            break;
        case mqtt::PacketType::subscribe:
            for (std::size_t off = 2; (off = at(off)) != 0;) ++off;
            break;
        case mqtt::PacketType::unsubscribe:
            for (std::size_t off = 2; (off = at(off)) != 0;) {}
            break;
        default:
            break;
    }
    return out;
}

constexpr std::array<std::string_view, 34> interesting = {
    "", "a", "a/b", "/", "//", "#", "+", "a/#", "#/a", "a#", "+/+", "a+", "+a/b", "sport/+/player1",
    "$SYS/broker/clients", "$SYS", "$share/g/a", std::string_view("a\0b", 3), std::string_view("\0", 1),
    "\xC0\x80", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80",
    "\xF5\x80\x80\x80", "\xFF", "\x80", "\xE2\x82", "\xEF\xBB\xBF", "\xEF\xBF\xBE", "\x01\x1F\x7F",
    "\xC2\x80\xC2\x9F", "MQTT",
};

/// Canonical packets of every type, to insert.
#define T(lit) std::string_view(lit, sizeof(lit) - 1)
constexpr std::array<std::string_view, 19> templates = {
    T("\x10\x0e\x00\x04MQTT\x04\x02\x00\x3c\x00\x02" "c1"),
    T("\x10\x19\x00\x04MQTT\x04\xee\x00\x3c\x00\x01" "c\x00\x01w\x00\x01m\x00\x01u\x00\x01p"),
    T("\x10\x0f\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x01" "c"),
    T("\x20\x02\x00\x00"),
    T("\x30\x07\x00\x03" "a/bhi"),
    T("\x32\x09\x00\x03" "a/b\x00\x01" "hi"),
    T("\x3d\x09\x00\x03" "a/b\x00\x02" "hi"),
    T("\x40\x02\x00\x01"),
    T("\x50\x02\x00\x02"),
    T("\x62\x02\x00\x02"),
    T("\x70\x02\x00\x02"),
    T("\x82\x08\x00\x01\x00\x03" "a/#\x01"),
    T("\x82\x0a\x00\x02\x00\x01" "+\x00\x00\x01" "#\x02"),
    T("\x90\x03\x00\x01\x00"),
    T("\xa2\x07\x00\x01\x00\x03" "a/#"),
    T("\xb0\x02\x00\x01"),
    T("\xc0\x00"),
    T("\xd0\x00"),
    T("\xe0\x00"),
};
#undef T

Segment from_template(Rng& rng) {
    const std::string_view t = templates[pick(rng, templates.size())];
    static thread_local std::vector<Segment> segs;
    parse(reinterpret_cast<const std::uint8_t*>(t.data()), t.size(), false, segs);
    return segs.front();
}

std::size_t packet_index(Rng& rng, const std::vector<Segment>& segs) {
    std::vector<std::size_t> packets;
    for (std::size_t i = 0; i < segs.size(); ++i)
        if (!segs[i].raw) packets.push_back(i);
    return packets.empty() ? segs.size() : packets[pick(rng, packets.size())];
}

/// Runs libFuzzer's mutator over `b`, letting it grow by up to `grow` bytes.
void mutate_bytes(Buf& b, std::size_t grow) {
    if (b.empty()) b.push_back(0);
    const std::size_t size = b.size();
    b.resize(size + grow + 1);
    b.resize(LLVMFuzzerMutate(b.data(), size, size + grow + 1));
}

void set_string(Segment& s, const StringAt& at, const Buf& value, bool keep_prefix) {
    Buf& b = s.body;
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(at.offset + 2),
            b.begin() + static_cast<std::ptrdiff_t>(at.offset + 2 + at.size));
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(at.offset + 2), value.begin(), value.end());
    if (!keep_prefix) {
        b[at.offset] = static_cast<std::uint8_t>(value.size() >> 8);
        b[at.offset + 1] = static_cast<std::uint8_t>(value.size());
    }
}

/// Changes one string: an interesting value, libFuzzer's bytes, a long run, or a bad prefix.
void mutate_string(Rng& rng, Segment& s) {
    const std::vector<StringAt>& found = strings(s);
    if (found.empty()) {
        mutate_bytes(s.body, 16);
        return;
    }
    const StringAt at = found[pick(rng, found.size())];
    static thread_local Buf value;
    value.assign(s.body.begin() + static_cast<std::ptrdiff_t>(at.offset + 2),
                 s.body.begin() + static_cast<std::ptrdiff_t>(at.offset + 2 + at.size));
    switch (pick(rng, 6)) {
        case 0: case 1: {
            const std::string_view v = interesting[pick(rng, interesting.size())];
            value.assign(v.begin(), v.end());
            break;
        }
        case 2: {  // splice an interesting value into the string
            const std::string_view v = interesting[pick(rng, interesting.size())];
            value.insert(value.begin() + static_cast<std::ptrdiff_t>(pick(rng, value.size() + 1)), v.begin(), v.end());
            break;
        }
        case 3:
            mutate_bytes(value, 32);
            break;
        case 4:  // a run of one character: long topics, many levels
            value.assign(1 + pick(rng, 600), static_cast<std::uint8_t>("/+#a\xff"[pick(rng, 5)]));
            break;
        default: {  // wrong length prefix on purpose
            const std::uint16_t n = static_cast<std::uint16_t>(
                chance(rng, 2) ? at.size + 1 + pick(rng, 4) : (at.size ? at.size - 1 : 0xFFFF));
            s.body[at.offset] = static_cast<std::uint8_t>(n >> 8);
            s.body[at.offset + 1] = static_cast<std::uint8_t>(n);
            return;
        }
    }
    set_string(s, at, value, false);
}

/// QoS in PUBLISH flags (adding or removing the Packet Identifier), SUBSCRIBE QoS bytes, CONNECT
/// Will QoS and flag bits.
void mutate_qos(Rng& rng, Segment& s) {
    const auto type = static_cast<mqtt::PacketType>(s.first >> 4);
    const std::uint8_t qos = static_cast<std::uint8_t>(pick(rng, chance(rng, 4) ? 4 : 3));
    if (type == mqtt::PacketType::publish) {
        const std::uint8_t old = (s.first >> 1) & 3;
        s.first = static_cast<std::uint8_t>((s.first & ~0x06) | (qos << 1));
        if (chance(rng, 3)) s.first ^= 0x08;  // DUP
        if (chance(rng, 3)) s.first ^= 0x01;  // RETAIN
        const std::vector<StringAt>& topic = strings(s);
        if (topic.empty()) return;
        const std::size_t after = topic[0].offset + 2 + topic[0].size;
        if (old == 0 && qos != 0 && !chance(rng, 8)) {
            const std::uint16_t id = static_cast<std::uint16_t>(chance(rng, 8) ? 0 : 1 + pick(rng, 0xFFFF));
            const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
            s.body.insert(s.body.begin() + static_cast<std::ptrdiff_t>(after), bytes, bytes + 2);
        } else if (old != 0 && qos == 0 && after + 2 <= s.body.size() && !chance(rng, 8)) {
            s.body.erase(s.body.begin() + static_cast<std::ptrdiff_t>(after),
                         s.body.begin() + static_cast<std::ptrdiff_t>(after + 2));
        }
    } else if (type == mqtt::PacketType::subscribe) {
        const std::vector<StringAt>& filters = strings(s);
        if (filters.empty()) return;
        const StringAt f = filters[pick(rng, filters.size())];
        const std::size_t q = f.offset + 2 + f.size;
        if (q < s.body.size()) s.body[q] = chance(rng, 6) ? static_cast<std::uint8_t>(rng()) : qos;
    } else if (type == mqtt::PacketType::connect) {
        const std::vector<StringAt>& name = strings(s);
        const std::size_t at = name.empty() ? 0 : name[0].offset + 2 + name[0].size + 1;
        if (at < s.body.size()) {
            if (chance(rng, 2)) s.body[at] = static_cast<std::uint8_t>((s.body[at] & ~0x18) | (qos << 3));
            else s.body[at] ^= static_cast<std::uint8_t>(1u << pick(rng, 8));
        }
        if (at > 0 && at - 1 < s.body.size() && chance(rng, 4))
            s.body[at - 1] = static_cast<std::uint8_t>("\x03\x04\x05\x00\xff"[pick(rng, 5)]);  // level
    } else if (s.body.size() >= 2) {  // a Packet Identifier: 0, 1, max, random
        const std::uint16_t id = static_cast<std::uint16_t>(
            std::array<unsigned, 4>{0u, 1u, 0xFFFFu, static_cast<unsigned>(rng())}[pick(rng, 4)]);
        s.body[0] = static_cast<std::uint8_t>(id >> 8);
        s.body[1] = static_cast<std::uint8_t>(id);
    }
}

void mutate_first_byte(Rng& rng, Segment& s) {
    switch (pick(rng, 4)) {
        case 0: {  // another valid type with its canonical flags
            const auto t = static_cast<mqtt::PacketType>(1 + pick(rng, 14));
            s.first = static_cast<std::uint8_t>((static_cast<unsigned>(t) << 4) | mqtt::required_flags(t));
            break;
        }
        case 1: s.first ^= static_cast<std::uint8_t>(1u << pick(rng, 4)); break;  // one flag bit
        case 2: s.first = static_cast<std::uint8_t>(chance(rng, 2) ? 0x00 | pick(rng, 16) : 0xF0 | pick(rng, 16)); break;
        default: s.first = static_cast<std::uint8_t>(rng()); break;
    }
}

/// MQTT 5.0: where a packet's own Property Length would be in its body, by type (PUBLISH: after its
/// Topic Name and, at QoS 1 and 2, its Packet Identifier; CONNECT: after Keep Alive); nullopt when
/// the body is too short to hold one there or the type has none.
std::optional<std::size_t> property_length_at(const Segment& s) {
    const Buf& b = s.body;
    std::size_t at = 0;
    switch (static_cast<mqtt::PacketType>(s.first >> 4)) {
        case mqtt::PacketType::connect: at = b.size() >= 2 ? 2 + ((std::size_t(b[0]) << 8) | b[1]) + 4 : b.size() + 1; break;
        case mqtt::PacketType::publish:
            at = b.size() >= 2 ? 2 + ((std::size_t(b[0]) << 8) | b[1]) + (((s.first >> 1) & 3) ? 2 : 0) : b.size() + 1;
            break;
        case mqtt::PacketType::connack:
        case mqtt::PacketType::subscribe:
        case mqtt::PacketType::suback:
        case mqtt::PacketType::unsubscribe:
        case mqtt::PacketType::unsuback: at = 2; break;
        case mqtt::PacketType::puback:
        case mqtt::PacketType::pubrec:
        case mqtt::PacketType::pubrel:
        case mqtt::PacketType::pubcomp: at = 3; break;
        case mqtt::PacketType::disconnect:
        case mqtt::PacketType::auth: at = 1; break;
        default: return std::nullopt;
    }
    if (at > b.size()) return std::nullopt;
    return at;
}

/// Properties to insert: every value type, plain and at its limits (identifier and value bytes).
#define T(lit) std::string_view(lit, sizeof(lit) - 1)
constexpr std::array<std::string_view, 20> property_pool = {
    T("\x01\x01"), T("\x01\x02"), T("\x02\x00\x00\x0e\x10"), T("\x03\x00\x04text"), T("\x08\x00\x03r/#"),
    T("\x09\x00\x02\xca\xfe"), T("\x0b\x07"), T("\x0b\xff\xff\xff\x7f"), T("\x0b\x80\x00"), T("\x11\xff\xff\xff\xff"),
    T("\x15\x00\x05SCRAM"), T("\x16\x00\x01\x00"), T("\x1f\x00\x02ok"), T("\x21\x00\x00"), T("\x22\x00\x0a"),
    T("\x23\x00\x01"), T("\x23\x00\x00"), T("\x26\x00\x01k\x00\x01v"), T("\x27\x00\x00\x00\x00"), T("\x7f"),
};
#undef T

/// MQTT 5.0: changes the packet's property list (inserts a property from the pool, repeats or
/// removes one, changes a byte of it) and writes its Property Length back to match, in its
/// shortest form; about one time in eight breaks the Property Length on purpose instead (off by
/// a little, non-minimal, five bytes). A body without a readable list gets one.
void mutate_properties(Rng& rng, Segment& s) {
    const auto at = property_length_at(s);
    if (!at) return mutate_bytes(s.body, 16);
    Buf& b = s.body;
    const mqtt::LengthResult r = mqtt::read_remaining_length(mqtt::Bytes(b.data() + *at, b.size() - *at));
    const bool readable = r.status == mqtt::LengthResult::Status::ok && r.value <= b.size() - *at - r.size;
    static thread_local Buf list;
    if (readable) list.assign(b.begin() + static_cast<std::ptrdiff_t>(*at + r.size),
                              b.begin() + static_cast<std::ptrdiff_t>(*at + r.size + r.value));
    else list.clear();
    const std::size_t old_size = readable ? r.size + r.value : 0;
    switch (pick(rng, 4)) {
        case 0: case 1: {  // insert one (twice: a repeat)
            const std::string_view p = property_pool[pick(rng, property_pool.size())];
            list.insert(list.begin() + static_cast<std::ptrdiff_t>(chance(rng, 2) ? list.size() : 0), p.begin(), p.end());
            if (chance(rng, 8)) list.insert(list.end(), p.begin(), p.end());
            break;
        }
        case 2:  // drop a tail of the list
            list.resize(pick(rng, list.size() + 1));
            break;
        default:
            if (!list.empty()) list[pick(rng, list.size())] = static_cast<std::uint8_t>(rng());
            break;
    }
    static thread_local Buf length;
    length.clear();
    put_length(static_cast<std::uint32_t>(list.size()), length);
    if (chance(rng, 8)) {  // broken on purpose
        switch (pick(rng, 3)) {
            case 0:
                length.clear();
                put_length(static_cast<std::uint32_t>(list.size() + 1 + pick(rng, 8)), length);
                break;
            case 1:
                length.back() |= 0x80;
                length.push_back(0x00);
                break;
            default: length = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F}; break;
        }
    }
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(*at), b.begin() + static_cast<std::ptrdiff_t>(*at + old_size));
    list.insert(list.begin(), length.begin(), length.end());
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(*at), list.begin(), list.end());
}

/// Breaks the framing on purpose: Remaining Length encodings and values, truncation, trailing bytes.
void break_framing(Rng& rng, std::vector<Segment>& segs, std::size_t i) {
    Segment& s = segs[i];
    const auto n = static_cast<std::uint32_t>(s.body.size());
    s.length.clear();
    switch (pick(rng, 6)) {
        case 0: {  // non-minimal: pad with continuation groups up to 4 bytes
            put_length(n, s.length);
            while (s.length.size() < 2 + pick(rng, 3) && s.length.size() < 4) {
                s.length.back() |= 0x80;
                s.length.push_back(0x00);
            }
            break;
        }
        case 1:  // 5 bytes: malformed
            s.length = {0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
            break;
        case 2:  // claims more than there is (e.g. CVE-2017-7651's 30 FF FF FF 7F)
            put_length(chance(rng, 3) ? 268'435'455u : n + 1 + static_cast<std::uint32_t>(pick(rng, 300)), s.length);
            break;
        case 3:  // claims less
            put_length(n ? static_cast<std::uint32_t>(pick(rng, n)) : 0, s.length);
            break;
        case 4:  // cut inside the body or the length
            s.body.resize(pick(rng, s.body.size() + 1));
            if (chance(rng, 2)) s.length = {0x80};
            break;
        default: {  // garbage after the packet
            Segment junk;
            junk.raw = true;
            junk.body.resize(1 + pick(rng, 8));
            for (auto& c : junk.body) c = static_cast<std::uint8_t>(rng());
            segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(i + 1), std::move(junk));
        }
    }
}

std::size_t emit(const std::vector<Segment>& segs, const std::uint8_t* prefix, std::size_t prefix_size,
                 std::uint8_t* out, std::size_t max_size) {
    static thread_local Buf buf;
    buf.assign(prefix, prefix + prefix_size);
    write(segs, buf);
    if (buf.size() > max_size) return 0;
    std::memcpy(out, buf.data(), buf.size());
    return buf.size();
}

}  // namespace

std::size_t spare_segments() noexcept { return spare().size(); }

std::size_t mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed,
                   const MutatorConfig& config) {
    static const bool plain = std::getenv("MQTTLENS_FUZZ_PLAIN_MUTATOR") != nullptr;
    Rng rng(seed ? seed : 1);
    if (plain || size < config.prefix || chance(rng, 5)) return LLVMFuzzerMutate(data, size, max_size);

    std::uint8_t prefix[8] = {};
    const std::size_t prefix_size = std::min<std::size_t>(config.prefix, sizeof prefix);
    std::memcpy(prefix, data, prefix_size);
    if (prefix_size && chance(rng, 16)) prefix[pick(rng, prefix_size)] = static_cast<std::uint8_t>(rng());

    static thread_local std::vector<Segment> segs;
    parse(data + prefix_size, size - prefix_size, config.separators, segs);
    if (segs.empty()) segs.push_back(from_template(rng));
    const std::size_t i = packet_index(rng, segs);
    const bool has_packet = i < segs.size();
    const unsigned structural = config.single_packet ? 24 : 6;  // insert/dup/remove/swap are rarer

    switch (pick(rng, 9)) {
        case 0:
            if (has_packet) mutate_first_byte(rng, segs[i]);
            break;
        case 1: case 2:
            if (has_packet) mutate_string(rng, segs[i]);
            break;
        case 3:
            if (has_packet) mutate_qos(rng, segs[i]);
            break;
        case 4:
            if (has_packet) mutate_bytes(segs[i].body, 64);
            break;
        case 8:
            if (has_packet) mutate_properties(rng, segs[i]);  // MQTT 5.0 property lists
            break;
        case 5:
            if (has_packet) break_framing(rng, segs, i);
            break;
        default:
            if (!chance(rng, structural / 6)) {  // single-packet harness: mostly bytes of the packet
                if (has_packet) mutate_bytes(segs[i].body, 16);
                break;
            }
            switch (pick(rng, config.separators ? 6 : 5)) {
                case 0:
                    segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(pick(rng, segs.size() + 1)), from_template(rng));
                    break;
                case 1:
                    if (has_packet) segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(i), segs[i]);
                    break;
                case 2:
                    if (segs.size() > 1) segs.erase(segs.begin() + static_cast<std::ptrdiff_t>(pick(rng, segs.size())));
                    break;
                case 3:
                    if (segs.size() > 1) std::swap(segs[pick(rng, segs.size())], segs[pick(rng, segs.size())]);
                    break;
                case 4:  // replace the packet by a template of another type
                    if (has_packet) segs[i] = from_template(rng);
                    break;
                default: {
                    Segment sep;
                    sep.raw = true;
                    sep.body.assign(separator.begin(), separator.end());
                    segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(pick(rng, segs.size() + 1)), std::move(sep));
                }
            }
    }
    // Keep an input's non-minimal length only while its body is unchanged in size.
    for (Segment& s : segs) {
        if (s.raw || s.length.empty()) continue;
        const mqtt::LengthResult r = mqtt::read_remaining_length(s.length);
        if (r.status == mqtt::LengthResult::Status::ok && r.size == s.length.size() && r.value != s.body.size() &&
            chance(rng, 2))
            s.length.clear();
    }
    const std::size_t n = emit(segs, prefix, prefix_size, data, max_size);
    return n ? n : LLVMFuzzerMutate(data, size, max_size);
}

std::size_t cross_over(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                       std::size_t size2, std::uint8_t* out, std::size_t max_out, unsigned seed,
                       const MutatorConfig& config) {
    Rng rng(seed ? seed : 1);
    const std::size_t p = config.prefix;
    if (size1 < p || size2 < p) return 0;
    static thread_local std::vector<Segment> a, b;
    parse(data1 + p, size1 - p, config.separators, a);
    parse(data2 + p, size2 - p, config.separators, b);
    if (b.empty()) return 0;
    if (config.single_packet || a.empty()) {
        a = {b[pick(rng, b.size())]};
    } else {
        const std::size_t from = pick(rng, b.size());
        const std::size_t count = 1 + pick(rng, b.size() - from);
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(pick(rng, a.size() + 1)),
                 b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(from + count));
    }
    return emit(a, data1, std::min<std::size_t>(p, 8), out, max_out);
}

}  // namespace mqttlens::fuzz
