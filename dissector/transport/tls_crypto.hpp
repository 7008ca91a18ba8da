// The TLS key schedule and record protection this project decrypts with: cipher suites, TLS 1.3's
// HKDF-Expand-Label (RFC 8446 §7.1, §7.3), TLS 1.2's PRF and key block (RFC 5246 §5, §6.3), and
// AEAD record opening (RFC 5288 AES-GCM, RFC 7905 ChaCha20-Poly1305, RFC 8446 §5.2-5.3). The
// constructions are the project's; HMAC and the ciphers are OpenSSL's libcrypto.
#pragma once
#include "capture/capture_source.hpp"
#include "transport/tls_keylog.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mqttlens::transport {

struct AeadFunctions;  // tls_crypto.cpp: one AEAD's functions as its OpenSSL provider exports them

enum class HashAlg : std::uint8_t { sha256, sha384 };
enum class AeadAlg : std::uint8_t { aes128_gcm, aes256_gcm, chacha20_poly1305 };

/// A cipher suite this project can decrypt.
struct CipherSuite {
    std::uint16_t id;
    std::string_view name;  ///< IANA name, e.g. "TLS_AES_128_GCM_SHA256"
    AeadAlg aead;
    HashAlg hash;
    bool tls13;             ///< a TLS 1.3 suite (0x13xx)
};

/// The suite `id` when it is one this project decrypts (TLS 1.3's three; TLS 1.2's AES-GCM and
/// ChaCha20-Poly1305 suites with ECDHE, DHE or RSA key exchange), else nullptr.
const CipherSuite* find_cipher_suite(std::uint16_t id) noexcept;

/// The IANA name of any suite this project knows by name, else "0xC013"-style hex.
std::string cipher_suite_name(std::uint16_t id);

std::size_t hash_size(HashAlg h) noexcept;
std::size_t key_size(AeadAlg a) noexcept;

/// HKDF-Expand-Label(secret, label, context, n) of RFC 8446 §7.1 ("tls13 " is prefixed here).
/// False only if libcrypto fails.
bool hkdf_expand_label(HashAlg h, capture::Bytes secret, std::string_view label, capture::Bytes context,
                       std::uint8_t* out, std::size_t n) noexcept;

/// PRF(secret, label, seed) of RFC 5246 §5 (P_hash with the suite's hash), `n` bytes.
bool tls12_prf(HashAlg h, capture::Bytes secret, std::string_view label, capture::Bytes seed, std::uint8_t* out,
               std::size_t n) noexcept;

/// One direction's write key and IV: TLS 1.3's 12-byte IV, TLS 1.2 GCM's 4-byte salt or
/// ChaCha20's 12-byte IV.
struct TrafficKeys {
    std::array<std::uint8_t, 32> key{};
    std::array<std::uint8_t, 12> iv{};
    std::uint8_t key_size = 0;
    std::uint8_t iv_size = 0;
};

/// TLS 1.3: the key and IV of a traffic secret (RFC 8446 §7.3).
bool tls13_traffic_keys(const CipherSuite& suite, capture::Bytes secret, TrafficKeys& out) noexcept;

/// TLS 1.3: the next application traffic secret after a KeyUpdate (RFC 8446 §7.2), in place.
bool tls13_next_secret(const CipherSuite& suite, Secret& secret) noexcept;

/// TLS 1.2: both directions' keys from the master secret (RFC 5246 §6.3, AEAD suites: no MAC key).
bool tls12_keys(const CipherSuite& suite, capture::Bytes master, const Random& client_random,
                const Random& server_random, TrafficKeys& client, TrafficKeys& server) noexcept;

/// Opens the protected records of one direction, counting their sequence numbers. The AEAD is
/// OpenSSL's, called through its provider's own functions (found once per process with
/// OSSL_PROVIDER_query_operation) with the same calls EVP_DecryptInit_ex / Update / Final make:
/// EVP's wrappers look parameters up by name on every record, which cost a small record more
/// than the cipher itself (docs/PERFORMANCE.md).
class RecordOpener {
public:
    RecordOpener() = default;
    ~RecordOpener();
    RecordOpener(const RecordOpener&) = delete;
    RecordOpener& operator=(const RecordOpener&) = delete;

    /// Starts using `keys` with sequence number 0. False if libcrypto refuses them or has no
    /// implementation of the suite's AEAD.
    bool start(const CipherSuite& suite, const TrafficKeys& keys) noexcept;
    bool ready() const noexcept { return suite_ != nullptr; }
    void stop() noexcept { suite_ = nullptr; }
    const CipherSuite* suite() const noexcept { return suite_; }

    /// Decrypts the record `header` (5 bytes) + `fragment` into `out` (room for fragment.size()
    /// bytes); the plaintext size (TLS 1.3: the inner plaintext, content type and padding
    /// included), or -1 when the record is too short or fails authentication. The sequence
    /// number advances either way.
    long open(const std::uint8_t* header, capture::Bytes fragment, std::uint8_t* out) noexcept;

    std::uint64_t sequence() const noexcept { return sequence_; }
    void set_sequence(std::uint64_t s) noexcept { sequence_ = s; }

private:
    const AeadFunctions* aead_ = nullptr;  ///< the functions ctx_ belongs to
    void* ctx_ = nullptr;                  ///< the provider's cipher context
    const CipherSuite* suite_ = nullptr;
    TrafficKeys keys_;
    std::uint64_t sequence_ = 0;
};

}  // namespace mqttlens::transport
