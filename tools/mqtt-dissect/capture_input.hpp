// Capture input: a pcap or pcapng file, standard input or a live interface, through the capture
// dissector (TCP reassembly, MQTT streams), the decoder and the session checker, to the printers.
#pragma once

#include "options.hpp"
#include "output/printer.hpp"
#include "packet_filter.hpp"

namespace mqttlens::dissect {

/// Dissects the capture `args` names and prints what `filter` selects; returns the exit status:
/// 0 read to the end or stopped by SIGINT/SIGTERM, 1 with --strict when a rule was broken,
/// 2 when the capture cannot be opened, has an unsupported link type, or is damaged (after
/// printing everything before the damage).
int run_capture(const Args& args, const output::PrintOptions& options, const PacketFilter& filter);

}  // namespace mqttlens::dissect
