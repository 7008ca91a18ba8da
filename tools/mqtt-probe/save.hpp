// --save DIR: each case that did not pass nor was n/a written out for the broker's developer, as an
// mqtt-craft script of the packets the probe sent and a pcap of the whole exchange.
#pragma once

#include "runner.hpp"

#include <string>

namespace mqttlens::probe {

/// Creates `dir` if missing and checks a file can be written in it; empty when so, else why not.
std::string prepare_save_dir(const std::string& dir);

/// Whether --save writes files for a case with this verdict (fail and inconclusive).
bool worth_saving(Verdict v) noexcept;

/// Writes DIR/<case-id>.craft and DIR/<case-id>.pcap from `r` (run with RunOptions::record);
/// `target` is the broker as given. Empty on success, else why a file could not be written.
std::string save_case(const std::string& dir, const Result& r, const std::string& target);

/// Writes BASE.craft (`header`, comment lines ending in newlines, then one mqtt-craft script line
/// per packet sent in `wire`) and BASE.pcap (the exchange). Empty on success, else why not.
std::string save_exchange(const std::string& base, const std::string& header, const std::vector<WireEvent>& wire);

}  // namespace mqttlens::probe
