// Topic Name and Topic Filter checks (§4.7). Internal to the codec. Iterative: bounded stack and
// no allocation whatever the number of levels.
#pragma once

#include "mqtt/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mqttlens::mqtt::detail {

enum class TopicIssue : std::uint8_t {
    empty,           ///< zero length (MQTT-4.7.3-1); reported at offset 0
    null,            ///< U+0000 (MQTT-4.7.3-2)
    name_wildcard,   ///< '+' or '#' in a Topic Name (MQTT-4.7.1-1)
    hash_misplaced,  ///< '#' not alone / after '/' or not last (MQTT-4.7.1-2)
    plus_misplaced,  ///< '+' not a whole level (MQTT-4.7.1-3)
};

/// Receives each issue with its offset inside the topic; called only when something is wrong.
struct TopicSink {
    void* context;
    void (*report)(void* context, TopicIssue issue, std::size_t offset);
};

/// What the check found, in summary.
struct TopicResult {
    bool empty = false;
    bool null = false;
    bool wildcard = false;   ///< name: any wildcard; filter: a misplaced one
    bool invalid() const noexcept { return empty || null || wildcard; }
};

/// True when `s` is non-empty printable ASCII with no '+' or '#': then it is a valid Topic Name
/// and a valid Topic Filter with nothing to report. The decoder's fast path (every PUBLISH goes
/// through it); reads only inside s: a short topic is read as two overlapping 8-byte words, a
/// longer one in 16-byte blocks whose last one overlaps the one before.
[[gnu::always_inline]] inline bool plain_topic(std::string_view s) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n == 0) return false;
    std::uint64_t lo = 0x6161616161616161ull;  // padding for short topics: 'a'
    std::uint64_t hi = lo;
    if (n < 8) {
        std::memcpy(&lo, p, n);
    } else if (n <= 16) {
        std::memcpy(&lo, p, 8);
        std::memcpy(&hi, p + n - 8, 8);
    }
#if defined(__SSE2__)
    // One compare per rule for 16 bytes: below ' ' (signed, so bytes >= 0x80 count too), DEL,
    // '+' and '#'.
    const auto dirty = [](__m128i v) {
        const __m128i bad = _mm_or_si128(
            _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))),
            _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')), _mm_cmpeq_epi8(v, _mm_set1_epi8('#'))));
        return _mm_movemask_epi8(bad) != 0;
    };
    if (n <= 16) return !dirty(_mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo)));
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        if (dirty(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)))) return false;
    return i == n || !dirty(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)));
#else
    auto clean = [](std::uint64_t w) {
        return printable_ascii8(w) && (has_zero_byte(w ^ (ones * '+')) | has_zero_byte(w ^ (ones * '#'))) == 0;
    };
    if (n <= 16) return clean(lo) && clean(hi);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (!clean(w)) return false;
    }
    if (i < n) std::memcpy(&lo, p + n - 8, 8);
    return clean(lo);
#endif
}

/// Checks a Topic Name (not empty, no U+0000, no wildcard) or, when `filter`, a Topic Filter (not
/// empty, no U+0000, '#' and '+' each a whole level, '#' last).
TopicResult check_topic(std::string_view topic, bool filter, TopicSink sink) noexcept;

}  // namespace mqttlens::mqtt::detail
