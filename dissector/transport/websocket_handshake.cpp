// The opening handshake (RFC 6455 §4) read from whole heads, and detect_websocket on a client's
// first bytes.
//
// A head is HTTP/1.1 as RFC 7230 §3 has it: a start line, then header fields, each line ended by
// CRLF, the head by an empty line. Field names are case-insensitive; Upgrade, Connection,
// Sec-WebSocket-Protocol and Sec-WebSocket-Extensions are comma-separated lists (RFC 7230 §7), and a
// list given on several lines is one list. Subprotocol names are compared exactly; the tokens
// `websocket` and `Upgrade`, extension names and field names without regard to case.
#include "transport/websocket_handshake.hpp"

#include "transport/libcrypto.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace mqttlens::transport {
namespace {

using ws::Request;
using ws::Response;
using ws::report;

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3
constexpr std::string_view kDeflate = "permessage-deflate";

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return lower(x) == lower(y);
           });
}

bool is_ctl(char c) noexcept { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

/// tchar of RFC 7230 §3.2.6.
bool is_tchar(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

/// `s` without the optional whitespace (SP, HTAB) around it.
std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Calls f(element) for each non-empty element of a list separated by `sep` (RFC 7230 §7), a
/// quoted-string kept whole.
template <class F>
void for_each_item(std::string_view list, char sep, F&& f) {
    std::size_t start = 0;
    bool quoted = false;
    for (std::size_t i = 0; i <= list.size(); ++i) {
        if (i < list.size()) {
            const char c = list[i];
            if (quoted) {
                if (c == '\\' && i + 1 < list.size()) ++i;
                else if (c == '"') quoted = false;
                continue;
            }
            if (c == '"') quoted = true;
            if (c != sep) continue;
        }
        const std::string_view item = trim(list.substr(start, i - start));
        if (!item.empty()) f(item);
        start = i + 1;
    }
}

/// True when the list `list` has the element `token`, case aside.
bool list_has(std::string_view list, std::string_view token) {
    bool found = false;
    for_each_item(list, ',', [&](std::string_view item) { found = found || iequals(item, token); });
    return found;
}

/// A quoted-string's content (RFC 7230 §3.2.6), or `s` itself when it is not quoted.
std::string unquote(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\' && i + 2 < s.size()) ++i;
        out += s[i];
    }
    return out;
}

/// extension = extension-token *( ";" extension-param ) (RFC 6455 §9.1): its name.
std::string_view extension_name(std::string_view extension) {
    return trim(extension.substr(0, extension.find(';')));
}

/// extension-param = token [ "=" (token | quoted-string) ]: calls f(name, value, has_value) for
/// each parameter of `extension`, the value unquoted.
template <class F>
void for_each_param(std::string_view extension, F&& f) {
    bool first = true;
    for_each_item(extension, ';', [&](std::string_view item) {
        if (std::exchange(first, false)) return;  // the extension's name
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) return f(item, std::string(), false);
        f(trim(item.substr(0, eq)), unquote(trim(item.substr(eq + 1))), true);
    });
}

/// The lines of a whole head, each without its CRLF, with its input offset; the last is empty.
struct Line {
    std::string_view text;
    std::uint64_t at = 0;
};
class Lines {
public:
    Lines(std::string_view head, std::uint64_t at) : rest_(head), at_(at) {}
    bool next(Line& line) {
        const std::size_t eol = rest_.find("\r\n");
        if (eol == std::string_view::npos) return false;
        line = {rest_.substr(0, eol), at_};
        rest_.remove_prefix(eol + 2);
        at_ += eol + 2;
        return true;
    }

private:
    std::string_view rest_;
    std::uint64_t at_;
};

/// header-field = field-name ":" OWS field-value OWS (RFC 7230 §3.2); false when `line` is not one
/// (no colon, a name that is not a token, a control character in the value, obs-fold).
bool split_field(std::string_view line, std::string_view& name, std::string_view& value) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    name = line.substr(0, colon);
    value = trim(line.substr(colon + 1));
    return is_token(name) &&
           std::none_of(value.begin(), value.end(), [](char c) { return is_ctl(c) && c != '\t'; });
}

/// request-line = method SP request-target SP HTTP-version; true for GET ... HTTP/1.1 (RFC 6455
/// §4.1: the method MUST be GET and the version at least 1.1), `target` set.
bool get_request_line(std::string_view line, std::string_view& target) {
    const std::size_t a = line.find(' ');
    const std::size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos) return false;
    target = line.substr(a + 1, b - a - 1);
    return line.substr(0, a) == "GET" && line.substr(b + 1) == "HTTP/1.1" && !target.empty() &&
           std::none_of(target.begin(), target.end(), is_ctl);
}

/// status-line = HTTP-version SP status-code SP reason-phrase: the code, or 0 when `line` is not one.
int status_code(std::string_view line) {
    constexpr std::string_view version = "HTTP/1.1 ";
    if (line.substr(0, version.size()) != version || line.size() < version.size() + 3) return 0;
    const std::string_view code = line.substr(version.size(), 3);
    if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
    if (line.size() > version.size() + 3 && line[version.size() + 3] != ' ') return 0;
    return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
}

/// Sec-WebSocket-Key: a base64-encoded value that decodes to 16 bytes (RFC 6455 §4.1 item 7).
bool well_formed_key(std::string_view key) {
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    return key.size() == 24 && key.substr(22) == "==" &&
           std::all_of(key.begin(), key.begin() + 22,
                       [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

bool is_mqtt(std::string_view protocol, const WebSocketOptions& options) {
    return protocol == "mqtt" || (options.accept_mqttv31_subprotocol && protocol == "mqttv3.1");
}

/// What the request's fields said, gathered over all its lines.
struct RequestFields {
    bool host = false;
    bool upgrade = false;
    bool connection = false;
    int keys = 0;
    std::string_view key;
    std::uint64_t key_at = 0;
    int versions = 0;
    std::string_view version;
    std::uint64_t version_at = 0;
    bool protocol = false;
    std::uint64_t protocol_at = 0;
};

/// Sec-WebSocket-Extensions of the request: the extensions offered.
void read_offers(std::string_view value, Request& request) {
    for_each_item(value, ',', [&](std::string_view extension) {
        const std::string_view name = extension_name(extension);
        request.extensions.emplace_back(name);
        if (!iequals(name, kDeflate)) return;
        ++request.deflate_offers;
        bool no_context = false;
        for_each_param(extension, [&](std::string_view param, const std::string&, bool) {
            if (param == "client_max_window_bits") request.deflate_client_max_window_bits = true;
            if (param == "client_no_context_takeover") no_context = true;
        });
        request.deflate_offers_no_context += no_context ? 1 : 0;
    });
}

void request_field(std::string_view name, std::string_view value, const Line& line, int d, WebSocketInfo& info,
                   Request& request, RequestFields& f, Output& out) {
    if (iequals(name, "Host")) {
        if (!f.host) info.host = value;
        f.host = true;
    } else if (iequals(name, "Upgrade")) {
        f.upgrade = f.upgrade || list_has(value, "websocket");
    } else if (iequals(name, "Connection")) {
        f.connection = f.connection || list_has(value, "Upgrade");
    } else if (iequals(name, "Sec-WebSocket-Key")) {
        if (++f.keys == 1) f.key = value, f.key_at = line.at;
        if (f.keys == 2) report(out, d, "RFC6455-11.3.1", line.at, "Sec-WebSocket-Key appears more than once");
    } else if (iequals(name, "Sec-WebSocket-Version")) {
        if (++f.versions == 1) f.version = value, f.version_at = line.at;
        if (f.versions == 2) report(out, d, "RFC6455-11.3.5", line.at, "Sec-WebSocket-Version appears more than once");
    } else if (iequals(name, "Sec-WebSocket-Protocol")) {
        if (!f.protocol) f.protocol_at = line.at;
        f.protocol = true;
        for_each_item(value, ',', [&](std::string_view p) {
            if (!is_token(p))
                report(out, d, "RFC6455-4.1", line.at,
                       "Sec-WebSocket-Protocol element '" + std::string(p) + "' is not a token");
            info.offered_protocols.emplace_back(p);
        });
    } else if (iequals(name, "Sec-WebSocket-Extensions")) {
        read_offers(value, request);
    }
}

/// RFC 6455 §4.1 items 4 to 9 and MQTT-6.0.0-3, once every field is read.
void check_request(const RequestFields& f, std::uint64_t at, int d, const WebSocketOptions& options,
                   const WebSocketInfo& info, Request& request, Output& out) {
    if (!f.host) report(out, d, "RFC6455-4.1", at, "no Host header field");
    if (!f.upgrade) report(out, d, "RFC6455-4.1", at, "no Upgrade header field naming websocket");
    if (!f.connection) report(out, d, "RFC6455-4.1", at, "no Connection header field naming Upgrade");
    if (f.keys == 0) report(out, d, "RFC6455-4.1", at, "no Sec-WebSocket-Key");
    else if (!well_formed_key(f.key))
        report(out, d, "RFC6455-4.1", f.key_at,
               "Sec-WebSocket-Key '" + std::string(f.key) + "' is not 16 bytes in base64");
    else request.key = f.key;
    if (f.versions == 0) report(out, d, "RFC6455-4.1", at, "no Sec-WebSocket-Version");
    else if (f.version != "13")
        report(out, d, "RFC6455-4.1", f.version_at,
               "Sec-WebSocket-Version is '" + std::string(f.version) + "', not 13");
    const bool mqtt = std::any_of(info.offered_protocols.begin(), info.offered_protocols.end(),
                                  [&](const std::string& p) { return is_mqtt(p, options); });
    if (!f.protocol) report(out, d, "MQTT-6.0.0-3", at, "no Sec-WebSocket-Protocol: the client must offer mqtt");
    else if (!mqtt) report(out, d, "MQTT-6.0.0-3", f.protocol_at, "Sec-WebSocket-Protocol does not offer mqtt");
}

/// The window bits of server_max_window_bits / client_max_window_bits in a response: a decimal
/// 8..15 without leading zeros (RFC 7692 §7.1.2); 0 when the value is missing or not that.
std::uint8_t window_bits(const std::string& value, bool has_value) {
    if (!has_value || value.size() > 2 || value.empty() || value[0] == '0') return 0;
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
    const int bits = std::stoi(value);
    return bits >= 8 && bits <= 15 ? std::uint8_t(bits) : 0;
}

/// The parameters of the permessage-deflate the server accepted (RFC 7692 §7: each defined for a
/// response, at most once, with a valid value).
void read_deflate(std::string_view extension, const Line& line, int d, WebSocketInfo& info, Response& response,
                  Output& out) {
    static constexpr std::array<std::string_view, 4> names = {
        "server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits", "client_max_window_bits"};
    info.deflate = true;
    DeflateParams& p = info.deflate_params;
    std::array<bool, 4> seen{};
    for_each_param(extension, [&](std::string_view name, const std::string& value, bool has_value) {
        const auto it = std::find(names.begin(), names.end(), name);
        const std::string shown(name);
        if (it == names.end())
            return report(out, d, "RFC7692-7", line.at, "permessage-deflate parameter " + shown + " is not defined");
        const std::size_t which = std::size_t(it - names.begin());
        if (std::exchange(seen[which], true))
            return report(out, d, "RFC7692-7", line.at, "permessage-deflate parameter " + shown + " given twice");
        if (which < 2) {
            if (has_value) report(out, d, "RFC7692-7", line.at, shown + " takes no value");
            (which == 0 ? p.server_no_context_takeover : p.client_no_context_takeover) = true;
            return;
        }
        const std::uint8_t bits = window_bits(value, has_value);
        if (bits == 0) return report(out, d, "RFC7692-7", line.at, shown + " needs a value from 8 to 15");
        (which == 2 ? p.server_max_window_bits : p.client_max_window_bits) = bits;
        if (which == 3) response.deflate_client_max_window_bits = true, response.deflate_at = line.at;
    });
}

/// Sec-WebSocket-Extensions of the response: the extensions accepted.
void read_accepted(std::string_view value, const Line& line, int d, WebSocketInfo& info, Response& response,
                   Output& out) {
    for_each_item(value, ',', [&](std::string_view extension) {
        const std::string_view name = extension_name(extension);
        response.extensions.push_back({std::string(name), line.at});
        if (!iequals(name, kDeflate))
            report(out, d, "", line.at,
                   "extension " + std::string(name) + " is not known: frames are read as if it were absent",
                   Severity::note);
        else if (!info.deflate)
            read_deflate(extension, line, d, info, response, out);
    });
}

/// What the response's fields said, gathered over all its lines.
struct ResponseFields {
    bool upgrade = false;
    bool connection = false;
    int protocols = 0;
};

void response_field(std::string_view name, std::string_view value, const Line& line, int d, WebSocketInfo& info,
                    Response& response, ResponseFields& f, Output& out) {
    if (iequals(name, "Upgrade")) {
        f.upgrade = f.upgrade || list_has(value, "websocket");
    } else if (iequals(name, "Connection")) {
        f.connection = f.connection || list_has(value, "Upgrade");
    } else if (iequals(name, "Sec-WebSocket-Accept")) {
        if (response.accept_seen)
            return report(out, d, "RFC6455-11.3.3", line.at, "Sec-WebSocket-Accept appears more than once");
        response.accept_seen = true;
        response.accept = value;
        response.accept_at = line.at;
    } else if (iequals(name, "Sec-WebSocket-Protocol")) {
        if (++f.protocols > 1)
            return report(out, d, "RFC6455-11.3.4", line.at, "Sec-WebSocket-Protocol appears more than once");
        response.protocol_at = line.at;
        info.protocol = value;
        if (!is_token(value))
            report(out, d, "RFC6455-4.2.2", line.at,
                   "Sec-WebSocket-Protocol '" + info.protocol + "' is not one subprotocol");
    } else if (iequals(name, "Sec-WebSocket-Extensions")) {
        read_accepted(value, line, d, info, response, out);
    }
}

/// The head's header fields, a malformed line reported under `rule`.
template <class F>
void for_each_field(Lines& lines, int d, std::string_view rule, Output& out, F&& f) {
    Line line;
    while (lines.next(line) && !line.text.empty()) {
        std::string_view name, value;
        if (split_field(line.text, name, value)) f(name, value, line);
        else report(out, d, rule, line.at, "malformed header field line");
    }
}

}  // namespace

namespace ws {

void report(Output& out, int d, std::string_view rule, std::uint64_t at, std::string message, Severity severity) {
    Finding f;
    f.rule = rule;
    f.severity = severity;
    f.offset = at;
    f.message = std::move(message);
    out.finding(d, f);
}

void read_request(std::string_view head, std::uint64_t at, int d, const WebSocketOptions& options,
                  WebSocketInfo& info, Request& request, Output& out) {
    request.at = at;
    Lines lines(head, at);
    Line line;
    lines.next(line);
    std::string_view target;
    if (get_request_line(line.text, target)) info.path = target;
    else report(out, d, "RFC6455-4.1", at, "the request line is not GET <target> HTTP/1.1");
    RequestFields f;
    for_each_field(lines, d, "RFC6455-4.1", out, [&](std::string_view name, std::string_view value, const Line& l) {
        request_field(name, value, l, d, info, request, f, out);
    });
    info.request_seen = true;
    check_request(f, at, d, options, info, request, out);
}

void read_response(std::string_view head, std::uint64_t at, int d, WebSocketInfo& info, Response& response,
                   Output& out) {
    response.at = at;
    Lines lines(head, at);
    Line line;
    lines.next(line);
    info.status = status_code(line.text);
    if (info.status != 101) {
        const std::string shown =
            info.status == 0 ? "no HTTP/1.1 status line" : "status " + std::to_string(info.status);
        return report(out, d, "", at, "the server answered with " + shown + ", not 101: the connection is not upgraded",
                      Severity::warning);
    }
    ResponseFields f;
    for_each_field(lines, d, "RFC6455-4.2.2", out, [&](std::string_view name, std::string_view value, const Line& l) {
        response_field(name, value, l, d, info, response, f, out);
    });
    if (!f.upgrade) report(out, d, "RFC6455-4.2.2", at, "no Upgrade header field naming websocket");
    if (!f.connection) report(out, d, "RFC6455-4.2.2", at, "no Connection header field naming Upgrade");
    if (!response.accept_seen) report(out, d, "RFC6455-4.2.2", at, "no Sec-WebSocket-Accept");
}

namespace {

std::string summary(const WebSocketInfo& info) {
    std::string s = "WebSocket " + (info.path.empty() ? std::string("request") : "GET " + info.path);
    if (!info.host.empty()) s += " (Host " + info.host + ")";
    s += " upgraded, subprotocol " + (info.protocol.empty() ? std::string("none") : info.protocol);
    if (!info.deflate) return s;
    const DeflateParams& p = info.deflate_params;
    s += ", permessage-deflate";
    if (p.client_no_context_takeover) s += " client_no_context_takeover";
    if (p.server_no_context_takeover) s += " server_no_context_takeover";
    if (p.client_max_window_bits != 15) s += " client_max_window_bits=" + std::to_string(p.client_max_window_bits);
    if (p.server_max_window_bits != 15) s += " server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    return s;
}

}  // namespace

void check_answer(const Request& request, const Response& response, int d, const WebSocketOptions& options,
                  WebSocketInfo& info, Output& out) {
    if (!request.key.empty() && response.accept_seen) {
        const std::string expected = websocket_accept(request.key);
        std::string why;
        if (expected.empty())
            report(out, d, "", response.accept_at,
                   "Sec-WebSocket-Accept not checked: " + (libcrypto(&why) ? std::string("SHA-1 failed") : why),
                   Severity::note);
        else if (response.accept != expected)
            report(out, d, "RFC6455-4.2.2", response.accept_at,
                   "Sec-WebSocket-Accept is '" + response.accept + "', the key gives '" + expected + "'");
    }
    const auto& offered = info.offered_protocols;
    if (!info.protocol.empty()) {
        if (std::find(offered.begin(), offered.end(), info.protocol) == offered.end())
            report(out, d, "RFC6455-4.2.2", response.protocol_at, "subprotocol " + info.protocol + " was not offered");
        if (!is_mqtt(info.protocol, options))
            report(out, d, "MQTT-6.0.0-4", response.protocol_at,
                   "the server selects subprotocol " + info.protocol + ", not mqtt");
    } else if (std::any_of(offered.begin(), offered.end(), [&](const std::string& p) { return is_mqtt(p, options); })) {
        report(out, d, "MQTT-6.0.0-4", response.at, "the server selects no subprotocol: it must select mqtt");
    }
    for (const Response::Extension& e : response.extensions) {
        const auto same = [&](const std::string& o) { return iequals(o, e.name); };
        if (std::none_of(request.extensions.begin(), request.extensions.end(), same))
            report(out, d, "RFC6455-4.2.2", e.at, "extension " + e.name + " was not offered");
    }
    if (response.deflate_client_max_window_bits && !request.deflate_client_max_window_bits)
        report(out, d, "RFC7692-7.1.2.2", response.deflate_at,
               "client_max_window_bits in the answer, but not in the offer");
    // RFC 7692 §7.1.1.2: a client that offers client_no_context_takeover will not use context
    // takeover even if the answer leaves it out (when every offer says so, whichever was taken).
    if (info.deflate && request.deflate_offers > 0 && request.deflate_offers_no_context == request.deflate_offers)
        info.deflate_params.client_no_context_takeover = true;
    info.completed = true;
    report(out, d, "", response.at, summary(info), Severity::note);
}

}  // namespace ws

std::string websocket_accept(std::string_view key) {
    const Libcrypto* crypto = libcrypto();
    if (crypto == nullptr) return {};
    std::string input(key);
    input += kGuid;
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (crypto->EVP_Digest(input.data(), input.size(), digest.data(), &size, crypto->EVP_sha1(), nullptr) != 1)
        return {};
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> text{};
    const int length = crypto->EVP_EncodeBlock(text.data(), digest.data(), int(size));
    return std::string(reinterpret_cast<const char*>(text.data()), std::size_t(length));
}

Detect detect_websocket(Bytes client_first_bytes, const WebSocketOptions& options) noexcept {
    const std::string_view text(reinterpret_cast<const char*>(client_first_bytes.data()), client_first_bytes.size());
    constexpr std::string_view get = "GET ";
    if (text.substr(0, get.size()) != get.substr(0, std::min(text.size(), get.size()))) return Detect::no;
    std::size_t start = 0;
    for (bool first = true;; first = false) {
        const std::size_t eol = text.find("\r\n", start);
        if (eol == std::string_view::npos || eol + 2 > options.max_head_bytes) {
            // An unfinished line: no once it cannot end within the bound or holds a control character.
            std::string_view rest = text.substr(start);
            if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
            const bool bad = std::any_of(rest.begin(), rest.end(), [](char c) { return is_ctl(c) && c != '\t'; });
            return bad || text.size() >= options.max_head_bytes ? Detect::no : Detect::need_more;
        }
        const std::string_view line = text.substr(start, eol - start);
        start = eol + 2;
        std::string_view target, name, value;
        if (first) {
            if (!get_request_line(line, target)) return Detect::no;
        } else if (line.empty() || !split_field(line, name, value)) {
            return Detect::no;  // the head ended without Upgrade: websocket, or is not HTTP
        } else if (iequals(name, "Upgrade") && list_has(value, "websocket")) {
            return Detect::yes;
        }
    }
}

}  // namespace mqttlens::transport
