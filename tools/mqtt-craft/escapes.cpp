// Escapes and hex parsing for the crafter's command line.
#include "escapes.hpp"

#include "mqtt/hex.hpp"

#include <fmt/format.h>

namespace mqttlens::craft {

namespace {

/// Appends the UTF-8 form of `cp` (up to 0x10FFFF), surrogates written like any other value.
void put_utf8(std::uint32_t cp, std::string& out) {
    auto b = [&](std::uint32_t v) { out.push_back(static_cast<char>(v)); };
    if (cp < 0x80) {
        b(cp);
    } else if (cp < 0x800) {
        b(0xC0 | (cp >> 6));
        b(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        b(0xE0 | (cp >> 12));
        b(0x80 | ((cp >> 6) & 0x3F));
        b(0x80 | (cp & 0x3F));
    } else {
        b(0xF0 | (cp >> 18));
        b(0x80 | ((cp >> 12) & 0x3F));
        b(0x80 | ((cp >> 6) & 0x3F));
        b(0x80 | (cp & 0x3F));
    }
}

}  // namespace

std::string unescape(std::string_view text, std::string_view what) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        auto bad = [&](std::string_view why) {
            return UsageError(fmt::format("{}: {} at position {} of '{}'", what, why, i, text));
        };
        if (++i == text.size()) throw bad("backslash at the end");
        switch (text[i]) {
        case '\\': out.push_back('\\'); break;
        case '0': out.push_back('\0'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'x': {
            int hi = i + 1 < text.size() ? mqtt::hex_digit(text[i + 1]) : -1;
            int lo = i + 2 < text.size() ? mqtt::hex_digit(text[i + 2]) : -1;
            if (hi < 0 || lo < 0) throw bad("\\x needs two hex digits");
            out.push_back(static_cast<char>(hi << 4 | lo));
            i += 2;
            break;
        }
        case 'u': {
            std::size_t close = text.find('}', i);
            if (i + 1 >= text.size() || text[i + 1] != '{' || close == std::string_view::npos ||
                close == i + 2 || close > i + 8)
                throw bad("\\u needs {1 to 6 hex digits}");
            std::uint32_t cp = 0;
            for (std::size_t j = i + 2; j < close; ++j) {
                int d = mqtt::hex_digit(text[j]);
                if (d < 0) throw bad("\\u{...} holds a non-hex digit");
                cp = cp << 4 | static_cast<std::uint32_t>(d);
            }
            if (cp > 0x10FFFF) throw bad("\\u{...} above 10FFFF");
            put_utf8(cp, out);
            i = close;
            break;
        }
        default: throw bad(fmt::format("unknown escape \\{}", text[i]));
        }
    }
    return out;
}

std::vector<std::uint8_t> parse_hex(std::string_view text, std::string_view what) {
    if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 2);
    int pending = -1;
    for (char c : text) {
        if (c == ' ' || c == ':' || c == ',' || c == '\t' || c == '\n') continue;
        int d = mqtt::hex_digit(c);
        if (d < 0) throw UsageError(fmt::format("{}: '{}' is not a hex digit in '{}'", what, c, text));
        if (pending < 0) {
            pending = d;
        } else {
            out.push_back(static_cast<std::uint8_t>(pending << 4 | d));
            pending = -1;
        }
    }
    if (pending >= 0) throw UsageError(fmt::format("{}: odd number of hex digits in '{}'", what, text));
    return out;
}

std::uint64_t parse_number(std::string_view text, std::uint64_t max, std::string_view what) {
    int base = 10;
    std::string_view digits = text;
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.remove_prefix(2);
    }
    if (digits.empty() || digits.size() > 20)
        throw UsageError(fmt::format("{}: '{}' is not a number", what, text));
    std::uint64_t v = 0;
    for (char c : digits) {
        int d = mqtt::hex_digit(c);
        if (d < 0 || d >= base) throw UsageError(fmt::format("{}: '{}' is not a number", what, text));
        if (v > (max - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
            throw UsageError(fmt::format("{}: {} is above {}", what, text, max));
        v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    }
    return v;
}

}  // namespace mqttlens::craft
