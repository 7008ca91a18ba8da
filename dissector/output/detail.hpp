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

/// Appends `ts` as seconds with 6 decimals (9 when it has sub-microsecond digits).
inline void append_time(Buffer& out, const Timestamp& ts) { finish(out, put_time(room(out, max_time_chars), ts)); }

/// Appends the payload preview: "text" or hex, cut at `max` bytes (0 = all) with "..." after.
/// `json`: as `"payload":"..."` / `"payload_hex":"..."` members instead of display form.
void append_payload(Buffer& out, mqtt::Bytes payload, std::size_t max, bool json);

/// Appends `{` and the JSON capture keys of `context` up to "direction", each with a comma after.
void append_json_prefix(Buffer& out, const Context& context);

/// print_clean() of a PUBLISH whose text up to its payload the format's printer has kept
/// (PublishMemo), without a hex dump: appends its line and returns true; else false, nothing
/// appended.
bool print_known_summary(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options);
bool print_known_json(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options);

}  // namespace mqttlens::output::detail
