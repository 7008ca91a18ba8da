// Packet type names, Table 2.2 flags, and builders for hand-made packets.
#include "mqtt/packet.hpp"

#include <array>

namespace mqttlens::mqtt {
namespace {

constexpr std::array<std::string_view, 16> type_names = {
    "RESERVED", "CONNECT",  "CONNACK",     "PUBLISH",  "PUBACK",  "PUBREC",
    "PUBREL",   "PUBCOMP",  "SUBSCRIBE",   "SUBACK",   "UNSUBSCRIBE", "UNSUBACK",
    "PINGREQ",  "PINGRESP", "DISCONNECT",  "RESERVED",
};

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        if (x != y) return false;
    }
    return true;
}

void put_string(std::vector<std::uint8_t>& out, std::string_view s) {
    out.push_back(static_cast<std::uint8_t>((s.size() >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(s.size() & 0xFF));
    out.insert(out.end(), s.begin(), s.end());
}

}  // namespace

std::string_view direction_name(Direction direction) noexcept {
    return direction == Direction::c2s ? "c2s" : direction == Direction::s2c ? "s2c" : "unknown";
}

std::string_view version_name(Version version) noexcept {
    return version == Version::v3_1 ? "3.1" : version == Version::v3_1_1 ? "3.1.1" : "5.0";
}

std::optional<Version> version_of_level(std::uint8_t level) noexcept {
    if (level < 3 || level > 5) return std::nullopt;
    return static_cast<Version>(level);
}

std::string_view type_name(PacketType type, Version version) noexcept {
    if (type == PacketType::auth && version == Version::v5_0) return "AUTH";
    return type_names[static_cast<std::size_t>(type) & 0x0F];
}

std::optional<PacketType> type_from_name(std::string_view name) noexcept {
    for (std::size_t i = 1; i < 15; ++i)
        if (equal_ignoring_case(name, type_names[i])) return static_cast<PacketType>(i);
    if (equal_ignoring_case(name, "AUTH")) return PacketType::auth;
    return std::nullopt;
}

std::uint8_t required_flags(PacketType type) noexcept {
    switch (type) {
        case PacketType::pubrel:
        case PacketType::subscribe:
        case PacketType::unsubscribe: return 0x02;
        default: return 0x00;
    }
}

SubscriptionList build_subscriptions(std::vector<std::uint8_t>& storage,
                                     std::span<const Subscription> subs) {
    storage.clear();
    for (const auto& s : subs) {
        put_string(storage, s.filter.substr(0, 0xFFFF));
        storage.push_back(s.options);
    }
    return SubscriptionList(Bytes(storage.data(), storage.size()));
}

FilterList build_filters(std::vector<std::uint8_t>& storage,
                         std::span<const std::string_view> filters) {
    storage.clear();
    for (auto f : filters) put_string(storage, f.substr(0, 0xFFFF));
    return FilterList(Bytes(storage.data(), storage.size()));
}

Packet make_packet(PacketType type, Body body, std::uint8_t publish_flags) {
    Packet p;
    auto flags = type == PacketType::publish ? static_cast<std::uint8_t>(publish_flags & 0x0F)
                                             : required_flags(type);
    p.header.first_byte = static_cast<std::uint8_t>((static_cast<unsigned>(type) << 4) | flags);
    p.body = std::move(body);
    return p;
}

}  // namespace mqttlens::mqtt

#include "mqtt/packet_v5.hpp"

namespace mqttlens::mqtt {

const PropertyList* properties_of(const Packet& packet) noexcept {
    return std::visit(
        [](const auto& body) -> const PropertyList* {
            if constexpr (requires { body.properties; }) return body.properties ? &*body.properties : nullptr;
            else return nullptr;
        },
        packet.body);
}

std::optional<std::uint8_t> reason_code_of(const Packet& packet) noexcept {
    if (const auto* a = packet.get<Ack>()) return a->reason_code;
    if (const auto* r = packet.get<Reason>()) return r->reason_code.value_or(0);
    if (const auto* c = packet.get<Connack>(); c && c->properties) return c->return_code;
    return std::nullopt;
}

}  // namespace mqttlens::mqtt
