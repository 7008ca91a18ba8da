// Hex text to bytes, for --hex and --hex-file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::dissect {

struct HexResult {
    std::vector<std::uint8_t> bytes;
    std::string error;  ///< empty on success, else what is wrong and where
};

/// Parses hex digits in pairs. Ignored between bytes: spaces, tabs, newlines, ':' ',' '-', and a
/// "0x" / "0X" in front of a group. With `comments`, '#' starts a comment to the end of the line.
HexResult parse_hex(std::string_view text, bool comments);

}  // namespace mqttlens::dissect
