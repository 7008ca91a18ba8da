#include "transport/tls_keylog.hpp"

#include "mqtt/hex.hpp"

#include <cstring>
#include <fmt/format.h>

namespace mqttlens::transport {

namespace {

/// `hex` decoded into `out` (up to `max` bytes); the byte count, or -1 when not even-length hex
/// or too long.
int from_hex(std::string_view hex, std::uint8_t* out, std::size_t max) noexcept {
    if (hex.size() % 2 != 0 || hex.size() / 2 > max) return -1;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = mqtt::hex_digit(hex[i]), lo = mqtt::hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i / 2] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return static_cast<int>(hex.size() / 2);
}

std::string_view next_word(std::string_view& line) noexcept {
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) {
        line = {};
        return {};
    }
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
    const std::string_view word = line.substr(0, end);
    line.remove_prefix(end);
    return word;
}

/// The member of `s` that `label` sets, or nullptr for a label this reader does not use.
Secret* slot(TlsSecrets& s, std::string_view label) noexcept {
    if (label == "CLIENT_RANDOM") return &s.master;
    if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET") return &s.client_handshake;
    if (label == "SERVER_HANDSHAKE_TRAFFIC_SECRET") return &s.server_handshake;
    if (label == "CLIENT_TRAFFIC_SECRET_0") return &s.client_application;
    if (label == "SERVER_TRAFFIC_SECRET_0") return &s.server_application;
    return nullptr;
}

}  // namespace

std::size_t KeyLog::Hash::operator()(const Random& r) const noexcept {
    std::size_t h;
    std::memcpy(&h, r.data(), sizeof h);  // random bytes: any eight are a good hash
    return h;
}

std::vector<std::string> KeyLog::add(std::string_view text, std::string_view source) {
    std::vector<std::string> problems;
    std::size_t number = 0;
    while (!text.empty()) {
        const std::size_t eol = std::min(text.find('\n'), text.size());
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(std::min(eol + 1, text.size()));
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::string_view label = next_word(line);
        if (label.empty() || label[0] == '#') continue;
        const std::string_view random_hex = next_word(line), secret_hex = next_word(line);
        TlsSecrets scratch;
        Secret* known = slot(scratch, label);
        if (!known) continue;
        Random random;
        Secret secret;
        const int random_size = from_hex(random_hex, random.data(), random.size());
        const int secret_size = from_hex(secret_hex, secret.bytes.data(), secret.bytes.size());
        // The master secret is 48 bytes; a TLS 1.3 secret is its hash's size, SHA-256's or SHA-384's.
        const bool sized = known == &scratch.master ? secret_size == 48 : secret_size == 32 || secret_size == 48;
        if (random_size != 32 || !sized || !next_word(line).empty()) {
            problems.push_back(fmt::format("{}:{}: not a {} line (label, 64 hex digits of client random, "
                                           "the secret in hex: {})",
                                           source, number, label,
                                           known == &scratch.master ? "96 digits" : "64 or 96 digits"));
            continue;
        }
        secret.size = static_cast<std::uint8_t>(secret_size);
        *slot(secrets_[random], label) = secret;
    }
    return problems;
}

const TlsSecrets* KeyLog::find(const Random& client_random) const noexcept {
    const auto it = secrets_.find(client_random);
    return it == secrets_.end() ? nullptr : &it->second;
}

}  // namespace mqttlens::transport
