// One way to open a connection to a broker, whatever carries it: TCP, then the TLS handshake
// (mqtts://, wss://), then the WebSocket upgrade (ws://, wss://), all by one deadline. mqtt-craft's
// --send and mqtt-probe both open their connections here.
#pragma once

#include "link.hpp"
#include "options.hpp"
#include "target.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mqttlens::craft {

/// What TLS and WebSocket need beyond the target itself (the --cafile ... --ws-frame options).
struct LinkSettings {
    std::string cafile;                     ///< CA certificates (PEM); empty: the system store
    bool insecure = false;                  ///< no certificate or host name check (a risk)
    std::optional<TlsVersion> tls_version;  ///< nullopt: TLS 1.2 or 1.3
    std::string tls_keylog;                 ///< NSS key log lines appended here; empty: none
    unsigned ws_frame = 0;                  ///< WebSocket payload bytes per frame at most; 0: one per message
    bool quiet = false;                     ///< the links say nothing on stderr (many connections)
};

/// The settings --send's options give.
LinkSettings link_settings(const GlobalOptions& g);

/// Where opening stopped.
enum class OpenFailure : std::uint8_t {
    none,        ///< open: `link` is set
    settings,    ///< the TLS settings are unusable (an unreadable --cafile or key log): nothing was sent
    unresolved,  ///< the host name did not resolve
    refused,     ///< no address accepted the connection (refused, unreachable)
    timeout,     ///< the deadline passed: TCP, the handshake or the upgrade (`stage` says which)
    tls,         ///< the TLS handshake failed (untrusted certificate, not TLS, ...)
    websocket,   ///< the upgrade was refused or answered wrongly
};

struct OpenedLink {
    std::unique_ptr<Link> link;
    OpenFailure failure = OpenFailure::none;
    std::string stage;   ///< what failed or timed out: "TCP", "the TLS handshake", "the WebSocket upgrade"
    std::string error;   ///< the resolver's, the system's, OpenSSL's or the server's words
    std::string local, remote;       ///< set once TCP connected: "127.0.0.1:50286", "[::1]:1883"
    std::vector<std::string> notes;  ///< what was learned on the way, in order: the TLS session, the upgrade
};

/// Opens `target` by `deadline`; never throws but std::bad_alloc.
OpenedLink open_link(const Target& target, const LinkSettings& settings, Clock::time_point deadline);

/// The printer's transport mark for `scheme`: "TLS", "WebSocket", "TLS+WebSocket", or empty for TCP.
std::string_view transport_mark(Scheme scheme) noexcept;

}  // namespace mqttlens::craft
