#include "transport/tls_handshake.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace mqttlens::transport::detail {

namespace {

constexpr unsigned ext_server_name = 0;
constexpr unsigned ext_alpn = 16;
constexpr unsigned ext_supported_versions = 43;

// The ServerHello random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
constexpr std::uint8_t hello_retry_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

std::string text(capture::Bytes b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

/// ProtocolNameList: ProtocolName protocol_name_list<2..2^16-1>, each opaque<1..2^8-1>.
std::vector<std::string> alpn_names(capture::Bytes ext) {
    std::vector<std::string> names;
    Reader e(ext);
    Reader list(e.vec16());
    while (list.left() > 0) {
        const capture::Bytes name = list.vec8();
        if (list.ok) names.push_back(text(name));
    }
    return names;
}

/// Calls f(type, data) for each extension of `exts` (Extension extensions<..2^16-1>).
template <class F>
void each_extension(capture::Bytes exts, F&& f) {
    Reader r(exts);
    while (r.left() >= 4) {
        const unsigned type = r.u16();
        const capture::Bytes data = r.vec16();
        if (!r.ok) return;
        f(type, data);
    }
}

}  // namespace

capture::Bytes Reader::take(std::size_t k) noexcept {
    if (!ok || k > n) {
        ok = false;
        return {};
    }
    const capture::Bytes b(p, k);
    p += k;
    n -= k;
    return b;
}

unsigned Reader::u8() noexcept {
    const capture::Bytes b = take(1);
    return ok ? b[0] : 0;
}

unsigned Reader::u16() noexcept {
    const capture::Bytes b = take(2);
    return ok ? unsigned(b[0]) << 8 | b[1] : 0;
}

unsigned Reader::u24() noexcept {
    const capture::Bytes b = take(3);
    return ok ? unsigned(b[0]) << 16 | unsigned(b[1]) << 8 | b[2] : 0;
}

bool read_client_hello(capture::Bytes body, TlsInfo& info) {
    // legacy_version, random[32], legacy_session_id<0..32>, cipher_suites<2..2^16-2>,
    // legacy_compression_methods<1..2^8-1>, extensions<8..2^16-1>
    Reader r(body);
    r.u16();
    const capture::Bytes random = r.take(32);
    if (!r.ok) return false;
    std::copy(random.begin(), random.end(), info.client_random.begin());
    info.client_hello = true;
    r.vec8();
    r.vec16();
    r.vec8();
    const capture::Bytes exts = r.vec16();
    if (!r.ok) return true;
    each_extension(exts, [&](unsigned type, capture::Bytes data) {
        if (type == ext_alpn) info.alpn_offered = alpn_names(data);
        if (type != ext_server_name) return;
        // ServerNameList: ServerName server_name_list<1..2^16-1> = NameType (0: host_name), HostName<1..2^16-1>
        Reader e(data);
        Reader list(e.vec16());
        while (list.left() >= 3) {
            const unsigned name_type = list.u8();
            const capture::Bytes name = list.vec16();
            if (list.ok && name_type == 0) info.sni = text(name);
        }
    });
    return true;
}

bool read_server_hello(capture::Bytes body, TlsInfo& info) {
    // legacy_version, random[32], legacy_session_id_echo<0..32>, cipher_suite,
    // legacy_compression_method, extensions<6..2^16-1>
    Reader r(body);
    const unsigned legacy_version = r.u16();
    const capture::Bytes random = r.take(32);
    if (!r.ok || std::memcmp(random.data(), hello_retry_random, 32) == 0) return false;
    r.vec8();
    const unsigned suite = r.u16();
    r.u8();
    if (!r.ok) return false;
    std::copy(random.begin(), random.end(), info.server_random.begin());
    info.server_hello = true;
    info.cipher_suite = static_cast<std::uint16_t>(suite);
    info.version = static_cast<std::uint16_t>(legacy_version);
    const capture::Bytes exts = r.vec16();
    if (!r.ok) return true;
    each_extension(exts, [&](unsigned type, capture::Bytes data) {
        if (type == ext_supported_versions && data.size() == 2) {
            info.version = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
        } else if (type == ext_alpn) {
            const auto names = alpn_names(data);
            if (!names.empty()) info.alpn = names.front();
        }
    });
    return true;
}

void read_encrypted_extensions(capture::Bytes body, TlsInfo& info) {
    Reader r(body);
    each_extension(r.vec16(), [&](unsigned type, capture::Bytes data) {
        if (type != ext_alpn) return;
        const auto names = alpn_names(data);
        if (!names.empty()) info.alpn = names.front();
    });
}

std::string alert_name(unsigned description) {
    struct Name {
        unsigned code;
        std::string_view name;
    };
    static constexpr Name names[] = {
        {0, "close_notify"},           {10, "unexpected_message"},     {20, "bad_record_mac"},
        {22, "record_overflow"},       {40, "handshake_failure"},      {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"},  {45, "certificate_expired"},
        {46, "certificate_unknown"},   {47, "illegal_parameter"},      {48, "unknown_ca"},
        {49, "access_denied"},         {50, "decode_error"},           {51, "decrypt_error"},
        {70, "protocol_version"},      {71, "insufficient_security"},  {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"},         {109, "missing_extension"},
        {110, "unsupported_extension"}, {112, "unrecognized_name"},    {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (const Name& n : names) {
        if (n.code == description) return std::string(n.name);
    }
    return fmt::format("alert {}", description);
}

}  // namespace mqttlens::transport::detail
