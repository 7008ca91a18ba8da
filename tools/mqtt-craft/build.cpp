// Packet building: every field has a default; every option is written as asked, even when the
// result breaks the standard.
#include "build.hpp"

#include "escapes.hpp"

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

Body build_connect(PacketSpec& spec, const PacketOptions& o) {
    Connect c;
    c.protocol_name = o.protocol_name ? keep(spec, unescape(*o.protocol_name, "--protocol-name"))
                                      : std::string_view(o.protocol_level == 3 ? "MQIsdp" : "MQTT");
    c.protocol_level = static_cast<std::uint8_t>(o.protocol_level);
    c.keep_alive = static_cast<std::uint16_t>(o.keep_alive);
    c.client_id = keep(spec, unescape(o.client_id, "--client-id"));
    if (o.will_topic || o.will_message || o.will_message_hex) {
        Will w;
        if (o.will_topic) w.topic = keep(spec, unescape(*o.will_topic, "--will-topic"));
        if (o.will_message) w.message = as_bytes(keep(spec, unescape(*o.will_message, "--will-message")));
        if (o.will_message_hex) w.message = keep_bytes(spec, parse_hex(*o.will_message_hex, "--will-message-hex"));
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

Body build_connack(const PacketOptions& o) {
    Connack c;
    c.ack_flags = static_cast<std::uint8_t>(o.ack_flags.value_or(o.session_present ? 1u : 0u));
    c.return_code = static_cast<std::uint8_t>(o.return_code);
    return c;
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

Body build_subscribe(PacketSpec& spec, const PacketOptions& o) {
    Subscribe s;
    s.packet_id = packet_id(o, true);
    auto default_options = static_cast<std::uint8_t>(o.qos_byte.value_or(o.qos));
    std::vector<Subscription> subs;
    if (!o.no_filters) {
        for (const auto& f : o.filters) subs.push_back(parse_filter(spec, f, default_options));
        if (o.filters.empty()) subs.push_back({"#", default_options});
    }
    s.subscriptions = build_subscriptions(spec.entries, subs);
    return s;
}

Body build_unsubscribe(PacketSpec& spec, const PacketOptions& o) {
    Unsubscribe u;
    u.packet_id = packet_id(o, true);
    std::vector<std::string_view> filters;
    if (!o.no_filters) {
        for (const auto& f : o.filters) filters.push_back(keep(spec, unescape(f, "--filter")));
        if (o.filters.empty()) filters.push_back("#");
    }
    u.filters = build_filters(spec.entries, filters);
    return u;
}

Body build_suback(PacketSpec& spec, const PacketOptions& o) {
    Suback s;
    s.packet_id = packet_id(o, true);
    std::vector<std::uint8_t> codes;
    if (!o.no_return_codes) {
        for (unsigned c : o.return_codes) codes.push_back(static_cast<std::uint8_t>(c));
        if (o.return_codes.empty()) codes.push_back(0);
    }
    s.return_codes = keep_bytes(spec, codes);
    return s;
}

Body build_body(PacketSpec& spec, PacketType type, const PacketOptions& o) {
    switch (type) {
    case PacketType::connect: return build_connect(spec, o);
    case PacketType::connack: return build_connack(o);
    case PacketType::publish: return Publish{keep(spec, unescape(o.topic, "--topic")),
                                             packet_id(o, o.qos > 0), build_payload(spec, o)};
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
    case PacketType::unsuback: return Ack{packet_id(o, true)};
    case PacketType::subscribe: return build_subscribe(spec, o);
    case PacketType::suback: return build_suback(spec, o);
    case PacketType::unsubscribe: return build_unsubscribe(spec, o);
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

std::unique_ptr<PacketSpec> build_packet(const PacketRequest& request) {
    const PacketOptions& o = request.options;
    auto spec = std::make_unique<PacketSpec>();
    auto publish_flags = static_cast<std::uint8_t>((o.dup ? 0x08 : 0) | (o.qos & 3) << 1 | (o.retain ? 1 : 0));
    spec->packet = make_packet(request.type, build_body(*spec, request.type, o), publish_flags);
    spec->overrides = build_overrides(o);
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
