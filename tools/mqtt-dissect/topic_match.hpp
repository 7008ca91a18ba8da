// Topic wildcard matching (§4.7) for --topic: a filter against a PUBLISH Topic Name, and a filter
// against a SUBSCRIBE or UNSUBSCRIBE Topic Filter.
#pragma once

#include <string_view>

namespace mqttlens::dissect {

/// True when Topic Filter `filter` matches Topic Name `name` (§4.7.1): levels are separated by
/// '/' and compared byte for byte; '+' matches exactly one level (an empty one too); '#' as the
/// last level matches the parent level and any number of child levels. A name starting with '$'
/// is not matched by a filter starting with '+' or '#' (MQTT-4.7.2-1). A wildcard that is not a
/// whole level, or a '#' that is not last, is an ordinary character.
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

/// True when some Topic Name is matched by both filters ("sensors/#" and "+/kitchen/temp" share
/// "sensors/kitchen/temp"; "a/+" and "a/b/c" share nothing). With a filter free of wildcards this
/// is topic_matches().
bool filters_overlap(std::string_view a, std::string_view b) noexcept;

}  // namespace mqttlens::dissect
