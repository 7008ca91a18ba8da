// The start of the last line a printer wrote (frame, time, addresses...), kept with the context
// fields it was made from (internal to the output library). The packets of one capture record
// share that context, so the text is copied instead of formatted again. A pure cache: the key
// holds every field the text depends on, compared by value.
#pragma once

#include "output/context.hpp"
#include "output/text.hpp"

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>

namespace mqttlens::output::detail {

class PrefixMemo {
public:
    /// The text stored for exactly these context fields, or nullopt.
    std::optional<std::string_view> find(const Context& c) const noexcept {
        if (!valid_) return std::nullopt;
        if (c.prefix_key != 0) {  // the caller vouches for the fields (see Context::prefix_key)
            if (c.prefix_key != key_) return std::nullopt;
            return std::string_view(text_.data(), text_size_);
        }
        if (c.frame != frame_ || c.stream != stream_ || c.direction != direction_) return std::nullopt;
        if (!same(c.ts, ts_) || !same(c.rel_time, rel_time_)) return std::nullopt;
        if (!same(c.src, src_, src_size_) || !same(c.dst, dst_, dst_size_)) return std::nullopt;
        return std::string_view(text_.data(), text_size_);
    }

    /// Remembers `text` for the context fields of `c` (drops it when something is too long).
    void store(const Context& c, std::string_view text) noexcept {
        valid_ = text.size() <= text_.size() && c.src.size() <= src_.size() && c.dst.size() <= dst_.size();
        if (!valid_) return;
        key_ = c.prefix_key;
        frame_ = c.frame;
        stream_ = c.stream;
        direction_ = c.direction;
        ts_ = c.ts;
        rel_time_ = c.rel_time;
        copy(src_, src_size_, c.src);
        copy(dst_, dst_size_, c.dst);
        std::memcpy(text_.data(), text.data(), text.size());
        text_size_ = text.size();
    }

private:
    static constexpr std::size_t max_address = 64;

    static bool same(const std::optional<Timestamp>& a, const std::optional<Timestamp>& b) noexcept {
        if (a.has_value() != b.has_value()) return false;
        return !a || (a->sec == b->sec && a->nsec == b->nsec);
    }
    static bool same(std::string_view s, const std::array<char, max_address>& kept, std::size_t size) noexcept {
        return s.size() == size && equal_short(s.data(), kept.data(), size);
    }
    static void copy(std::array<char, max_address>& kept, std::size_t& size, std::string_view s) noexcept {
        copy_short(kept.data(), s.data(), s.size());
        size = s.size();
    }

    bool valid_ = false;
    std::uint64_t key_ = 0;
    std::optional<std::uint64_t> frame_;
    std::optional<std::uint64_t> stream_;
    std::optional<Direction> direction_;
    std::optional<Timestamp> ts_;
    std::optional<Timestamp> rel_time_;
    std::array<char, max_address> src_{};
    std::array<char, max_address> dst_{};
    std::size_t src_size_ = 0;
    std::size_t dst_size_ = 0;
    std::array<char, 384> text_{};
    std::size_t text_size_ = 0;
};

}  // namespace mqttlens::output::detail
