#include "output/text.hpp"

#include "output/context.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mqttlens::output {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

/// `prefix` and the two hex digits of `b`.
void append_escaped_byte(Buffer& out, unsigned char b, std::string_view prefix) {
    append(out, prefix);
    const char two[2] = {hex_digits[b >> 4], hex_digits[b & 0x0F]};
    out.append(two, two + 2);
}

// Eight bytes at a time: each test below is nonzero exactly when some byte of `w` matches
// (borrows and carries only start at a matching byte).
constexpr std::uint64_t ones = 0x0101010101010101u;
constexpr std::uint64_t highs = 0x8080808080808080u;

std::uint64_t load8(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}
/// Some byte < 0x20.
constexpr std::uint64_t any_control(std::uint64_t w) noexcept { return (w - ones * 0x20) & ~w & highs; }
/// Some byte >= 0x7F.
constexpr std::uint64_t any_del_or_high(std::uint64_t w) noexcept { return ((w + ones) | w) & highs; }
/// Some byte equal to `b`.
constexpr std::uint64_t any_equal(std::uint64_t w, unsigned char b) noexcept {
    const std::uint64_t x = w ^ (ones * b);
    return (x - ones) & ~x & highs;
}

#if defined(__SSE2__)
/// Bit i set when byte i of `v` is a control or not ASCII (0x00..0x1F, 0x80..0xFF).
inline int control_or_high16(__m128i v) noexcept { return _mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20))); }
inline int equal16(__m128i v, char c) noexcept { return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))); }
#endif

/// Printable ASCII other than `"` and `\`: shown as is by append_display.
struct DisplayPlain {
    static std::uint64_t dirty(std::uint64_t w) noexcept {
        return any_control(w) | any_del_or_high(w) | any_equal(w, '"') | any_equal(w, '\\');
    }
    static bool plain(unsigned char b) noexcept { return b >= 0x20 && b < 0x7F && b != '"' && b != '\\'; }
#if defined(__SSE2__)
    static int dirty16(__m128i v) noexcept {
        return control_or_high16(v) | equal16(v, 0x7F) | equal16(v, '"') | equal16(v, '\\');
    }
#endif
};
/// ASCII other than controls, `"` and `\`: kept as is by append_json_string.
struct JsonPlain {
    static std::uint64_t dirty(std::uint64_t w) noexcept {
        return any_control(w) | (w & highs) | any_equal(w, '"') | any_equal(w, '\\');
    }
    static bool plain(unsigned char b) noexcept { return b >= 0x20 && b < 0x80 && b != '"' && b != '\\'; }
#if defined(__SSE2__)
    static int dirty16(__m128i v) noexcept { return control_or_high16(v) | equal16(v, '"') | equal16(v, '\\'); }
#endif
};
/// Printable ASCII: the plain bytes of a payload shown as text.
struct AsciiPrintable {
    static std::uint64_t dirty(std::uint64_t w) noexcept { return any_control(w) | any_del_or_high(w); }
    static bool plain(unsigned char b) noexcept { return b >= 0x20 && b < 0x7F; }
#if defined(__SSE2__)
    static int dirty16(__m128i v) noexcept { return control_or_high16(v) | equal16(v, 0x7F); }
#endif
};

#if defined(__SSE2__)
inline std::size_t first_lane(int mask) noexcept { return static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask))); }

/// Length of the run of `Class::plain` bytes at the start of [p, p + n), n >= 16, sixteen bytes at
/// a time: the lowest dirty lane is the first byte that is not plain. With `to`, each block read
/// is also stored there (writes stay inside [to, to + n)).
template <class Class>
[[gnu::always_inline]] inline std::size_t plain_run16(const char* p, std::size_t n, char* to = nullptr) noexcept {
    const auto dirty = [&](std::size_t at) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
        if (to != nullptr) _mm_storeu_si128(reinterpret_cast<__m128i*>(to + at), v);
        return Class::dirty16(v);
    };
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        if (const int mask = dirty(i)) return i + first_lane(mask);
    if (i == n) return n;
    // The last 16 bytes; those before i are plain, so the lowest dirty lane is at i or later.
    const int mask = dirty(n - 16);
    return mask == 0 ? n : n - 16 + first_lane(mask);
}

/// Length of the run of `Class::plain` bytes at the start of [p, p + n). Nothing is read outside
/// [p, p + n): a short input is loaded as two overlapping halves or padded with a plain byte.
template <class Class>
std::size_t plain_run(const char* p, std::size_t n) noexcept {
    if (n >= 16) return plain_run16<Class>(p, n);
    if (n >= 8) {
        // Lanes 0..7: bytes 0..7; lanes 8..15: bytes n-8..n-1.
        const auto low = static_cast<long long>(load8(p));
        const auto high = static_cast<long long>(load8(p + n - 8));
        const int mask = Class::dirty16(_mm_set_epi64x(high, low));
        if (mask == 0) return n;
        return (mask & 0xFF) != 0 ? first_lane(mask) : n - 16 + first_lane(mask);
    }
    if (n == 0) return 0;
    std::uint64_t w = ones * 'a';
    std::memcpy(&w, p, n);
    // Lanes 8..15 are zero bytes (dirty for every class): the result is at most 8, so cap at n.
    const std::size_t first = first_lane(Class::dirty16(_mm_cvtsi64_si128(static_cast<long long>(w))));
    return first < n ? first : n;
}
#else
/// Length of the run of `Class::plain` bytes at the start of [p, p + n). Whole words first; the
/// last partial word is tested as the final 8 bytes (overlapping) or padded with a plain byte.
template <class Class>
std::size_t plain_run(const char* p, std::size_t n) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (Class::dirty(load8(p + i))) break;
    if (i + 8 > n && i < n) {
        std::uint64_t w = ones * 'a';
        if (n >= 8) w = load8(p + n - 8);
        else std::memcpy(&w, p, n);
        if (!Class::dirty(w)) return n;
    }
    while (i < n && Class::plain(static_cast<unsigned char>(p[i]))) ++i;
    return i;
}
#endif

/// put_quoted_if_plain for one class of plain bytes. Up to 16 bytes: loaded once as overlapping
/// words (padded with a plain byte), stored and tested as one 16-byte vector.
template <class Class>
char* put_quoted_plain(char* w, std::string_view s) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    *w++ = '"';
#if defined(__SSE2__)
    if (n <= 16) {
        __m128i v;
        if (n >= 8) {
            std::uint64_t a, b;
            std::memcpy(&a, p, 8);
            std::memcpy(&b, p + n - 8, 8);
            std::memcpy(w, &a, 8);
            std::memcpy(w + n - 8, &b, 8);
            v = _mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a));
        } else if (n >= 4) {
            std::uint32_t a, b;
            std::memcpy(&a, p, 4);
            std::memcpy(&b, p + n - 4, 4);
            std::memcpy(w, &a, 4);
            std::memcpy(w + n - 4, &b, 4);
            v = _mm_set_epi32(0x61616161, 0x61616161, static_cast<int>(b), static_cast<int>(a));
        } else if (n > 0) {
            const char a = p[0], b = p[n / 2], c = p[n - 1];
            w[0] = a;
            w[n / 2] = b;
            w[n - 1] = c;
            v = _mm_set_epi8('a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', c, b, a);
        } else {
            v = _mm_set1_epi8('a');
        }
        if (Class::dirty16(v) != 0) return nullptr;
        w[n] = '"';
        return w + n + 1;
    }
    if (plain_run16<Class>(p, n, w) != n) return nullptr;
#else
    detail::copy_short(w, p, n);
    if (plain_run<Class>(p, n) != n) return nullptr;
#endif
    w[n] = '"';
    return w + n + 1;
}

/// Appends `s` quoted when all of it is `Class::plain` (returns true); else appends nothing.
template <class Class>
bool append_quoted_if_plain(Buffer& out, std::string_view s) {
    const std::size_t size = out.size();
    out.resize(size + s.size() + 2);
    if (put_quoted_plain<Class>(out.data() + size, s) != nullptr) return true;
    out.resize(size);
    return false;
}

/// `s` quoted and escaped as append_display (DisplayPlain) or append_json_string (JsonPlain)
/// write it; returns false when a byte of `s` is not part of well-formed UTF-8.
template <class Class>
bool append_escaped(Buffer& out, std::string_view s) {
    constexpr bool json = std::is_same_v<Class, JsonPlain>;
    bool utf8 = true;
    out.push_back('"');
    for (std::size_t i = 0;;) {
        const std::size_t run = plain_run<Class>(s.data() + i, s.size() - i);
        append(out, s.substr(i, run));
        i += run;
        if (i == s.size()) break;
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : utf8_sequence_length(s.substr(i));
        switch (b) {
            case '"': append(out, "\\\""); break;
            case '\\': append(out, "\\\\"); break;
            case '\n': append(out, "\\n"); break;
            case '\r': append(out, "\\r"); break;
            case '\t': append(out, "\\t"); break;
            default:
                if (b < 0x80) {  // other controls; DEL for display
                    append_escaped_byte(out, b, json ? "\\u00" : "\\x");
                } else if (n == 0) {
                    append_escaped_byte(out, b, json ? "\\\\x" : "\\x");
                    utf8 = false;
                    n = 1;
                } else if (!json && b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {  // C1
                    append_escaped_byte(out, static_cast<unsigned char>(s[i + 1]), "\\u00");
                } else {
                    append(out, s.substr(i, n));
                }
        }
        i += n;
    }
    out.push_back('"');
    return utf8;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view s) noexcept {
    if (s.empty()) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const unsigned char b0 = p[0];
    if (b0 < 0x80) return 1;
    if (b0 < 0xC2 || b0 > 0xF4) return 0;
    const std::size_t n = b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 == 0xE0) lo = 0xA0;           // overlong
    else if (b0 == 0xED) hi = 0x9F;      // surrogates
    else if (b0 == 0xF0) lo = 0x90;      // overlong
    else if (b0 == 0xF4) hi = 0x8F;      // above U+10FFFF
    if (s.size() < n || p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

std::optional<std::size_t> printable_prefix(mqtt::Bytes payload, std::size_t max) noexcept {
    const std::string_view s = mqtt::as_string(payload);
    const std::size_t limit = (max == 0 || max > s.size()) ? s.size() : max;
    std::size_t i = 0;
    while (i < limit) {
        i += plain_run<AsciiPrintable>(s.data() + i, limit - i);
        if (i == limit) break;
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F) return std::nullopt;
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0) return std::nullopt;
        if (b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return std::nullopt;  // C1
        if (i + n > limit) break;  // the character straddles the cut: stop before it
        i += n;
    }
    return i;
}

char* detail::put_quoted_if_plain(char* w, std::string_view s, bool json) noexcept {
    return json ? put_quoted_plain<JsonPlain>(w, s) : put_quoted_plain<DisplayPlain>(w, s);
}

void append_display(Buffer& out, std::string_view s) {
    if (!append_quoted_if_plain<DisplayPlain>(out, s)) append_escaped<DisplayPlain>(out, s);
}

bool append_json_string(Buffer& out, std::string_view s) {
    return append_quoted_if_plain<JsonPlain>(out, s) || append_escaped<JsonPlain>(out, s);
}

void append_rule(Buffer& out, mqtt::RuleId rule) {
    out.append(rule.id);
    if (rule.version.empty()) return;
    out.append(std::string_view(" ("));
    out.append(rule.version);
    out.push_back(')');
}

void append_json_rule(Buffer& out, mqtt::RuleId rule) {
    out.append(std::string_view("\"rule\":"));
    append_json_string(out, rule.id);
    out.append(std::string_view(",\"version\":"));
    if (rule.version.empty()) out.append(std::string_view("null"));
    else append_json_string(out, rule.version);
}

void append_hex(Buffer& out, mqtt::Bytes bytes, char sep) {
    if (bytes.empty()) return;
    const std::size_t width = sep != '\0' ? 3 : 2;
    const std::size_t size = out.size();
    out.resize(size + bytes.size() * width - (width - 2));
    char* p = out.data() + size;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (sep != '\0' && i > 0) *p++ = sep;
        *p++ = hex_digits[bytes[i] >> 4];
        *p++ = hex_digits[bytes[i] & 0x0F];
    }
}

}  // namespace mqttlens::output
