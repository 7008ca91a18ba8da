// MQTT 5.0 reason codes (§2.4, Table 2-6): their names, which packet may carry which (each
// packet's own table), and which side may send the ones only one side may.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mqttlens::mqtt {

/// The packets that carry reason codes.
enum class ReasonScope : std::uint8_t { connack, puback, pubrec, pubrel, pubcomp, suback, unsuback, disconnect, auth };

/// Who may send a code in a packet.
enum class ReasonSender : std::uint8_t { either, client, server };

/// The standard's name of `code` in a packet of `scope`: 0x00 is "Success", "Normal
/// disconnection" (DISCONNECT) or "Granted QoS 0" (SUBACK); any other code has one name whatever
/// the packet, given even where the packet may not carry it. Empty for a value MQTT 5.0 does not
/// define.
std::string_view reason_code_name(std::uint8_t code, ReasonScope scope) noexcept;
/// True when a packet of `scope` may carry `code` (Tables 3-1 and 3-4 to 3-11). Table 3-10 governs
/// DISCONNECT: 0x8C Bad authentication method is not allowed there although Table 2-6 lists it.
bool reason_code_allowed(std::uint8_t code, ReasonScope scope) noexcept;
/// Who may send `code` in a packet of `scope`: `client` or `server` for the codes one side only
/// may send (PUBACK and PUBREC 0x10, DISCONNECT 0x04 and the server's, AUTH 0x00 and 0x19),
/// `either` otherwise.
ReasonSender reason_code_sender(std::uint8_t code, ReasonScope scope) noexcept;
/// "connack", "puback", ... "auth".
std::string_view reason_scope_name(ReasonScope scope) noexcept;
/// The scope of a packet type's reason codes (type 15: AUTH); nullopt for a type that has none.
/// The type's number, so that this header needs no other.
std::optional<ReasonScope> reason_scope_of_type(std::uint8_t type) noexcept;

}  // namespace mqttlens::mqtt
