// The Decryption Secrets Blocks of a pcapng file (pcapng §4.7, block type 0x0000000A): what
// `editcap --inject-secrets tls,KEYLOG` puts in a capture so that it carries its own TLS keys.
// libpcap skips these blocks, so they are read here, from the file, before the records are.
#pragma once
#include "capture/capture_source.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::capture {

/// Secrets Type 0x544c534b ("TLSK"): the text of an NSS key log.
inline constexpr std::uint32_t secrets_tls_key_log = 0x544c534b;

struct DecryptionSecrets {
    std::uint32_t type = 0;  ///< Secrets Type
    std::string data;        ///< Secrets Data, as stored
};

struct SecretsResult {
    std::vector<DecryptionSecrets> secrets;
    std::string error;  ///< a damaged block structure ("...: block at byte N: ..."); secrets before it are kept
};

/// Every Decryption Secrets Block of the pcapng file at `path`, in file order. A file that is not
/// pcapng (classic pcap) has none and no error; a file that cannot be opened gives an error.
SecretsResult read_pcapng_secrets(const std::string& path);

/// The same for a capture held in memory (`name` is for messages).
SecretsResult read_pcapng_secrets(Bytes capture, std::string_view name);

}  // namespace mqttlens::capture
