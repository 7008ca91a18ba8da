#include "capture/pcapng_secrets.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace mqttlens::capture {

namespace {

constexpr std::uint32_t section_header = 0x0A0D0D0A;
constexpr std::uint32_t decryption_secrets = 0x0000000A;
constexpr std::uint32_t byte_order_magic = 0x1A2B3C4D;
constexpr std::uint32_t max_block = 64u << 20;  // a larger block is damage, not secrets

std::uint32_t u32(const std::uint8_t* p, bool swap) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

SecretsResult read_pcapng_secrets(const std::string& path) {
    SecretsResult result;
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) {
        result.error = fmt::format("{}: {}", path, std::strerror(errno));
        return result;
    }
    std::uint8_t head[12];
    if (std::fread(head, 1, 12, file.get()) != 12 || u32(head, false) != section_header) return result;
    bool swap = u32(head + 8, false) != byte_order_magic;
    if (swap && u32(head + 8, true) != byte_order_magic) return result;
    std::uint64_t at = 0;
    std::uint32_t total = u32(head + 4, swap);
    for (;;) {
        if (total < 12 || total % 4 != 0 || total > max_block) {
            result.error = fmt::format("{}: pcapng block at byte {} has length {}", path, at, total);
            return result;
        }
        if (std::fseek(file.get(), static_cast<long>(at + total), SEEK_SET) != 0) return result;
        at += total;
        std::uint8_t block[12];
        const std::size_t got = std::fread(block, 1, 12, file.get());
        if (got == 0) return result;  // the end
        if (got < 8) {
            result.error = fmt::format("{}: pcapng block at byte {} cut short", path, at);
            return result;
        }
        std::uint32_t type = u32(block, swap);
        if (type == section_header && got == 12) {  // a new section may change the byte order
            swap = u32(block + 8, false) != byte_order_magic;
            type = section_header;
        }
        total = u32(block + 4, swap);
        if (type != decryption_secrets || total < 20 || total > max_block) continue;
        // Secrets Type, Secrets Length, Secrets Data (padded to 4), options, Block Total Length.
        const std::uint32_t secrets_type = u32(block + 8, swap);
        std::uint8_t length_bytes[4];
        if (std::fread(length_bytes, 1, 4, file.get()) != 4) continue;
        const std::uint32_t length = u32(length_bytes, swap);
        if (length > total - 20) {
            result.error = fmt::format("{}: Decryption Secrets Block at byte {}: secrets of {} bytes in a block of {}",
                                       path, at, length, total);
            return result;
        }
        DecryptionSecrets s{secrets_type, std::string(length, '\0')};
        if (std::fread(s.data.data(), 1, length, file.get()) != length) {
            result.error = fmt::format("{}: Decryption Secrets Block at byte {} cut short", path, at);
            return result;
        }
        result.secrets.push_back(std::move(s));
    }
}

}  // namespace mqttlens::capture
