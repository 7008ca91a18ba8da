// Decoder: one whole MQTT control packet in, a Packet with every diagnostic out.
#pragma once

#include "mqtt/packet.hpp"
#include "mqtt/topic.hpp"

namespace mqttlens::mqtt {

/// Decoder settings. The defaults are the standard; every relaxation is named.
struct DecodeOptions {
    /// Report U+0001..001F, U+007F..009F and non-characters in strings as warnings.
    bool warn_control_characters = true;
    /// Report a Remaining Length not in its shortest form as a warning.
    bool warn_non_minimal_length = true;
    /// Risk: accepts a client→server packet id 0 without an error (some old clients send it).
    bool allow_packet_id_zero = false;
    /// The usual PUBLISH (whole, valid flags, shortest length, plain topic) takes a short path
    /// that gives the same Packet. false: every packet takes the general path (tests compare).
    bool fast_paths = true;
};

/// Decodes one packet sent on a connection of `version`. `bytes` should be exactly one packet (as
/// the Framer yields it): a short field inside it is malformed, never "need more". Bytes past
/// header + Remaining Length are reported (packet_length_mismatch) and ignored. A CONNECT is
/// decoded by the version it declares; any other packet of a 5.0 connection keeps its body as
/// Opaque bytes (5.0 is not decoded yet). Never throws, never reads outside `bytes`, and
/// allocates nothing. The result's views point into `bytes`.
Packet decode(Bytes bytes, Version version = Version::v3_1_1, const DecodeOptions& options = {}) noexcept;

/// What decode(bytes, version, options) returns for bytes it found nothing wrong with (no
/// diagnostic at all), built without the checks: for reading again bytes already decoded once.
/// PUBLISH and the packets of fixed size (PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, PINGREQ,
/// PINGRESP, DISCONNECT) take the short way; any other type, and bytes that do not have the shape
/// of a whole such packet, go through decode(). Never reads outside `bytes`; for bytes decode()
/// would find fault with, the result is unspecified but safe.
Packet decode_clean(Bytes bytes, Version version = Version::v3_1_1, const DecodeOptions& options = {}) noexcept;

/// The version a whole CONNECT packet names by its Protocol Level (see version_of_level);
/// nullopt when the packet is too short to hold a level or names none. The one reader of a
/// CONNECT's level from raw bytes.
std::optional<Version> connect_version(Bytes connect) noexcept;

namespace detail {

/// The Remaining Length of the usual PUBLISH, decode()'s short path (its flags are the caller's to
/// test): one or two bytes in the shortest form, and `bytes` exactly one whole packet of at least
/// 5 bytes (fixed header, topic length, one character). Sets `length` and `start` (where the
/// variable header begins) and returns true; false for anything else.
[[gnu::always_inline]] inline bool plain_publish_length(Bytes bytes, std::uint32_t& length, std::size_t& start) noexcept {
    const std::size_t size = bytes.size();
    if (size < 5) return false;
    if (bytes[1] < 0x80) {
        length = bytes[1];
        start = 2;
    } else if (bytes[2] != 0 && bytes[2] < 0x80) {
        length = (bytes[1] & 0x7Fu) | (std::uint32_t(bytes[2]) << 7);
        start = 3;
    } else {
        return false;
    }
    return size == start + length;
}

/// The fields of a whole PUBLISH (`bytes` ends with it) whose variable header starts at `start`,
/// read without any check but that they fit: false when the Topic Name or the Packet
/// Identifier (at QoS > 0) would run past the end.
[[gnu::always_inline]] inline bool publish_fields(Bytes bytes, std::size_t start, Publish& pub) noexcept {
    const std::size_t length = bytes.size() - start;
    if (length < 2) return false;
    const std::size_t topic = (std::size_t(bytes[start]) << 8) | bytes[start + 1];
    const std::size_t id = ((bytes[0] >> 1) & 3) != 0 ? 2 : 0;
    if (topic + id > length - 2) return false;
    pub.topic = std::string_view(reinterpret_cast<const char*>(bytes.data()) + start + 2, topic);
    std::size_t pos = start + 2 + topic;
    if (id != 0) {
        pub.packet_id = static_cast<std::uint16_t>((bytes[pos] << 8) | bytes[pos + 1]);
        pos += 2;
    }
    pub.payload = bytes.subspan(pos);
    return true;
}

}  // namespace detail

/// True for the bytes of one whole QoS 0 PUBLISH that decode() takes its short path for, and so
/// finds nothing wrong with (no diagnostic, whatever the options): shortest Remaining Length of
/// one or two bytes, valid flags, a plain topic. Checked without building a Packet, for a caller
/// that needs only the verdict (mqtt-dissect's capture thread: the printer then decodes the
/// bytes, once, with decode_clean()). Inline: it runs once per packet of a busy connection, in
/// place of a decode.
[[gnu::always_inline]] inline bool is_plain_qos0_publish(Bytes bytes) noexcept {
    std::uint32_t length;
    std::size_t start;
    // PUBLISH, QoS 0, so no DUP (MQTT-3.3.1-2); any RETAIN.
    if (!detail::plain_publish_length(bytes, length, start) || (bytes[0] & 0xFE) != 0x30) return false;
    // publish_fields' test at QoS 0 (no identifier), without filling a Publish: the header left
    // at least two bytes (5 or more in all).
    const std::size_t topic = (std::size_t(bytes[start]) << 8) | bytes[start + 1];
    return topic <= length - 2 &&
           detail::plain_topic(std::string_view(reinterpret_cast<const char*>(bytes.data()) + start + 2, topic));
}

/// Result of reading a Remaining Length.
struct LengthResult {
    enum class Status : std::uint8_t { ok, need_more, malformed } status;
    std::uint32_t value = 0;
    std::uint8_t size = 0;  ///< bytes used (ok), bytes seen (need_more/malformed)
};

/// Reads a Remaining Length (§2.2.3) from the start of `bytes` (the bytes after byte 0): 1 to 4
/// bytes, low 7 bits first, bit 7 set when another follows. Inline: every packet passes through it
/// two or three times (capture framing, framer, decoder), and a call returning this struct through
/// memory costs a store-forwarding stall each time.
inline LengthResult read_remaining_length(Bytes bytes) noexcept {
    std::uint32_t value = 0;
    for (std::uint8_t i = 0; i < 4; ++i) {
        if (i >= bytes.size()) return {LengthResult::Status::need_more, value, i};
        const std::uint8_t b = bytes[i];
        value |= std::uint32_t(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) return {LengthResult::Status::ok, value, static_cast<std::uint8_t>(i + 1)};
    }
    return {LengthResult::Status::malformed, value, 4};
}

}  // namespace mqttlens::mqtt
