// The WebSocket opening handshake (RFC 6455 §4, MQTT-6.0.0-3/4): what info() says, which rule
// each broken request or answer breaks at which offset (offsets are those of the header line, or of
// the first line when a field is missing), and detect_websocket. Every conversation is fed in every
// chunking (run_every_chunking).
#include "transport/websocket.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "websocket_test_util.hpp"

namespace mqttlens::transport::wstest {
namespace {

using Log = std::vector<std::string>;

const std::string kNote = "S note @0 WebSocket GET /mqtt (Host broker.example) upgraded, subprotocol mqtt";

/// `head` with `from` replaced by `to` (`from` must be there).
std::string edit(std::string head, const std::string& from, const std::string& to) {
    const std::size_t at = head.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) head.replace(at, from.size(), to);
    return head;
}

/// Offset of `what` in `head`.
std::string at(const std::string& head, const std::string& what) {
    const std::size_t pos = head.find(what);
    EXPECT_NE(pos, std::string::npos) << what;
    return "@" + std::to_string(pos);
}

Log handshake_log(const std::string& request, const std::string& response, const WebSocketOptions& options = {},
                  WebSocketInfo* info = nullptr) {
    return log(run_every_chunking({client(request), server(response)}, options, true, info));
}

TEST(WebSocketHandshake, StandardHandshake) {
    WebSocketInfo info;
    EXPECT_EQ(handshake_log(kRequest, kResponse, {}, &info), (Log{kNote}));
    EXPECT_TRUE(info.request_seen);
    EXPECT_EQ(info.path, "/mqtt");
    EXPECT_EQ(info.host, "broker.example");
    EXPECT_EQ(info.offered_protocols, (std::vector<std::string>{"mqtt"}));
    EXPECT_EQ(info.status, 101);
    EXPECT_EQ(info.protocol, "mqtt");
    EXPECT_FALSE(info.deflate);
    EXPECT_TRUE(info.completed);
}

TEST(WebSocketHandshake, AcceptIsSha1OfKeyAndGuidInBase64) {
    EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 §1.3
    EXPECT_EQ(websocket_accept("x3JJHMbDL1EzLkh9GBhXDw=="), "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
}

TEST(WebSocketHandshake, FieldNamesAndTokensIgnoreCaseAndListsSpanLines) {
    const std::string request =
        "GET /ws?x=1 HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSEC-WEBSOCKET-VERSION: 13\r\n"
        "Sec-WebSocket-Protocol: wamp\r\nSec-WebSocket-Protocol:mqtt ,  v2 \r\n\r\n";
    WebSocketInfo info;
    EXPECT_EQ(handshake_log(request, kResponse, {}, &info),
              (Log{"S note @0 WebSocket GET /ws?x=1 (Host h) upgraded, subprotocol mqtt"}));
    EXPECT_EQ(info.offered_protocols, (std::vector<std::string>{"wamp", "mqtt", "v2"}));
}

// ---- MQTT's subprotocol (MQTT-6.0.0-3, MQTT-6.0.0-4) --------------------------------------------

TEST(WebSocketHandshake, ClientOffersNoSubprotocol) {
    const std::string request = edit(kRequest, "Sec-WebSocket-Protocol: mqtt\r\n", "");
    const std::string response = edit(kResponse, "Sec-WebSocket-Protocol: mqtt\r\n", "");
    EXPECT_EQ(handshake_log(request, response),
              (Log{"C MQTT-6.0.0-3 @0", "S note @0 WebSocket GET /mqtt (Host broker.example) upgraded, subprotocol none"}));
}

TEST(WebSocketHandshake, ClientOffersOthersButNotMqtt) {
    const std::string request = edit(kRequest, "Protocol: mqtt", "Protocol: wamp, mqttv3.1, MQTT");
    const std::string response = edit(kResponse, "Protocol: mqtt", "Protocol: mqttv3.1");
    EXPECT_EQ(handshake_log(request, response),
              (Log{"C MQTT-6.0.0-3 " + at(request, "Sec-WebSocket-Protocol"),
                   "S MQTT-6.0.0-4 " + at(response, "Sec-WebSocket-Protocol"),
                   "S note @0 WebSocket GET /mqtt (Host broker.example) upgraded, subprotocol mqttv3.1"}));
    WebSocketOptions lenient;
    lenient.accept_mqttv31_subprotocol = true;
    EXPECT_EQ(handshake_log(request, response, lenient).size(), 1u);
}

TEST(WebSocketHandshake, ServerSelectsAnotherSubprotocol) {
    const std::string request = edit(kRequest, "Protocol: mqtt", "Protocol: mqtt, wamp");
    const std::string wamp = edit(kResponse, "Protocol: mqtt", "Protocol: wamp");
    EXPECT_EQ(handshake_log(request, wamp).front(), "S MQTT-6.0.0-4 " + at(wamp, "Sec-WebSocket-Protocol"));
    // Not even offered: RFC 6455 too.
    const std::string foo = edit(kResponse, "Protocol: mqtt", "Protocol: foo");
    EXPECT_EQ(handshake_log(request, foo),
              (Log{"S RFC6455-4.2.2 " + at(foo, "Sec-WebSocket-Protocol"),
                   "S MQTT-6.0.0-4 " + at(foo, "Sec-WebSocket-Protocol"),
                   "S note @0 WebSocket GET /mqtt (Host broker.example) upgraded, subprotocol foo"}));
    // No subprotocol, though the client offered mqtt.
    const std::string none = edit(kResponse, "Sec-WebSocket-Protocol: mqtt\r\n", "");
    EXPECT_EQ(handshake_log(kRequest, none).front(), "S MQTT-6.0.0-4 @0");
}

// ---- The client's request (RFC 6455 §4.1) -------------------------------------------------------

TEST(WebSocketHandshake, RequestBreakingSection41) {
    struct Case {
        std::string from, to;
        Log findings;  // before the handshake's note
    };
    const std::string key_line = at(kRequest, "Sec-WebSocket-Key");
    const std::string version_line = at(kRequest, "Sec-WebSocket-Version");
    const std::string host_line = at(kRequest, "Host");
    for (const Case& c : std::vector<Case>{
             {"GET /mqtt HTTP/1.1", "POST /mqtt HTTP/1.1", {"C RFC6455-4.1 @0"}},
             {"GET /mqtt HTTP/1.1", "GET /mqtt HTTP/1.0", {"C RFC6455-4.1 @0"}},
             {"Host: broker.example\r\n", "", {"C RFC6455-4.1 @0"}},
             {"Upgrade: websocket", "Upgrade: h2c", {"C RFC6455-4.1 @0"}},
             {"Connection: Upgrade", "Connection: keep-alive", {"C RFC6455-4.1 @0"}},
             {"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "", {"C RFC6455-4.1 @0"}},
             {"Key: dGhlIHNhbXBsZSBub25jZQ==", "Key: dGhlIHNhbXBsZSBub25jZQ", {"C RFC6455-4.1 " + key_line}},
             {"Key: dGhlIHNhbXBsZSBub25jZQ==", "Key: dGhlIHNhbXBsZSBub25j*Q==", {"C RFC6455-4.1 " + key_line}},
             {"Sec-WebSocket-Version: 13\r\n", "", {"C RFC6455-4.1 @0"}},
             {"Version: 13", "Version: 8", {"C RFC6455-4.1 " + version_line}},
             // A malformed line (no colon; space before the colon) is not a Host field either.
             {"Host: broker.example", "Host broker.example", {"C RFC6455-4.1 " + host_line, "C RFC6455-4.1 @0"}},
             {"Host: broker.example", "Host : broker.example", {"C RFC6455-4.1 " + host_line, "C RFC6455-4.1 @0"}},
             {"Protocol: mqtt", "Protocol: mqtt, (x)", {"C RFC6455-4.1 " + at(kRequest, "Sec-WebSocket-Protocol")}},
         }) {
        Log got = handshake_log(edit(kRequest, c.from, c.to), kResponse);
        ASSERT_FALSE(got.empty());
        EXPECT_EQ(got.back().rfind("S note @0 WebSocket ", 0), 0u) << got.back();
        got.pop_back();
        EXPECT_EQ(got, c.findings) << c.to;
    }
}

TEST(WebSocketHandshake, RequestFieldsThatMayAppearOnce) {
    const std::string keys =
        edit(kRequest, "Sec-WebSocket-Version", "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\nSec-WebSocket-Version");
    EXPECT_EQ(handshake_log(keys, kResponse), (Log{"C RFC6455-11.3.1 " + at(keys, "Sec-WebSocket-Key: x3"), kNote}));
    const std::string versions =
        edit(kRequest, "Sec-WebSocket-Protocol", "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol");
    EXPECT_EQ(handshake_log(versions, kResponse),
              (Log{"C RFC6455-11.3.5 " + at(versions, "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol"), kNote}));
}

// ---- The server's answer (RFC 6455 §4.2.2) ------------------------------------------------------

TEST(WebSocketHandshake, AnswerBreakingSection422) {
    const std::string wrong = edit(kResponse, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    EXPECT_EQ(handshake_log(kRequest, wrong), (Log{"S RFC6455-4.2.2 " + at(wrong, "Sec-WebSocket-Accept"), kNote}));
    EXPECT_EQ(handshake_log(kRequest, edit(kResponse, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "")),
              (Log{"S RFC6455-4.2.2 @0", kNote}));
    EXPECT_EQ(handshake_log(kRequest, edit(kResponse, "Upgrade: websocket\r\n", "")), (Log{"S RFC6455-4.2.2 @0", kNote}));
    EXPECT_EQ(handshake_log(kRequest, edit(kResponse, "Connection: Upgrade\r\n", "Connection: close\r\n")),
              (Log{"S RFC6455-4.2.2 @0", kNote}));
    const std::string two = edit(kResponse, "Protocol: mqtt", "Protocol: mqtt, wamp");
    EXPECT_EQ(handshake_log(kRequest, two)[0], "S RFC6455-4.2.2 " + at(two, "Sec-WebSocket-Protocol"));
    // Without a well-formed key the answer cannot be checked: the request's finding only.
    EXPECT_EQ(handshake_log(edit(kRequest, "Key: dGhlIHNhbXBsZSBub25jZQ==", "Key: short"), wrong).size(), 2u);
}

TEST(WebSocketHandshake, AnswerFieldsThatMayAppearOnce) {
    const std::string accepts =
        edit(kResponse, "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept: x\r\nSec-WebSocket-Protocol");
    EXPECT_EQ(handshake_log(kRequest, accepts), (Log{"S RFC6455-11.3.3 " + at(accepts, "Sec-WebSocket-Accept: x"), kNote}));
    const std::string protocols =
        edit(kResponse, "Protocol: mqtt\r\n", "Protocol: mqtt\r\nSec-WebSocket-Protocol: mqtt\r\n");
    EXPECT_EQ(handshake_log(kRequest, protocols),
              (Log{"S RFC6455-11.3.4 " + at(protocols, "Sec-WebSocket-Protocol: mqtt\r\n\r\n"), kNote}));
}

TEST(WebSocketHandshake, NoOneHundredAndOneNothingIsHandedUp) {
    const std::string refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    WebSocketInfo info;
    // The client's frame sent before the answer, the server's bytes after it: none goes up.
    const Log got = log(run_every_chunking({client(cat({text(kRequest), frame(0x82, hex("c0 00"), hex("01 02 03 04"))})),
                                            server(cat({text(refused), hex("82 02 d0 00")})),
                                            client(frame(0x82, hex("c0 00"), hex("01 02 03 04")))},
                                           {}, true, &info));
    EXPECT_EQ(got, (Log{"S warning @0 the server answered with status 403, not 101: the connection is not upgraded"}));
    EXPECT_EQ(info.status, 403);
    EXPECT_FALSE(info.completed);
    EXPECT_EQ(handshake_log(kRequest, "SSH-2.0-OpenSSH_9.2\r\n\r\n"),
              (Log{"S warning @0 the server answered with no HTTP/1.1 status line, not 101: the connection is not "
                   "upgraded"}));
}

// ---- permessage-deflate's negotiation (RFC 7692 §7) ---------------------------------------------

const std::string kOffer =
    edit(kRequest, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");

std::string accepting(const std::string& extensions) {
    return edit(kResponse, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: " + extensions + "\r\n\r\n");
}

TEST(WebSocketHandshake, DeflateParametersAreRead) {
    WebSocketInfo info;
    const std::string response = accepting(
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=10; server_max_window_bits=\"12\"");
    EXPECT_EQ(handshake_log(kOffer, response, {}, &info),
              (Log{"S note @0 WebSocket GET /mqtt (Host broker.example) upgraded, subprotocol mqtt, permessage-deflate "
                   "server_no_context_takeover client_max_window_bits=10 server_max_window_bits=12"}));
    EXPECT_TRUE(info.deflate);
    EXPECT_TRUE(info.deflate_params.server_no_context_takeover);
    EXPECT_FALSE(info.deflate_params.client_no_context_takeover);
    EXPECT_EQ(info.deflate_params.client_max_window_bits, 10);
    EXPECT_EQ(info.deflate_params.server_max_window_bits, 12);
}

TEST(WebSocketHandshake, DeflateParametersTheAnswerMayNotCarry) {
    const std::string line = at(accepting("x"), "Sec-WebSocket-Extensions");
    for (const char* params : {"; foo", "; server_max_window_bits=16", "; server_max_window_bits=08",
                                      "; server_max_window_bits=7", "; server_max_window_bits", "; client_max_window_bits",
                                      "; server_no_context_takeover=1",
                                      "; client_no_context_takeover; client_no_context_takeover"}) {
        const Log got = handshake_log(kOffer, accepting(std::string("permessage-deflate") + params));
        EXPECT_EQ(got.front(), "S RFC7692-7 " + line) << params;
        EXPECT_EQ(got.size(), 2u) << params;
    }
    // client_max_window_bits only when the offer carried it (RFC 7692 §7.1.2.2).
    const std::string plain_offer = edit(kOffer, "; client_max_window_bits", "");
    EXPECT_EQ(handshake_log(plain_offer, accepting("permessage-deflate; client_max_window_bits=9")).front(),
              "S RFC7692-7.1.2.2 " + line);
}

TEST(WebSocketHandshake, ExtensionsTheClientDidNotOffer) {
    const std::string response = accepting("permessage-deflate");
    const std::string line = at(response, "Sec-WebSocket-Extensions");
    EXPECT_EQ(handshake_log(kRequest, response).front(), "S RFC6455-4.2.2 " + line);
    const std::string unknown = accepting("x-webkit-deflate-frame");
    EXPECT_EQ(handshake_log(kOffer, unknown),
              (Log{"S note " + line + " extension x-webkit-deflate-frame is not known: frames are read as if it were absent",
                   "S RFC6455-4.2.2 " + line, kNote}));
}

TEST(WebSocketHandshake, SeveralOffersOfDeflate) {
    const std::string offers = edit(kRequest, "\r\n\r\n",
                                    "\r\nSec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, "
                                    "permessage-deflate; client_max_window_bits\r\n\r\n");
    WebSocketInfo info;
    EXPECT_EQ(handshake_log(offers, accepting("permessage-deflate; client_max_window_bits=11"), {}, &info).size(), 1u);
    EXPECT_EQ(info.deflate_params.client_max_window_bits, 11);
}

// ---- Bounds, gaps, order, the end ---------------------------------------------------------------

TEST(WebSocketHandshake, HeadOverTheBound) {
    WebSocketOptions options;
    options.max_head_bytes = 64;
    EXPECT_EQ(log(run_every_chunking({client(kRequest), server(kResponse), server(hex("82 02 d0 00"))}, options)),
              (Log{"C warning @0 the handshake head does not end within 64 bytes: nothing more is read from this side",
                   "C gap 0",
                   "S warning @0 the handshake head does not end within 64 bytes: nothing more is read from this side",
                   "S gap 0"}));
    options.max_head_bytes = std::uint32_t(kRequest.size());  // exactly the request's size is enough
    EXPECT_EQ(log(run_every_chunking({client(kRequest), server(kResponse)}, options)), (Log{kNote}));
}

TEST(WebSocketHandshake, ClientFramesSentBeforeTheAnswerWaitForIt) {
    const ByteVec ping = frame(0x82, hex("c0 00"), hex("01 02 03 04"));
    EXPECT_EQ(log(run_every_chunking({client(cat({text(kRequest), ping})), server(kResponse)})),
              (Log{kNote, "C data c0 00"}));
}

TEST(WebSocketHandshake, AnswerSeenBeforeTheRequest) {
    EXPECT_EQ(log(run_every_chunking({server(cat({text(kResponse), hex("82 02 d0 00")})),
                                      client(cat({text(kRequest), frame(0x82, hex("c0 00"), hex("01 02 03 04"))}))})),
              (Log{"S data d0 00", kNote, "C data c0 00"}));
}

TEST(WebSocketHandshake, TooManyBytesBeforeTheAnswer) {
    WebSocketOptions options;
    options.max_early_bytes = 4;
    const ByteVec ping = frame(0x82, hex("c0 00"), hex("01 02 03 04"));  // 8 bytes
    const std::string c = "@" + std::to_string(kRequest.size());
    EXPECT_EQ(log(run_every_chunking({client(cat({text(kRequest), ping})), server(kResponse)}, options)),
              (Log{"C warning " + c + " the client sent more than 4 bytes before the server's answer was seen: the client's "
                                      "frames are read without extensions (it offered none)",
                   "C data c0 00", kNote}));
    // Had it offered an extension, its frames could mean something else: not read.
    const Log got = log(run_every_chunking({client(cat({text(kOffer), ping})), server(kResponse)}, options));
    EXPECT_EQ(got[0], "C warning @" + std::to_string(kOffer.size()) +
                          " the client sent more than 4 bytes before the server's answer was seen, and the client offered "
                          "extensions: nothing more is read from this side");
    EXPECT_EQ(got[1], "C gap 0");
}

TEST(WebSocketHandshake, AnswerLostInAGap) {
    const ByteVec ping = frame(0x82, hex("c0 00"), hex("01 02 03 04"));
    const Step head_start = server("HTTP/1.1 101 Swi");
    EXPECT_EQ(log(run_every_chunking({client(cat({text(kRequest), ping})), head_start, lost(S, 10)})),
              (Log{"S warning @16 bytes lost in the handshake head: nothing more is read from this side", "S gap 0",
                   "C warning @" + std::to_string(kRequest.size()) +
                       " the server's answer was lost: the client's frames are read without extensions (it offered none)",
                   "C data c0 00"}));
    EXPECT_EQ(log(run_every_chunking({client(cat({text(kOffer), ping})), head_start, lost(S, 10)}))[3], "C gap 0");
}

TEST(WebSocketHandshake, TheEndBeforeTheAnswer) {
    EXPECT_EQ(log(run_every_chunking({client(kRequest)})),
              (Log{"C warning @0 the connection ended before the server's answer was seen"}));
    EXPECT_EQ(log(run_every_chunking({client(kRequest), server("HTTP/1.1 101")})),
              (Log{"C warning @0 the connection ended before the server's answer was seen",
                   "S warning @0 the connection ended inside the handshake head, after 12 bytes"}));
    // The client's frames then go up when it offered no extension.
    EXPECT_EQ(log(run_every_chunking({client(cat({text(kRequest), frame(0x82, hex("c0 00"), hex("01 02 03 04"))}))})),
              (Log{"C warning @" + std::to_string(kRequest.size()) +
                       " the connection ended before the server's answer was seen: the client's frames are read without "
                       "extensions (it offered none)",
                   "C data c0 00"}));
}

// ---- detect_websocket ---------------------------------------------------------------------------

Detect detect(std::string_view bytes, std::uint32_t max_head = 16 * 1024) {
    WebSocketOptions options;
    options.max_head_bytes = max_head;
    return detect_websocket(text(bytes), options);
}

TEST(WebSocketDetect, Yes) {
    EXPECT_EQ(detect(kRequest), Detect::yes);
    EXPECT_EQ(detect("GET / HTTP/1.1\r\nUpgrade: websocket\r\n"), Detect::yes);  // the head need not be whole
    EXPECT_EQ(detect("GET / HTTP/1.1\r\nHost: h\r\nupgrade: h2c, WebSocket\r\n"), Detect::yes);
}

TEST(WebSocketDetect, NeedMore) {
    for (std::string_view s : {"", "G", "GET", "GET ", "GET /mqtt HTTP/1.", "GET /mqtt HTTP/1.1\r",
                               "GET /mqtt HTTP/1.1\r\nHost: x\r\n", "GET / HTTP/1.1\r\nUpgrade: websock"})
        EXPECT_EQ(detect(s), Detect::need_more) << s;
    // Every prefix of the standard request that stops before its Upgrade line ends.
    const std::size_t upgrade_end = kRequest.find("websocket\r\n") + 11;
    for (std::size_t n = 0; n < upgrade_end; ++n) EXPECT_EQ(detect(kRequest.substr(0, n)), Detect::need_more) << n;
    EXPECT_EQ(detect(kRequest.substr(0, upgrade_end)), Detect::yes);
}

TEST(WebSocketDetect, No) {
    for (std::string_view s : {"POST / HTTP/1.1\r\n", "get / HTTP/1.1\r\n", "\x10\x0c\x00\x04MQTT", "\x16\x03\x01\x02\x00",
                               "GET / HTTP/1.0\r\n", "GET  / HTTP/1.1\r\n", "GET / HTTP/1.1\n", "GET /\x01",
                               "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                               "GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\nUpgrade: websocket\r\n",
                               "GET / HTTP/1.1\r\nBad line\r\nUpgrade: websocket\r\n"})
        EXPECT_EQ(detect(s), Detect::no) << s;
}

TEST(WebSocketDetect, NoOnceTheHeadPassesTheBound) {
    const std::string head = "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'a') + "\r\nUpgrade: websocket\r\n";
    EXPECT_EQ(detect(head, 1024), Detect::yes);
    EXPECT_EQ(detect(head, 64), Detect::no);
    EXPECT_EQ(detect(head.substr(0, 63), 64), Detect::need_more);
    EXPECT_EQ(detect(head.substr(0, 64), 64), Detect::no);
}

}  // namespace
}  // namespace mqttlens::transport::wstest
