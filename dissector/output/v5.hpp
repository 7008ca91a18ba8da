// The MQTT 5.0 parts of a packet as each printer writes them: reason codes and property lists.
// Internal to the output library; the printers call these from their one body dispatch.
#pragma once

#include "output/text.hpp"

#include <optional>

namespace mqttlens::output::detail {

/// ` reason=0x87 (Not authorized)` (summary); nothing when `code` is absent.
void append_reason_summary(Buffer& out, std::optional<std::uint8_t> code, mqtt::PacketType type);
/// `,"reason_code":135,"reason":"Not authorized"` (JSON); nothing when `code` is absent.
void append_reason_json(Buffer& out, std::optional<std::uint8_t> code, mqtt::PacketType type);
/// The standard's name of `code` in a packet of `type` ("" when it names none).
std::string_view reason_name(std::uint8_t code, mqtt::PacketType type) noexcept;

/// ` name=value` for each property (summary): numbers in decimal, strings quoted, a User Property
/// as `user_property="name":"value"`, Binary Data as its length (`correlation_data_len=4`).
void append_properties_summary(Buffer& out, const std::optional<mqtt::PropertyList>& list);
/// `,"<key>":{...}` (JSON) when the list is present: snake_case names; `user_properties` a list of
/// [name, value] pairs; `subscription_identifiers` a list; Binary Data as `<name>_hex`; a property
/// repeated where it may not be (a finding of its own) keeps its first value: keys stay unique.
void append_properties_json(Buffer& out, const std::optional<mqtt::PropertyList>& list, std::string_view key);
/// One property's value for the tree: the number, the quoted string, `"name" = "value"`, or hex.
void append_property_value(Buffer& out, const mqtt::Property& p);

}  // namespace mqttlens::output::detail
