// Topic Name and Topic Filter checks (§4.7). Internal to the codec. Iterative: bounded stack and
// no allocation whatever the number of levels.
#pragma once

#include <cstddef>
#include <cstdint>
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

/// Checks a Topic Name: not empty, no U+0000, no wildcard.
TopicResult check_topic_name(std::string_view name, TopicSink sink) noexcept;
/// Checks a Topic Filter: not empty, no U+0000, '#' and '+' each a whole level, '#' last.
TopicResult check_topic_filter(std::string_view filter, TopicSink sink) noexcept;

}  // namespace mqttlens::mqtt::detail
