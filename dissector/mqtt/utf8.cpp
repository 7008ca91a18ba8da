#include "mqtt/utf8.hpp"

namespace mqttlens::mqtt::detail {
namespace {

constexpr bool continuation(std::uint8_t b) noexcept { return (b & 0xC0) == 0x80; }

constexpr bool noncharacter(std::uint32_t cp) noexcept {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// An ill-formed sequence: the lead byte and the continuation bytes that follow it.
Utf8Step ill_formed(const std::uint8_t* p, std::size_t n) noexcept {
    std::uint32_t len = 1;
    while (len < n && continuation(p[len])) ++len;
    return {len, Utf8Issue::malformed};
}

}  // namespace

// RFC 3629 §4: the second byte's range depends on the lead byte (E0 A0..BF, ED 80..9F,
// F0 90..BF, F4 80..8F), which excludes overlongs, surrogates and code points above U+10FFFF.
Utf8Step utf8_step(const std::uint8_t* p, std::size_t n) noexcept {
    const std::uint8_t b = p[0];
    if (b < 0x80) {
        if (b == 0) return {1, Utf8Issue::null};
        if (b < 0x20 || b == 0x7F) return {1, Utf8Issue::control};
        return {1, Utf8Issue::none};
    }
    if (b < 0xC2 || b > 0xF4) return ill_formed(p, n);

    std::uint32_t len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    std::uint8_t lo = 0x80, hi = 0xBF;
    if (b == 0xE0) lo = 0xA0;
    else if (b == 0xED) hi = 0x9F;
    else if (b == 0xF0) lo = 0x90;
    else if (b == 0xF4) hi = 0x8F;

    if (n < len || p[1] < lo || p[1] > hi) return ill_formed(p, n);
    for (std::uint32_t k = 2; k < len; ++k)
        if (!continuation(p[k])) return ill_formed(p, n);

    std::uint32_t cp;
    if (len == 2) {
        cp = (std::uint32_t(b & 0x1F) << 6) | (p[1] & 0x3F);
        return {2, cp <= 0x9F ? Utf8Issue::control : Utf8Issue::none};
    }
    if (len == 3)
        cp = (std::uint32_t(b & 0x0F) << 12) | (std::uint32_t(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else
        cp = (std::uint32_t(b & 0x07) << 18) | (std::uint32_t(p[1] & 0x3F) << 12) |
             (std::uint32_t(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return {len, noncharacter(cp) ? Utf8Issue::noncharacter : Utf8Issue::none};
}

}  // namespace mqttlens::mqtt::detail
