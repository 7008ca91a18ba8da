// Shared helpers for the printer tests.
#pragma once

#include "mqtt/decoder.hpp"
#include "output/printer.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace test_util {

/// Bytes from hex written with spaces ("30 05 00 01 61").
inline std::vector<std::uint8_t> unhex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    int high = -1;
    for (char c : hex) {
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) continue;
        if (high < 0) high = v;
        else { out.push_back(static_cast<std::uint8_t>(high << 4 | v)); high = -1; }
    }
    return out;
}

/// A decoded packet that keeps its bytes alive.
struct Decoded {
    std::vector<std::uint8_t> bytes;
    mqttlens::mqtt::Packet packet;
    explicit Decoded(std::string_view hex, mqttlens::mqtt::Version version = mqttlens::mqtt::Version::v3_1_1)
        : bytes(unhex(hex)), packet(mqttlens::mqtt::decode(bytes, version)) {}
    Decoded(const Decoded&) = delete;
};

inline std::string text(const mqttlens::output::Buffer& b) { return std::string(b.data(), b.size()); }

inline std::string print(const mqttlens::mqtt::Packet& p, mqttlens::output::Format format,
                         const mqttlens::output::Context& context = {},
                         mqttlens::output::PrintOptions options = {}) {
    mqttlens::output::Buffer out;
    options.format = format;
    mqttlens::output::print_packet(out, p, context, options);
    return text(out);
}

}  // namespace test_util
