// MQTT string validation (§1.5.3): RFC 3629 well-formedness plus the characters MQTT forbids or
// frowns on. Internal to the codec.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mqttlens::mqtt::detail {

enum class Utf8Issue : std::uint8_t {
    none,
    malformed,     ///< ill-formed sequence (MQTT-1.5.3-1)
    null,          ///< U+0000 (MQTT-1.5.3-2)
    control,       ///< U+0001..001F or U+007F..009F (warning)
    noncharacter,  ///< U+FDD0..FDEF or U+xxFFFE / U+xxFFFF (warning)
};

/// One step over the character starting at p[0]: its length in bytes and what is wrong with it.
/// An ill-formed sequence is one step that runs over the lead byte and the continuation bytes
/// after it, so one bad character is one issue. Requires n >= 1.
struct Utf8Step {
    std::uint32_t length;
    Utf8Issue issue;
};
Utf8Step utf8_step(const std::uint8_t* p, std::size_t n) noexcept;

inline constexpr std::uint64_t ones = 0x0101010101010101ull;
inline constexpr std::uint64_t highs = 0x8080808080808080ull;

/// Non-zero exactly when one of the 8 bytes of `x` is zero (ones * c ^ x: when one is c).
constexpr std::uint64_t has_zero_byte(std::uint64_t x) noexcept { return (x - ones) & ~x & highs; }

/// True when all 8 bytes of `w` are printable ASCII (0x20..0x7E).
inline bool printable_ascii8(std::uint64_t w) noexcept {
    const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
    return ((w & highs) | below_space | has_zero_byte(w ^ (ones * 0x7F))) == 0;
}

/// What a scan found that makes the string invalid (warnings are only reported to the sink).
struct Utf8Result {
    bool malformed = false;
    bool null = false;
    bool invalid() const noexcept { return malformed || null; }
};

/// Scans `s` and calls sink(Utf8Issue, offset_in_s) for each problem in order: every ill-formed
/// sequence and every U+0000; control characters and non-characters only when `warnings`.
template <class Sink>
Utf8Result scan_utf8(std::string_view s, bool warnings, Sink&& sink) noexcept {
    Utf8Result result;
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        while (n - i >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p + i, 8);
            if (!printable_ascii8(w)) break;
            i += 8;
        }
        if (i == n) break;
        if (p[i] >= 0x20 && p[i] < 0x7F) {
            ++i;
            continue;
        }
        Utf8Step step = utf8_step(p + i, n - i);
        switch (step.issue) {
            case Utf8Issue::none: break;
            case Utf8Issue::malformed: result.malformed = true; sink(step.issue, i); break;
            case Utf8Issue::null: result.null = true; sink(step.issue, i); break;
            case Utf8Issue::control:
            case Utf8Issue::noncharacter:
                if (warnings) sink(step.issue, i);
                break;
        }
        i += step.length;
    }
    return result;
}

}  // namespace mqttlens::mqtt::detail
