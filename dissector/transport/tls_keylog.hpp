// TLS secrets from an NSS key log (the file SSLKEYLOGFILE makes browsers, curl, OpenSSL, Python's
// ssl and Node write; also the text of a pcapng Decryption Secrets Block of type TLSK).
//
//   LINE   = LABEL SP CLIENT-RANDOM SP SECRET      (hex; '#' starts a comment line)
//   LABEL  = CLIENT_RANDOM                          TLS 1.2: the 48-byte master secret
//          | CLIENT_HANDSHAKE_TRAFFIC_SECRET | SERVER_HANDSHAKE_TRAFFIC_SECRET
//          | CLIENT_TRAFFIC_SECRET_0 | SERVER_TRAFFIC_SECRET_0       TLS 1.3
//          | other labels (EXPORTER_SECRET, early data, ...): read and ignored
//
//   transport::KeyLog keys;
//   for (const auto& problem : keys.add(text, "keys.log")) warn(problem);   // bad lines, named
//   if (const TlsSecrets* s = keys.find(client_random)) ...
#pragma once
#include "capture/capture_source.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mqttlens::transport {

using Random = std::array<std::uint8_t, 32>;

/// One secret: up to 48 bytes (SHA-384's output), `size` of them used; size 0 = absent.
struct Secret {
    std::array<std::uint8_t, 48> bytes{};
    std::uint8_t size = 0;
    explicit operator bool() const noexcept { return size != 0; }
    capture::Bytes view() const noexcept { return {bytes.data(), size}; }
};

/// Everything a key log gave for one client random.
struct TlsSecrets {
    Secret master;               ///< CLIENT_RANDOM (TLS 1.2 and earlier)
    Secret client_handshake;     ///< TLS 1.3 traffic secrets
    Secret server_handshake;
    Secret client_application;   ///< CLIENT_TRAFFIC_SECRET_0
    Secret server_application;   ///< SERVER_TRAFFIC_SECRET_0
};

class KeyLog {
public:
    /// Reads key log text; `source` names it in problems ("keys.log:12: ..."). Lines with an
    /// unknown label are ignored; malformed lines are skipped and each gives one problem. The
    /// same secret given twice keeps the last.
    std::vector<std::string> add(std::string_view text, std::string_view source);
    /// The secrets for `client_random`, or nullptr.
    const TlsSecrets* find(const Random& client_random) const noexcept;
    std::size_t size() const noexcept { return secrets_.size(); }
    bool empty() const noexcept { return secrets_.empty(); }

private:
    struct Hash {
        std::size_t operator()(const Random& r) const noexcept;
    };
    std::unordered_map<Random, TlsSecrets, Hash> secrets_;
};

}  // namespace mqttlens::transport
