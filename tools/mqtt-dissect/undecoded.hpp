// What a packet of a version the decoder does not read yet is shown with.
#pragma once

#include <string_view>

namespace mqttlens::dissect {

inline constexpr std::string_view mqtt5_note = "MQTT 5.0: not decoded yet";

}  // namespace mqttlens::dissect
