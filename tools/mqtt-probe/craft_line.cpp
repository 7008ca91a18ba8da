// Packets as mqtt-craft script lines: the decoded fields as options, checked against the bytes by
// mqtt-craft's own tokenizer, parser and encoder; the raw form when the fields do not give them back.
#include "craft_line.hpp"

#include "build.hpp"
#include "cli.hpp"
#include "mqtt/decoder.hpp"
#include "script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace mqttlens::probe {

namespace {

using mqtt::PacketType;
using Args = std::vector<std::string>;

/// A string field's bytes with mqtt-craft's escapes: printable ASCII as is, `\` as `\\`, the rest \xHH.
std::string escaped(mqtt::Bytes bytes) {
    std::string out;
    for (std::uint8_t b : bytes) {
        if (b == '\\') out += "\\\\";
        else if (b >= 0x20 && b < 0x7F && b != '\'' && b != '"') out += static_cast<char>(b);
        else out += fmt::format("\\x{:02x}", b);
    }
    return out;
}
std::string escaped(std::string_view s) { return escaped(mqtt::as_bytes(s)); }

std::string hex(mqtt::Bytes bytes) {
    std::string out;
    for (std::uint8_t b : bytes) out += fmt::format("{}{:02x}", out.empty() ? "" : " ", b);
    return out;
}

/// `--name=value`; an empty value as two arguments, `--name ''` (CLI11 reads `--name=` as wanting the next).
void option(Args& a, std::string_view name, std::string value) {
    if (value.empty()) a.push_back(std::string(name)), a.push_back({});
    else a.push_back(fmt::format("{}={}", name, value));
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

/// One argument as the script tokenizer reads it back: bare when plain, else in single quotes
/// (arguments made here never hold a quote).
std::string quoted(const std::string& arg) {
    const bool plain = std::all_of(arg.begin(), arg.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=';
    });
    return plain && !arg.empty() ? arg : "'" + arg + "'";
}

void add_connect(Args& a, const mqtt::Connect& c) {
    if (c.protocol_name != "MQTT") option(a, "--protocol-name", escaped(c.protocol_name));
    if (c.protocol_level != 4) a.push_back(fmt::format("--protocol-level={}", c.protocol_level));
    option(a, "--client-id", escaped(c.client_id));
    a.push_back(fmt::format("--keep-alive={}", c.keep_alive));
    if (c.will) {
        option(a, "--will-topic", escaped(c.will->topic));
        option(a, "--will-message", escaped(c.will->message));
    }
    if (c.username) option(a, "--username", escaped(*c.username));
    if (c.password) option(a, "--password", escaped(*c.password));
    a.push_back(fmt::format("--connect-flags=0x{:02x}", c.flags));
}

void add_publish(Args& a, const mqtt::Publish& p, std::uint8_t flags) {
    option(a, "--topic", escaped(p.topic));
    a.push_back(fmt::format("--qos={}", (flags >> 1) & 3));
    if (flags & 0x08) a.push_back("--dup");
    if (flags & 0x01) a.push_back("--retain");
    if (p.packet_id) a.push_back(fmt::format("--packet-id={}", *p.packet_id));
    else if (flags & 0x06) a.push_back("--no-packet-id");
    if (!p.payload.empty()) a.push_back("--payload-hex=" + hex(p.payload));
}

/// The packet's fields as mqtt-craft options (subcommand first); nullopt for a type not covered.
std::optional<Args> fields(const mqtt::Packet& p) {
    const PacketType type = p.type();
    if (type == PacketType::reserved0 || type == PacketType::reserved15) return std::nullopt;
    Args a{lower(mqtt::type_name(type))};
    if (const auto* c = p.get<mqtt::Connect>()) add_connect(a, *c);
    else if (const auto* pub = p.get<mqtt::Publish>()) add_publish(a, *pub, p.header.flags());
    else if (const auto* ack = p.get<mqtt::Ack>()) {
        if (ack->packet_id) a.push_back(fmt::format("--packet-id={}", *ack->packet_id));
    } else if (const auto* s = p.get<mqtt::Subscribe>()) {
        if (s->packet_id) a.push_back(fmt::format("--packet-id={}", *s->packet_id));
        for (const mqtt::Subscription& sub : s->subscriptions)
            a.push_back(fmt::format("--filter={}:0x{:02x}", escaped(sub.filter), sub.options));
        if (s->subscriptions.empty()) a.push_back("--no-filters");
    } else if (const auto* u = p.get<mqtt::Unsubscribe>()) {
        if (u->packet_id) a.push_back(fmt::format("--packet-id={}", *u->packet_id));
        for (std::string_view f : u->filters) option(a, "--filter", escaped(f));
        if (u->filters.empty()) a.push_back("--no-filters");
    } else if (!p.get<mqtt::Empty>()) {
        return std::nullopt;
    }
    if (type != PacketType::publish && p.header.flags() != mqtt::required_flags(type))
        a.push_back(fmt::format("--flags={}", p.header.flags()));
    return a;
}

/// The raw form: any packet type's subcommand with byte 0 set by --type and --flags, the Remaining
/// Length bytes as they are, and every byte after them appended.
Args raw(mqtt::Bytes packet) {
    Args a{"pingreq", fmt::format("--type={}", packet[0] >> 4), fmt::format("--flags={}", packet[0] & 0x0F)};
    if (packet.size() == 1) return a.push_back("--truncate=1"), a;
    std::size_t end = 1;
    while (end < packet.size() && end < 5 && (packet[end] & 0x80)) ++end;
    end = std::min(end + 1, packet.size());
    a.push_back("--remaining-length-bytes=" + hex(packet.subspan(1, end - 1)));
    if (end < packet.size()) a.push_back("--append=" + hex(packet.subspan(end)));
    return a;
}

std::string render(const Args& args) {
    std::string line;
    for (const std::string& arg : args) line += (line.empty() ? "" : " ") + quoted(arg);
    return line;
}

/// Whether mqtt-craft reads `line` back as exactly `packet`.
bool gives(const std::string& line, mqtt::Bytes packet) {
    try {
        const auto lines = craft::split_script(line, "craft_line");
        if (lines.size() != 1) return false;
        std::vector<std::string> args{"mqtt-craft"};
        args.insert(args.end(), lines[0].args.begin(), lines[0].args.end());
        std::vector<char*> argv;
        for (std::string& arg : args) argv.push_back(arg.data());
        craft::GlobalOptions globals;
        int exit_code = 0;
        const auto requests = craft::parse_command_line(static_cast<int>(argv.size()), argv.data(), globals, exit_code);
        if (!requests || requests->size() != 1) return false;
        std::vector<std::uint8_t> out;
        craft::build_packet(requests->front(), globals.protocol_version)->encode_copy(0, out);
        return std::equal(out.begin(), out.end(), packet.begin(), packet.end());
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

std::string craft_line(mqtt::Bytes packet) {
    if (packet.empty()) return {};
    const mqtt::Packet decoded = mqtt::decode(packet);
    if (auto a = fields(decoded)) {
        if (std::string line = render(*a); gives(line, packet)) return line;
    }
    return render(raw(packet));
}

}  // namespace mqttlens::probe
