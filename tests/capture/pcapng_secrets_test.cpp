// Decryption Secrets Blocks read from pcapng files written here block by block (pcapng §4.1,
// §4.7), in both byte orders, beside the blocks libpcap reads.
#include "capture/pcapng_secrets.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

namespace mqttlens::capture {
namespace {

using Buffer = std::vector<std::uint8_t>;

void put32(Buffer& b, std::uint32_t v, bool big) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(big ? v >> (24 - 8 * i) : v >> (8 * i)));
}

/// One block: type, total length, `body` padded to 4 bytes, total length again.
Buffer block(std::uint32_t type, Buffer body, bool big) {
    while (body.size() % 4) body.push_back(0);
    Buffer b;
    put32(b, type, big);
    put32(b, static_cast<std::uint32_t>(body.size() + 12), big);
    b.insert(b.end(), body.begin(), body.end());
    put32(b, static_cast<std::uint32_t>(body.size() + 12), big);
    return b;
}

Buffer section_header(bool big) {
    Buffer body;
    put32(body, 0x1A2B3C4D, big);
    body.insert(body.end(), {0, 0, 0, 0});  // version 1.0 (either order: 1 then 0 in 16-bit fields)
    body[4 + (big ? 1 : 0)] = 1;
    body.insert(body.end(), 8, 0xFF);     // section length unknown
    return block(0x0A0D0D0A, body, big);
}

Buffer secrets_block(std::uint32_t type, std::string_view data, bool big) {
    Buffer body;
    put32(body, type, big);
    put32(body, static_cast<std::uint32_t>(data.size()), big);
    body.insert(body.end(), data.begin(), data.end());
    return block(0x0000000A, body, big);
}

Buffer interface_block(bool big) {
    Buffer body;
    put32(body, big ? 0x00010000 : 1, big);  // LINKTYPE_ETHERNET, reserved
    put32(body, 65535, big);
    return block(1, body, big);
}

struct TempFile {
    std::string path;
    explicit TempFile(const Buffer& bytes) {
        char name[] = "/tmp/mqttlens-secrets-XXXXXX";
        const int fd = mkstemp(name);
        path = name;
        EXPECT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        close(fd);
    }
    ~TempFile() { std::remove(path.c_str()); }
};

TEST(PcapngSecrets, EveryDecryptionSecretsBlockInFileOrderInBothByteOrders) {
    for (bool big : {false, true}) {
        Buffer file = section_header(big);
        for (const Buffer& b : {interface_block(big), secrets_block(secrets_tls_key_log, "CLIENT_RANDOM a b\n", big),
                                secrets_block(0x57475543, "wireguard", big),
                                secrets_block(secrets_tls_key_log, "SERVER_TRAFFIC_SECRET_0 c d\n", big)}) {
            file.insert(file.end(), b.begin(), b.end());
        }
        const TempFile f(file);
        const SecretsResult r = read_pcapng_secrets(f.path);
        EXPECT_TRUE(r.error.empty()) << r.error;
        ASSERT_EQ(r.secrets.size(), 3u);
        EXPECT_EQ(r.secrets[0].type, secrets_tls_key_log);
        EXPECT_EQ(r.secrets[0].data, "CLIENT_RANDOM a b\n");
        EXPECT_EQ(r.secrets[1].type, 0x57475543u);
        EXPECT_EQ(r.secrets[2].data, "SERVER_TRAFFIC_SECRET_0 c d\n");
        const SecretsResult memory = read_pcapng_secrets(Bytes(file), "in memory");  // the same walk
        ASSERT_EQ(memory.secrets.size(), 3u);
        for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(memory.secrets[i].data, r.secrets[i].data);
    }
}

TEST(PcapngSecrets, AClassicPcapFileHasNone) {
    const Buffer classic = {0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0};
    const TempFile f(classic);
    const SecretsResult r = read_pcapng_secrets(f.path);
    EXPECT_TRUE(r.error.empty());
    EXPECT_TRUE(r.secrets.empty());
}

TEST(PcapngSecrets, ADamagedBlockLengthIsAnErrorAndTheSecretsBeforeItAreKept) {
    Buffer file = section_header(false);
    const Buffer good = secrets_block(secrets_tls_key_log, "first\n", false);
    file.insert(file.end(), good.begin(), good.end());
    Buffer bad = secrets_block(secrets_tls_key_log, "second\n", false);
    bad[4] = 13;  // a total length that is not a multiple of 4
    file.insert(file.end(), bad.begin(), bad.end());
    const TempFile f(file);
    const SecretsResult r = read_pcapng_secrets(f.path);
    ASSERT_EQ(r.secrets.size(), 1u);
    EXPECT_EQ(r.secrets[0].data, "first\n");
    EXPECT_NE(r.error.find("has length 13"), std::string::npos) << r.error;
}

TEST(PcapngSecrets, SecretsLongerThanTheirBlockAreAnError) {
    Buffer file = section_header(false);
    Buffer b = secrets_block(secrets_tls_key_log, "abcd", false);
    b[12] = 200;  // Secrets Length past the block
    file.insert(file.end(), b.begin(), b.end());
    const TempFile f(file);
    const SecretsResult r = read_pcapng_secrets(f.path);
    EXPECT_TRUE(r.secrets.empty());
    EXPECT_NE(r.error.find("secrets of 200 bytes"), std::string::npos) << r.error;
}

TEST(PcapngSecrets, AMissingFileIsAnError) {
    const SecretsResult r = read_pcapng_secrets("/nonexistent/capture.pcapng");
    EXPECT_NE(r.error.find("/nonexistent/capture.pcapng: No such file"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace mqttlens::capture
