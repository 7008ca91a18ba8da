// One packet the probe sent as a line of an mqtt-craft script: the packet's fields as options when
// mqtt-craft rebuilds exactly these bytes from them, else the raw form (byte 0 by --type/--flags,
// the Remaining Length bytes and the rest in hex).
#pragma once

#include "mqtt/packet.hpp"

#include <string>

namespace mqttlens::probe {

/// A script line (no newline) from which `mqtt-craft script` writes `packet` byte for byte; checked
/// here by building it with mqtt-craft's own parser and encoder. Empty for an empty `packet`.
std::string craft_line(mqtt::Bytes packet);

}  // namespace mqttlens::probe
