// Decoder: one whole MQTT control packet in, a Packet with every diagnostic out.
#pragma once

#include "mqtt/packet.hpp"

#include <algorithm>
#include <cstddef>

namespace mqttlens::mqtt {

/// Decoder settings. The defaults are the standard; every relaxation is named.
struct DecodeOptions {
    /// Report U+0001..001F, U+007F..009F and non-characters in strings as warnings.
    bool warn_control_characters = true;
    /// Report a Remaining Length not in its shortest form as a warning.
    bool warn_non_minimal_length = true;
    /// Risk: accepts a client→server packet id 0 without an error (some old clients send it).
    bool allow_packet_id_zero = false;
    /// MQTT 5.0. Risk: accepts the AUTH short form (Remaining Length 0: Success, no properties),
    /// as mosquitto and mqtt-packet do, although every AUTH must name its Authentication Method
    /// (§3.15.2.2.2, MQTT-4.12.0-5).
    bool allow_auth_short_form = false;
    /// MQTT 5.0. Risk: accepts DISCONNECT Reason Code 0x8C (Bad authentication method), which
    /// Table 2-6 lists for DISCONNECT but DISCONNECT's own Table 3-10 does not.
    bool allow_disconnect_bad_authentication_method = false;
    /// The usual PUBLISH is read by a shortcut that gives the same Packet; false reads it the
    /// general way (for tests that compare the two).
    bool fast_paths = true;
};

/// Decodes one packet sent on a connection of `version`. `bytes` should be exactly one packet (as
/// the Framer yields it): a short field inside it is malformed, never "need more". Bytes past
/// header + Remaining Length are reported (packet_length_mismatch) and ignored. A CONNECT is
/// decoded by the version it declares, any other packet by `version` (5.0: properties, reason
/// codes, AUTH; Variable Byte Integers not in their shortest form are errors). Never throws,
/// never reads outside `bytes`, and allocates nothing. The result's views point into `bytes`;
/// Packet::fields says where each field it read lies.
Packet decode(Bytes bytes, Version version = Version::v3_1_1, const DecodeOptions& options = {}) noexcept;

/// The version decode(bytes, version) judges `bytes` by, and so the one that numbers its
/// diagnostics: a CONNECT's declared one ("MQTT" 4 or 5, "MQIsdp" 3), else `version`.
Version judged_version(Bytes bytes, Version version) noexcept;

/// What decode(bytes, version, options) returns for bytes it found nothing wrong with (no
/// diagnostic at all), built without the checks: for reading again bytes already decoded once.
/// PUBLISH and the packets of fixed size (PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK, PINGREQ,
/// PINGRESP, DISCONNECT; in 5.0 not UNSUBACK and DISCONNECT, and the acknowledgements only in
/// their short form) take the short way; any other type, and bytes that do not have the shape
/// of a whole such packet, go through decode(). Never reads outside `bytes`; for bytes decode()
/// would find fault with, the result is unspecified but safe.
Packet decode_clean(Bytes bytes, Version version = Version::v3_1_1, const DecodeOptions& options = {}) noexcept;

/// The version a whole CONNECT packet names by its Protocol Level (see version_of_level);
/// nullopt when the packet is too short to hold a level or names none. The one reader of a
/// CONNECT's level from raw bytes.
std::optional<Version> connect_version(Bytes connect) noexcept;

/// True exactly for the bytes of one whole QoS 0 PUBLISH that decode(bytes, version) reads by its
/// shortcut, and so finds nothing wrong with whatever the options: the verdict alone, with no
/// Packet to keep. 5.0: `property_ids`, when given, receives the identifiers its property list
/// holds (PropertyList::ids()).
bool is_plain_qos0_publish(Bytes bytes, Version version = Version::v3_1_1,
                           std::uint64_t* property_ids = nullptr) noexcept;

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

/// The size of the packet at the start of `bytes` by its fixed header, at most bytes.size(): all
/// of them when no whole Remaining Length is there. Splits packets that lie back to back, such as
/// a run of clean PUBLISHes (engine::PacketSeen).
inline std::size_t packet_size(Bytes bytes) noexcept {
    if (bytes.size() < 2) return bytes.size();
    const LengthResult length = read_remaining_length(bytes.subspan(1));
    if (length.status != LengthResult::Status::ok) return bytes.size();
    return std::min<std::size_t>(1u + length.size + std::size_t(length.value), bytes.size());
}

/// Calls `each(packet, at)` for each packet that lies back to back in `run` (split by
/// packet_size()), `at` its offset in `run`.
template <class F>
void for_each_packet(Bytes run, F&& each) {
    for (std::size_t at = 0; at < run.size();) {
        const Bytes one = run.subspan(at, packet_size(run.subspan(at)));
        each(one, at);
        at += one.size();
    }
}

}  // namespace mqttlens::mqtt
