// Packet-boundary heuristics: where an MQTT packet plausibly starts in bytes of unknown alignment,
// and whether a byte stream opens with a CONNECT.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <cstddef>
#include <cstdint>

namespace mqttlens::engine {

using mqtt::Bytes;

/// Byte 0 and the Remaining Length at the start of some bytes (§2.2.3).
struct FixedHeaderScan {
    enum class Status : std::uint8_t { ok, need_more, malformed } status = Status::need_more;
    std::uint32_t remaining_length = 0;
    std::uint8_t size = 0;  ///< byte 0 plus the Remaining Length bytes (ok)
    bool minimal = true;    ///< the Remaining Length used its shortest form
    std::size_t total() const noexcept { return std::size_t(size) + remaining_length; }
};
/// Reads the fixed header at the start of `bytes`; need_more when they end inside it; malformed
/// when a 4th Remaining Length byte has the continuation bit. Inline: it runs once per packet.
inline FixedHeaderScan scan_fixed_header(Bytes bytes) noexcept {
    FixedHeaderScan scan;
    if (bytes.size() < 2) return scan;
    const mqtt::LengthResult length = mqtt::read_remaining_length(bytes.subspan(1));
    if (length.status == mqtt::LengthResult::Status::malformed) scan.status = FixedHeaderScan::Status::malformed;
    if (length.status != mqtt::LengthResult::Status::ok) return scan;
    scan.status = FixedHeaderScan::Status::ok;
    scan.remaining_length = length.value;
    scan.size = static_cast<std::uint8_t>(length.size + 1);
    scan.minimal = length.size == 1 || bytes[length.size] != 0;
    return scan;
}

enum class Verdict : std::uint8_t { no, yes, need_more };

/// Could a packet start at bytes[0]? Yes needs: a type allowed in `version` with the flags Table
/// 2.2 requires (PUBLISH: QoS not 3, no DUP at QoS 0), a Remaining Length in its shortest form,
/// and a length that fits the type (PUBACK: 2, PINGREQ: 0, PUBLISH: room for a non-empty topic,
/// CONNECT: a protocol name "MQTT"/"MQIsdp", ...).
/// On yes, `total` is the packet's size.
Verdict plausible_packet_start(Bytes bytes, mqtt::Version version, std::size_t& total) noexcept;

struct BoundarySearch {
    enum class Result : std::uint8_t {
        found,      ///< a boundary at `position`
        undecided,  ///< a candidate at `position` needs more bytes; none before it
        none,       ///< no boundary anywhere from `from`
    } result = Result::none;
    std::size_t position = 0;
};
/// The first position from `from` where a plausible packet starts and is followed by another
/// plausible start or by the end of `bytes`. `at_end`: no more bytes will come, so candidates
/// that run past the end are rejected instead of undecided.
BoundarySearch find_boundary(Bytes bytes, std::size_t from, mqtt::Version version,
                             bool at_end) noexcept;

/// Bytes needed to tell whether a stream opens with a CONNECT.
inline constexpr std::size_t connect_probe_size = 14;
/// Do `prefix` (the first bytes of a client stream) begin a CONNECT: byte 0x10, a Remaining
/// Length from 10 to 1 MiB, protocol name "MQTT" (level 4 or 5) or "MQIsdp" (level 3)?
Verdict looks_like_connect(Bytes prefix) noexcept;

}  // namespace mqttlens::engine
