// Text helpers for the printers: UTF-8 checks, escaping for terminals and JSON, hex.
//
// Escaping conventions (the same in every printer):
// - Display strings (summary, tree) are quoted; `"` and `\` are backslash-escaped, \t \n \r as
//   such, other C0 controls and DEL as \xHH, C1 controls as \u0080..\u009F, and every byte that
//   is not part of well-formed UTF-8 as \xHH. Unambiguous: a literal backslash is always doubled.
// - JSON strings: well-formed UTF-8 is kept verbatim (JSON escapes for `"`, `\`, controls), so
//   the decoded JSON value equals the field. A byte that is not well-formed UTF-8 becomes the
//   four characters \xHH (JSON text "\\xHH"). Such a field is always flagged by a diagnostic, and
//   the JSON printer adds `<key>_hex` with the exact bytes, which removes any ambiguity.
#pragma once

#include "mqtt/packet.hpp"

#include <cstddef>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <string_view>

namespace mqttlens::output {

using Buffer = fmt::memory_buffer;

/// Length of the well-formed UTF-8 sequence (RFC 3629) at the start of `s`, or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s) noexcept;
/// True when all of `s` is well-formed UTF-8.
bool is_utf8(std::string_view s) noexcept;

/// How many bytes of `payload` to show as text, if its first `max` bytes (0 = all) are printable
/// UTF-8 (no controls but \t \n \r); nullopt when they are not. Never cuts a character in two.
std::optional<std::size_t> printable_prefix(mqtt::Bytes payload, std::size_t max) noexcept;

/// Length of the run at the start of `s` that both append_display and append_json_string copy
/// unchanged: printable ASCII other than `"` and `\`.
std::size_t plain_prefix(std::string_view s) noexcept;

/// Appends `s` quoted for display (see the conventions above).
void append_display(Buffer& out, std::string_view s);
/// Appends `s` as a quoted JSON string (see the conventions above).
void append_json_string(Buffer& out, std::string_view s);
/// As append_json_string; returns is_utf8(s).
bool append_json_string_checked(Buffer& out, std::string_view s);
/// Appends lower-case hex of `bytes`, with `sep` between bytes when it is not '\0'.
void append_hex(Buffer& out, mqtt::Bytes bytes, char sep = '\0');

inline void append(Buffer& out, std::string_view s) {
    const std::size_t size = out.size();
    out.resize(size + s.size());
    if (!s.empty()) std::memcpy(out.data() + size, s.data(), s.size());
}
inline void append(Buffer& out, char c) { out.push_back(c); }

}  // namespace mqttlens::output
