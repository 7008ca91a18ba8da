// The TLS layer: TLS 1.2 and 1.3 records of one connection in, the application data they carry out,
// decrypted with the secrets of a key log (tls_keylog.hpp). Without keys it still reads the
// handshake in the clear (version, cipher suite, SNI, ALPN) and hands nothing up.
//
//   TLSPlaintext = ContentType type, ProtocolVersion legacy_record_version, uint16 length,
//                  opaque fragment[length]                                      (RFC 8446 §5.1)
//
// What it decrypts: TLS 1.3 with TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and
// TLS_CHACHA20_POLY1305_SHA256 (handshake and application traffic secrets, KeyUpdate); TLS 1.2 with
// the AES-GCM and ChaCha20-Poly1305 suites (the master secret of a CLIENT_RANDOM line). Records may
// be split across or share input chunks: the output is the same for every chunking.
//
// Findings (transport::Finding): a note once the handshake shows what the connection is; "no key
// for this client random" once per connection; a record that fails authentication, at its offset
// (its bytes become an Output::gap and decoding goes on with the next record; a connection whose
// first protected record already fails is "wrong key" once, and that side is not tried again);
// alerts; records over the length limit (RFC8446-5.1 / RFC5246-6.2.1; the side is then lost).
// After an input gap, a side that was being decrypted looks for the next record that opens with
// one of the next 64 sequence numbers (a plausible application_data header, tried) and goes on
// from there; a side not decrypted, or lost in its handshake, stays lost. Either way gap(d, 0).
#pragma once
#include "transport/layer.hpp"
#include "transport/tls_crypto.hpp"
#include "transport/tls_keylog.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mqttlens::transport {

struct TlsOptions {
    const KeyLog* keys = nullptr;  ///< null or empty: nothing is decrypted (not owned)
    /// Largest handshake message kept whole to read it (ClientHello, ServerHello, EncryptedExtensions);
    /// longer ones (certificates) are skipped, not kept.
    std::size_t max_handshake_message = 64 * 1024;
};

/// "TLS 1.2", "TLS 1.3", or "0x0301"-style hex for anything else.
std::string tls_version_name(std::uint16_t version);

/// What the handshake showed.
struct TlsInfo {
    bool client_hello = false;
    bool server_hello = false;
    std::uint16_t version = 0;       ///< negotiated (ServerHello, supported_versions for 1.3)
    std::uint16_t cipher_suite = 0;
    std::string sni;                 ///< server_name from the ClientHello
    std::vector<std::string> alpn_offered;
    std::string alpn;                ///< the protocol the server selected (empty: none or unseen)
    Random client_random{};
    Random server_random{};
    bool have_keys = false;          ///< the key log has this client random
    bool decrypted = false;          ///< at least one protected record was opened
    /// "TLS 1.3 TLS_AES_128_GCM_SHA256 sni=broker alpn=mqtt" (or "alpn_offered=a,b" when the
    /// server's choice is not known), as far as the handshake went.
    std::string summary() const;
};

/// Whether a connection's first client bytes are a TLS ClientHello, and whether it offers ALPN
/// "mqtt" (read from the first record; need_more until that record is whole, up to 16 KiB).
struct TlsProbe {
    enum class Verdict : std::uint8_t { need_more, tls, not_tls } verdict = Verdict::need_more;
    bool alpn_mqtt = false;
};
TlsProbe probe_tls(capture::Bytes client_first) noexcept;

class TlsLayer final : public Layer {
public:
    TlsLayer(int client_side, TlsOptions options);
    ~TlsLayer() override;

    void data(int d, capture::Bytes bytes, Output& out) override;
    void gap(int d, std::uint64_t size, Output& out) override;
    void close(Output& out) override;

    const TlsInfo& info() const noexcept { return info_; }

private:
    struct Side;
    void record(int d, std::uint8_t type, const std::uint8_t* header, capture::Bytes fragment, std::uint64_t at,
                Output& out);
    void protected_record(int d, const std::uint8_t* header, capture::Bytes fragment, std::uint64_t at, Output& out);
    void handshake_bytes(int d, capture::Bytes bytes, bool encrypted, std::uint64_t at, Output& out);
    void handshake_message(int d, std::uint8_t type, capture::Bytes body, bool encrypted, std::uint64_t at,
                           Output& out);
    void client_hello(capture::Bytes body);
    void server_hello(capture::Bytes body, std::uint64_t at, Output& out);
    void start_keys(std::uint64_t at, Output& out);
    bool use_secret(int d, const Secret& secret);
    void alert(int d, capture::Bytes body, std::uint64_t at, Output& out);
    void lose(int d, Output& out);
    /// After a capture gap: side `d`'s bytes searched for the next record that opens.
    void seek(int d, capture::Bytes bytes, Output& out);
    /// The note on what the handshake showed and what became of the keys, once.
    void tell(int d, std::uint64_t at, Output& out);

    int client_;
    TlsOptions options_;
    TlsInfo info_;
    const CipherSuite* suite_ = nullptr;
    const TlsSecrets* secrets_ = nullptr;
    bool told_ = false;      // the handshake note was given
    std::string keys_said_;  // its last part: decrypted, or why not
    bool wrong_key_said_ = false;
    std::unique_ptr<Side> side_[2];
};

}  // namespace mqttlens::transport
