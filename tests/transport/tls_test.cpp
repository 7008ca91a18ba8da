// The TLS layer: key log lines, the key schedule against RFC 8448's traces and OpenSSL's own PRF,
// and whole connections (TLS 1.3 and 1.2) sealed here record by record and opened by TlsLayer,
// fed whole and split at every byte.
#include "transport/tls.hpp"
#include "transport/tls_crypto.hpp"
#include "transport/tls_keylog.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace mqttlens::transport {
namespace {

using Buffer = std::vector<std::uint8_t>;

Buffer unhex(std::string_view s) {
    Buffer out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
    return out;
}

std::string hex(capture::Bytes b) {
    std::string s;
    for (auto c : b) s += "0123456789abcdef"[c >> 4], s += "0123456789abcdef"[c & 15];
    return s;
}

Buffer cat(std::initializer_list<Buffer> parts) {
    Buffer out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Buffer u16(std::size_t v) { return {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
Buffer u24(std::size_t v) { return {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)}; }
Buffer text(std::string_view s) { return Buffer(s.begin(), s.end()); }

// ---- key log ----

TEST(TlsKeyLog, ReadsEachLabelAndSkipsCommentsAndUnknownLabels) {
    const std::string random(64, 'a');
    const std::string log = "# a comment\r\n"
                            "CLIENT_RANDOM " + random + " " + std::string(96, '1') + "\r\n"
                            "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + random + " " + std::string(64, '2') + "\n"
                            "SERVER_HANDSHAKE_TRAFFIC_SECRET " + random + " " + std::string(64, '3') + "\n"
                            "CLIENT_TRAFFIC_SECRET_0 " + random + " " + std::string(96, '4') + "\n"
                            "SERVER_TRAFFIC_SECRET_0 " + random + " " + std::string(96, '5') + "\n"
                            "EXPORTER_SECRET " + random + " " + std::string(64, '6') + "\n";
    KeyLog keys;
    EXPECT_TRUE(keys.add(log, "k.log").empty());
    Random r;
    r.fill(0xAA);
    const TlsSecrets* s = keys.find(r);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->master.size, 48);
    EXPECT_EQ(s->master.bytes[0], 0x11);
    EXPECT_EQ(s->client_handshake.size, 32);
    EXPECT_EQ(s->server_handshake.bytes[31], 0x33);
    EXPECT_EQ(s->client_application.size, 48);  // a SHA-384 suite's secret
    EXPECT_EQ(s->server_application.bytes[0], 0x55);
    r.fill(0xAB);
    EXPECT_EQ(keys.find(r), nullptr);
}

TEST(TlsKeyLog, NamesEachMalformedLineAndKeepsTheGoodOnes) {
    const std::string random(64, 'b');
    const std::string log = "CLIENT_RANDOM " + random + " 0011\n"                       // master secret not 48 bytes
                            "CLIENT_TRAFFIC_SECRET_0 " + random.substr(2) + " 00\n"     // random of 31 bytes
                            "SERVER_TRAFFIC_SECRET_0 " + random + " zz\n"              // not hex
                            "CLIENT_TRAFFIC_SECRET_0 " + random + " " + std::string(64, 'c') + " extra\n"
                            "SERVER_TRAFFIC_SECRET_0 " + random + " " + std::string(64, 'd') + "\n";
    KeyLog keys;
    const auto problems = keys.add(log, "k.log");
    ASSERT_EQ(problems.size(), 4u);
    EXPECT_TRUE(problems[0].starts_with("k.log:1: not a CLIENT_RANDOM line")) << problems[0];
    EXPECT_TRUE(problems[3].starts_with("k.log:4: ")) << problems[3];
    Random r;
    r.fill(0xBB);
    ASSERT_NE(keys.find(r), nullptr);
    EXPECT_TRUE(keys.find(r)->server_application);
    EXPECT_FALSE(keys.find(r)->client_application);
}

// ---- key schedule ----

TEST(TlsKeySchedule, Rfc8448HandshakeTrafficKeys) {
    // RFC 8448 §3: {server} derive write traffic keys for handshake data, and the client's.
    const CipherSuite& suite = *find_cipher_suite(0x1301);
    TrafficKeys server, client;
    ASSERT_TRUE(tls13_traffic_keys(suite, unhex("b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38"), server));
    EXPECT_EQ(hex({server.key.data(), server.key_size}), "3fce516009c21727d0f2e4e86ee403bc");
    EXPECT_EQ(hex({server.iv.data(), server.iv_size}), "5d313eb2671276ee13000b30");
    ASSERT_TRUE(tls13_traffic_keys(suite, unhex("b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"), client));
    EXPECT_EQ(hex({client.key.data(), client.key_size}), "dbfaa693d1762c5b666af5d950258d01");
    EXPECT_EQ(hex({client.iv.data(), client.iv_size}), "5bd3c71b836e0b76bb73265f");
}

/// OpenSSL's own TLS 1.2 PRF (EVP_KDF "TLS1-PRF"), to hold ours to.
Buffer openssl_prf(const char* digest, const Buffer& secret, std::string_view label, const Buffer& seed, std::size_t n) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    Buffer ls = cat({text(label), seed});
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, ls.data(), ls.size()),
        OSSL_PARAM_construct_end()};
    Buffer out(n);
    EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), n, params), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return out;
}

TEST(TlsKeySchedule, Tls12PrfIsOpenSslsForBothHashes) {
    const Buffer secret = unhex("9bbe436ba940f017b17652849a71db35"), seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
    for (auto [hash, name] : {std::pair{HashAlg::sha256, "SHA256"}, std::pair{HashAlg::sha384, "SHA384"}}) {
        for (std::size_t n : {1u, 32u, 48u, 100u}) {
            Buffer ours(n);
            ASSERT_TRUE(tls12_prf(hash, secret, "test label", seed, ours.data(), n));
            EXPECT_EQ(ours, openssl_prf(name, secret, "test label", seed, n)) << name << " " << n;
        }
    }
}

// ---- whole connections, sealed here ----

/// Seals one record the way RFC 8446 §5.2 (TLS 1.3) or RFC 5288 / RFC 7905 (TLS 1.2) say.
Buffer seal(const CipherSuite& suite, const TrafficKeys& k, std::uint64_t seq, std::uint8_t type, const Buffer& plain) {
    const bool v13 = suite.tls13, gcm12 = !v13 && suite.aead != AeadAlg::chacha20_poly1305;
    const Buffer inner = v13 ? cat({plain, Buffer{type}, Buffer(3, 0)}) : plain;  // 1.3: type and padding
    std::uint8_t nonce[12] = {};
    Buffer explicit_nonce;
    if (gcm12) {
        for (int i = 0; i < 8; ++i) explicit_nonce.push_back(static_cast<std::uint8_t>(seq >> (56 - 8 * i)));
        std::memcpy(nonce, k.iv.data(), 4);
        std::memcpy(nonce + 4, explicit_nonce.data(), 8);
    } else {
        std::memcpy(nonce, k.iv.data(), 12);
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= static_cast<std::uint8_t>(seq >> (56 - 8 * i));
    }
    const Buffer header = cat({Buffer{v13 ? std::uint8_t(23) : type, 3, 3}, u16(explicit_nonce.size() + inner.size() + 16)});
    Buffer aad = header;
    if (!v13) {
        aad.clear();
        for (int i = 0; i < 8; ++i) aad.push_back(static_cast<std::uint8_t>(seq >> (56 - 8 * i)));
        aad = cat({aad, Buffer{type, 3, 3}, u16(plain.size())});
    }
    const EVP_CIPHER* c = suite.aead == AeadAlg::aes128_gcm   ? EVP_aes_128_gcm()
                          : suite.aead == AeadAlg::aes256_gcm ? EVP_aes_256_gcm()
                                                              : EVP_chacha20_poly1305();
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    Buffer out(inner.size() + 16);
    int len = 0;
    EVP_EncryptInit_ex(ctx, c, nullptr, k.key.data(), nonce);
    EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, out.data(), &len, inner.data(), static_cast<int>(inner.size()));
    EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + inner.size());
    EVP_CIPHER_CTX_free(ctx);
    return cat({header, explicit_nonce, out});
}

Buffer handshake_record(std::uint8_t msg_type, const Buffer& body) {
    const Buffer msg = cat({Buffer{msg_type}, u24(body.size()), body});
    return cat({Buffer{22, 3, 1}, u16(msg.size()), msg});
}

Buffer extension(unsigned type, const Buffer& data) { return cat({u16(type), u16(data.size()), data}); }

Buffer client_hello(const Random& random) {
    const Buffer sni = cat({u16(12), Buffer{0}, u16(9), text("broker.lo")});
    const Buffer alpn = cat({u16(5), Buffer{4}, text("mqtt")});
    const Buffer exts = cat({extension(0, sni), extension(16, alpn), extension(43, Buffer{4, 3, 4, 3, 3})});
    return handshake_record(1, cat({Buffer{3, 3}, Buffer(random.begin(), random.end()), Buffer{0}, u16(4),
                                    Buffer{0x13, 0x01, 0xC0, 0x2F}, Buffer{1, 0}, u16(exts.size()), exts}));
}

Buffer server_hello(std::uint16_t suite, bool v13) {
    Random random;
    random.fill(0x5E);
    const Buffer exts = v13 ? extension(43, Buffer{3, 4}) : Buffer{};
    return handshake_record(2, cat({Buffer{3, 3}, Buffer(random.begin(), random.end()), Buffer{0}, u16(suite),
                                    Buffer{0}, u16(exts.size()), exts}));
}

/// What a layer handed up, as one comparable log.
struct Log final : Output {
    Buffer bytes[2];
    std::vector<std::string> events;
    void data(int d, capture::Bytes b) override { bytes[d].insert(bytes[d].end(), b.begin(), b.end()); }
    void gap(int d, std::uint64_t size) override { events.push_back("gap " + std::to_string(d) + " " + std::to_string(size)); }
    void finding(int d, const Finding& f) override {
        events.push_back(std::to_string(d) + " @" + std::to_string(f.offset) + " " + std::string(f.rule) + " " + f.message);
    }
};

struct Connection {
    std::vector<std::pair<int, Buffer>> flights;  // side, bytes
    std::string keylog;
};

/// A TLS 1.3 connection (client side 0): hellos in the clear, the server's encrypted handshake
/// with Finished, the client's Finished, then MQTT both ways and a KeyUpdate from the client.
Connection tls13_connection(std::uint16_t suite_id, const Buffer& c_mqtt, const Buffer& s_mqtt) {
    const CipherSuite& suite = *find_cipher_suite(suite_id);
    Random cr;
    cr.fill(0xC1);
    const std::size_t hs = hash_size(suite.hash);
    Secret chs, shs, cap, sap;
    for (auto [secret, fill] : {std::pair{&chs, 1}, std::pair{&shs, 2}, std::pair{&cap, 3}, std::pair{&sap, 4}}) {
        secret->size = static_cast<std::uint8_t>(hs);
        secret->bytes.fill(static_cast<std::uint8_t>(fill));
    }
    TrafficKeys kchs, kshs, kcap, ksap, kcap1;
    tls13_traffic_keys(suite, chs.view(), kchs);
    tls13_traffic_keys(suite, shs.view(), kshs);
    tls13_traffic_keys(suite, cap.view(), kcap);
    tls13_traffic_keys(suite, sap.view(), ksap);
    Secret next = cap;
    tls13_next_secret(suite, next);
    tls13_traffic_keys(suite, next.view(), kcap1);
    const Buffer finished = cat({Buffer{20}, u24(hs), Buffer(hs, 0xF1)});
    const Buffer alpn = extension(16, cat({u16(5), Buffer{4}, text("mqtt")}));
    const Buffer ee = cat({Buffer{8}, u24(2 + alpn.size()), u16(alpn.size()), alpn});
    Connection c;
    c.flights = {
        {0, client_hello(cr)},
        {1, cat({server_hello(suite_id, true), Buffer{20, 3, 3, 0, 1, 1}, seal(suite, kshs, 0, 22, cat({ee, finished}))})},
        {0, cat({Buffer{20, 3, 3, 0, 1, 1}, seal(suite, kchs, 0, 22, finished), seal(suite, kcap, 0, 23, c_mqtt)})},
        {1, seal(suite, ksap, 0, 23, s_mqtt)},
        {0, cat({seal(suite, kcap, 1, 22, Buffer{24, 0, 0, 1, 0}), seal(suite, kcap1, 0, 23, c_mqtt)})},
    };
    const std::string r = hex({cr.data(), cr.size()});
    c.keylog = "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + r + " " + hex(chs.view()) + "\n" +
               "SERVER_HANDSHAKE_TRAFFIC_SECRET " + r + " " + hex(shs.view()) + "\n" +
               "CLIENT_TRAFFIC_SECRET_0 " + r + " " + hex(cap.view()) + "\n" +
               "SERVER_TRAFFIC_SECRET_0 " + r + " " + hex(sap.view()) + "\n";
    return c;
}

/// A TLS 1.2 connection (client side 0) with an AEAD suite: CCS from both, then MQTT both ways.
Connection tls12_connection(std::uint16_t suite_id, const Buffer& c_mqtt, const Buffer& s_mqtt) {
    const CipherSuite& suite = *find_cipher_suite(suite_id);
    Random cr, sr;
    cr.fill(0xC2);
    sr.fill(0x5E);
    const Buffer master(48, 0x4D);
    TrafficKeys kc, ks;
    tls12_keys(suite, master, cr, sr, kc, ks);
    const Buffer finished = cat({Buffer{20}, u24(12), Buffer(12, 0xF2)});
    Connection c;
    c.flights = {
        {0, client_hello(cr)},
        {1, server_hello(suite_id, false)},
        {0, cat({Buffer{20, 3, 3, 0, 1, 1}, seal(suite, kc, 0, 22, finished), seal(suite, kc, 1, 23, c_mqtt)})},
        {1, cat({Buffer{20, 3, 3, 0, 1, 1}, seal(suite, ks, 0, 22, finished), seal(suite, ks, 1, 23, s_mqtt)})},
    };
    c.keylog = "CLIENT_RANDOM " + hex({cr.data(), cr.size()}) + " " + hex(master) + "\n";
    return c;
}

/// Runs `c` through a TlsLayer, each flight cut into pieces of `chunk` bytes (0: whole).
Log run(const Connection& c, const KeyLog* keys, std::size_t chunk = 0) {
    TlsLayer layer(0, TlsOptions{keys});
    Log log;
    for (const auto& [side, bytes] : c.flights) {
        const std::size_t step = chunk ? chunk : bytes.size();
        for (std::size_t i = 0; i < bytes.size(); i += step)
            layer.data(side, capture::Bytes(bytes).subspan(i, std::min(step, bytes.size() - i)), log);
    }
    layer.close(log);
    return log;
}

const Buffer connect_packet = {0x10, 0x0C, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0};
const Buffer connack_packet = {0x20, 0x02, 0x00, 0x00};

TEST(TlsLayer, Tls13EachSuiteDecryptsBothSidesAcrossAKeyUpdate) {
    for (std::uint16_t suite : {0x1301, 0x1302, 0x1303}) {
        const Connection c = tls13_connection(suite, connect_packet, connack_packet);
        KeyLog keys;
        keys.add(c.keylog, "k");
        const Log log = run(c, &keys);
        EXPECT_EQ(log.bytes[0], cat({connect_packet, connect_packet})) << suite;  // before and after the KeyUpdate
        EXPECT_EQ(log.bytes[1], connack_packet) << suite;
        ASSERT_EQ(log.events.size(), 1u) << suite;
        EXPECT_NE(log.events[0].find("TLS 1.3 " + cipher_suite_name(suite) + " sni=broker.lo alpn=mqtt"), std::string::npos)
            << log.events[0];
    }
}

TEST(TlsLayer, Tls12EachAeadFamilyDecrypts) {
    for (std::uint16_t suite : {0xC02F, 0xC030, 0xCCA8}) {
        const Connection c = tls12_connection(suite, connect_packet, connack_packet);
        KeyLog keys;
        keys.add(c.keylog, "k");
        const Log log = run(c, &keys);
        EXPECT_EQ(log.bytes[0], connect_packet) << suite;
        EXPECT_EQ(log.bytes[1], connack_packet) << suite;
        ASSERT_EQ(log.events.size(), 1u) << suite;
        EXPECT_NE(log.events[0].find("TLS 1.2 " + cipher_suite_name(suite)), std::string::npos);
        EXPECT_NE(log.events[0].find("decrypted with the key log"), std::string::npos);
    }
}

TEST(TlsLayer, EveryChunkingGivesTheSameOutput) {
    const Buffer big = cat({connect_packet, Buffer{0x30, 0x8A, 0x4E, 0, 1, 't'}, Buffer(9992 - 3, 'p')});
    for (const Connection& c : {tls13_connection(0x1301, big, connack_packet), tls12_connection(0xC02F, big, connack_packet)}) {
        KeyLog keys;
        keys.add(c.keylog, "k");
        const Log whole = run(c, &keys);
        for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 64u, 1000u, 4099u}) {
            const Log split = run(c, &keys, chunk);
            EXPECT_EQ(split.bytes[0], whole.bytes[0]) << chunk;
            EXPECT_EQ(split.bytes[1], whole.bytes[1]) << chunk;
            EXPECT_EQ(split.events, whole.events) << chunk;
        }
    }
}

TEST(TlsLayer, WithoutTheKeyItSaysSoOnceAndHandsNothingUp) {
    const Connection c = tls13_connection(0x1301, connect_packet, connack_packet);
    KeyLog other;
    other.add("CLIENT_TRAFFIC_SECRET_0 " + std::string(64, '0') + " " + std::string(64, '1') + "\n", "k");
    for (const KeyLog* keys : {static_cast<const KeyLog*>(nullptr), static_cast<const KeyLog*>(&other)}) {
        const Log log = run(c, keys);
        EXPECT_TRUE(log.bytes[0].empty());
        EXPECT_TRUE(log.bytes[1].empty());
        ASSERT_EQ(log.events.size(), 1u);
        EXPECT_NE(log.events[0].find(keys ? "no key for this client random c1c1c1c1" : "no key log"), std::string::npos)
            << log.events[0];
    }
}

TEST(TlsLayer, AWrongKeyIsOneFindingPerConnection) {
    Connection c = tls12_connection(0xC02F, connect_packet, connack_packet);
    c.keylog.replace(c.keylog.size() - 3, 2, "00");  // the master secret's last byte
    KeyLog keys;
    keys.add(c.keylog, "k");
    const Log log = run(c, &keys);
    EXPECT_TRUE(log.bytes[0].empty());
    int wrong = 0;
    for (const auto& e : log.events) wrong += e.find("wrong key") != std::string::npos;
    EXPECT_EQ(wrong, 1);
    EXPECT_EQ(std::count(log.events.begin(), log.events.end(), "gap 0 0"), 1);  // each side gives up once
    EXPECT_EQ(std::count(log.events.begin(), log.events.end(), "gap 1 0"), 1);
}

TEST(TlsLayer, ARecordFailingAuthenticationIsSkippedAndTheNextOneRead) {
    Connection c = tls13_connection(0x1301, connect_packet, connack_packet);
    Buffer& flight = c.flights[4].second;  // KeyUpdate then MQTT: break the MQTT record
    flight[flight.size() - 1] ^= 1;
    c.flights.push_back({0, c.flights[4].second});  // not read again: the sequence moved on
    KeyLog keys;
    keys.add(c.keylog, "k");
    const Log log = run(c, &keys);
    EXPECT_EQ(log.bytes[0], connect_packet);
    EXPECT_NE(std::find(log.events.begin(), log.events.end(), "gap 0 0"), log.events.end());
    int failed = 0;
    for (const auto& e : log.events) failed += e.find("fails authentication: its bytes are skipped") != std::string::npos;
    EXPECT_GE(failed, 1);
}

/// A TLS 1.3 client side decrypting, then bytes lost: `records` application records of MQTT
/// packets after the handshake, the bytes [cut_from, cut_to) of the flight lost.
Log gap_in_records(std::uint16_t suite_id, std::size_t records, std::size_t cut_from, std::size_t cut_to) {
    Connection c = tls13_connection(suite_id, connect_packet, connack_packet);
    const CipherSuite& suite = *find_cipher_suite(suite_id);
    Secret cap;
    cap.size = static_cast<std::uint8_t>(hash_size(suite.hash));
    cap.bytes.fill(3);  // the client application secret tls13_connection uses
    Secret next = cap;
    tls13_next_secret(suite, next);  // after its KeyUpdate
    TrafficKeys keys;
    tls13_traffic_keys(suite, next.view(), keys);
    Buffer flight;
    for (std::size_t i = 0; i < records; ++i) {
        const Buffer ping = {0xC0, 0x00};
        flight = cat({flight, seal(suite, keys, 1 + i, 23, ping)});  // sequence 0 was the CONNECT
    }
    KeyLog log;
    log.add(c.keylog, "k");
    TlsLayer layer(0, TlsOptions{&log});
    Log out;
    for (const auto& [side, bytes] : c.flights) layer.data(side, bytes, out);
    layer.data(0, capture::Bytes(flight).first(cut_from), out);
    layer.gap(0, cut_to - cut_from, out);
    layer.data(0, capture::Bytes(flight).subspan(cut_to), out);
    return out;
}

TEST(TlsLayer, AfterAGapInsideARecordTheNextRecordIsFoundAndRead) {
    // Ten PINGREQ records of 27 bytes each (5 header, 2 + 1 + 3 bytes of inner plaintext with its
    // padding, 16 tag); bytes 30..40 lost: the second record is broken (lost), the third opens.
    const Log log = gap_in_records(0x1301, 10, 30, 40);
    const Buffer before = cat({connect_packet, connect_packet, Buffer{0xC0, 0x00}});
    ASSERT_GE(log.bytes[0].size(), before.size());
    EXPECT_EQ(Buffer(log.bytes[0].begin(), log.bytes[0].begin() + before.size()), before);
    EXPECT_EQ(log.bytes[0].size(), before.size() + 8 * 2);  // records 3 to 10
    EXPECT_NE(std::find(log.events.begin(), log.events.end(), "gap 0 0"), log.events.end());
    bool found_again = false;
    for (const auto& e : log.events) found_again |= e.find("found again here (1 record lost") != std::string::npos;
    EXPECT_TRUE(found_again) << ::testing::PrintToString(log.events);
}

TEST(TlsLayer, AfterAGapOfWholeRecordsTheSequenceIsFoundByTrying) {
    const Log log = gap_in_records(0x1303, 10, 27, 27 * 4);  // records 2, 3 and 4 lost whole
    EXPECT_EQ(log.bytes[0].size(), 2 * connect_packet.size() + 7 * 2);  // records 1 and 5 to 10
    bool found_again = false;
    for (const auto& e : log.events) found_again |= e.find("found again here (3 records lost") != std::string::npos;
    EXPECT_TRUE(found_again) << ::testing::PrintToString(log.events);
}

TEST(TlsLayer, AnInputGapLosesThatSideOnly) {
    const Connection c = tls12_connection(0xC02F, connect_packet, connack_packet);
    KeyLog keys;
    keys.add(c.keylog, "k");
    TlsLayer layer(0, TlsOptions{&keys});
    Log log;
    for (std::size_t i = 0; i < 3; ++i) layer.data(c.flights[i].first, c.flights[i].second, log);
    layer.gap(0, 10, log);
    layer.data(1, c.flights[3].second, log);
    EXPECT_EQ(log.bytes[1], connack_packet);
    EXPECT_EQ(log.events.back().substr(0, 7), "gap 0 0");
}

TEST(TlsLayer, ProbeFindsAClientHelloAndItsAlpn) {
    Random r;
    r.fill(1);
    const Buffer hello = client_hello(r);
    EXPECT_EQ(probe_tls(capture::Bytes(hello).first(3)).verdict, TlsProbe::Verdict::need_more);
    const TlsProbe whole = probe_tls(hello);
    EXPECT_EQ(whole.verdict, TlsProbe::Verdict::tls);
    EXPECT_TRUE(whole.alpn_mqtt);
    EXPECT_EQ(probe_tls(text("GET / HTTP/1.1\r\n")).verdict, TlsProbe::Verdict::not_tls);
    EXPECT_EQ(probe_tls(connect_packet).verdict, TlsProbe::Verdict::not_tls);
}

}  // namespace
}  // namespace mqttlens::transport
