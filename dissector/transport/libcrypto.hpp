// OpenSSL's libcrypto, loaded on first use (see capture/shared_library.hpp): by the first TLS
// record decrypted with a key log, or the first WebSocket handshake checked. A capture with
// neither never loads it.
//
// The functions keep OpenSSL's names and types (from its headers): `crypto->HMAC(...)` is
// OpenSSL's HMAC.
#pragma once

#include "capture/shared_library.hpp"

#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <string>

namespace mqttlens::transport {

#define MQTTLENS_LIBCRYPTO_FUNCTIONS(X)                                                                     \
    X(EVP_CIPHER_fetch) X(EVP_CIPHER_free) X(EVP_CIPHER_get0_provider) X(EVP_CIPHER_is_a) X(EVP_Digest)   \
    X(EVP_EncodeBlock) X(EVP_sha1) X(EVP_sha256) X(EVP_sha384) X(HMAC) X(OSSL_PARAM_construct_end)        \
    X(OSSL_PARAM_construct_octet_string) X(OSSL_PROVIDER_get0_provider_ctx)                               \
    X(OSSL_PROVIDER_query_operation) X(OSSL_PROVIDER_unquery_operation)

struct Libcrypto {
    MQTTLENS_LIBCRYPTO_FUNCTIONS(MQTTLENS_FUNCTION_MEMBER)
};

/// libcrypto's functions, loaded by the first call (thread-safe); nullptr, with `why` set when
/// given, when the library (the major version built against) or one of the functions cannot be
/// found.
const Libcrypto* libcrypto(std::string* why = nullptr);

}  // namespace mqttlens::transport
