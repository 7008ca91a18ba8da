// Escapes and hex: turn command-line text into the raw bytes a field or override should hold.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::craft {

/// A mistake in what the user typed; main() prints it and exits with the usage code.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Decodes the escapes of a string field: \xHH (any byte), \u{H...} (UTF-8 form of any code
/// point up to 10FFFF, surrogates included), \0, \n, \r, \t and \\. Any other backslash, or a
/// bad escape, throws UsageError naming `what`.
std::string unescape(std::string_view text, std::string_view what);

/// Parses hex bytes; spaces, colons, commas and a leading "0x" are ignored ("10 0e", "10:0e",
/// "0x100e"). An odd digit count or a non-hex character throws UsageError naming `what`.
std::vector<std::uint8_t> parse_hex(std::string_view text, std::string_view what);

/// Parses a whole unsigned number: decimal, or hex with "0x". Throws UsageError when it is not
/// a number or exceeds `max`.
std::uint64_t parse_number(std::string_view text, std::uint64_t max, std::string_view what);

}  // namespace mqttlens::craft
