// --send's argument: where to connect and through which layers (TCP, TLS, WebSocket).
//
//   HOST:PORT, [ADDR]:PORT         plain TCP (as before URLs were accepted)
//   mqtt://HOST:PORT               plain TCP
//   mqtts://HOST:PORT              TLS
//   ws://HOST:PORT[/PATH]          WebSocket (RFC 6455), PATH "/" when absent
//   wss://HOST:PORT[/PATH]         WebSocket over TLS
#pragma once

#include "options.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mqttlens::craft {

enum class Scheme { mqtt, mqtts, ws, wss };

/// A parsed --send target.
struct Target {
    Scheme scheme = Scheme::mqtt;
    std::string host;  ///< a name, an IPv4 address, or an IPv6 address without brackets
    std::string port;  ///< decimal digits, 1..65535
    std::string path;  ///< ws and wss: the request-target ("/mqtt"); else empty
    bool tls() const noexcept { return scheme == Scheme::mqtts || scheme == Scheme::wss; }
    bool websocket() const noexcept { return scheme == Scheme::ws || scheme == Scheme::wss; }
    /// "127.0.0.1:1883", "[::1]:1883": the host as a URL or a Host header field writes it.
    std::string authority() const;
};

/// A target, or why the text is not one.
struct TargetParse {
    std::optional<Target> target;
    std::string error;  ///< set when `target` is empty: a sentence naming what is wrong
};

/// HOST:PORT or [ADDR]:PORT split into host and port; false when malformed.
bool split_host_port(const std::string& text, std::string& host, std::string& port);

/// Parses --send's argument: HOST:PORT, or a URL whose scheme is mqtt, mqtts, ws or wss
/// (case-insensitive). The port is required; mqtt and mqtts take no path but "/"; a user name, a
/// fragment or a port outside 1..65535 is an error.
TargetParse parse_target(std::string_view text);

/// The scheme's name as a URL writes it: "mqtts".
std::string_view scheme_name(Scheme scheme) noexcept;

/// Whether the transport options fit together and with --send and --out (TLS options need an
/// mqtts:// or wss:// target, --ws-frame a ws:// or wss:// target or --out pcap, --ws --out pcap,
/// --cafile and --insecure exclude each other); an empty string when they do, else the sentence
/// to print.
std::string check_transport_options(const GlobalOptions& g);

}  // namespace mqttlens::craft
