// permessage-deflate (RFC 7692) in the WebSocket layer: messages compressed here by zlib as a peer
// would (raw DEFLATE, Z_SYNC_FLUSH, the trailing 00 00 FF FF stripped), inflated by the layer with
// the window and context takeover the handshake negotiated, in every chunking.
#include "transport/websocket.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "websocket_test_util.hpp"

namespace mqttlens::transport::wstest {
namespace {

using Log = std::vector<std::string>;

const ByteVec kKey = hex("0a 0b 0c 0d");

std::string with_extensions(const std::string& head, const std::string& value) {
    std::string h = head;
    h.insert(h.size() - 2, "Sec-WebSocket-Extensions: " + value + "\r\n");
    return h;
}

const std::string kOffer =
    with_extensions(kRequest, "permessage-deflate; client_max_window_bits; client_no_context_takeover");

/// The log of `frames` after a handshake whose answer accepts permessage-deflate with `params`.
Log deflate_log(const Script& frames, const std::string& params = "") {
    return frames_log(frames, kOffer, with_extensions(kResponse, "permessage-deflate" + params));
}

ByteVec words(std::size_t n, unsigned seed = 1) {
    static const char* const vocabulary[] = {"sensor", "temperature", "21.5", "humidity", "/home/", "kitchen", "{",
                                             "}",      "\"value\":",    ",",    "ok",       "mqtt",   " "};
    std::string s;
    unsigned x = seed;
    while (s.size() < n) {
        x = x * 1103515245u + 12345u;
        s += vocabulary[(x >> 16) % 13];
    }
    s.resize(n);
    return text(s);
}

std::string str(const ByteVec& v) { return std::string(v.begin(), v.end()); }

TEST(WebSocketDeflate, CompressedMessagesFromBothSides) {
    Compressor server_side, client_side;
    const ByteVec publish = cat({hex("30 12 00 04"), text("a/bc"), text("hello, hello!!")});
    EXPECT_EQ(deflate_log({server(frame(0xC2, server_side.message(publish))),  // binary, FIN, RSV1
                           client(frame(0xC2, client_side.message(publish), kKey))}),
              (Log{"S data 30 12 00 04 61 2f 62 63 68 65 6c 6c 6f 2c 20 68 65 6c 6c 6f 21 21",
                   "C data 30 12 00 04 61 2f 62 63 68 65 6c 6c 6f 2c 20 68 65 6c 6c 6f 21 21"}));
}

TEST(WebSocketDeflate, UncompressedMessagesStillPassWhenNegotiated) {
    EXPECT_EQ(deflate_log({server(hex("82 02 | d0 00"))}), (Log{"S data d0 00"}));
}

TEST(WebSocketDeflate, ContextTakeoverAcrossMessages) {
    // The server keeps its window (no server_no_context_takeover): its second message refers to
    // the first, so it is shorter than the same message compressed alone.
    const ByteVec m1 = words(300, 1), m2 = words(300, 1);
    Compressor server_side;
    const ByteVec c1 = server_side.message(m1), c2 = server_side.message(m2);
    EXPECT_LT(c2.size(), Compressor().message(m2).size() / 4);
    EXPECT_EQ(deflate_log({server(cat({frame(0xC2, c1), frame(0xC2, c2)}))}), (Log{"S data '" + str(m1) + str(m2) + "'"}));
}

TEST(WebSocketDeflate, NoContextTakeoverResetsEachMessage) {
    // client_no_context_takeover (offered, hence in force): the client resets per message.
    const ByteVec m = words(200, 7);
    Compressor client_side;
    const ByteVec c1 = client_side.message(m);
    client_side.reset();
    const ByteVec c2 = client_side.message(m);
    EXPECT_EQ(c1, c2);
    EXPECT_EQ(deflate_log({client(cat({frame(0xC2, c1, kKey), frame(0xC2, c2, kKey)}))}, "; client_no_context_takeover"),
              (Log{"C data '" + str(m) + str(m) + "'"}));
    // Offered by the client and left out of the answer, it still binds the client.
    Compressor keeps_too;
    const ByteVec t1 = keeps_too.message(m), t2 = keeps_too.message(m);
    // (What inflates of the second message before its first reference back goes up too.)
    const Log client_log = deflate_log({client(cat({frame(0xC2, t1, kKey), frame(0xC2, t2, kKey)}))});
    ASSERT_EQ(client_log.size(), 3u);
    EXPECT_EQ(client_log[0].rfind("C data '" + str(m), 0), 0u);
    EXPECT_EQ(client_log[1], "C RFC7692-7.2.2 @" + std::to_string(6 + t1.size()));
    EXPECT_EQ(client_log[2], "C gap 0");
    // A server that keeps its context when it said it would not: its second message refers to a
    // window the receiver emptied. A finding, a gap, and the third (self-contained) message goes up.
    Compressor keeps;
    const ByteVec k1 = keeps.message(m), k2 = keeps.message(m);
    const Log server_log = deflate_log(
        {server(cat({frame(0xC2, k1), frame(0xC2, k2), frame(0xC2, Compressor().message(m))}))},
        "; server_no_context_takeover");
    ASSERT_EQ(server_log.size(), 4u);
    EXPECT_EQ(server_log[0].rfind("S data '" + str(m), 0), 0u);
    EXPECT_EQ(server_log[1], "S RFC7692-7.2.2 @" + std::to_string(2 + k1.size()));
    EXPECT_EQ(server_log[2], "S gap 0");
    EXPECT_EQ(server_log[3], "S data '" + str(m) + "'");
    // The same bytes without server_no_context_takeover inflate whole.
    EXPECT_EQ(deflate_log({server(cat({frame(0xC2, k1), frame(0xC2, k2)}))}), (Log{"S data '" + str(m) + str(m) + "'"}));
}

TEST(WebSocketDeflate, MaxWindowBits) {
    // A back reference 600 bytes behind: within a 2^15 window, beyond 2^9 = 512.
    const ByteVec head = words(64, 3);
    const ByteVec m = cat({head, words(600 - head.size(), 99), head});
    const std::string params = "; server_max_window_bits=9";
    EXPECT_EQ(deflate_log({server(frame(0xC2, Compressor(9).message(m)))}, params), (Log{"S data '" + str(m) + "'"}));
    // A sender that refers further back than it agreed is not judged (see DeflateParams): its
    // message goes up, the same in every chunking.
    EXPECT_EQ(deflate_log({server(frame(0xC2, Compressor(15).message(m)))}, params), (Log{"S data '" + str(m) + "'"}));
}

TEST(WebSocketDeflate, FragmentedCompressedMessageWithPingBetween) {
    const ByteVec m = words(500, 5);
    const ByteVec c = Compressor().message(m);
    const std::size_t cut = c.size() / 3;
    const ByteVec a(c.begin(), c.begin() + std::ptrdiff_t(cut)), b(c.begin() + std::ptrdiff_t(cut), c.end());
    EXPECT_EQ(deflate_log({client(cat({frame(0x42, a, kKey),          // binary, RSV1, not FIN
                                       frame(0x89, {}, kKey),          // ping
                                       frame(0x80, b, kKey)}))}),      // continuation, FIN, RSV1 clear
              (Log{"C data '" + str(m) + "'"}));
}

TEST(WebSocketDeflate, Rsv1WhereRfc7692ForbidsIt) {
    const ByteVec c = Compressor().message(text("abc"));
    // RSV1 on a continuation frame: the message was compressed by its first frame; this one's bit
    // breaks RFC 7692 §6, and the message is read as its first frame said.
    const ByteVec a(c.begin(), c.begin() + 1), b(c.begin() + 1, c.end());
    EXPECT_EQ(deflate_log({server(cat({frame(0x42, a), frame(0xC0, b)}))}),
              (Log{"S RFC7692-6 @" + std::to_string(2 + a.size()), "S data 'abc'"}));
    // RSV1 on a ping.
    EXPECT_EQ(deflate_log({server(hex("c9 00"))}), (Log{"S RFC7692-6 @0"}));
}

TEST(WebSocketDeflate, TextMessageCompressed) {
    EXPECT_EQ(deflate_log({server(frame(0xC1, Compressor().message(text("{\"a\":1}"))))}),
              (Log{"S MQTT-6.0.0-1 @0", "S data '{\"a\":1}'"}));
}

TEST(WebSocketDeflate, MessageThatDoesNotInflateThenTheNextOne) {
    // ff: BFINAL 1, block type 3 (reserved): "invalid block type". The next message goes up.
    const ByteVec good = Compressor().message(text("next"));
    EXPECT_EQ(deflate_log({server(cat({hex("c2 03 | ff ff ff"), frame(0xC2, good)}))}, "; server_no_context_takeover"),
              (Log{"S RFC7692-7.2.2 @0", "S gap 0", "S data 'next'"}));
    // With context takeover the window is unknown after the failure: a message that refers back
    // past it fails too, reported as what it probably is (a warning, no rule); one that does not
    // goes up, and so do those that refer back to it.
    Compressor peer;
    const ByteVec m = words(100, 11);
    const ByteVec first = peer.message(m);
    const ByteVec refers_back = peer.message(m);
    Compressor fresh;
    const ByteVec again = fresh.message(m), again2 = fresh.message(m);
    const Log got = deflate_log({server(cat({frame(0xC2, first), hex("c2 03 | ff ff ff"), frame(0xC2, refers_back),
                                             frame(0xC2, again), frame(0xC2, again2)}))});
    ASSERT_GE(got.size(), 6u);
    EXPECT_EQ(got[0], "S data '" + str(m) + "'");
    EXPECT_EQ(got[1], "S RFC7692-7.2.2 @" + std::to_string(2 + first.size()));
    EXPECT_EQ(got[2], "S gap 0");
    std::size_t i = 3;
    if (got.size() == 7) {  // what inflated of `refers_back` before its first reference back
        const std::string partial = got[i++];
        EXPECT_EQ(("S data '" + str(m)).rfind(partial.substr(0, partial.size() - 1), 0), 0u) << partial;
    }
    ASSERT_EQ(got.size(), i + 3);
    EXPECT_EQ(got[i].rfind("S warning @" + std::to_string(2 + first.size() + 5) +
                               " compressed message does not inflate, perhaps for want of bytes lost before it: ",
                           0),
              0u)
        << got[i];
    EXPECT_EQ(got[i + 1], "S gap 0");
    EXPECT_EQ(got[i + 2], "S data '" + str(m) + str(m) + "'");
}

TEST(WebSocketDeflate, MessageEndedByAFinalBlockKeepsTheWindow) {
    // The first message ends its DEFLATE data with BFINAL; the peer's next message still refers to
    // it (its compressor primed with the first message, as one that keeps its context would be).
    const ByteVec m1 = words(400, 21), m2 = words(400, 21);
    const ByteVec c1 = Compressor().message(m1, true);
    Compressor next;
    next.set_dictionary(m1);
    const ByteVec c2 = next.message(m2);
    EXPECT_LT(c2.size(), 40u);
    EXPECT_EQ(deflate_log({server(cat({frame(0xC2, c1), frame(0xC2, c2)}))}), (Log{"S data '" + str(m1) + str(m2) + "'"}));
}

TEST(WebSocketDeflate, GapInsideACompressedMessage) {
    Compressor peer;
    const ByteVec c1 = peer.message(words(300, 2));
    peer.reset();
    const ByteVec m2 = words(50, 4);
    const ByteVec c2 = peer.message(m2);
    const ByteVec f1 = frame(0xC2, c1);
    const ByteVec a(f1.begin(), f1.begin() + 12), b(f1.begin() + 20, f1.end());
    const Log got = deflate_log({server(a), lost(S, 8), server(cat({b, frame(0xC2, c2)}))}, "; server_no_context_takeover");
    ASSERT_GE(got.size(), 3u);
    EXPECT_EQ(got[got.size() - 3], "S warning @12 bytes of a compressed message lost: the rest of the message is skipped");
    EXPECT_EQ(got[got.size() - 2], "S gap 0");
    EXPECT_EQ(got.back(), "S data '" + str(m2) + "'");
}

/// Keeps the size of each piece handed up and all the bytes.
class Sizes final : public Output {
public:
    std::string bytes;
    std::size_t largest = 0;
    std::size_t pieces = 0;
    std::size_t findings = 0;
    void data(int, Bytes b) override {
        bytes.append(reinterpret_cast<const char*>(b.data()), b.size());
        largest = std::max(largest, b.size());
        ++pieces;
    }
    void gap(int, std::uint64_t) override { ++findings; }
    void finding(int, const Finding& f) override { findings += f.severity == Severity::note ? 0 : 1; }
};

TEST(WebSocketDeflate, HighlyCompressibleMessageInflatesThroughTheBoundedBuffer) {
    // 16 MiB of almost nothing: about 16 KiB compressed, a ratio near 1000.
    ByteVec m(16u << 20, 'a');
    for (std::size_t i = 0; i < m.size(); i += 65536) m[i] = 'b';
    const ByteVec c = Compressor().message(m);
    EXPECT_LT(c.size(), 64u * 1024);
    const ByteVec f = frame(0xC2, c, kKey);
    for (const std::size_t chunk : {f.size(), std::size_t(1), std::size_t(7), std::size_t(4096)}) {
        WebSocketLayer layer(C);
        Sizes out;
        layer.data(C, text(kOffer), out);
        layer.data(S, text(with_extensions(kResponse, "permessage-deflate")), out);
        for (std::size_t i = 0; i < f.size(); i += chunk)
            layer.data(C, Bytes(f.data() + i, std::min(chunk, f.size() - i)), out);
        layer.close(out);
        EXPECT_EQ(out.findings, 0u);
        EXPECT_TRUE(out.bytes == str(m)) << "chunk " << chunk;
        EXPECT_LE(out.largest, 32u * 1024) << "chunk " << chunk;
        EXPECT_GE(out.pieces, m.size() / (32 * 1024));
    }
}

}  // namespace
}  // namespace mqttlens::transport::wstest
