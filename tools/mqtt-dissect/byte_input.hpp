// Byte input: one direction of one connection as a plain byte string (--hex, --raw).
#pragma once

#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "sink.hpp"

namespace mqttlens::dissect {

/// Frames `input` into packets, decodes each and hands it to `sink` with its offset and
/// `direction`; stops at the first framing error (bad Remaining Length, input ends inside a
/// packet), which is handed to `sink` too. The protocol level follows the input's CONNECT: after a
/// CONNECT of level 5 packets are framed but not decoded (MQTT 5.0 is not supported yet).
void dissect_bytes(mqtt::Bytes input, output::Direction direction, Sink& sink);

}  // namespace mqttlens::dissect
