#include "capture/pcapng_secrets.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <functional>
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

/// Reads up to `n` bytes at `at`; the count read (short at the end).
using ReadAt = std::function<std::size_t(std::uint64_t at, std::uint8_t* out, std::size_t n)>;

/// The block walk of pcapng §3.1 over `read`, keeping Decryption Secrets Blocks (§4.7):
///   Block = Block Type, Block Total Length, Block Body, Block Total Length
///   DSB body = Secrets Type, Secrets Length, Secrets Data (padded to 4), options
SecretsResult walk(const ReadAt& read, std::string_view name) {
    SecretsResult result;
    std::uint8_t head[12];
    if (read(0, head, 12) != 12 || u32(head, false) != section_header) return result;
    bool swap = u32(head + 8, false) != byte_order_magic;
    if (swap && u32(head + 8, true) != byte_order_magic) return result;
    std::uint64_t at = 0;
    std::uint32_t total = u32(head + 4, swap);
    for (;;) {
        if (total < 12 || total % 4 != 0 || total > max_block) {
            result.error = fmt::format("{}: pcapng block at byte {} has length {}", name, at, total);
            return result;
        }
        at += total;
        std::uint8_t block[16];
        const std::size_t got = read(at, block, 16);
        if (got == 0) return result;  // the end
        if (got < 8) {
            result.error = fmt::format("{}: pcapng block at byte {} cut short", name, at);
            return result;
        }
        const std::uint32_t type = u32(block, swap);
        if (type == section_header && got >= 12) swap = u32(block + 8, false) != byte_order_magic;
        total = u32(block + 4, swap);
        if (type != decryption_secrets || total < 20 || total > max_block || got < 16) continue;
        const std::uint32_t secrets_type = u32(block + 8, swap), length = u32(block + 12, swap);
        if (length > total - 20) {
            result.error = fmt::format("{}: Decryption Secrets Block at byte {}: secrets of {} bytes in a block of {}",
                                       name, at, length, total);
            return result;
        }
        DecryptionSecrets s{secrets_type, std::string(length, '\0')};
        if (read(at + 16, reinterpret_cast<std::uint8_t*>(s.data.data()), length) != length) {
            result.error = fmt::format("{}: Decryption Secrets Block at byte {} cut short", name, at);
            return result;
        }
        result.secrets.push_back(std::move(s));
    }
}

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

}  // namespace

SecretsResult read_pcapng_secrets(const std::string& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file) return {{}, fmt::format("{}: {}", path, std::strerror(errno))};
    return walk(
        [&](std::uint64_t at, std::uint8_t* out, std::size_t n) -> std::size_t {
            if (std::fseek(file.get(), static_cast<long>(at), SEEK_SET) != 0) return 0;
            return std::fread(out, 1, n, file.get());
        },
        path);
}

SecretsResult read_pcapng_secrets(Bytes capture, std::string_view name) {
    return walk(
        [&](std::uint64_t at, std::uint8_t* out, std::size_t n) -> std::size_t {
            if (at >= capture.size()) return 0;
            const std::size_t take = std::min<std::uint64_t>(n, capture.size() - at);
            std::memcpy(out, capture.data() + at, take);
            return take;
        },
        name);
}

}  // namespace mqttlens::capture
