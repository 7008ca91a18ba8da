// MQTT 5.0 properties as typed on the command line: NAME=VALUE read by the property's type and
// written in wire form by the codec's property writer.
#pragma once

#include "options.hpp"

#include "mqtt/properties.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::craft {

/// The identifier `name` gives: a snake_case name of mqtt::property_info() ("topic_alias") or a
/// number 0..255, decimal or 0x.. (any value, defined or not). Throws UsageError naming `what`.
std::uint8_t property_identifier(std::string_view name, std::string_view what);

/// Splits `--property NAME=VALUE` at its first '='; nullopt when there is none.
std::optional<PropertyArg> split_property(const std::string& text, std::string option);

/// Appends `arg` in wire form: the identifier, then VALUE as the identifier's type reads it:
/// integers decimal or 0x.. up to the type's maximum (Variable Byte Integer: 268,435,455);
/// UTF-8 strings with the string escapes; a pair as KEY=VALUE split at the first '=' (a '=' in
/// the key is \x3d); Binary Data as hex, or as text with escapes when `arg.binary_text`. An
/// identifier MQTT 5.0 does not define takes VALUE as hex bytes written after it. Returns true
/// when the identifier is defined (the bytes then form a whole, well-typed property). Throws
/// UsageError for a value its type cannot read.
bool append_property(const PropertyArg& arg, std::vector<std::uint8_t>& out);

/// Where a packet type's own property list lies; nullopt for the types without one (PINGREQ,
/// PINGRESP, and type 0).
std::optional<mqtt::PropertyScope> property_scope_of(mqtt::PacketType type) noexcept;

}  // namespace mqttlens::craft
