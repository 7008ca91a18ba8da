// Text helpers for the printers: UTF-8 checks, escaping for terminals and JSON, hex. The escaping
// conventions, the same in every printer, are explained in dissector/output/README.md ("Strings").
#pragma once

#include "mqtt/packet.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <string_view>

namespace mqttlens::output {

using Buffer = fmt::memory_buffer;

/// Length of the well-formed UTF-8 sequence (RFC 3629) at the start of `s`, or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s) noexcept;

/// How many bytes of `payload` to show as text, if its first `max` bytes (0 = all) are printable
/// UTF-8 (no controls but \t \n \r); nullopt when they are not. Never cuts a character in two.
std::optional<std::size_t> printable_prefix(mqtt::Bytes payload, std::size_t max) noexcept;

/// Appends `s` quoted for display: `"` `\` \t \n \r backslash-escaped, other controls, DEL and
/// bytes not in well-formed UTF-8 as \xHH, C1 controls as \u0080..\u009F.
void append_display(Buffer& out, std::string_view s);
/// Appends `s` as a quoted JSON string: well-formed UTF-8 verbatim (JSON's own escapes), any other
/// byte as the four characters \xHH; returns whether all of `s` is well-formed UTF-8.
bool append_json_string(Buffer& out, std::string_view s);
/// Appends lower-case hex of `bytes`, with `sep` between bytes when it is not '\0'.
void append_hex(Buffer& out, mqtt::Bytes bytes, char sep = '\0');
/// Appends a rule as text: its ID with the version of the standard that numbers it,
/// "MQTT-3.3.2-2 (3.1.1)"; the ID alone when no standard does ("mqttlens").
void append_rule(Buffer& out, mqtt::RuleId rule);
/// Appends a rule as JSON members: `"rule":"MQTT-3.3.2-2","version":"3.1.1"` (`"version":null`
/// when no standard numbers it).
void append_json_rule(Buffer& out, mqtt::RuleId rule);

namespace detail {

/// Writes `"s"` at `w` (s.size() + 2 bytes, reserved by the caller) and returns its end when
/// nothing in `s` needs escaping: for display, printable ASCII other than `"` and `\`; for
/// JSON (`json`), any ASCII but controls, `"` and `\`. Otherwise returns nullptr (and what it
/// wrote means nothing). The text is then what append_display / append_json_string write.
char* put_quoted_if_plain(char* w, std::string_view s, bool json) noexcept;

/// Copies the first and the last N bytes of [from, from + n) (N <= n <= 2N): all of it.
template <std::size_t N>
[[gnu::always_inline]] inline void copy_ends(char* to, const char* from, std::size_t n) noexcept {
    char a[N], b[N];
    std::memcpy(a, from, N);
    std::memcpy(b, from + n - N, N);
    std::memcpy(to, a, N);
    std::memcpy(to + n - N, b, N);
}

/// memcpy for the usual field of a few dozen bytes, without the library call: overlapping moves
/// that stay inside [from, from + n) and [to, to + n).
[[gnu::always_inline]] inline void copy_short(char* to, const char* from, std::size_t n) noexcept {
    if (n > 16) {
        if (n <= 32) return copy_ends<16>(to, from, n);
        if (n <= 64) return copy_ends<32>(to, from, n);
        return static_cast<void>(std::memcpy(to, from, n));  // the library's copy is shorter from here on
    }
    if (n >= 8) return copy_ends<8>(to, from, n);
    if (n >= 4) return copy_ends<4>(to, from, n);
    if (n > 0) {
        const char a = from[0], b = from[n / 2], c = from[n - 1];
        to[0] = a;
        to[n / 2] = b;
        to[n - 1] = c;
    }
}

/// memcmp(a, b, n) == 0 for the usual short field, without the library call.
inline bool equal_short(const char* a, const char* b, std::size_t n) noexcept {
    const auto same = [](const char* x, const char* y, auto word) {
        decltype(word) u, v;
        std::memcpy(&u, x, sizeof u);
        std::memcpy(&v, y, sizeof v);
        return u == v;
    };
    if (n >= 8 && n <= 16) return same(a, b, std::uint64_t{}) && same(a + n - 8, b + n - 8, std::uint64_t{});
    if (n >= 4 && n < 8) return same(a, b, std::uint32_t{}) && same(a + n - 4, b + n - 4, std::uint32_t{});
    if (n > 16 && n <= 32) {
        return same(a, b, std::uint64_t{}) && same(a + 8, b + 8, std::uint64_t{}) &&
               same(a + n - 16, b + n - 16, std::uint64_t{}) && same(a + n - 8, b + n - 8, std::uint64_t{});
    }
    return n == 0 || std::memcmp(a, b, n) == 0;
}

}  // namespace detail

[[gnu::always_inline]] inline void append(Buffer& out, std::string_view s) {
    const std::size_t size = out.size();
    out.resize(size + s.size());
    detail::copy_short(out.data() + size, s.data(), s.size());
}
inline void append(Buffer& out, char c) { out.push_back(c); }

}  // namespace mqttlens::output
