#include "open_link.hpp"

#include "tcp_link.hpp"
#include "tls_link.hpp"
#include "ws_link.hpp"

#include <fmt/format.h>

namespace mqttlens::craft {

namespace {

TlsSettings tls_settings(const LinkSettings& s, const Target& t) {
    TlsSettings out;
    out.host = t.host;
    out.cafile = s.cafile;
    out.insecure = s.insecure;
    out.version = s.tls_version;
    out.keylog = s.tls_keylog;
    // ALPN: "mqtt" names MQTT right inside TLS; WebSocket starts as HTTP/1.1 (RFC 6455 §4.1).
    out.alpn = t.websocket() ? "http/1.1" : "mqtt";
    return out;
}

/// Records a handshake or upgrade that did not complete in `o`.
void layer_failed(OpenedLink& o, const Io& r, std::string_view stage) {
    o.link.reset();
    o.stage = stage;
    o.error = r.detail;
    o.failure = r.status == IoStatus::timeout     ? OpenFailure::timeout
                : r.status == IoStatus::ws_error ? OpenFailure::websocket
                                                 : OpenFailure::tls;
}

/// The TCP connection, or null with the failure recorded in `o`.
std::unique_ptr<TcpLink> connect_tcp(OpenedLink& o, const Target& target, Clock::time_point deadline) {
    TcpConnect c = tcp_connect(target.host, target.port, deadline);
    o.stage = "TCP";
    o.error = c.error;
    switch (c.failure) {
        case ConnectFailure::none: break;
        case ConnectFailure::unresolved: o.failure = OpenFailure::unresolved; return nullptr;
        case ConnectFailure::refused: o.failure = OpenFailure::refused; return nullptr;
        case ConnectFailure::timeout: o.failure = OpenFailure::timeout; return nullptr;
    }
    o.local = c.link->local();
    o.remote = c.link->remote();
    return std::move(c.link);
}

}  // namespace

LinkSettings link_settings(const GlobalOptions& g) {
    return LinkSettings{g.cafile, g.insecure, g.tls_version, g.tls_keylog, g.ws_frame, false};
}

OpenedLink open_link(const Target& target, const LinkSettings& settings, Clock::time_point deadline) {
    OpenedLink o;
    std::unique_ptr<TlsLink> tls;
    if (target.tls()) {  // the context first: a bad --cafile is a usage error, nothing sent
        tls = TlsLink::create(tls_settings(settings, target), o.error);
        if (!tls) {
            o.failure = OpenFailure::settings;
            o.stage = "TLS settings";
            return o;
        }
    }
    std::unique_ptr<TcpLink> tcp = connect_tcp(o, target, deadline);
    if (!tcp) return o;
    if (tls) {
        if (Io r = tls->handshake(std::move(tcp), deadline); r.status != IoStatus::ok) {
            layer_failed(o, r, "the TLS handshake");
            return o;
        }
        o.notes.push_back(tls->description());
        o.link = std::move(tls);
    } else {
        o.link = std::move(tcp);
    }
    if (target.websocket()) {
        auto ws = std::make_unique<WsLink>(std::move(o.link),
                                           WsSettings{target.authority(), target.path, settings.ws_frame, settings.quiet});
        if (Io r = ws->upgrade(deadline); r.status != IoStatus::ok) {
            layer_failed(o, r, "the WebSocket upgrade");
            return o;
        }
        o.notes.push_back(fmt::format("WebSocket: GET {} upgraded ({}), subprotocol {}{}", target.path,
                                      ws->answer().status_line,
                                      ws->answer().protocol.empty() ? "none" : ws->answer().protocol,
                                      settings.ws_frame ? fmt::format(", at most {} payload bytes per frame",
                                                                      settings.ws_frame)
                                                        : ""));
        o.link = std::move(ws);
    }
    o.stage.clear();
    o.error.clear();
    return o;
}

std::string_view transport_mark(Scheme scheme) noexcept {
    return scheme == Scheme::mqtts ? "TLS"
           : scheme == Scheme::ws  ? "WebSocket"
           : scheme == Scheme::wss ? "TLS+WebSocket"
                                   : "";
}

}  // namespace mqttlens::craft
