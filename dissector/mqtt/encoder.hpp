// Encoder: writes any Packet, canonical by default, broken on purpose through overrides.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace mqttlens::mqtt {

/// Replaces the 2-byte length prefix of one string field with `value`, whatever the string's
/// real length. `index` picks the entry for repeated fields (SUBSCRIBE / UNSUBSCRIBE filters).
struct LengthPrefixOverride {
    Field field = Field::none;
    std::size_t index = 0;
    std::uint16_t value = 0;
};

/// Breaks one MQTT 5.0 property list. Applies only where the body carries that list (its
/// `properties` present): the caller puts repeats and properties not allowed in the list itself.
struct PropertyOverride {
    /// Property Length value written instead of the size of what follows, and its width in
    /// bytes (0 the shortest form; wider a non-minimal form; 5 a malformed one).
    PropertyWriting length;
    /// Written instead of the list's properties, any bytes: an unknown identifier, a value cut
    /// short, a non-minimal Variable Byte Integer value. The Property Length counts them.
    std::optional<std::vector<std::uint8_t>> bytes;
};

/// Deliberate breakage. Every member left empty means "write what the packet says".
struct EncodeOverrides {
    std::optional<std::uint8_t> first_byte;        ///< whole byte 0 (type and flags)
    std::optional<std::uint8_t> type;              ///< high nibble of byte 0 (0..15)
    std::optional<std::uint8_t> flags;             ///< low nibble of byte 0 (0..15)
    std::optional<std::uint32_t> remaining_length; ///< value written instead of the real length
    /// Encode the Remaining Length value in exactly this many bytes (1..5; wider than needed gives
    /// a non-minimal form, 5 gives a malformed one). Ignored when remaining_length_bytes is set.
    std::optional<std::uint8_t> remaining_length_width;
    std::optional<std::vector<std::uint8_t>> remaining_length_bytes;  ///< raw encoding, any bytes
    std::vector<LengthPrefixOverride> length_prefixes;
    std::optional<PropertyOverride> properties;       ///< MQTT 5.0: the packet's own list
    std::optional<PropertyOverride> will_properties;  ///< MQTT 5.0: CONNECT's Will Properties
    std::optional<std::size_t> truncate;  ///< keep only the first N bytes of the result
    std::vector<std::uint8_t> append;     ///< bytes added after the packet (after truncation)
};

/// Appends the encoding of `packet` to `out` and returns the number of bytes appended. Uses
/// packet.header.first_byte and packet.body; computes Remaining Length from the body. For a
/// valid packet with no overrides the output is canonical (minimal Remaining Length), so
/// decode(encode(p)) == p. Never throws except std::bad_alloc from `out`.
std::size_t encode(const Packet& packet, std::vector<std::uint8_t>& out,
                   const EncodeOverrides& overrides = {});

/// Writes `value` as a Remaining Length in `width` bytes (0 = minimal); returns bytes written.
/// Widths above the minimum set continuation bits on zero groups; width 5 is malformed on purpose.
std::size_t write_remaining_length(std::uint32_t value, std::vector<std::uint8_t>& out,
                                   std::uint8_t width = 0);

}  // namespace mqttlens::mqtt
