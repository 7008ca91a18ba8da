#include "mqtt/topic.hpp"

#include <cstring>

namespace mqttlens::mqtt::detail {
namespace {

// True when the 8 bytes at p hold no '+', '#' or NUL: the only bytes the topic rules look at.
inline bool plain8(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return (has_zero_byte(w) | has_zero_byte(w ^ (ones * '+')) | has_zero_byte(w ^ (ones * '#'))) == 0;
}

template <class OnSpecial>
void scan_specials(std::string_view s, OnSpecial&& on_special) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        if (n - i >= 8 && plain8(p + i)) {
            i += 8;
            continue;
        }
        char c = p[i];
        if (c == '+' || c == '#' || c == '\0') on_special(c, i);
        ++i;
    }
}

}  // namespace

TopicResult check_topic(std::string_view topic, bool filter, TopicSink sink) noexcept {
    TopicResult r;
    if (topic.empty()) {
        r.empty = true;
        sink.report(sink.context, TopicIssue::empty, 0);
        return r;
    }
    scan_specials(topic, [&](char c, std::size_t i) {
        if (c == '\0') {
            r.null = true;
            return sink.report(sink.context, TopicIssue::null, i);
        }
        const bool last = i + 1 == topic.size();
        // A filter's wildcard in place: a whole level, and '#' only the last one.
        if (filter && (i == 0 || topic[i - 1] == '/') && (last || (c == '+' && topic[i + 1] == '/'))) return;
        r.wildcard = true;
        sink.report(sink.context, !filter ? TopicIssue::name_wildcard
                                  : c == '+' ? TopicIssue::plus_misplaced
                                             : TopicIssue::hash_misplaced, i);
    });
    return r;
}

}  // namespace mqttlens::mqtt::detail
