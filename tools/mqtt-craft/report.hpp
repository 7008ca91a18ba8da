// The rule report: decodes each crafted packet and says on stderr which rules it breaks.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <cstddef>
#include <string_view>

namespace mqttlens::craft {

/// Decodes `bytes` (one crafted packet, made by the `type` subcommand) as `version`, and unless
/// `quiet` writes one stderr line per diagnostic:
/// "mqtt-craft: packet N TYPE (ORIGIN): error RULE code at offset O (field): message".
/// Returns the number of error-severity diagnostics.
std::size_t report_packet(mqtt::Bytes bytes, std::size_t number, mqtt::PacketType type,
                          std::string_view origin, mqtt::Version version, bool quiet);

}  // namespace mqttlens::craft
