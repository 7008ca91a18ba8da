// What capture mode prints: --type, --topic, --client, --errors-only. Filters select output only;
// the session checker and the statistics see every packet.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::dissect {

struct PacketFilter {
    std::uint16_t types = 0;             ///< bit per packet type (1 << type); 0 = every type
    std::optional<std::string> topic;    ///< --topic: an MQTT Topic Filter
    std::optional<std::string> client_id;///< --client: packets of connections with this Client Identifier
    bool errors_only = false;            ///< --errors-only: packets with an error-severity finding

    /// No filter at all: every packet is shown (checked first, so that the common case costs
    /// nothing per packet).
    bool selects_all() const noexcept { return types == 0 && !topic && !client_id && !errors_only; }
    /// --type or --topic is set: only some packets are shown, stream events are not.
    bool selects_packets() const noexcept { return types != 0 || topic.has_value(); }

    /// True when `packet` is shown. `client_id`: the connection's CONNECT Client Identifier
    /// (5.0: the assigned one; nullopt before a CONNECT was seen); `has_error`: a decode or
    /// stream error on it; `alias_topic`: the topic a 5.0 PUBLISH with an empty Topic Name stands
    /// for (engine::PacketSeen::alias_topic), matched by --topic in its place.
    bool selects(const mqtt::Packet& packet, const std::optional<std::string_view>& client_id,
                 bool has_error, std::string_view alias_topic = {}) const noexcept;
};

/// Adds the types named in `list` ("publish,SUBACK"; case-insensitive, comma-separated) to
/// `filter.types`; returns the first unknown name, empty when all are known.
std::string add_types(PacketFilter& filter, std::string_view list);

/// The --type names, for --help and errors: "CONNECT, CONNACK, ..., DISCONNECT".
std::string type_names();

}  // namespace mqttlens::dissect
