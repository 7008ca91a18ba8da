// The WebSocket opening handshake (RFC 6455 §4): the client's GET request and the server's answer,
// read from whole heads, checked against each other once both are read. Internal to the layer.
#pragma once

#include "transport/websocket.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::transport::ws {

/// What the server's answer is checked against, from the client's request.
struct Request {
    std::uint64_t at = 0;                 ///< offset of the request line
    std::string key;                      ///< Sec-WebSocket-Key when it is well formed, else empty
    std::vector<std::string> extensions;  ///< extension names offered, in order
    bool deflate_client_max_window_bits = false;  ///< a permessage-deflate offer carried it
    int deflate_offers = 0;                       ///< permessage-deflate offers
    int deflate_offers_no_context = 0;            ///< those with client_no_context_takeover
};

/// What the server's answer said that needs the request to be judged.
struct Response {
    std::uint64_t at = 0;                 ///< offset of the status line
    bool accept_seen = false;
    std::string accept;                   ///< Sec-WebSocket-Accept (the first one)
    std::uint64_t accept_at = 0;
    std::uint64_t protocol_at = 0;        ///< offset of Sec-WebSocket-Protocol, when present
    struct Extension {
        std::string name;
        std::uint64_t at = 0;             ///< offset of its Sec-WebSocket-Extensions line
    };
    std::vector<Extension> extensions;    ///< extensions accepted, in order
    bool deflate_client_max_window_bits = false;  ///< the accepted permessage-deflate carried it
    std::uint64_t deflate_at = 0;
};

/// Reads the client's request head (`head` from its first byte through its empty line, at input
/// offset `at` of side `d`) into `info` and `request`, reporting what breaks RFC 6455 §4.1 and
/// MQTT-6.0.0-3 to `out`.
void read_request(std::string_view head, std::uint64_t at, int d, const WebSocketOptions& options,
                  WebSocketInfo& info, Request& request, Output& out);

/// Reads the server's answer head into `info` (status, subprotocol, permessage-deflate) and
/// `response`, reporting what breaks RFC 6455 §4.2.2 and RFC 7692 §7 on its own.
void read_response(std::string_view head, std::uint64_t at, int d, WebSocketInfo& info, Response& response,
                   Output& out);

/// Judges a 101 answer against its request (accept key, subprotocol, extensions), reporting on
/// the server's side `d`; sets info.completed and gives the handshake's note.
void check_answer(const Request& request, const Response& response, int d, const WebSocketOptions& options,
                  WebSocketInfo& info, Output& out);

/// Reports a finding of side `d` at input offset `at`.
void report(Output& out, int d, std::string_view rule, std::uint64_t at, std::string message,
            Severity severity = Severity::error);

}  // namespace mqttlens::transport::ws
