// Helpers shared by the printers (internal to the output library).
#pragma once

#include "mqtt/packet.hpp"
#include "output/digits.hpp"
#include "output/printer.hpp"

#include <cstddef>
#include <fmt/compile.h>
#include <iterator>
#include <optional>

namespace mqttlens::output::detail {

inline auto it(Buffer& out) { return fmt::appender(out); }

/// Offset of the view [p, p + size) inside `raw`, or nullopt when it does not lie inside it
/// (a field the decoder did not find).
inline std::optional<std::size_t> offset_in(mqtt::Bytes raw, const void* p, std::size_t size) noexcept {
    const auto* b = static_cast<const std::uint8_t*>(p);
    if (b == nullptr || raw.empty()) return std::nullopt;
    const auto* begin = raw.data();
    const auto* end = raw.data() + raw.size();
    if (b < begin || b > end || size > static_cast<std::size_t>(end - b)) return std::nullopt;
    return static_cast<std::size_t>(b - begin);
}
inline std::optional<std::size_t> offset_in(mqtt::Bytes raw, std::string_view s) noexcept {
    return offset_in(raw, s.data(), s.size());
}
inline std::optional<std::size_t> offset_in(mqtt::Bytes raw, mqtt::Bytes b) noexcept {
    return offset_in(raw, b.data(), b.size());
}

/// Appends `ts` as seconds with 6 decimals (9 when it has sub-microsecond digits).
inline void append_time(Buffer& out, const Timestamp& ts) { finish(out, put_time(room(out, max_time_chars), ts)); }

/// Appends the payload preview: "text" or hex, cut at `max` bytes (0 = all) with "..." after.
/// `json`: as `"payload":"..."` / `"payload_hex":"..."` members instead of display form.
void append_payload(Buffer& out, mqtt::Bytes payload, std::size_t max, bool json);

}  // namespace mqttlens::output::detail
