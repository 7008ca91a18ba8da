#include "transport/tls_crypto.hpp"

#include <algorithm>
#include <iterator>
#include <cstring>
#include "transport/libcrypto.hpp"

#include <fmt/format.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>

namespace mqttlens::transport {

namespace {

constexpr CipherSuite suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", AeadAlg::aes128_gcm, HashAlg::sha256, true},
    {0x1302, "TLS_AES_256_GCM_SHA384", AeadAlg::aes256_gcm, HashAlg::sha384, true},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", AeadAlg::chacha20_poly1305, HashAlg::sha256, true},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", AeadAlg::aes128_gcm, HashAlg::sha256, false},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", AeadAlg::aes256_gcm, HashAlg::sha384, false},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", AeadAlg::aes128_gcm, HashAlg::sha256, false},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", AeadAlg::aes256_gcm, HashAlg::sha384, false},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", AeadAlg::aes128_gcm, HashAlg::sha256, false},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", AeadAlg::aes256_gcm, HashAlg::sha384, false},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", AeadAlg::aes128_gcm, HashAlg::sha256, false},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", AeadAlg::aes256_gcm, HashAlg::sha384, false},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", AeadAlg::chacha20_poly1305, HashAlg::sha256, false},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", AeadAlg::chacha20_poly1305, HashAlg::sha256, false},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", AeadAlg::chacha20_poly1305, HashAlg::sha256, false},
};

struct NamedSuite {
    std::uint16_t id;
    std::string_view name;
};

// Suites seen in the wild that this project names but cannot decrypt (CBC with HMAC).
constexpr NamedSuite named_only[] = {
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
};

const char* cipher_name(AeadAlg a) noexcept {
    switch (a) {
        case AeadAlg::aes128_gcm: return "AES-128-GCM";
        case AeadAlg::aes256_gcm: return "AES-256-GCM";
        case AeadAlg::chacha20_poly1305: return "ChaCha20-Poly1305";
    }
    return "";
}

bool hmac(HashAlg h, capture::Bytes key, const std::uint8_t* data, std::size_t n, std::uint8_t* out) noexcept {
    const Libcrypto* crypto = libcrypto();
    if (crypto == nullptr) return false;
    const EVP_MD* digest = h == HashAlg::sha256 ? crypto->EVP_sha256() : crypto->EVP_sha384();
    unsigned size = 0;
    return crypto->HMAC(digest, key.data(), static_cast<int>(key.size()), data, n, out, &size) != nullptr &&
           size == hash_size(h);
}

/// HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC(prk, T(i-1) | info | i).
bool hkdf_expand(HashAlg h, capture::Bytes prk, capture::Bytes info, std::uint8_t* out, std::size_t n) noexcept {
    const std::size_t hs = hash_size(h);
    std::uint8_t block[48 + 512 + 1];
    std::uint8_t t[48];
    if (info.size() > 512 || n > 255 * hs) return false;
    std::size_t t_size = 0;
    for (std::uint8_t i = 1; n > 0; ++i) {
        std::memcpy(block, t, t_size);
        std::memcpy(block + t_size, info.data(), info.size());
        block[t_size + info.size()] = i;
        if (!hmac(h, prk, block, t_size + info.size() + 1, t)) return false;
        t_size = hs;
        const std::size_t take = std::min(n, hs);
        std::memcpy(out, t, take);
        out += take;
        n -= take;
    }
    return true;
}

}  // namespace

const CipherSuite* find_cipher_suite(std::uint16_t id) noexcept {
    for (const CipherSuite& s : suites) {
        if (s.id == id) return &s;
    }
    return nullptr;
}

std::string cipher_suite_name(std::uint16_t id) {
    if (const CipherSuite* s = find_cipher_suite(id)) return std::string(s->name);
    for (const NamedSuite& s : named_only) {
        if (s.id == id) return std::string(s.name);
    }
    return fmt::format("0x{:04X}", id);
}

std::size_t hash_size(HashAlg h) noexcept { return h == HashAlg::sha256 ? 32 : 48; }

std::size_t key_size(AeadAlg a) noexcept { return a == AeadAlg::aes128_gcm ? 16 : 32; }

bool hkdf_expand_label(HashAlg h, capture::Bytes secret, std::string_view label, capture::Bytes context,
                       std::uint8_t* out, std::size_t n) noexcept {
    // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
    constexpr std::string_view prefix = "tls13 ";
    std::uint8_t info[2 + 1 + 255 + 1 + 255];
    const std::size_t label_size = prefix.size() + label.size();
    if (label_size > 255 || context.size() > 255 || n > 0xFFFF) return false;
    std::size_t at = 0;
    info[at++] = static_cast<std::uint8_t>(n >> 8);
    info[at++] = static_cast<std::uint8_t>(n);
    info[at++] = static_cast<std::uint8_t>(label_size);
    std::memcpy(info + at, prefix.data(), prefix.size());
    std::memcpy(info + at + prefix.size(), label.data(), label.size());
    at += label_size;
    info[at++] = static_cast<std::uint8_t>(context.size());
    if (!context.empty()) std::memcpy(info + at, context.data(), context.size());
    at += context.size();
    return hkdf_expand(h, secret, capture::Bytes(info, at), out, n);
}

bool tls12_prf(HashAlg h, capture::Bytes secret, std::string_view label, capture::Bytes seed, std::uint8_t* out,
               std::size_t n) noexcept {
    // P_hash(secret, label + seed): A(0) = label + seed, A(i) = HMAC(secret, A(i-1)),
    // output HMAC(secret, A(i) + label + seed) for i = 1, 2, ...
    const std::size_t hs = hash_size(h);
    std::uint8_t ls[128];
    if (label.size() + seed.size() > sizeof ls) return false;
    std::memcpy(ls, label.data(), label.size());
    std::memcpy(ls + label.size(), seed.data(), seed.size());
    const std::size_t ls_size = label.size() + seed.size();
    std::uint8_t a[48];
    std::uint8_t block[48 + sizeof ls];
    std::uint8_t t[48];
    if (!hmac(h, secret, ls, ls_size, a)) return false;
    while (n > 0) {
        std::memcpy(block, a, hs);
        std::memcpy(block + hs, ls, ls_size);
        if (!hmac(h, secret, block, hs + ls_size, t)) return false;
        const std::size_t take = std::min(n, hs);
        std::memcpy(out, t, take);
        out += take;
        n -= take;
        if (!hmac(h, secret, a, hs, a)) return false;
    }
    return true;
}

bool tls13_traffic_keys(const CipherSuite& suite, capture::Bytes secret, TrafficKeys& out) noexcept {
    out.key_size = static_cast<std::uint8_t>(key_size(suite.aead));
    out.iv_size = 12;
    return hkdf_expand_label(suite.hash, secret, "key", {}, out.key.data(), out.key_size) &&
           hkdf_expand_label(suite.hash, secret, "iv", {}, out.iv.data(), out.iv_size);
}

bool tls13_next_secret(const CipherSuite& suite, Secret& secret) noexcept {
    Secret next;
    next.size = static_cast<std::uint8_t>(hash_size(suite.hash));
    if (!hkdf_expand_label(suite.hash, secret.view(), "traffic upd", {}, next.bytes.data(), next.size)) return false;
    secret = next;
    return true;
}

bool tls12_keys(const CipherSuite& suite, capture::Bytes master, const Random& client_random,
                const Random& server_random, TrafficKeys& client, TrafficKeys& server) noexcept {
    // key_block = PRF(master, "key expansion", server_random + client_random), cut into
    // client_write_key, server_write_key, client_write_IV, server_write_IV (AEAD: no MAC keys).
    const std::size_t ks = key_size(suite.aead);
    const std::size_t ivs = suite.aead == AeadAlg::chacha20_poly1305 ? 12 : 4;
    std::uint8_t seed[64];
    std::memcpy(seed, server_random.data(), 32);
    std::memcpy(seed + 32, client_random.data(), 32);
    std::uint8_t block[2 * 32 + 2 * 12];
    if (!tls12_prf(suite.hash, master, "key expansion", capture::Bytes(seed, 64), block, 2 * ks + 2 * ivs)) {
        return false;
    }
    client.key_size = server.key_size = static_cast<std::uint8_t>(ks);
    client.iv_size = server.iv_size = static_cast<std::uint8_t>(ivs);
    std::memcpy(client.key.data(), block, ks);
    std::memcpy(server.key.data(), block + ks, ks);
    std::memcpy(client.iv.data(), block + 2 * ks, ivs);
    std::memcpy(server.iv.data(), block + 2 * ks + ivs, ivs);
    return true;
}

/// One AEAD's decryption functions as the provider that implements it exports them (the
/// provider-cipher(7) dispatch table), with the provider context they take.
struct AeadFunctions {
    void* provctx = nullptr;
    OSSL_FUNC_cipher_newctx_fn* newctx = nullptr;
    OSSL_FUNC_cipher_freectx_fn* freectx = nullptr;
    OSSL_FUNC_cipher_decrypt_init_fn* decrypt_init = nullptr;
    OSSL_FUNC_cipher_update_fn* update = nullptr;
    OSSL_FUNC_cipher_final_fn* final = nullptr;
    OSSL_FUNC_cipher_set_ctx_params_fn* set_ctx_params = nullptr;

    bool complete() const noexcept {
        return newctx && freectx && decrypt_init && update && final && set_ctx_params;
    }
};

namespace {

/// Whether one of the ':'-separated `names` of a provider's algorithm names `cipher`.
bool names_cipher(const Libcrypto& crypto, const char* names, const EVP_CIPHER* cipher) {
    std::string_view rest(names ? names : "");
    while (!rest.empty()) {
        const std::size_t colon = std::min(rest.find(':'), rest.size());
        if (crypto.EVP_CIPHER_is_a(cipher, std::string(rest.substr(0, colon)).c_str())) return true;
        rest.remove_prefix(std::min(colon + 1, rest.size()));
    }
    return false;
}

void take_function(AeadFunctions& f, const OSSL_DISPATCH& d) noexcept {
    switch (d.function_id) {
        case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(&d); break;
        case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(&d); break;
        case OSSL_FUNC_CIPHER_DECRYPT_INIT: f.decrypt_init = OSSL_FUNC_cipher_decrypt_init(&d); break;
        case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(&d); break;
        case OSSL_FUNC_CIPHER_FINAL: f.final = OSSL_FUNC_cipher_final(&d); break;
        case OSSL_FUNC_CIPHER_SET_CTX_PARAMS: f.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(&d); break;
        default: break;
    }
}

/// Fills `f` with the functions of the implementation `cipher` was fetched from.
void lookup(const Libcrypto& crypto, const EVP_CIPHER* cipher, AeadFunctions& f) {
    const OSSL_PROVIDER* provider = crypto.EVP_CIPHER_get0_provider(cipher);
    int no_cache = 0;
    const OSSL_ALGORITHM* algorithms = crypto.OSSL_PROVIDER_query_operation(provider, OSSL_OP_CIPHER, &no_cache);
    for (const OSSL_ALGORITHM* alg = algorithms; alg && alg->algorithm_names; ++alg) {
        if (!names_cipher(crypto, alg->algorithm_names, cipher)) continue;
        for (const OSSL_DISPATCH* d = alg->implementation; d && d->function_id != 0; ++d) take_function(f, *d);
        break;
    }
    if (algorithms) crypto.OSSL_PROVIDER_unquery_operation(provider, OSSL_OP_CIPHER, algorithms);
    f.provctx = crypto.OSSL_PROVIDER_get0_provider_ctx(provider);
}

/// The three AEADs' functions, from the implementations EVP_CIPHER_fetch picks (the default
/// provider's unless a configuration says otherwise). The fetched ciphers are held until exit so
/// their providers stay loaded, and freed then (before OpenSSL's own clean-up, which the first
/// fetch registered earlier). Empty when libcrypto cannot be loaded.
class AeadTable {
public:
    AeadTable() : crypto_(libcrypto()) {
        for (std::size_t i = 0; crypto_ && i < std::size(fetched_); ++i) {
            fetched_[i] = crypto_->EVP_CIPHER_fetch(nullptr, cipher_name(static_cast<AeadAlg>(i)), nullptr);
            if (fetched_[i]) lookup(*crypto_, fetched_[i], functions_[i]);
        }
    }
    ~AeadTable() {
        for (EVP_CIPHER* c : fetched_)
            if (c) crypto_->EVP_CIPHER_free(c);
    }
    AeadTable(const AeadTable&) = delete;
    AeadTable& operator=(const AeadTable&) = delete;

    /// The functions for `a`; nullptr when OpenSSL has no complete implementation.
    const AeadFunctions* get(AeadAlg a) const noexcept {
        const AeadFunctions& f = functions_[static_cast<std::size_t>(a)];
        return f.complete() ? &f : nullptr;
    }

private:
    const Libcrypto* crypto_;
    EVP_CIPHER* fetched_[3] = {};  // by AeadAlg
    AeadFunctions functions_[3];
};

/// The functions for `a`, looked up once per process; nullptr when OpenSSL has none.
const AeadFunctions* aead_functions(AeadAlg a) {
    static const AeadTable table;
    return table.get(a);
}

}  // namespace

RecordOpener::~RecordOpener() {
    if (ctx_) aead_->freectx(ctx_);
}

bool RecordOpener::start(const CipherSuite& suite, const TrafficKeys& keys) noexcept {
    suite_ = nullptr;
    const AeadFunctions* aead = aead_functions(suite.aead);
    if (!aead) return false;
    if (ctx_ && aead_ != aead) {
        aead_->freectx(ctx_);
        ctx_ = nullptr;
    }
    aead_ = aead;
    if (!ctx_ && !(ctx_ = aead->newctx(aead->provctx))) return false;
    if (aead->decrypt_init(ctx_, keys.key.data(), key_size(suite.aead), nullptr, 0, nullptr) != 1) return false;
    keys_ = keys;
    sequence_ = 0;
    suite_ = &suite;
    return true;
}

long RecordOpener::open(const std::uint8_t* header, capture::Bytes fragment, std::uint8_t* out) noexcept {
    constexpr std::size_t tag = 16;
    if (!suite_) return -1;
    const std::uint64_t seq = sequence_++;
    // TLS 1.2 AES-GCM carries an explicit 8-byte nonce before the ciphertext (RFC 5288 §3).
    const bool explicit_nonce = !suite_->tls13 && suite_->aead != AeadAlg::chacha20_poly1305;
    const std::size_t skip = explicit_nonce ? 8 : 0;
    if (fragment.size() < skip + tag) return -1;
    const std::size_t n = fragment.size() - skip - tag;
    std::uint8_t nonce[12];
    if (explicit_nonce) {
        std::memcpy(nonce, keys_.iv.data(), 4);
        std::memcpy(nonce + 4, fragment.data(), 8);
    } else {  // the IV XOR the sequence number, left-padded (RFC 8446 §5.3, RFC 7905 §2)
        std::memcpy(nonce, keys_.iv.data(), 12);
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<std::uint8_t>(seq >> (56 - 8 * i));
    }
    // Additional data: TLS 1.3 the record header; TLS 1.2 seq_num + type + version + length.
    std::uint8_t aad[13];
    std::size_t aad_size = 5;
    if (suite_->tls13) {
        std::memcpy(aad, header, 5);
    } else {
        for (int i = 0; i < 8; ++i) aad[i] = static_cast<std::uint8_t>(seq >> (56 - 8 * i));
        std::memcpy(aad + 8, header, 3);
        aad[11] = static_cast<std::uint8_t>(n >> 8);
        aad[12] = static_cast<std::uint8_t>(n);
        aad_size = 13;
    }
    // What EVP_DecryptInit_ex (the nonce), EVP_DecryptUpdate (the AAD, then the ciphertext),
    // EVP_CTRL_AEAD_SET_TAG and EVP_DecryptFinal_ex pass to the provider for a stream AEAD.
    const Libcrypto& crypto = *libcrypto();  // loaded: it gave aead_
    const OSSL_PARAM tag_param[] = {
        crypto.OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                                 const_cast<std::uint8_t*>(fragment.data() + skip + n), tag),
        crypto.OSSL_PARAM_construct_end()};
    std::size_t aad_len = 0, len = 0, final_len = 0;
    if (aead_->decrypt_init(ctx_, nullptr, 0, nonce, sizeof nonce, nullptr) != 1 ||
        aead_->update(ctx_, nullptr, &aad_len, aad_size, aad, aad_size) != 1 ||
        aead_->update(ctx_, out, &len, n, fragment.data() + skip, n) != 1 ||
        aead_->set_ctx_params(ctx_, tag_param) != 1 || aead_->final(ctx_, out + len, &final_len, 0) != 1) {
        return -1;
    }
    return static_cast<long>(len + final_len);
}

}  // namespace mqttlens::transport
