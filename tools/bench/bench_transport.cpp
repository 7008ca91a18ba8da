// bench_transport: what the transport layers cost per byte and per record or frame.
//   BM_OpenRecord/<suite>/<bytes>   RecordOpener::open on one sealed TLS record (bytes/s)
//   BM_WebSocketFrames/<bytes>      WebSocketLayer::data over masked client frames (bytes/s)
// A measurement, not a test: build Release and run build-release/bin/bench_transport.
#include "transport/tls_crypto.hpp"
#include "transport/websocket.hpp"

#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>
#include <vector>

using namespace mqttlens;
using namespace mqttlens::transport;

namespace {

using Buffer = std::vector<std::uint8_t>;

/// One TLS 1.3 record of `n` plaintext bytes sealed with `k` at sequence 0 (RFC 8446 §5.2).
Buffer seal13(const CipherSuite& suite, const TrafficKeys& k, std::size_t n) {
    Buffer inner(n + 1, 'x');
    inner[n] = 23;
    const std::size_t len = inner.size() + 16;
    Buffer record = {23, 3, 3, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)};
    const EVP_CIPHER* c = suite.aead == AeadAlg::aes128_gcm   ? EVP_aes_128_gcm()
                          : suite.aead == AeadAlg::aes256_gcm ? EVP_aes_256_gcm()
                                                              : EVP_chacha20_poly1305();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int out = 0;
    record.resize(5 + len);
    EVP_EncryptInit_ex(ctx, c, nullptr, k.key.data(), k.iv.data());  // sequence 0: the IV itself
    EVP_EncryptUpdate(ctx, nullptr, &out, record.data(), 5);
    EVP_EncryptUpdate(ctx, record.data() + 5, &out, inner.data(), static_cast<int>(inner.size()));
    EVP_EncryptFinal_ex(ctx, record.data() + 5 + out, &out);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, record.data() + 5 + inner.size());
    EVP_CIPHER_CTX_free(ctx);
    return record;
}

void BM_OpenRecord(benchmark::State& state, std::uint16_t suite_id) {
    const CipherSuite& suite = *find_cipher_suite(suite_id);
    Secret secret;
    secret.size = static_cast<std::uint8_t>(hash_size(suite.hash));
    secret.bytes.fill(7);
    TrafficKeys keys;
    tls13_traffic_keys(suite, secret.view(), keys);
    const Buffer record = seal13(suite, keys, static_cast<std::size_t>(state.range(0)));
    RecordOpener opener;
    opener.start(suite, keys);
    Buffer plain(record.size());
    for (auto _ : state) {
        opener.set_sequence(0);
        const long n = opener.open(record.data(), capture::Bytes(record).subspan(5), plain.data());
        if (n < 0) state.SkipWithError("record does not open");
        benchmark::DoNotOptimize(plain.data());
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(record.size()));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_OpenRecord, aes128gcm, 0x1301)->Arg(64)->Arg(16384);
BENCHMARK_CAPTURE(BM_OpenRecord, aes256gcm, 0x1302)->Arg(64)->Arg(16384);
BENCHMARK_CAPTURE(BM_OpenRecord, chacha20, 0x1303)->Arg(64)->Arg(16384);

struct Drop final : Output {
    std::size_t bytes = 0;
    void data(int, capture::Bytes b) override { bytes += b.size(); }
    void gap(int, std::uint64_t) override {}
    void finding(int, const Finding&) override {}
};

void BM_WebSocketFrames(benchmark::State& state) {
    // A client's masked binary frames of `n` payload bytes each, 64 KiB of them per call.
    const std::size_t n = static_cast<std::size_t>(state.range(0));
    Buffer frames;
    while (frames.size() < 65536) {
        frames.push_back(0x82);
        if (n < 126) {
            frames.push_back(static_cast<std::uint8_t>(0x80 | n));
        } else {
            frames.insert(frames.end(), {0x80 | 126, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
        }
        frames.insert(frames.end(), {1, 2, 3, 4});
        frames.insert(frames.end(), n, 'm');
    }
    const std::string request = "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
    const std::string answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
    WebSocketLayer layer(0);
    Drop drop;
    layer.data(0, capture::Bytes(reinterpret_cast<const std::uint8_t*>(request.data()), request.size()), drop);
    layer.data(1, capture::Bytes(reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size()), drop);
    for (auto _ : state) layer.data(0, frames, drop);
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
    benchmark::DoNotOptimize(drop.bytes);
}
BENCHMARK(BM_WebSocketFrames)->Arg(40)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
