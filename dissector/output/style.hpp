// ANSI colours for the text printers (internal to the output library).
#pragma once

#include "output/text.hpp"
#include "mqtt/diagnostic.hpp"

#include <string_view>

namespace mqttlens::output::style {

inline constexpr std::string_view type = "\x1b[1;36m";     // bold cyan
inline constexpr std::string_view error = "\x1b[31m";      // red
inline constexpr std::string_view warning = "\x1b[33m";    // yellow
inline constexpr std::string_view dim = "\x1b[2m";
inline constexpr std::string_view reset = "\x1b[0m";

inline std::string_view of(mqtt::Severity severity) noexcept {
    return severity == mqtt::Severity::error ? error : warning;
}

/// Appends `code` when colour is on.
inline void set(Buffer& out, bool on, std::string_view code) {
    if (on) append(out, code);
}

}  // namespace mqttlens::output::style
