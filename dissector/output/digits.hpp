// Numbers and times written straight into the output buffer (internal to the output library):
// the same text as fmt's "{}", "{:>N}", "{:06}", without its per-call machinery.
#pragma once

#include "output/context.hpp"
#include "output/text.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace mqttlens::output::detail {

/// Grows `out` by `n` bytes and returns where they start; end the write with finish().
inline char* room(Buffer& out, std::size_t n) {
    const std::size_t size = out.size();
    out.resize(size + n);
    return out.data() + size;
}
/// Ends a write started by room(): the buffer now ends at `end`.
inline void finish(Buffer& out, const char* end) {
    out.resize(static_cast<std::size_t>(end - out.data()));
}

inline char* put(char* p, std::string_view s) noexcept {
    copy_short(p, s.data(), s.size());
    return p + s.size();
}

/// Most bytes put_uint, put_int and put_time write.
inline constexpr std::size_t max_uint_chars = 20;
inline constexpr std::size_t max_int_chars = 21;
inline constexpr std::size_t max_time_chars = max_int_chars + 1 + 10;

inline constexpr auto digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (int i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

inline unsigned decimal_digits(std::uint64_t v) noexcept {
    unsigned n = 1;
    for (;;) {
        if (v < 10) return n;
        if (v < 100) return n + 1;
        if (v < 1000) return n + 2;
        if (v < 10000) return n + 3;
        v /= 10000;
        n += 4;
    }
}

/// Writes `v` in exactly `width` digits (zero-padded; width >= decimal_digits(v)).
inline char* put_digits(char* p, std::uint64_t v, unsigned width) noexcept {
    char* const end = p + width;
    char* q = end;
    while (v >= 100) {
        q -= 2;
        std::memcpy(q, &digit_pairs[2 * (v % 100)], 2);
        v /= 100;
    }
    if (v >= 10) {
        q -= 2;
        std::memcpy(q, &digit_pairs[2 * v], 2);
    } else {
        *--q = static_cast<char>('0' + v);
    }
    while (q > p) *--q = '0';
    return end;
}

/// "{}" of an unsigned integer. Most are below 100 (flags, lengths, QoS): those take a branch.
inline char* put_uint(char* p, std::uint64_t v) noexcept {
    if (v < 10) {
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    if (v < 100) {
        std::memcpy(p, &digit_pairs[2 * v], 2);
        return p + 2;
    }
    return put_digits(p, v, decimal_digits(v));
}
/// "{}" of a signed integer.
inline char* put_int(char* p, std::int64_t v) noexcept {
    if (v >= 0) return put_uint(p, static_cast<std::uint64_t>(v));
    *p++ = '-';
    return put_uint(p, 0 - static_cast<std::uint64_t>(v));
}
/// "{:>width}" of an unsigned integer: right-aligned with spaces.
inline char* put_uint_right(char* p, std::uint64_t v, unsigned width) noexcept {
    const unsigned n = decimal_digits(v);
    if (n < width) {
        std::memset(p, ' ', width - n);
        p += width - n;
    }
    return put_digits(p, v, n);
}
/// "{:0width}" of an unsigned integer: at least `width` digits, zero-padded.
inline char* put_uint_zeros(char* p, std::uint64_t v, unsigned width) noexcept {
    const unsigned n = decimal_digits(v);
    return put_digits(p, v, n > width ? n : width);
}

/// `ts` as seconds with 6 decimals (9 when it has sub-microsecond digits).
inline char* put_time(char* p, const Timestamp& ts) noexcept {
    p = put_int(p, ts.sec);
    *p++ = '.';
    if (ts.nsec % 1000 == 0) return put_uint_zeros(p, ts.nsec / 1000, 6);
    return put_uint_zeros(p, ts.nsec, 9);
}

inline void append_uint(Buffer& out, std::uint64_t v) { finish(out, put_uint(room(out, max_uint_chars), v)); }

}  // namespace mqttlens::output::detail
