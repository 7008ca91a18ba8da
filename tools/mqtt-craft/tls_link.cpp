// --send over TLS: an OpenSSL client on the non-blocking TCP socket, every wait through poll()
// with the caller's deadline.
#include "tls_link.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

namespace mqttlens::craft {

namespace {

/// SSL_CTX_set_keylog_callback's callback: one NSS key log line, appended and flushed at once
/// (so the file is whole even when mqtt-craft is killed).
void keylog_line(const SSL* ssl, const char* line) {
    auto* file = static_cast<std::FILE*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (!file) return;
    std::fprintf(file, "%s\n", line);
    std::fflush(file);
}

/// The earliest error OpenSSL queued, in its words ("wrong version number"); empty when none.
std::string openssl_reason(unsigned long error) {
    if (error == 0) return {};
    if (const char* reason = ERR_reason_error_string(error)) return reason;
    char text[256];
    ERR_error_string_n(error, text, sizeof text);
    return text;
}

bool is_ip_address(const std::string& host) {
    unsigned char buf[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

/// "CN=broker,O=test" (RFC 2253 order), or "?".
std::string subject_of(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (!bio) return "?";
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(n > 0 ? n : 0));
    BIO_free(bio);
    return text.empty() ? "(empty subject)" : text;
}

}  // namespace

std::unique_ptr<TlsLink> TlsLink::create(const TlsSettings& settings, std::string& error) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        error = "cannot set up TLS: " + openssl_reason(ERR_get_error());
        return nullptr;
    }
    const int version = !settings.version                        ? 0
                        : *settings.version == TlsVersion::v1_2 ? TLS1_2_VERSION
                                                                 : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(ctx, version ? version : TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, version);  // 0: the highest the library knows
    if (settings.insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        if (settings.cafile.empty()) {
            SSL_CTX_set_default_verify_paths(ctx);
        } else if (std::FILE* f = std::fopen(settings.cafile.c_str(), "r"); !f) {
            error = fmt::format("--cafile {}: {}", settings.cafile, std::strerror(errno));
            SSL_CTX_free(ctx);
            return nullptr;
        } else {
            std::fclose(f);
            if (SSL_CTX_load_verify_locations(ctx, settings.cafile.c_str(), nullptr) != 1) {
                error = fmt::format("--cafile {}: no CA certificate read from it ({})", settings.cafile,
                                    openssl_reason(ERR_peek_error()));
                ERR_clear_error();
                SSL_CTX_free(ctx);
                return nullptr;
            }
        }
    }
    std::FILE* keylog = nullptr;
    if (!settings.keylog.empty()) {
        // The secrets decrypt the session: readable by the owner only, like a private key.
        const int fd = ::open(settings.keylog.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        keylog = fd < 0 ? nullptr : ::fdopen(fd, "a");
        if (!keylog) {
            error = fmt::format("--tls-keylog {}: {}", settings.keylog, std::strerror(errno));
            if (fd >= 0) ::close(fd);
            SSL_CTX_free(ctx);
            return nullptr;
        }
        SSL_CTX_set_app_data(ctx, keylog);
        SSL_CTX_set_keylog_callback(ctx, keylog_line);
    }
    return std::unique_ptr<TlsLink>(new TlsLink(settings, ctx, keylog));
}

TlsLink::TlsLink(TlsSettings settings, SSL_CTX* ctx, std::FILE* keylog)
    : settings_(std::move(settings)), ctx_(ctx), keylog_(keylog) {}

TlsLink::~TlsLink() {
    if (ssl_) SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (keylog_) std::fclose(keylog_);
}

Io TlsLink::handshake(std::unique_ptr<TcpLink> tcp, Clock::time_point deadline) {
    tcp_ = std::move(tcp);
    ssl_ = SSL_new(ctx_);
    if (!ssl_ || SSL_set_fd(ssl_, tcp_->fd()) != 1)
        return {IoStatus::tls_error, "cannot set up TLS: " + openssl_reason(ERR_get_error())};
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const bool ip = is_ip_address(settings_.host);
    if (!ip) SSL_set_tlsext_host_name(ssl_, settings_.host.c_str());  // RFC 6066 §3: no address in SNI
    if (!settings_.insecure) {
        if (ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), settings_.host.c_str());
        else SSL_set1_host(ssl_, settings_.host.c_str());
    }
    if (!settings_.alpn.empty()) {
        std::string wire(1, static_cast<char>(settings_.alpn.size()));
        wire += settings_.alpn;
        SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(wire.data()), static_cast<unsigned>(wire.size()));
    }
    for (;;) {
        ERR_clear_error();
        const int rc = SSL_connect(ssl_);
        if (rc == 1) return {};
        const int e = SSL_get_error(ssl_, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (!wait_ready(tcp_->fd(), e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
                return {IoStatus::timeout, "the TLS handshake did not finish"};
            continue;
        }
        return failure(e, true);
    }
}

Io TlsLink::failure(int ssl_error, bool handshake) {
    const int saved_errno = errno;
    const unsigned long error = ERR_peek_error();
    const int reason = ERR_GET_REASON(error);
    ERR_clear_error();
    if (handshake && reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
        const long v = SSL_get_verify_result(ssl_);
        const char* why = X509_verify_cert_error_string(v);
        if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
            return {IoStatus::tls_error,
                    fmt::format("TLS handshake failed: the server's certificate is not for {} ({}); connect to a "
                                "name or address it lists, or skip verification with --insecure (a risk)",
                                settings_.host, why)};
        return {IoStatus::tls_error,
                fmt::format("TLS handshake failed: the server's certificate is not trusted by {} ({}); give "
                            "the CA that signed it with --cafile FILE, or skip verification with --insecure (a risk)",
                            settings_.cafile.empty() ? std::string("the system's store") : settings_.cafile, why)};
    }
    const bool eof = ssl_error == SSL_ERROR_ZERO_RETURN || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
                     (ssl_error == SSL_ERROR_SYSCALL && error == 0);
    const bool reset = ssl_error == SSL_ERROR_SYSCALL && error == 0 && (saved_errno == ECONNRESET || saved_errno == EPIPE);
    if (eof || reset) {
        if (handshake)
            return {IoStatus::tls_error,
                    fmt::format("TLS handshake failed: the server {} the connection (is the port a TLS listener? "
                                "does it accept {}?)",
                                reset ? "reset" : "closed",
                                !settings_.version                         ? "TLS 1.2 or 1.3"
                                : *settings_.version == TlsVersion::v1_2 ? "TLS 1.2"
                                                                          : "TLS 1.3")};
        return {reset ? IoStatus::reset : IoStatus::closed, {}};
    }
    std::string text = openssl_reason(error);
    if (text.empty()) text = saved_errno ? std::strerror(saved_errno) : fmt::format("SSL error {}", ssl_error);
    if (!handshake) return {IoStatus::tls_error, "TLS failed: " + text};
    const char* hint = reason == SSL_R_WRONG_VERSION_NUMBER ? " (the server does not answer in TLS: is the port a TLS listener?)"
                       : reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION || reason == SSL_R_UNSUPPORTED_PROTOCOL ||
                               reason == SSL_R_NO_PROTOCOLS_AVAILABLE
                           ? " (no TLS version both sides accept: see --tls-version)"
                           : "";
    return {IoStatus::tls_error, fmt::format("TLS handshake failed: {}{}", text, hint)};
}

std::string TlsLink::description() const {
    std::string version = SSL_get_version(ssl_);  // "TLSv1.3"
    if (version.starts_with("TLSv")) version = "TLS " + version.substr(4);
    const unsigned char* alpn = nullptr;
    unsigned alpn_len = 0;
    SSL_get0_alpn_selected(ssl_, &alpn, &alpn_len);
    std::string certificate = "no certificate";
    if (X509* cert = SSL_get1_peer_certificate(ssl_)) {
        certificate = "certificate " + subject_of(cert);
        X509_free(cert);
    }
    const std::string check =
        settings_.insecure ? "NOT verified (--insecure)"
                           : fmt::format("verified for {} against {}", settings_.host,
                                         settings_.cafile.empty() ? std::string("the system's store") : settings_.cafile);
    return fmt::format("{} {}, ALPN {}, {} {}", version, SSL_get_cipher_name(ssl_),
                       alpn_len ? std::string(reinterpret_cast<const char*>(alpn), alpn_len)
                                : fmt::format("{} offered, none selected", settings_.alpn),
                       certificate, check);
}

Io TlsLink::send(mqtt::Bytes bytes) {
    if (end_) return *end_;
    const std::uint8_t* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ERR_clear_error();
        const int n = SSL_write(ssl_, p, static_cast<int>(std::min<std::size_t>(left, INT_MAX)));
        if (n > 0) {
            p += n;
            left -= static_cast<std::size_t>(n);
            continue;
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            wait_ready(tcp_->fd(), e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, Clock::now() + std::chrono::seconds(1));
            continue;
        }
        end_ = failure(e, false);
        return *end_;
    }
    return {};
}

Io TlsLink::receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) {
    if (end_) return *end_;
    unsigned char buf[16384];
    for (;;) {
        ERR_clear_error();
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
            out.insert(out.end(), buf, buf + n);
            return {};
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (!wait_ready(tcp_->fd(), e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
                return {IoStatus::timeout, {}};
            continue;
        }
        end_ = failure(e, false);
        return *end_;
    }
}

void TlsLink::shutdown(Clock::time_point) {
    if (ssl_ && !end_) {
        SSL_shutdown(ssl_);  // our close_notify; the peer's is not waited for (RFC 8446 §6.1)
        end_ = Io{IoStatus::closed, "closed by us"};
    }
}

}  // namespace mqttlens::craft
