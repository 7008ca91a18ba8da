#include "output/text.hpp"

#include "output/context.hpp"

namespace mqttlens::output {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex_byte(Buffer& out, unsigned char b) {
    const char two[2] = {hex_digits[b >> 4], hex_digits[b & 0x0F]};
    out.append(two, two + 2);
}

void append_escaped_byte(Buffer& out, unsigned char b, std::string_view prefix) {
    append(out, prefix);
    append_hex_byte(out, b);
}

}  // namespace

std::string_view direction_name(Direction direction) noexcept {
    switch (direction) {
        case Direction::c2s: return "c2s";
        case Direction::s2c: return "s2c";
        case Direction::unknown: break;
    }
    return "unknown";
}

std::size_t utf8_sequence_length(std::string_view s) noexcept {
    if (s.empty()) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const unsigned char b0 = p[0];
    if (b0 < 0x80) return 1;
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
    else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;        // overlong
        else if (b0 == 0xED) hi = 0x9F;   // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;        // overlong
        else if (b0 == 0xF4) hi = 0x8F;   // above U+10FFFF
    } else {
        return 0;
    }
    if (s.size() < n || p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
        const std::size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::optional<std::size_t> printable_prefix(mqtt::Bytes payload, std::size_t max) noexcept {
    const std::string_view s = mqtt::as_string(payload);
    const std::size_t limit = (max == 0 || max > s.size()) ? s.size() : max;
    std::size_t i = 0;
    while (i < limit) {
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

void append_display(Buffer& out, std::string_view s) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0x20 && b < 0x7F) {
            std::size_t j = i;  // copy a run of plain ASCII at once
            while (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x20 &&
                   static_cast<unsigned char>(s[j]) < 0x7F && s[j] != '"' && s[j] != '\\')
                ++j;
            if (j > i) { append(out, s.substr(i, j - i)); i = j; continue; }
            out.push_back('\\');
            out.push_back(static_cast<char>(b));
            ++i;
            continue;
        }
        if (b < 0x80) {
            switch (b) {
                case '\n': append(out, "\\n"); break;
                case '\r': append(out, "\\r"); break;
                case '\t': append(out, "\\t"); break;
                default: append_escaped_byte(out, b, "\\x");
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0) {
            append_escaped_byte(out, b, "\\x");
            ++i;
        } else if (b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
            append_escaped_byte(out, static_cast<unsigned char>(s[i + 1]), "\\u00");
            i += 2;
        } else {
            append(out, s.substr(i, n));
            i += n;
        }
    }
    out.push_back('"');
}

void append_json_string(Buffer& out, std::string_view s) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') {
            std::size_t j = i + 1;
            while (j < s.size()) {
                const auto c = static_cast<unsigned char>(s[j]);
                if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
                ++j;
            }
            append(out, s.substr(i, j - i));
            i = j;
            continue;
        }
        if (b < 0x80) {
            switch (b) {
                case '"': append(out, "\\\""); break;
                case '\\': append(out, "\\\\"); break;
                case '\n': append(out, "\\n"); break;
                case '\r': append(out, "\\r"); break;
                case '\t': append(out, "\\t"); break;
                default: append_escaped_byte(out, b, "\\u00");
            }
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(s.substr(i));
        if (n == 0) {
            append_escaped_byte(out, b, "\\\\x");
            ++i;
        } else {
            append(out, s.substr(i, n));
            i += n;
        }
    }
    out.push_back('"');
}

void append_hex(Buffer& out, mqtt::Bytes bytes, char sep) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (sep != '\0' && i > 0) out.push_back(sep);
        append_hex_byte(out, bytes[i]);
    }
}

}  // namespace mqttlens::output
