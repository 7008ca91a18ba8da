// Topic Name and Topic Filter checks (§4.7). Internal to the codec. Iterative: bounded stack and
// no allocation whatever the number of levels.
#pragma once

#include "mqtt/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

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
/// and a valid Topic Filter with nothing to report. The decoder's fast path; reads only inside s.
inline bool plain_topic(std::string_view s) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    auto clean = [](std::uint64_t w) {
        std::uint64_t plus = w ^ (ones * '+');
        std::uint64_t hash = w ^ (ones * '#');
        return printable_ascii8(w) && (((plus - ones) & ~plus & highs) | ((hash - ones) & ~hash & highs)) == 0;
    };
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t w = 0x6161616161616161ull;  // padding for short topics: 'a'
    if (n < 8) {
        if (n == 0) return false;
        std::memcpy(&w, p, n);
        return clean(w);
    }
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::memcpy(&w, p + i, 8);
        if (!clean(w)) return false;
    }
    if (i < n) std::memcpy(&w, p + n - 8, 8);
    return clean(w);
}

/// Checks a Topic Name: not empty, no U+0000, no wildcard.
TopicResult check_topic_name(std::string_view name, TopicSink sink) noexcept;
/// Checks a Topic Filter: not empty, no U+0000, '#' and '+' each a whole level, '#' last.
TopicResult check_topic_filter(std::string_view filter, TopicSink sink) noexcept;

}  // namespace mqttlens::mqtt::detail
