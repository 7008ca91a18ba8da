// Packets of protocol versions the decoder does not know: fixed header only.
#pragma once

#include "mqtt/packet.hpp"

#include <optional>
#include <string_view>

namespace mqttlens::dissect {

inline constexpr std::string_view mqtt5_note = "MQTT 5.0: not decoded yet";

/// `bytes` (one whole framed packet) shown with its fixed header and an undecoded body.
mqtt::Packet undecoded(mqtt::Bytes bytes) noexcept;

/// The Client Identifier of an MQTT 5.0 CONNECT (one whole framed packet): after the protocol
/// name, level, flags and keep alive comes a Properties block (a variable byte integer length,
/// then that many bytes), then the identifier as a length-prefixed string. nullopt when the
/// packet is too short for it or the Properties length is malformed. No UTF-8 check: it is used
/// to match --client and to name the connection in --stats, not to judge the packet.
std::optional<std::string_view> mqtt5_client_id(mqtt::Bytes connect) noexcept;

}  // namespace mqttlens::dissect
