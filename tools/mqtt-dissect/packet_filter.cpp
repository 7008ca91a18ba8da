#include "packet_filter.hpp"

#include "topic_match.hpp"

#include <variant>

namespace mqttlens::dissect {

namespace {

bool topic_selected(const mqtt::Packet& packet, std::string_view filter, std::string_view alias_topic) noexcept {
    if (const auto* p = packet.get<mqtt::Publish>())
        return topic_matches(filter, p->topic.empty() && !alias_topic.empty() ? alias_topic : p->topic);
    if (const auto* s = packet.get<mqtt::Subscribe>()) {
        for (const auto& sub : s->subscriptions)
            if (filters_overlap(filter, sub.filter)) return true;
        return false;
    }
    if (const auto* u = packet.get<mqtt::Unsubscribe>()) {
        for (const auto f : u->filters)
            if (filters_overlap(filter, f)) return true;
    }
    return false;
}

}  // namespace

bool PacketFilter::selects(const mqtt::Packet& packet, const std::optional<std::string_view>& id,
                           bool has_error, std::string_view alias_topic) const noexcept {
    if (types != 0 && (types & (1u << static_cast<unsigned>(packet.type()))) == 0) return false;
    if (errors_only && !has_error) return false;
    if (client_id && (!id || *id != *client_id)) return false;
    if (topic && !topic_selected(packet, *topic, alias_topic)) return false;
    return true;
}

std::string add_types(PacketFilter& filter, std::string_view list) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (name.empty()) continue;
        const auto type = mqtt::type_from_name(name);
        if (!type || *type == mqtt::PacketType::reserved15 || static_cast<unsigned>(*type) == 0)
            return std::string(name);
        filter.types |= static_cast<std::uint16_t>(1u << static_cast<unsigned>(*type));
    }
    return {};
}

std::string type_names() {
    std::string out;
    for (unsigned t = 1; t <= 14; ++t) {
        if (!out.empty()) out += ", ";
        out += mqtt::type_name(static_cast<mqtt::PacketType>(t));
    }
    return out;
}

}  // namespace mqttlens::dissect
