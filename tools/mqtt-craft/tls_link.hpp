// --send over TLS (mqtts://, wss://) with OpenSSL's libssl: a client that verifies the server
// (against --cafile or the system store, host name or address included) unless --insecure, sends
// SNI for a host name, offers ALPN, may pin one TLS version, and may append its secrets to a key log.
#pragma once

#include "link.hpp"
#include "options.hpp"
#include "tcp_link.hpp"

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace mqttlens::craft {

struct TlsSettings {
    std::string host;                       ///< verified against the certificate; SNI when it is a name
    std::string cafile;                     ///< empty: the system's default store
    bool insecure = false;                  ///< no certificate or host check (a risk)
    std::optional<TlsVersion> version;      ///< nullopt: TLS 1.2 or 1.3
    std::string keylog;                     ///< empty: no key log
    std::string alpn;                       ///< the one protocol offered: "mqtt", "http/1.1"
};

class TlsLink final : public Link {
public:
    /// A client for `settings`, or nullptr with `error` set: an unreadable --cafile or key log
    /// file (usage errors: nothing was sent).
    static std::unique_ptr<TlsLink> create(const TlsSettings& settings, std::string& error);
    ~TlsLink() override;
    TlsLink(const TlsLink&) = delete;
    TlsLink& operator=(const TlsLink&) = delete;

    /// Runs the handshake over `tcp` until `deadline`: ok, timeout, or tls_error with the reason
    /// (an untrusted certificate names --cafile and --insecure; a closed connection asks whether
    /// the port speaks TLS).
    Io handshake(std::unique_ptr<TcpLink> tcp, Clock::time_point deadline);
    /// After the handshake: "TLS 1.3 TLS_AES_256_GCM_SHA384, ALPN mqtt, certificate CN=... verified
    /// against ca.pem".
    std::string description() const;

    Io send(mqtt::Bytes bytes) override;
    Io receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) override;
    void shutdown(Clock::time_point deadline) override;

private:
    TlsLink(TlsSettings settings, SSL_CTX* ctx, std::FILE* keylog);
    /// What the last failed SSL call means; `handshake` words it for the handshake.
    Io failure(int rc, bool handshake);

    TlsSettings settings_;
    SSL_CTX* ctx_;
    SSL* ssl_ = nullptr;
    std::FILE* keylog_;
    std::unique_ptr<TcpLink> tcp_;
    std::optional<Io> end_;
};

}  // namespace mqttlens::craft
