// Hex digits, for the places that read hex text: mqtt-dissect --hex, mqtt-craft's escapes and
// byte options, and TLS key logs.
#pragma once

namespace mqttlens::mqtt {

/// The value of hex digit `c` (0-9, a-f, A-F), or -1 for any other character.
constexpr int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace mqttlens::mqtt
