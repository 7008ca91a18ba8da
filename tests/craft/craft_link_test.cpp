// --send's targets and the WebSocket client pieces: URL parsing, option checks, frames (the
// examples of RFC 6455 §5.7, byte for byte), the frame reader split at every byte, the reader's
// errors, and the client's checks of the server's 101 answer.
#include "craft_run.hpp"
#include "target.hpp"
#include "ws_frame.hpp"
#include "ws_handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace mqttlens::craft;
using mqttlens::mqtt::Bytes;
using Vec = std::vector<std::uint8_t>;

Bytes bytes_of(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

/// Masks that give `key` every time.
WsMasks fixed(std::array<std::uint8_t, 4> key) {
    return [key] { return key; };
}

// ---------------------------------------------------------------------------------------------
// Targets

struct TargetCase {
    std::string text;
    Scheme scheme;
    std::string host, port, path;
};

TEST(Target, Forms) {
    const TargetCase cases[] = {
        {"127.0.0.1:1883", Scheme::mqtt, "127.0.0.1", "1883", ""},
        {"[::1]:1883", Scheme::mqtt, "::1", "1883", ""},
        {"mqtt://broker.local:1883", Scheme::mqtt, "broker.local", "1883", ""},
        {"mqtt://broker.local:1883/", Scheme::mqtt, "broker.local", "1883", ""},
        {"MQTTS://127.0.0.1:8883", Scheme::mqtts, "127.0.0.1", "8883", ""},
        {"mqtts://[::1]:8883", Scheme::mqtts, "::1", "8883", ""},
        {"ws://127.0.0.1:8080/mqtt", Scheme::ws, "127.0.0.1", "8080", "/mqtt"},
        {"ws://127.0.0.1:8080", Scheme::ws, "127.0.0.1", "8080", "/"},             // RFC 6455 §3: empty path is "/"
        {"ws://127.0.0.1:8080?a=b", Scheme::ws, "127.0.0.1", "8080", "/?a=b"},      // the query goes along
        {"wss://broker.local:443/a/b?x=1", Scheme::wss, "broker.local", "443", "/a/b?x=1"},
    };
    for (const auto& c : cases) {
        const TargetParse p = parse_target(c.text);
        ASSERT_TRUE(p.target) << c.text << ": " << p.error;
        EXPECT_EQ(p.target->scheme, c.scheme) << c.text;
        EXPECT_EQ(p.target->host, c.host) << c.text;
        EXPECT_EQ(p.target->port, c.port) << c.text;
        EXPECT_EQ(p.target->path, c.path) << c.text;
    }
    EXPECT_EQ(parse_target("ws://[::1]:9001/mqtt").target->authority(), "[::1]:9001");
    EXPECT_EQ(parse_target("ws://host:9001/mqtt").target->authority(), "host:9001");
}

TEST(Target, MistakesSayWhat) {
    const std::pair<std::string, std::string> cases[] = {
        {"http://127.0.0.1:80", "unknown URL scheme 'http'"},
        {"mqtts://127.0.0.1", "has no port: write mqtts://127.0.0.1:PORT (mqtts usually 8883)"},
        {"ws://[::1]/mqtt", "has no port"},
        {"ws://host/mqtt", "has no port"},
        {"mqtt://host:1883/path", "has a path, which mqtt:// does not take"},
        {"ws://host:80/a#frag", "fragment"},
        {"ws://host:80/a b", "space"},
        {"mqtt://user@host:1883", "credentials go into the CONNECT"},
        {"mqtt://host:0", "port 0"},
        {"mqtt://host:65536", "port 65536"},
        {"mqtt://host:x", "does not name HOST:PORT"},
        {"mqtt://::1:1883", "does not name HOST:PORT"},
        {"127.0.0.1", "neither HOST:PORT"},
        {"ws://:80/", "does not name HOST:PORT"},
    };
    for (const auto& [text, message] : cases) {
        const TargetParse p = parse_target(text);
        EXPECT_FALSE(p.target) << text;
        EXPECT_NE(p.error.find(message), std::string::npos) << text << ": " << p.error;
    }
}

TEST(Target, OptionsFitTheTarget) {
    GlobalOptions g;
    EXPECT_EQ(check_transport_options(g), "");
    g.cafile = "ca.pem";
    EXPECT_NE(check_transport_options(g).find("--cafile is a TLS option"), std::string::npos);
    g.send = "mqtt://h:1";
    EXPECT_NE(check_transport_options(g).find("--cafile is a TLS option"), std::string::npos);
    g.send = "mqtts://h:1";
    EXPECT_EQ(check_transport_options(g), "");
    g.insecure = true;
    EXPECT_NE(check_transport_options(g).find("exclude each other"), std::string::npos);
    g = {};
    g.send = "wss://h:1/";
    g.tls_keylog = "k";
    g.ws_frame = 3;
    EXPECT_EQ(check_transport_options(g), "");
    g = {};
    g.ws_frame = 3;
    EXPECT_NE(check_transport_options(g).find("--ws-frame needs"), std::string::npos);
    g.out = OutFormat::pcap;
    EXPECT_EQ(check_transport_options(g), "");
    g = {};
    g.ws = true;
    EXPECT_NE(check_transport_options(g).find("--ws is for --out pcap"), std::string::npos);
    g.send = "xx://h:1";
    EXPECT_NE(check_transport_options(g).find("unknown URL scheme"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Frames, as written

TEST(WsFrameWriter, Rfc6455Examples) {
    // §5.7: a single-frame unmasked text message "Hello"
    Vec out;
    append_ws_message(out, ws_text, bytes_of("Hello"), 0, {});
    EXPECT_EQ(out, (Vec{0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    // §5.7: a single-frame masked text message, key 37 fa 21 3d
    out.clear();
    append_ws_message(out, ws_text, bytes_of("Hello"), 0, fixed({0x37, 0xfa, 0x21, 0x3d}));
    EXPECT_EQ(out, (Vec{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    // §5.7: a fragmented unmasked text message: "Hel" (FIN 0, text), "lo" (FIN 1, continuation)
    out.clear();
    append_ws_message(out, ws_text, bytes_of("Hello"), 3, {});
    EXPECT_EQ(out, (Vec{0x01, 0x03, 0x48, 0x65, 0x6c, /**/ 0x80, 0x02, 0x6c, 0x6f}));
    // §5.7: an unmasked ping "Hello"
    out.clear();
    append_ws_control(out, ws_ping, bytes_of("Hello"), {});
    EXPECT_EQ(out, (Vec{0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(WsFrameWriter, LengthsInTheirShortestForm) {
    Vec out;
    append_ws_message(out, ws_binary, Vec(125), 0, {});
    EXPECT_EQ((Vec{out[0], out[1]}), (Vec{0x82, 0x7d}));
    out.clear();
    append_ws_message(out, ws_binary, Vec(126), 0, {});
    EXPECT_EQ((Vec(out.begin(), out.begin() + 4)), (Vec{0x82, 0x7e, 0x00, 0x7e}));  // 16-bit length
    out.clear();
    append_ws_message(out, ws_binary, Vec(65536), 0, {});                               // §5.7: 64 KiB
    EXPECT_EQ((Vec(out.begin(), out.begin() + 10)), (Vec{0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
    EXPECT_EQ(out.size(), 10u + 65536u);
    out.clear();
    append_ws_message(out, ws_binary, {}, 4, fixed({1, 2, 3, 4}));  // an empty message: one empty frame
    EXPECT_EQ(out, (Vec{0x82, 0x80, 1, 2, 3, 4}));
}

TEST(WsFrameWriter, MaskedFragmentsOfAPacket) {
    // A CONNACK (20 02 00 00) in 2-byte frames, masked with 00 00 00 00 and ff ff ff ff in turn:
    // binary (FIN 0), then a continuation with FIN.
    int n = 0;
    WsMasks alternate = [&n] {
        const std::uint8_t b = (n++ % 2) ? 0xff : 0x00;
        return std::array<std::uint8_t, 4>{b, b, b, b};
    };
    Vec out;
    append_ws_message(out, ws_binary, Vec{0x20, 0x02, 0x00, 0x00}, 2, alternate);
    EXPECT_EQ(out, (Vec{0x02, 0x82, 0, 0, 0, 0, 0x20, 0x02,                  // binary, FIN 0, key 00..
                        0x80, 0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));  // continuation, FIN, key ff..
}

TEST(WsFrameWriter, FixedMasksRepeat) {
    WsMasks a = ws_fixed_masks(), b = ws_fixed_masks();
    const auto first = a();
    EXPECT_EQ(first, b());
    EXPECT_NE(first, a());  // a fresh key per frame
}

TEST(WsFrameWriter, ClosePayload) {
    EXPECT_EQ(ws_close_payload(1000), (Vec{0x03, 0xe8}));
    EXPECT_EQ(ws_close_payload(1002, "x"), (Vec{0x03, 0xea, 'x'}));
    EXPECT_EQ(ws_close_payload(1000, std::string(200, 'r')).size(), 125u);
}

// ---------------------------------------------------------------------------------------------
// Frames, as read from a server

struct Got {
    std::uint8_t opcode;
    bool fin;
    std::string payload;
    bool operator==(const Got&) const = default;
};

/// Feeds `stream` to a reader cut at `cut` (0: whole) and collects the frames; the error, if any.
std::vector<Got> read_all(const Vec& stream, std::size_t cut, WsRead* error = nullptr) {
    WsFrameReader reader;
    std::vector<Got> got;
    auto drain = [&] {
        for (;;) {
            WsRead r = reader.next();
            if (r.status == WsRead::Status::need_more) return true;
            if (r.status == WsRead::Status::error) {
                if (error) *error = r;
                return false;
            }
            got.push_back({r.opcode, r.fin, std::string(r.payload.begin(), r.payload.end())});
        }
    };
    if (cut == 0 || cut >= stream.size()) {
        reader.feed(stream);
        drain();
    } else {
        reader.feed(Bytes(stream).subspan(0, cut));
        if (drain()) {
            reader.feed(Bytes(stream).subspan(cut));
            drain();
        }
    }
    return got;
}

TEST(WsFrameReader, ServerFramesSplitAtEveryByte) {
    // binary "Hel" (FIN 0), ping "p", continuation "lo" (FIN 1), a 126-byte binary, a close 1000.
    Vec stream{0x02, 0x03, 'H', 'e', 'l', 0x89, 0x01, 'p', 0x80, 0x02, 'l', 'o', 0x82, 0x7e, 0x00, 0x7e};
    stream.insert(stream.end(), 126, 'x');
    stream.insert(stream.end(), {0x88, 0x02, 0x03, 0xe8});
    const std::vector<Got> want{{ws_binary, false, "Hel"},
                                {ws_ping, true, "p"},
                                {ws_continuation, true, "lo"},
                                {ws_binary, true, std::string(126, 'x')},
                                {ws_close, true, "\x03\xe8"}};
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) EXPECT_EQ(read_all(stream, cut), want) << "cut at " << cut;
}

struct ReaderBreak {
    const char* what;
    Vec stream;
    std::string rule;
    std::uint64_t offset;
};

TEST(WsFrameReader, BreaksNameTheRuleAndOffset) {
    const ReaderBreak cases[] = {
        {"masked server frame", {0x82, 0x81, 1, 2, 3, 4, 0}, "RFC6455-5.1", 0},
        {"RSV1 without an extension", {0xc2, 0x00}, "RFC6455-5.2", 0},
        {"reserved data opcode 3", {0x83, 0x00}, "RFC6455-5.2", 0},
        {"reserved control opcode 0xb", {0x8b, 0x00}, "RFC6455-5.2", 0},
        {"16-bit length under 126", {0x82, 0x7e, 0x00, 0x05, 1, 2, 3, 4, 5}, "RFC6455-5.2", 0},
        {"64-bit length under 65536", {0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0x01, 0x00}, "RFC6455-5.2", 0},
        {"64-bit length, top bit set", {0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}, "RFC6455-5.2", 0},
        {"fragmented ping", {0x09, 0x00}, "RFC6455-5.5", 0},
        {"ping of 126 bytes", {0x89, 0x7e, 0x00, 0x7e}, "RFC6455-5.5", 0},
        {"continuation with no message", {0x82, 0x01, 0x30, 0x80, 0x00}, "RFC6455-5.4", 3},
        {"new message inside one", {0x02, 0x01, 0x30, 0x82, 0x00}, "RFC6455-5.4", 3},
        {"text frame", {0x82, 0x00, 0x81, 0x01, 'a'}, "MQTT-6.0.0-1", 2},
    };
    for (const auto& c : cases) {
        WsRead error;
        read_all(c.stream, 0, &error);
        EXPECT_EQ(error.status, WsRead::Status::error) << c.what;
        EXPECT_EQ(error.rule, c.rule) << c.what << ": " << error.message;
        EXPECT_EQ(error.offset, c.offset) << c.what;
    }
}

// ---------------------------------------------------------------------------------------------
// The opening handshake

constexpr const char* rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3
constexpr const char* rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

TEST(WsHandshake, KeyAndRequest) {
    const std::string nonce = "the sample nonce";
    std::array<std::uint8_t, 16> b{};
    std::copy(nonce.begin(), nonce.end(), b.begin());
    EXPECT_EQ(ws_key(b), rfc_key);
    EXPECT_EQ(ws_upgrade_request("127.0.0.1:9001", "/mqtt", rfc_key),
              "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n\r\n");
    const std::string answer = ws_upgrade_response(rfc_key);
    EXPECT_NE(answer.find(std::string("Sec-WebSocket-Accept: ") + rfc_accept + "\r\n"), std::string::npos);
    EXPECT_EQ(ws_head_size(answer + "\x82\x00"), answer.size());
    EXPECT_EQ(ws_head_size("HTTP/1.1 101 x\r\n"), 0u);
}

std::string answer_with(const std::string& lines) {
    return "HTTP/1.1 101 Switching Protocols\r\n" + lines + "\r\n";
}

TEST(WsHandshake, AnswersAcceptedAndFailed) {
    const std::string good = std::string("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ") +
                             rfc_accept + "\r\n";
    struct Case {
        const char* what;
        std::string head;
        bool ok;
        std::string says;  ///< in the error, or in the first warning when ok
    };
    const Case cases[] = {
        {"the usual answer", answer_with(good + "Sec-WebSocket-Protocol: mqtt\r\n"), true, ""},
        {"names in any case, Connection a list",
         answer_with(std::string("upgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-accept: ") +
                     rfc_accept + "\r\nsec-websocket-protocol: mqtt\r\n"),
         true, ""},
        {"no subprotocol", answer_with(good), true, "MQTT-6.0.0-4"},
        {"refused", "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", false, "refused the WebSocket upgrade: 'HTTP/1.1 403 Forbidden'"},
        {"redirected", "HTTP/1.1 301 Moved\r\nLocation: /mqtt\r\n\r\n", false, "(Location: /mqtt)"},
        {"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", false, "not HTTP/1.1"},
        {"no Upgrade", answer_with(std::string("Connection: Upgrade\r\nSec-WebSocket-Accept: ") + rfc_accept + "\r\n"),
         false, "no Upgrade header field"},
        {"Connection without upgrade",
         answer_with(std::string("Upgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: ") + rfc_accept + "\r\n"),
         false, "'Connection: keep-alive'"},
        {"no accept", answer_with("Upgrade: websocket\r\nConnection: Upgrade\r\n"), false, "no Sec-WebSocket-Accept"},
        {"wrong accept", answer_with("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n"),
         false, std::string("is 'AAAA'; the key sent gives '") + rfc_accept + "'"},
        {"an extension not offered", answer_with(good + "Sec-WebSocket-Extensions: permessage-deflate\r\n"), false,
         "'permessage-deflate', which was not offered"},
        {"another subprotocol", answer_with(good + "Sec-WebSocket-Protocol: mqttv3.1\r\n"), false,
         "selects the subprotocol 'mqttv3.1'"},
    };
    for (const auto& c : cases) {
        const UpgradeAnswer a = check_upgrade_response(c.head, rfc_key);
        EXPECT_EQ(a.ok, c.ok) << c.what << ": " << a.error;
        const std::string said = c.ok ? (a.warnings.empty() ? "" : a.warnings[0]) : a.error;
        if (c.says.empty()) EXPECT_TRUE(said.empty()) << c.what << ": " << said;
        else EXPECT_NE(said.find(c.says), std::string::npos) << c.what << ": " << said;
    }
}

// ---------------------------------------------------------------------------------------------
// The command line (no peer needed)

TEST(CraftTransportUsage, BadTargetsAndOptionsExitTwo) {
    using craft_test::craft;
    const std::pair<std::vector<std::string>, std::string> cases[] = {
        {{"--send", "http://127.0.0.1:80", "connect"}, "unknown URL scheme 'http'"},
        {{"--send", "mqtts://127.0.0.1", "connect"}, "has no port"},
        {{"--send", "ws://127.0.0.1/mqtt", "connect"}, "has no port"},
        {{"--send", "mqtt://127.0.0.1:1", "--cafile", "ca.pem", "connect"}, "--cafile is a TLS option"},
        {{"--send", "mqtts://127.0.0.1:1", "--cafile", "/nonexistent/ca.pem", "connect"}, "--cafile /nonexistent/ca.pem"},
        {{"--send", "mqtts://127.0.0.1:1", "--tls-keylog", "/nonexistent/dir/keys", "connect"}, "--tls-keylog"},
        {{"--send", "mqtts://127.0.0.1:1", "--tls-version", "1.1", "connect"}, "expected 1.2 or 1.3"},
        {{"--send", "127.0.0.1:1", "--ws-frame", "3", "connect"}, "--ws-frame needs"},
        {{"--ws-frame", "0", "--out", "pcap", "connect"}, "--ws-frame"},
        {{"--ws", "connect"}, "--ws is for --out pcap"},
    };
    for (const auto& [args, says] : cases) {
        const auto r = craft(args);
        EXPECT_EQ(r.exit_code, 2) << args[1] << ": " << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    }
}

TEST(CraftTransportUsage, HelpNamesTheNewExitCodesAndOptions) {
    const auto r = craft_test::craft({"--help"});
    const std::string out(r.out.begin(), r.out.end());
    for (const char* s : {"mqtts://HOST:PORT", "wss://HOST:PORT/PATH", "--cafile", "--insecure", "--tls-version",
                          "--tls-keylog", "--ws-frame", "--ws ", "  6  --send mqtts://", "  7  --send ws://"})
        EXPECT_NE(out.find(s), std::string::npos) << s;
}

TEST(CraftPcapWs, UpgradeFramesAndCloseInTheCapture) {
    // The client's bytes in the capture: the GET, then masked frames; the server's: the 101.
    const auto r = craft_test::craft({"-q", "--out", "pcap", "--ws-frame", "2", "connect", "+", "connack"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string pcap(r.out.begin(), r.out.end());
    EXPECT_NE(pcap.find("GET /mqtt HTTP/1.1\r\nHost: 192.0.2.2:8080\r\n"), std::string::npos);
    EXPECT_NE(pcap.find(std::string("Sec-WebSocket-Accept: ") + rfc_accept), std::string::npos);
    // The CONNACK 20 02 00 00 from the server, unmasked, in 2-byte frames: 02 02 20 02, 80 02 00 00.
    EXPECT_NE(pcap.find(std::string("\x02\x02\x20\x02", 4)), std::string::npos);
    EXPECT_NE(pcap.find(std::string("\x80\x02\x00\x00", 4)), std::string::npos);
    // The same command writes the same file (fixed masks and key).
    EXPECT_EQ(craft_test::craft({"-q", "--out", "pcap", "--ws-frame", "2", "connect", "+", "connack"}).out, r.out);
}

}  // namespace
