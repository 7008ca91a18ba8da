// Reading the TLS handshake messages the TLS layer needs (internal to tls.cpp): ClientHello,
// ServerHello and EncryptedExtensions, for the randoms, the version, the cipher suite, SNI and ALPN.
#pragma once
#include "transport/tls.hpp"

namespace mqttlens::transport::detail {

/// Big-endian reader over a handshake body; `ok` turns false (and stays) at the first read past the end.
struct Reader {
    const std::uint8_t* p;
    std::size_t n;
    bool ok = true;

    explicit Reader(capture::Bytes b) noexcept : p(b.data()), n(b.size()) {}
    std::size_t left() const noexcept { return ok ? n : 0; }
    capture::Bytes take(std::size_t k) noexcept;
    unsigned u8() noexcept;
    unsigned u16() noexcept;
    unsigned u24() noexcept;
    capture::Bytes vec8() noexcept { return take(u8()); }
    capture::Bytes vec16() noexcept { return take(u16()); }
};

/// ClientHello (RFC 8446 §4.1.2): the random, server_name and application_layer_protocol_negotiation.
/// False when the body is cut short before the random.
bool read_client_hello(capture::Bytes body, TlsInfo& info);

/// ServerHello (RFC 8446 §4.1.3): random, cipher suite, version (supported_versions first), ALPN.
/// Returns false for a HelloRetryRequest (nothing is taken from it) or a body cut short.
bool read_server_hello(capture::Bytes body, TlsInfo& info);

/// EncryptedExtensions (RFC 8446 §4.3.1): the selected ALPN protocol.
void read_encrypted_extensions(capture::Bytes body, TlsInfo& info);

/// "close_notify", "handshake_failure"... or the number.
std::string alert_name(unsigned description);

}  // namespace mqttlens::transport::detail
