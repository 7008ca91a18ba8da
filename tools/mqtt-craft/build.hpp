// Packet building: from the options as typed to an mqtt::Packet and its encoder overrides.
#pragma once

#include "options.hpp"

#include "mqtt/encoder.hpp"
#include "mqtt/packet.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mqttlens::craft {

/// One packet to write: the Packet value, the bytes its views point at, and the overrides.
/// Holds views into itself, so it is neither copied nor moved (keep it in a unique_ptr).
struct PacketSpec {
    mqtt::Packet packet;
    mqtt::EncodeOverrides overrides;
    bool from_server = false;
    std::uint64_t count = 1;
    std::string origin;

    PacketSpec() = default;
    PacketSpec(const PacketSpec&) = delete;
    PacketSpec& operator=(const PacketSpec&) = delete;

    /// Appends copy number `copy` (0-based) to `out`: the packet with its Packet Identifier, when
    /// present and non-zero, advanced by `copy` (wrapping past 65535 to 1). Returns bytes added.
    std::size_t encode_copy(std::uint64_t copy, std::vector<std::uint8_t>& out);

    // Storage the packet's views point into.
    std::deque<std::string> strings;
    std::vector<std::uint8_t> entries;
    std::optional<std::uint16_t> base_packet_id;
};

/// True when `type` travels server to client by default (CONNACK, SUBACK, UNSUBACK, PINGRESP).
bool server_side(mqtt::PacketType type) noexcept;

/// Builds the packet `request` describes, in the layout of `version` (--protocol-version; nullopt:
/// 3.1.1). Every option is written as asked in any layout: a Reason Code or a property list given
/// to a 3.1.1 packet is written in it. Throws UsageError for what cannot be built (bad escape,
/// bad hex, unreadable payload file, unknown length-prefix field, unknown property, a property
/// value its type cannot read).
std::unique_ptr<PacketSpec> build_packet(const PacketRequest& request, std::optional<mqtt::Version> version = {});

}  // namespace mqttlens::craft
