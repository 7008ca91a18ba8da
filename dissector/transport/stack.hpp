// The transport layers of one connection, stacked: TLS, WebSocket, or WebSocket inside TLS. What
// comes out of the top is the byte stream MQTT is framed from. The engine keeps one Stack per
// connection that needs one and dispatches to it in one place (engine/mqtt_streams.cpp).
//
//   transport::Recognition r = transport::recognise(client_first_bytes);   // on any port
//   transport::Stack stack(transport::Stack::Bottom::tls, client_side, options);
//   stack.data(d, bytes, up);   // up: transport::Output, receives the MQTT bytes and findings
#pragma once
#include "transport/layer.hpp"
#include "transport/tls.hpp"
#include "transport/websocket.hpp"

#include <array>
#include <memory>
#include <string_view>
#include <vector>

namespace mqttlens::transport {

struct StackOptions {
    TlsOptions tls;              ///< the key log is tls.keys
    WebSocketOptions websocket;
};

/// What a connection's first client bytes say: a TLS ClientHello (`mqtt` when its ALPN offers
/// MQTT) or a WebSocket upgrade request (`mqtt` when its subprotocols offer "mqtt"); need_more
/// until the first record or the request head is whole.
struct Recognition {
    enum class Verdict : std::uint8_t { need_more, tls, websocket, neither } verdict = Verdict::need_more;
    bool mqtt = false;
};
Recognition recognise(capture::Bytes client_first) noexcept;

/// The layers of one connection (a Layer itself: see layer.hpp for the contract).
class Stack final : public Layer {
public:
    enum class Bottom : std::uint8_t { tls, websocket };
    Stack(Bottom bottom, int client_side, const StackOptions& options);
    ~Stack() override;

    void data(int d, capture::Bytes bytes, Output& out) override;
    void gap(int d, std::uint64_t size, Output& out) override;
    void close(Output& out) override;

    /// "TLS", "WebSocket" or "TLS+WebSocket" (WebSocket inside TLS once its upgrade is seen).
    std::string_view name() const noexcept;
    const TlsLayer* tls() const noexcept { return tls_.get(); }
    const WebSocketLayer* websocket() const noexcept { return ws_.get(); }

private:
    class Middle;  // between TLS and what it carries: WebSocket or MQTT itself
    int client_;
    const StackOptions& options_;
    std::unique_ptr<TlsLayer> tls_;
    std::unique_ptr<WebSocketLayer> ws_;
    std::unique_ptr<Middle> middle_;
};

}  // namespace mqttlens::transport
