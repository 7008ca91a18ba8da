// --send's argument: HOST:PORT or an mqtt, mqtts, ws or wss URL, and the options that go with it.
#include "target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace mqttlens::craft {

namespace {

struct SchemeInfo {
    std::string_view name;
    Scheme scheme;
    std::string_view usual_port;  ///< for the message when the port is missing
};

constexpr std::array<SchemeInfo, 4> schemes{{
    {"mqtt", Scheme::mqtt, "1883"},
    {"mqtts", Scheme::mqtts, "8883"},
    {"ws", Scheme::ws, "8080"},
    {"wss", Scheme::wss, "443"},
}};

bool has_control_or_space(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

TargetParse fail(std::string error) { return {std::nullopt, std::move(error)}; }

}  // namespace

std::string Target::authority() const {
    return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::string_view scheme_name(Scheme scheme) noexcept {
    for (const auto& s : schemes)
        if (s.scheme == scheme) return s.name;
    return "?";
}

bool split_host_port(const std::string& text, std::string& host, std::string& port) {
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) return false;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    return !host.empty() && !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

TargetParse parse_target(std::string_view text) {
    const std::size_t sep = text.find("://");
    Target t;
    if (sep == std::string_view::npos) {
        if (!split_host_port(std::string(text), t.host, t.port))
            return fail(fmt::format("--send: '{}' is neither HOST:PORT ([ADDR]:PORT for IPv6) nor a URL "
                                    "(mqtt://, mqtts://, ws:// or wss://HOST:PORT)", text));
    } else {
        std::string name(text.substr(0, sep));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        const auto* info = std::find_if(schemes.begin(), schemes.end(), [&](const SchemeInfo& s) { return s.name == name; });
        if (info == schemes.end())
            return fail(fmt::format("--send: unknown URL scheme '{}' in '{}': expected mqtt://, mqtts://, ws:// or wss://",
                                    text.substr(0, sep), text));
        t.scheme = info->scheme;
        const std::string_view rest = text.substr(sep + 3);
        const std::size_t path_at = std::min(rest.find_first_of("/?#"), rest.size());
        const std::string authority(rest.substr(0, path_at));
        std::string_view path = rest.substr(path_at);
        if (authority.find('@') != std::string::npos)
            return fail(fmt::format("--send: '{}' has a user name; credentials go into the CONNECT "
                                    "(--username, --password)", text));
        const bool bracketed = authority.starts_with('[');
        const std::size_t colon = authority.rfind(':');
        const bool port_given = colon != std::string::npos && (!bracketed || colon > authority.find(']'));
        if (!authority.empty() && !port_given)
            return fail(fmt::format("--send: '{}' has no port: write {}://{}:PORT ({} usually {})", text, info->name,
                                    authority, info->name, info->usual_port));
        if (!split_host_port(authority, t.host, t.port))
            return fail(fmt::format("--send: '{}' does not name HOST:PORT ([ADDR]:PORT for IPv6) after {}://", text,
                                    info->name));
        if (t.websocket()) {
            if (path.find('#') != std::string_view::npos)
                return fail(fmt::format("--send: '{}' has a fragment ('#'), which a WebSocket URL must not "
                                        "have (RFC 6455 §3)", text));
            t.path = path.starts_with('/') ? std::string(path) : "/" + std::string(path);
            if (has_control_or_space(t.path))
                return fail(fmt::format("--send: the path of '{}' holds a space or a control character", text));
        } else if (!path.empty() && path != "/") {
            return fail(fmt::format("--send: '{}' has a path, which {}:// does not take", text, info->name));
        }
    }
    if (has_control_or_space(t.host)) return fail(fmt::format("--send: the host in '{}' holds a space", text));
    if (t.port.size() > 5 || std::stoul(t.port) == 0 || std::stoul(t.port) > 65535)
        return fail(fmt::format("--send: port {} in '{}' is not 1..65535", t.port, text));
    return {t, {}};
}

std::string check_transport_options(const GlobalOptions& g) {
    std::optional<Target> target;
    if (!g.send.empty()) {
        TargetParse p = parse_target(g.send);
        if (!p.target) return p.error;
        target = p.target;
    }
    const bool pcap = g.out == OutFormat::pcap;
    const char* tls_option = !g.cafile.empty()     ? "--cafile"
                             : g.insecure          ? "--insecure"
                             : g.tls_version       ? "--tls-version"
                             : !g.tls_keylog.empty() ? "--tls-keylog"
                                                   : nullptr;
    if (tls_option && !(target && target->tls()))
        return fmt::format("{} is a TLS option: it needs --send mqtts://HOST:PORT or wss://HOST:PORT/PATH", tls_option);
    if (!g.cafile.empty() && g.insecure)
        return "--cafile and --insecure exclude each other (verify against FILE, or do not verify at all)";
    if (g.ws && !pcap)
        return "--ws is for --out pcap (MQTT over WebSocket in the capture); to send over WebSocket give "
               "--send ws://HOST:PORT/PATH";
    if (g.ws_frame != 0 && !pcap && !(target && target->websocket()))
        return "--ws-frame needs --send ws://HOST:PORT/PATH or wss://HOST:PORT/PATH, or --out pcap";
    return {};
}

}  // namespace mqttlens::craft
