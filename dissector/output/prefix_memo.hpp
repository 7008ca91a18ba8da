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
    /// Appends the text stored for exactly these context fields and returns true; else false.
    [[gnu::always_inline]] bool append_to(Buffer& out, const Context& c) const {
        if (!matches(c)) return false;
        append(out, std::string_view(text_.data(), text_size_));
        return true;
    }

    /// Remembers what `out` holds from `start` on for the context fields of `c` (drops it when
    /// something is too long).
    void store(const Context& c, const Buffer& out, std::size_t start) noexcept {
        const std::string_view text(out.data() + start, out.size() - start);
        valid_ = text.size() <= text_.size() && c.src.size() <= src_.size() && c.dst.size() <= dst_.size();
        if (!valid_) return;
        key_ = c.prefix_key;
        frame_ = c.frame;
        stream_ = c.stream;
        direction_ = c.direction;
        ts_ = c.ts;
        rel_time_ = c.rel_time;
        transport_ = c.transport;
        copy(src_, src_size_, c.src);
        copy(dst_, dst_size_, c.dst);
        std::memcpy(text_.data(), text.data(), text.size());
        text_size_ = text.size();
    }

private:
    static constexpr std::size_t max_address = 64;

    [[gnu::always_inline]] bool matches(const Context& c) const noexcept {
        if (!valid_) return false;
        if (c.prefix_key != 0) return c.prefix_key == key_;  // the caller vouches for the fields (see Context::prefix_key)
        return c.frame == frame_ && c.stream == stream_ && c.direction == direction_ && same(c.ts, ts_) &&
               same(c.rel_time, rel_time_) && same(c.src, src_, src_size_) && same(c.dst, dst_, dst_size_) &&
               c.transport.data() == transport_.data() && c.transport.size() == transport_.size();  // static text
    }
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
    std::string_view transport_;
    std::array<char, max_address> src_{};
    std::array<char, max_address> dst_{};
    std::size_t src_size_ = 0;
    std::size_t dst_size_ = 0;
    std::array<char, 384> text_{};
    std::size_t text_size_ = 0;
};

}  // namespace mqttlens::output::detail
