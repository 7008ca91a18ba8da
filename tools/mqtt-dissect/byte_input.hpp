// Byte input: one direction of one connection as a plain byte string (--hex, --raw).
#pragma once

#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "sink.hpp"

#include <optional>

namespace mqttlens::dissect {

/// Frames `input` into packets and hands each to `sink` with its offset, `direction`, and what the
/// conversation engine found: the decode by the connection's version (`version` when given, else
/// the one its CONNECT names, 3.1.1 before that) and, when `stated` (the bytes are known to be one
/// direction of one connection), the session rules one direction can show: the first packet,
/// a second CONNECT, packets after DISCONNECT, packet types sent the wrong way. The bytes are taken
/// as the start of the connection when they open with that direction's first packet (CONNECT, or
/// CONNACK from the server), else as a piece from inside it. Stops at the first framing error (bad
/// Remaining Length, input ends inside a packet), handed to `sink` too.
void dissect_bytes(mqtt::Bytes input, output::Direction direction, bool stated, std::optional<mqtt::Version> version,
                   Sink& sink);

}  // namespace mqttlens::dissect
