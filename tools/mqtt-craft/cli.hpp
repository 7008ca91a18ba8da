// Command line: splits argv into packet segments and parses each one with a fresh CLI11 app.
#pragma once

#include "options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mqttlens::craft {

/// The token that separates chained packets: `mqtt-craft connect + publish --topic a + disconnect`.
inline constexpr std::string_view packet_separator = "+";

/// Parses the whole command line (and any `script FILE` it names) into packet requests and
/// global options. Returns nullopt with `exit_code` set when the run should stop here: help
/// printed (0) or a usage error already reported on stderr (exit_usage).
std::optional<std::vector<PacketRequest>> parse_command_line(int argc, char** argv,
                                                             GlobalOptions& globals, int& exit_code);

}  // namespace mqttlens::craft
