// Packet building: every field has a default; every option is written as asked, even when the
// result breaks the standard.
#include "build.hpp"

#include "escapes.hpp"
#include "property_args.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mqttlens::craft {

namespace {

using namespace mqttlens::mqtt;

/// Stores `text` in the spec and returns a view of the stored copy.
std::string_view keep(PacketSpec& spec, std::string text) {
    return spec.strings.emplace_back(std::move(text));
}

Bytes keep_bytes(PacketSpec& spec, const std::vector<std::uint8_t>& bytes) {
    return as_bytes(keep(spec, std::string(bytes.begin(), bytes.end())));
}

std::string read_file(const std::string& path) {
    std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!f) throw UsageError(fmt::format("--payload-file: cannot open {}: {}", path, std::strerror(errno)));
    std::string data;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    bool failed = std::ferror(f);
    if (f != stdin) std::fclose(f);
    if (failed) throw UsageError(fmt::format("--payload-file: cannot read {}", path));
    return data;
}

Bytes build_payload(PacketSpec& spec, const PacketOptions& o) {
    std::string data;
    if (o.payload) data = unescape(*o.payload, "--payload");
    else if (o.payload_hex) {
        auto b = parse_hex(*o.payload_hex, "--payload-hex");
        data.assign(b.begin(), b.end());
    } else if (o.payload_file) data = read_file(*o.payload_file);
    if (o.payload_size) {
        if (*o.payload_size > 268'435'455u)
            throw UsageError(fmt::format("--payload-size: {} is above 268435455", *o.payload_size));
        std::string unit = data.empty() ? std::string("x") : data;
        data.clear();
        data.reserve(*o.payload_size);
        while (data.size() < *o.payload_size)
            data.append(unit, 0, std::min<std::size_t>(unit.size(), *o.payload_size - data.size()));
    }
    return as_bytes(keep(spec, std::move(data)));
}

std::optional<std::uint16_t> packet_id(const PacketOptions& o, bool required) {
    if (o.no_packet_id) return std::nullopt;
    if (o.packet_id) return static_cast<std::uint16_t>(*o.packet_id);
    if (required) return 1;
    return std::nullopt;
}

/// A property list: present when the 5.0 layout `needs` one or anything was asked of it. The
/// properties given form the list; when one has an identifier 5.0 does not define, they cannot
/// (a PropertyList holds only well-typed properties) and go to the override's bytes instead.
/// `breaking` adds the Property Length and raw-bytes overrides; `prefix` names its options.
std::optional<PropertyList> build_list(PacketSpec& spec, const std::vector<PropertyArg>& args,
                                       const PropertyBreakArgs& breaking, bool needs,
                                       std::optional<PropertyOverride>& broken, std::string_view prefix) {
    if (!needs && args.empty() && !breaking.any()) return std::nullopt;
    std::vector<std::uint8_t> bytes;
    bool whole = true;
    for (const PropertyArg& a : args) whole = append_property(a, bytes) && whole;
    PropertyOverride o;
    if (!whole) o.bytes = bytes;
    if (breaking.hex) o.bytes = parse_hex(*breaking.hex, fmt::format("--{}properties-hex", prefix));
    o.length.length = breaking.length;
    o.length.length_width = static_cast<std::uint8_t>(breaking.length_width.value_or(0));
    if (o.bytes || breaking.any()) broken = std::move(o);
    return whole ? PropertyList(keep_bytes(spec, bytes)) : PropertyList{};
}

/// The packet's own property list (build_list).
std::optional<PropertyList> own_list(PacketSpec& spec, const PacketOptions& o, bool needs) {
    return build_list(spec, o.properties, o.property_break, needs, spec.overrides.properties, "");
}

Body build_connect(PacketSpec& spec, const PacketOptions& o, Version version) {
    const bool v5 = version == Version::v5_0;
    const unsigned level = o.protocol_level.value_or(v5 ? 5 : version == Version::v3_1 ? 3 : 4);
    Connect c;
    c.protocol_name = o.protocol_name ? keep(spec, unescape(*o.protocol_name, "--protocol-name"))
                                      : std::string_view(level == 3 ? "MQIsdp" : "MQTT");
    c.protocol_level = static_cast<std::uint8_t>(level);
    c.keep_alive = static_cast<std::uint16_t>(o.keep_alive);
    c.properties = own_list(spec, o, v5);
    c.client_id = keep(spec, unescape(o.client_id, "--client-id"));
    if (o.will_topic || o.will_message || o.will_message_hex || !o.will_properties.empty()) {
        Will w;
        if (o.will_topic) w.topic = keep(spec, unescape(*o.will_topic, "--will-topic"));
        if (o.will_message) w.message = as_bytes(keep(spec, unescape(*o.will_message, "--will-message")));
        if (o.will_message_hex) w.message = keep_bytes(spec, parse_hex(*o.will_message_hex, "--will-message-hex"));
        w.properties = build_list(spec, o.will_properties, o.will_property_break, v5,
                                  spec.overrides.will_properties, "will-");
        c.will = w;
    }
    if (o.username) c.username = keep(spec, unescape(*o.username, "--username"));
    if (o.password) c.password = as_bytes(keep(spec, unescape(*o.password, "--password")));
    if (o.password_hex) c.password = keep_bytes(spec, parse_hex(*o.password_hex, "--password-hex"));
    c.flags = Connect::make_flags(!o.no_clean_session, c.will.has_value(),
                                  static_cast<std::uint8_t>(o.will_qos), o.will_retain,
                                  c.username.has_value(), c.password.has_value());
    if (o.connect_flags) c.flags = static_cast<std::uint8_t>(*o.connect_flags);
    if (o.reserved_flag) c.flags |= 0x01;
    return c;
}

Body build_connack(PacketSpec& spec, const PacketOptions& o, bool v5) {
    Connack c;
    c.ack_flags = static_cast<std::uint8_t>(o.ack_flags.value_or(o.session_present ? 1u : 0u));
    c.return_code = static_cast<std::uint8_t>(o.return_code);
    c.properties = own_list(spec, o, v5);
    return c;
}

/// PUBACK..PUBCOMP: the short form (Packet Identifier alone) unless a Reason Code or properties
/// are asked for; properties need a Reason Code before them (0 unless given).
Body build_ack(PacketSpec& spec, const PacketOptions& o) {
    Ack a{packet_id(o, true)};
    a.properties = own_list(spec, o, false);
    if (o.reason_code || a.properties) a.reason_code = static_cast<std::uint8_t>(o.reason_code.value_or(0));
    return a;
}

/// 5.0 DISCONNECT and AUTH, short forms as build_ack(); a 3.1.1 DISCONNECT with neither is Empty.
Body build_reason(PacketSpec& spec, const PacketOptions& o, PacketType type, bool v5) {
    Reason r;
    r.properties = own_list(spec, o, false);
    if (o.reason_code || r.properties) r.reason_code = static_cast<std::uint8_t>(o.reason_code.value_or(0));
    if (type == PacketType::disconnect && !v5 && !r.reason_code) return Empty{};
    return r;
}

/// FILTER or FILTER:QOS, QOS being the whole Requested QoS byte (decimal or 0x..).
Subscription parse_filter(PacketSpec& spec, const std::string& text, std::uint8_t default_options) {
    std::string_view filter = text;
    std::uint8_t options = default_options;
    if (auto colon = filter.rfind(':'); colon != std::string_view::npos) {
        std::string_view suffix = filter.substr(colon + 1);
        bool numeric = !suffix.empty() &&
                       suffix.find_first_not_of("0123456789abcdefABCDEFxX") == std::string_view::npos &&
                       suffix[0] >= '0' && suffix[0] <= '9';
        if (numeric) {
            options = static_cast<std::uint8_t>(parse_number(suffix, 255, fmt::format("--filter '{}'", text)));
            filter = filter.substr(0, colon);
        }
    }
    return {keep(spec, unescape(filter, "--filter")), options};
}

Body build_subscribe(PacketSpec& spec, const PacketOptions& o, bool v5) {
    Subscribe s;
    s.packet_id = packet_id(o, true);
    s.properties = own_list(spec, o, v5);
    const unsigned options = o.qos | (o.no_local ? 0x04u : 0u) | (o.retain_as_published ? 0x08u : 0u) |
                             (o.retain_handling << 4);
    auto default_options = static_cast<std::uint8_t>(o.qos_byte.value_or(options));
    std::vector<Subscription> subs;
    if (!o.no_filters) {
        for (const auto& f : o.filters) subs.push_back(parse_filter(spec, f, default_options));
        if (o.filters.empty()) subs.push_back({"#", default_options});
    }
    s.subscriptions = build_subscriptions(spec.entries, subs);
    return s;
}

Body build_unsubscribe(PacketSpec& spec, const PacketOptions& o, bool v5) {
    Unsubscribe u;
    u.packet_id = packet_id(o, true);
    u.properties = own_list(spec, o, v5);
    std::vector<std::string_view> filters;
    if (!o.no_filters) {
        for (const auto& f : o.filters) filters.push_back(keep(spec, unescape(f, "--filter")));
        if (o.filters.empty()) filters.push_back("#");
    }
    u.filters = build_filters(spec.entries, filters);
    return u;
}

/// SUBACK, and the 5.0 UNSUBACK (its layout): one code per filter, 0 unless given.
Body build_suback(PacketSpec& spec, const PacketOptions& o, bool v5) {
    Suback s;
    s.packet_id = packet_id(o, true);
    s.properties = own_list(spec, o, v5);
    std::vector<std::uint8_t> codes;
    if (!o.no_return_codes) {
        for (unsigned c : o.return_codes) codes.push_back(static_cast<std::uint8_t>(c));
        if (o.return_codes.empty()) codes.push_back(0);
    }
    s.return_codes = keep_bytes(spec, codes);
    return s;
}

/// The 3.1.1 UNSUBACK is a Packet Identifier alone; with 5.0, Reason Codes or properties it
/// takes SUBACK's layout.
Body build_unsuback(PacketSpec& spec, const PacketOptions& o, bool v5) {
    if (v5 || !o.return_codes.empty() || !o.properties.empty() || o.property_break.any())
        return build_suback(spec, o, v5);
    return Ack{packet_id(o, true)};
}

Body build_body(PacketSpec& spec, PacketType type, const PacketOptions& o, Version version) {
    const bool v5 = version == Version::v5_0;
    switch (type) {
    case PacketType::connect: return build_connect(spec, o, version);
    case PacketType::connack: return build_connack(spec, o, v5);
    case PacketType::publish: {
        Publish p{keep(spec, unescape(o.topic, "--topic")), packet_id(o, o.qos > 0), build_payload(spec, o)};
        p.properties = own_list(spec, o, v5);
        return p;
    }
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp: return build_ack(spec, o);
    case PacketType::unsuback: return build_unsuback(spec, o, v5);
    case PacketType::subscribe: return build_subscribe(spec, o, v5);
    case PacketType::suback: return build_suback(spec, o, v5);
    case PacketType::unsubscribe: return build_unsubscribe(spec, o, v5);
    case PacketType::disconnect:
    case PacketType::auth: return build_reason(spec, o, type, v5);
    default: return Empty{};
    }
}

/// FIELD[:INDEX]=N
LengthPrefixOverride parse_length_prefix(const std::string& text) {
    static constexpr std::array fields{Field::protocol_name, Field::client_id, Field::will_topic,
                                       Field::will_message,  Field::username,  Field::password,
                                       Field::topic,         Field::topic_filter};
    const std::string what = fmt::format("--length-prefix '{}'", text);
    auto eq = text.find('=');
    if (eq == std::string::npos) throw UsageError(what + ": expected FIELD[:INDEX]=N");
    std::string_view name = std::string_view(text).substr(0, eq);
    LengthPrefixOverride o;
    if (auto colon = name.find(':'); colon != std::string_view::npos) {
        o.index = parse_number(name.substr(colon + 1), 65535, what);
        name = name.substr(0, colon);
    }
    for (Field f : fields)
        if (field_name(f) == name) o.field = f;
    if (o.field == Field::none) {
        std::string known;
        for (Field f : fields) known += fmt::format(" {}", field_name(f));
        throw UsageError(fmt::format("{}: unknown field '{}'; known:{}", what, name, known));
    }
    o.value = static_cast<std::uint16_t>(parse_number(std::string_view(text).substr(eq + 1), 65535, what));
    return o;
}

EncodeOverrides build_overrides(const PacketOptions& o) {
    EncodeOverrides ov;
    if (o.type) ov.type = static_cast<std::uint8_t>(*o.type);
    if (o.flags) ov.flags = static_cast<std::uint8_t>(*o.flags);
    ov.remaining_length = o.remaining_length;
    if (o.remaining_length_width) ov.remaining_length_width = static_cast<std::uint8_t>(*o.remaining_length_width);
    if (o.remaining_length_bytes)
        ov.remaining_length_bytes = parse_hex(*o.remaining_length_bytes, "--remaining-length-bytes");
    if (o.truncate) ov.truncate = static_cast<std::size_t>(*o.truncate);
    if (o.append) ov.append = parse_hex(*o.append, "--append");
    for (const auto& lp : o.length_prefixes) ov.length_prefixes.push_back(parse_length_prefix(lp));
    return ov;
}

/// Calls `f` with the body's Packet Identifier, for the bodies that have one.
template <class F>
void with_packet_id(Body& body, F&& f) {
    std::visit([&](auto& b) {
        if constexpr (requires { b.packet_id; }) f(b.packet_id);
    }, body);
}

}  // namespace

bool server_side(mqtt::PacketType type) noexcept {
    return type == PacketType::connack || type == PacketType::suback ||
           type == PacketType::unsuback || type == PacketType::pingresp;
}

std::unique_ptr<PacketSpec> build_packet(const PacketRequest& request, std::optional<mqtt::Version> version) {
    const PacketOptions& o = request.options;
    auto spec = std::make_unique<PacketSpec>();
    auto publish_flags = static_cast<std::uint8_t>((o.dup ? 0x08 : 0) | (o.qos & 3) << 1 | (o.retain ? 1 : 0));
    spec->overrides = build_overrides(o);  // first: the body's property lists add theirs
    spec->packet = make_packet(request.type, build_body(*spec, request.type, o, version.value_or(Version::v3_1_1)),
                               publish_flags);
    spec->from_server = o.from_server ? true : o.from_client ? false : server_side(request.type);
    spec->count = o.count;
    spec->origin = request.origin;
    with_packet_id(spec->packet.body, [&](const std::optional<std::uint16_t>& id) { spec->base_packet_id = id; });
    return spec;
}

std::size_t PacketSpec::encode_copy(std::uint64_t copy, std::vector<std::uint8_t>& out) {
    if (base_packet_id && *base_packet_id != 0) {
        auto id = static_cast<std::uint16_t>((*base_packet_id - 1 + copy) % 65535 + 1);
        with_packet_id(packet.body, [id](std::optional<std::uint16_t>& p) { p = id; });
    }
    return mqtt::encode(packet, out, overrides);
}

}  // namespace mqttlens::craft
