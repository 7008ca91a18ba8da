// Packets of protocol versions the decoder does not know: fixed header only.
#pragma once

#include "mqtt/packet.hpp"

#include <string_view>

namespace mqttlens::dissect {

inline constexpr std::string_view mqtt5_note = "MQTT 5.0: not decoded yet";

/// `bytes` (one whole framed packet) shown with its fixed header and an undecoded body.
mqtt::Packet undecoded(mqtt::Bytes bytes) noexcept;

}  // namespace mqttlens::dissect
