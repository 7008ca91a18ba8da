// The MQTT 5.0 parts every packet type may carry, read the same way whatever the body: its
// property list and its one Reason Code. For the checkers and counters that look at any packet.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>

namespace mqttlens::mqtt {

/// The packet's own property list (not CONNECT's Will Properties): nullptr when its body has none
/// (a 3.1.1 packet, a short form, a body type without properties).
const PropertyList* properties_of(const Packet& packet) noexcept;

/// The one Reason Code of a 5.0 CONNACK, PUBACK..PUBCOMP, DISCONNECT or AUTH: a short form's
/// implied 0x00 for DISCONNECT and AUTH of Remaining Length 0, nullopt for an acknowledgement
/// without one (its short form, also implying 0x00, but not written) and for every other packet.
/// A CONNACK is 5.0 when it carried properties (`20 02 00 01` answering a 5.0 CONNECT is a 3.1.1
/// server's refusal).
std::optional<std::uint8_t> reason_code_of(const Packet& packet) noexcept;

}  // namespace mqttlens::mqtt
