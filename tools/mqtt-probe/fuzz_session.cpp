// Sessions as a list of packet descriptions (Spec), mutated as descriptions, encoded with the codec's
// encoder and its overrides, and at the end, sometimes, mutated as bytes.
#include "fuzz_session.hpp"

#include "fuzz_rng.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt_mutator.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mqttlens::probe {

namespace {

using mqtt::PacketType;
using Buf = std::vector<std::uint8_t>;

/// One packet before encoding: the fields a session's packets use, and the breakage to apply.
struct Spec {
    static Spec of(PacketType type, std::uint16_t id = 1) {
        Spec s;
        s.type = type;
        s.id = id;
        return s;
    }

    PacketType type = PacketType::pingreq;
    std::uint8_t publish_flags = 0;  ///< PUBLISH: DUP << 3 | QoS << 1 | RETAIN
    std::uint16_t id = 1;
    std::uint8_t options = 0;        ///< SUBSCRIBE: the Requested QoS byte
    std::string topic, payload;      ///< PUBLISH topic and payload; SUBSCRIBE / UNSUBSCRIBE filter; Will
    std::string client_id;
    std::uint8_t connect_flags = 0x02, level = 4;
    std::string protocol_name = "MQTT";
    std::uint16_t keep_alive = 60;
    bool will = false;
    Buf properties;  ///< 5.0: the property list's bytes (identifiers and values), as written
    mqtt::EncodeOverrides overrides;
};

struct Draft {
    mqtt::Version version = mqtt::Version::v3_1_1;
    std::vector<Spec> specs;
    std::vector<std::string> mutations;
    std::string topic;  ///< the case's own topic space
    std::uint16_t next_id = 1;
};

std::optional<mqtt::PropertyList> props(mqtt::Version v, const Buf& list = {}) {
    if (v == mqtt::Version::v5_0) return mqtt::PropertyList(list);
    return std::nullopt;
}

/// Appends property `id` with a number, a string (a pair's name), a pair's value or Binary Data
/// (`text` as bytes), as its type takes it.
void add_property(Buf& list, mqtt::PropertyId id, std::uint32_t number, std::string_view text = {},
                  std::string_view value = {}) {
    mqtt::Property p{id};
    p.number = number;
    p.text = text;
    p.value = value;
    p.binary = mqtt::as_bytes(text);
    mqtt::write_property(p, list);
}

/// A few valid properties for a 5.0 packet like `s` (none, sometimes): what clients send.
void valid_properties(Rng& rng, Spec& s, const std::string& topic) {
    using P = mqtt::PropertyId;
    Buf& l = s.properties;
    if (rng.one_in(3)) return;
    switch (s.type) {
    case PacketType::connect:
        if (rng.one_in(2)) add_property(l, P::session_expiry_interval, rng.one_in(2) ? 0 : 30);
        if (rng.one_in(2)) add_property(l, P::receive_maximum, static_cast<std::uint32_t>(1 + rng.below(100)));
        if (rng.one_in(3)) add_property(l, P::maximum_packet_size, static_cast<std::uint32_t>(1024 + rng.below(1u << 20)));
        if (rng.one_in(3)) add_property(l, P::topic_alias_maximum, static_cast<std::uint32_t>(rng.below(20)));
        if (rng.one_in(3)) add_property(l, P::request_problem_information, static_cast<std::uint32_t>(rng.below(2)));
        break;
    case PacketType::publish:  // the payloads here are ASCII: Payload Format Indicator 1 holds
        if (rng.one_in(2)) add_property(l, P::payload_format_indicator, 1);
        if (rng.one_in(3)) add_property(l, P::message_expiry_interval, 60);
        if (rng.one_in(3)) add_property(l, P::content_type, 0, "text/plain");
        if (rng.one_in(3)) add_property(l, P::response_topic, 0, topic + "reply"), add_property(l, P::correlation_data, 0, "c1");
        break;
    case PacketType::subscribe:
        if (rng.one_in(2)) add_property(l, P::subscription_identifier, static_cast<std::uint32_t>(1 + rng.below(300000)));
        break;
    default: break;
    }
    for (std::size_t n = rng.below(3); n > 0; --n) add_property(l, P::user_property, 0, "k", rng.one_in(2) ? "v" : "value");
}

mqtt::Packet connect_packet(const Spec& s, mqtt::Version v) {
    mqtt::Connect c;
    c.protocol_name = s.protocol_name;
    c.protocol_level = s.level;
    c.flags = s.connect_flags;
    c.keep_alive = s.keep_alive;
    c.client_id = s.client_id;
    if (s.will) c.will = mqtt::Will{s.topic, mqtt::as_bytes(s.payload), props(v)};
    c.properties = props(v, s.properties);
    return mqtt::make_packet(PacketType::connect, c);
}

/// `s` encoded for a session of version `v`; the lists' storage lives in `storage` meanwhile.
Buf encode(const Spec& s, mqtt::Version v) {
    Buf storage, out;
    mqtt::Packet p;
    switch (s.type) {
    case PacketType::connect: p = connect_packet(s, v); break;
    case PacketType::publish: {
        mqtt::Publish b{s.topic, std::nullopt, mqtt::as_bytes(s.payload), props(v, s.properties)};
        if (s.publish_flags & 0x06) b.packet_id = s.id;
        p = mqtt::make_packet(PacketType::publish, b, s.publish_flags);
        break;
    }
    case PacketType::subscribe: {
        const mqtt::Subscription sub{s.topic, s.options};
        mqtt::Subscribe b{s.id, mqtt::build_subscriptions(storage, std::span(&sub, 1)), props(v, s.properties)};
        p = mqtt::make_packet(PacketType::subscribe, b);
        break;
    }
    case PacketType::unsubscribe: {
        const std::string_view filter = s.topic;
        mqtt::Unsubscribe b{s.id, mqtt::build_filters(storage, std::span(&filter, 1)), props(v, s.properties)};
        p = mqtt::make_packet(PacketType::unsubscribe, b);
        break;
    }
    case PacketType::puback: case PacketType::pubrec: case PacketType::pubrel: case PacketType::pubcomp:
        p = mqtt::make_packet(s.type, mqtt::Ack{s.id});
        break;
    default: p = mqtt::make_packet(s.type, mqtt::Empty{}); break;
    }
    mqtt::encode(p, out, s.overrides);
    return out;
}

/// A valid packet of a random kind for `d`, with fresh Packet Identifiers; QoS 2 PUBLISH comes
/// with its PUBREL.
void add_valid(Rng& rng, Draft& d, std::vector<Spec>& out) {
    Spec s;
    s.topic = d.topic + (rng.one_in(2) ? "a" : "b/c");
    s.id = d.next_id++;
    switch (rng.below(7)) {
    case 0: s.type = PacketType::subscribe, s.options = static_cast<std::uint8_t>(rng.below(3)); s.topic = d.topic + "#"; break;
    case 1: s.type = PacketType::publish, s.payload = "fuzz"; break;
    case 2: s.type = PacketType::publish, s.publish_flags = 0x02 | (rng.one_in(4) ? 1 : 0), s.payload = "one"; break;
    case 3: {
        s.type = PacketType::publish, s.publish_flags = 0x04, s.payload = "two";
        out.push_back(s);
        s = Spec::of(PacketType::pubrel, s.id);
        break;
    }
    case 4: s.type = PacketType::pingreq; break;
    case 5: s.type = PacketType::unsubscribe; s.topic = d.topic + "#"; break;
    default: s.type = PacketType::publish, s.publish_flags = 0x02, s.payload = std::string(rng.below(300), 'x'); break;
    }
    if (d.version != mqtt::Version::v5_0) return out.push_back(std::move(s));
    valid_properties(rng, s, d.topic);
    if (s.type == PacketType::publish && rng.one_in(3)) {  // a Topic Alias set, then used with an empty topic
        const auto alias = static_cast<std::uint32_t>(1 + rng.below(2));
        add_property(s.properties, mqtt::PropertyId::topic_alias, alias);
        Spec again = s;
        again.topic.clear();
        again.id = d.next_id++;
        out.push_back(std::move(s));
        return out.push_back(std::move(again));
    }
    out.push_back(std::move(s));
}

Draft valid_session(Rng& rng, std::uint64_t index, const SessionOptions& o) {
    Draft d;
    d.version = o.v5 && rng.one_in(4) ? mqtt::Version::v5_0 : mqtt::Version::v3_1_1;
    d.topic = fmt::format("mqttlens-fuzz/{}/", index);
    Spec c = Spec::of(PacketType::connect);
    c.client_id = fmt::format("{}fz{}", o.client_id_prefix, index);
    c.level = d.version == mqtt::Version::v5_0 ? 5 : 4;
    if (rng.one_in(4)) c.will = true, c.connect_flags |= 0x04, c.topic = d.topic + "will", c.payload = "gone";
    if (d.version == mqtt::Version::v5_0) valid_properties(rng, c, d.topic);
    d.specs.push_back(std::move(c));
    const std::size_t n = 1 + rng.below(7);
    for (std::size_t i = 0; i < n; ++i) add_valid(rng, d, d.specs);
    if (!rng.one_in(8)) d.specs.push_back(Spec::of(PacketType::disconnect));
    return d;
}

std::string_view name(const Spec& s) { return mqtt::type_name(s.type); }

void mutate_sequence(Rng& rng, Draft& d) {
    auto& v = d.specs;
    const std::size_t i = rng.below(v.size());
    switch (rng.below(5)) {
    case 0:
        if (v.size() < 2) break;
        d.mutations.push_back(fmt::format("drop packet {} ({})", i, name(v[i])));
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
        break;
    case 1:
        d.mutations.push_back(fmt::format("duplicate packet {} ({})", i, name(v[i])));
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(i), v[i]);
        break;
    case 2: {
        const std::size_t j = rng.below(v.size());
        d.mutations.push_back(fmt::format("swap packets {} and {}", i, j));
        std::swap(v[i], v[j]);
        break;
    }
    case 3: {  // an acknowledgement or request out of order, with an identifier in use or not
        static constexpr PacketType kinds[] = {PacketType::puback, PacketType::pubrec, PacketType::pubrel,
                                               PacketType::pubcomp, PacketType::connect, PacketType::pingreq};
        Spec s = v.front();
        s.type = kinds[rng.below(std::size(kinds))];
        s.id = static_cast<std::uint16_t>(rng.below(4));
        d.mutations.push_back(fmt::format("insert {} at {}", name(s), i));
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(i), std::move(s));
        break;
    }
    default: {
        std::vector<Spec> more;
        add_valid(rng, d, more);
        d.mutations.push_back(fmt::format("insert valid {} at {}", name(more.front()), i));
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(i), more.begin(), more.end());
    }
    }
}

/// Topic strings that break a rule or sit at an edge.
std::string odd_topic(Rng& rng, const std::string& base) {
    switch (rng.below(7)) {
    case 0: return {};
    case 1: return base + "+/x";
    case 2: return base + "#/x";
    case 3: return base + std::string("\xC0\x80", 2);  // overlong U+0000
    case 4: return base + std::string("a\0b", 3);
    case 5: return base + "\xED\xA0\x80";             // a surrogate
    default: return base + std::string(rng.below(2000), 'l');
    }
}

void mutate_connect(Rng& rng, Draft& d, Spec& s) {
    switch (rng.below(6)) {
    case 0: s.connect_flags ^= static_cast<std::uint8_t>(1u << rng.below(8)); break;
    case 1: s.level = static_cast<std::uint8_t>(rng.below(8)); break;
    case 2: s.protocol_name = rng.one_in(2) ? "MQIsdp" : "MQTX"; break;
    case 3: s.client_id = rng.one_in(2) ? std::string() : s.client_id + "\xFF"; s.connect_flags &= 0xFD; break;
    case 4: s.keep_alive = static_cast<std::uint16_t>(rng.one_in(2) ? 0 : 1); break;
    default: s.will = !s.will; break;
    }
    d.mutations.push_back(fmt::format("CONNECT flags 0x{:02X} level {} name {} keep-alive {} will {}", s.connect_flags,
                                      s.level, s.protocol_name, s.keep_alive, s.will));
}

/// 5.0: the property list of packet `i` (one that has a list) broken with its lengths kept right: every property twice, one not allowed
/// in the packet, an unknown identifier, a value the standard forbids, a non-minimal Variable Byte
/// Integer.
void mutate_properties(Rng& rng, Draft& d, std::size_t i) {
    using P = mqtt::PropertyId;
    Spec& s = d.specs[i];
    Buf& l = s.properties;
    std::string what;
    switch (rng.below(6)) {
    case 0: l.insert(l.end(), l.begin(), l.end()), what = "every property twice"; break;
    case 1:
        add_property(l, s.type == PacketType::connect ? P::topic_alias : P::session_expiry_interval, 1);
        what = "a property not allowed here";
        break;
    case 2: l.insert(l.end(), {0x04, static_cast<std::uint8_t>(rng.next())}), what = "unknown identifier 0x04"; break;
    case 3: {
        static constexpr P zeroes[] = {P::receive_maximum, P::topic_alias, P::maximum_packet_size, P::subscription_identifier};
        const P id = zeroes[rng.below(std::size(zeroes))];
        add_property(l, id, 0);
        what = fmt::format("property 0x{:02X} of value 0", static_cast<unsigned>(id));
        break;
    }
    case 4: add_property(l, P::payload_format_indicator, 2 + static_cast<std::uint32_t>(rng.below(254))), what = "Payload Format Indicator above 1"; break;
    default: l.insert(l.end(), {0x0B, 0x81, 0x80, 0x00}), what = "Subscription Identifier 1 in 3 bytes"; break;
    }
    d.mutations.push_back(fmt::format("packet {} ({}): {}", i, name(s), what));
}

void mutate_fields(Rng& rng, Draft& d) {
    const std::size_t i = rng.below(d.specs.size());
    Spec& s = d.specs[i];
    const bool has_list = s.type == PacketType::connect || s.type == PacketType::publish ||
                          s.type == PacketType::subscribe || s.type == PacketType::unsubscribe;
    if (d.version == mqtt::Version::v5_0 && has_list && rng.one_in(3)) return mutate_properties(rng, d, i);
    if (s.type == PacketType::connect) return mutate_connect(rng, d, s);
    switch (rng.below(5)) {
    case 0: s.id = rng.one_in(2) ? 0 : static_cast<std::uint16_t>(rng.next()); break;
    case 1:
        if (s.type == PacketType::publish) s.publish_flags = static_cast<std::uint8_t>(rng.below(16));
        else s.options = static_cast<std::uint8_t>(rng.one_in(2) ? 3 : rng.next());
        break;
    case 2: s.topic = odd_topic(rng, d.topic); break;
    case 3: s.payload = std::string(rng.one_in(4) ? 70000 : rng.below(64), 'p'); break;
    default: s.type = static_cast<PacketType>(1 + rng.below(14)); break;
    }
    d.mutations.push_back(fmt::format("packet {} now {} flags 0x{:X} id {} options 0x{:02X} topic of {} bytes", i,
                                      name(s), s.publish_flags, s.id, s.options, s.topic.size()));
}

void mutate_overrides(Rng& rng, Draft& d) {
    const std::size_t i = rng.below(d.specs.size());
    Spec& s = d.specs[i];
    const std::size_t size = encode(s, d.version).size();
    mqtt::EncodeOverrides& o = s.overrides;
    std::string what;
    switch (rng.below(8)) {
    case 0: o.remaining_length = static_cast<std::uint32_t>(  // near the real one (size less 2..6), or anything
                rng.one_in(2) ? std::max<std::int64_t>(0, static_cast<std::int64_t>(size) - 6 + static_cast<std::int64_t>(rng.below(5)))
                              : static_cast<std::int64_t>(rng.below(1u << 21))),
            what = fmt::format("remaining_length {}", *o.remaining_length); break;
    case 1: o.remaining_length_width = static_cast<std::uint8_t>(2 + rng.below(4)), what = fmt::format("remaining_length_width {}", *o.remaining_length_width); break;
    case 2: o.flags = static_cast<std::uint8_t>(rng.below(16)), what = fmt::format("flags {}", *o.flags); break;
    case 3: o.type = static_cast<std::uint8_t>(rng.below(16)), what = fmt::format("type {}", *o.type); break;
    case 4: o.truncate = rng.below(size), what = fmt::format("truncate {}", *o.truncate); break;
    case 5: o.append.resize(1 + rng.below(8)), std::generate(o.append.begin(), o.append.end(), [&] { return static_cast<std::uint8_t>(rng.next()); }),
            what = fmt::format("append {} bytes", o.append.size()); break;
    case 6: {
        static constexpr mqtt::Field strings[] = {mqtt::Field::client_id, mqtt::Field::topic, mqtt::Field::topic_filter,
                                                  mqtt::Field::protocol_name, mqtt::Field::will_topic};
        const mqtt::LengthPrefixOverride l{strings[rng.below(std::size(strings))], 0, static_cast<std::uint16_t>(rng.below(80))};
        o.length_prefixes.push_back(l);
        what = fmt::format("length prefix {} of field {}", l.value, static_cast<int>(l.field));
        break;
    }
    default: {
        mqtt::PropertyOverride p;
        if (rng.one_in(2)) p.length.length = static_cast<std::uint32_t>(rng.below(300));
        else p.bytes = Buf{static_cast<std::uint8_t>(rng.next()), static_cast<std::uint8_t>(rng.next()), 0x80, 0x80};
        o.properties = p;
        what = "properties broken (5.0 only)";
    }
    }
    d.mutations.push_back(fmt::format("packet {} ({}): {}", i, name(s), what));
}

/// A few bytes' worth of change to one chunk: the fuzz harnesses' mutator, or a flip, an
/// insertion, a cut.
void mutate_bytes(Rng& rng, Session& s) {
    Buf& b = s.packets[rng.below(s.packets.size())];
    if (rng.one_in(2)) {
        const std::size_t size = b.size();
        b.resize(size + 64);
        seed_byte_mutator(rng.next());
        b.resize(fuzz::mutate(b.data(), size, b.size(), static_cast<unsigned>(rng.next()), fuzz::MutatorConfig{}));
        s.mutations.push_back("fuzz mutator on one packet");
        return;
    }
    const std::size_t size = b.size();
    b.resize(size + 8);
    b.resize(byte_mutation(rng, b.data(), size, b.size()));
    s.mutations.push_back("byte flip, insert or cut in one packet");
}

}  // namespace

Session make_session(std::uint64_t seed, std::uint64_t index, const SessionOptions& o) {
    Rng rng(seed * 0x9E3779B97F4A7C15ull + index);
    Draft d = valid_session(rng, index, o);
    std::vector<unsigned> layers;
    for (unsigned l : {layer_sequence, layer_fields, layer_overrides}) if (o.layers & l) layers.push_back(l);
    const bool valid = rng.one_in(10);
    const std::size_t n = valid || layers.empty() ? 0 : 1 + rng.below(3);
    for (std::size_t k = 0; k < n; ++k) {
        switch (layers[rng.below(layers.size())]) {
        case layer_sequence: mutate_sequence(rng, d); break;
        case layer_fields: mutate_fields(rng, d); break;
        default: mutate_overrides(rng, d); break;
        }
    }
    Session s{seed, index, d.version, {}, std::move(d.mutations)};
    for (const Spec& spec : d.specs) s.packets.push_back(encode(spec, d.version));
    if (!valid && (o.layers & layer_bytes) && rng.one_in(layers.empty() ? 1 : 5)) mutate_bytes(rng, s);
    std::erase_if(s.packets, [](const Buf& b) { return b.empty(); });
    return s;
}

std::vector<std::uint8_t> wire_bytes(const Session& s) {
    std::vector<std::uint8_t> out;
    for (const auto& p : s.packets) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace mqttlens::probe
