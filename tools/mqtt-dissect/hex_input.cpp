#include "hex_input.hpp"

#include "mqtt/hex.hpp"

#include <fmt/format.h>

namespace mqttlens::dissect {

namespace {

bool is_separator(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == ',' || c == '-';
}

}  // namespace

HexResult parse_hex(std::string_view text, bool comments) {
    HexResult r;
    r.bytes.reserve(text.size() / 2);
    int high = -1;  // first digit of a pair in progress
    std::size_t high_pos = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (comments && c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if (is_separator(c) && high < 0) continue;
        if (c == '0' && high < 0 && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            ++i;  // a "0x" prefix
            continue;
        }
        const int v = mqtt::hex_digit(c);
        if (v < 0) {
            if (high >= 0 && is_separator(c))
                r.error = fmt::format("odd number of hex digits: '{}' at position {} has no pair", text[high_pos], high_pos);
            else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F)
                r.error = fmt::format("invalid character '{}' at position {}", c, i);
            else
                r.error = fmt::format("invalid byte 0x{:02x} at position {}", static_cast<unsigned char>(c), i);
            return r;
        }
        if (high < 0) {
            high = v;
            high_pos = i;
        } else {
            r.bytes.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    if (high >= 0)
        r.error = fmt::format("odd number of hex digits: '{}' at position {} has no pair", text[high_pos], high_pos);
    return r;
}

}  // namespace mqttlens::dissect
