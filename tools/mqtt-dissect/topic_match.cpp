#include "topic_match.hpp"

#include <cstddef>

namespace mqttlens::dissect {

namespace {

/// A walk over the levels of a topic or filter.
struct Levels {
    std::string_view s;
    std::size_t begin = 0;
    std::size_t end = level_end(s, 0);

    static std::size_t level_end(std::string_view s, std::size_t from) noexcept {
        const std::size_t slash = s.find('/', from);
        return slash == std::string_view::npos ? s.size() : slash;
    }
    std::string_view level() const noexcept { return s.substr(begin, end - begin); }
    bool last() const noexcept { return end == s.size(); }
    void advance() noexcept {
        begin = end + 1;
        end = level_end(s, begin);
    }
    /// The current level is a '#' that ends the filter.
    bool multi_level() const noexcept { return last() && level() == "#"; }
    bool single_level() const noexcept { return level() == "+"; }
};

bool starts_with_wildcard(std::string_view filter) noexcept {
    const Levels first{filter};
    return first.single_level() || first.multi_level();
}

bool starts_with_dollar(std::string_view s) noexcept { return !s.empty() && s.front() == '$'; }

}  // namespace

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
    if (starts_with_dollar(name) && starts_with_wildcard(filter)) return false;
    Levels f{filter};
    Levels n{name};
    bool name_left = true;  // n is at a level of the name (false once the name is used up)
    for (;;) {
        if (f.multi_level()) return true;
        if (!name_left) return false;
        if (!f.single_level() && f.level() != n.level()) return false;
        if (f.last()) return n.last();
        f.advance();
        if (n.last()) name_left = false;
        else n.advance();
    }
}

bool filters_overlap(std::string_view a, std::string_view b) noexcept {
    // A filter's '$' level is a literal: names it matches start with '$', which a leading
    // wildcard in the other filter never matches.
    if (starts_with_dollar(a) && starts_with_wildcard(b)) return false;
    if (starts_with_dollar(b) && starts_with_wildcard(a)) return false;
    Levels x{a};
    Levels y{b};
    for (;;) {
        if (x.multi_level() || y.multi_level()) return true;
        if (!x.single_level() && !y.single_level() && x.level() != y.level()) return false;
        if (x.last() && y.last()) return true;
        if (x.last() || y.last()) {
            // One ends here: only a final "#" in the other still matches this parent level.
            Levels& longer = x.last() ? y : x;
            longer.advance();
            return longer.multi_level();
        }
        x.advance();
        y.advance();
    }
}

}  // namespace mqttlens::dissect
