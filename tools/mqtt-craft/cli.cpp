// Command line: one fresh CLI11 app per packet segment, all writing into the same GlobalOptions.
#include "cli.hpp"

#include "escapes.hpp"
#include "property_args.hpp"
#include "script.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <unistd.h>

namespace mqttlens::craft {

namespace {

using mqtt::PacketType;

constexpr std::string_view footer = R"(Chain packets with a lone '+':  mqtt-craft connect + subscribe --filter 'a/#:1' + disconnect
(a value that is a lone '+' must be attached: --filter=+).
A script holds one packet per line in the same syntax ('#' starts a comment; '-' reads stdin).
String fields take escapes: \xHH any byte, \u{HHHH} a code point as UTF-8, \0 \n \r \t \\.
Numbers may be written in hex: 0xC1. A filter is FILTER or FILTER:QOS, QOS being the whole
Requested QoS byte (a/b:0xC1 sets reserved bits; in 5.0 the Subscription Options byte).
MQTT 5.0 (--protocol-version 5): --property NAME=VALUE, NAME a snake_case property name
(topic_alias, user_property, ...) or an identifier number; VALUE an integer, a string with
escapes, KEY=VALUE for user_property, hex for Binary Data, hex bytes after an undefined number.
CONNACK, SUBACK, UNSUBACK and PINGRESP travel server to client, the rest client to server,
unless --from-server / --from-client says otherwise (--out pcap uses this).

Exit codes:
  0  packets written or sent; a peer that closed only after our DISCONNECT is fine
  1  --strict only: a crafted packet breaks a rule (without --strict breaking is the point)
  2  usage error, unreadable script or payload file, unwritable output
  3  --send: host not resolved, connection refused or unreachable
  4  --send: the peer closed or reset the connection (not after our DISCONNECT)
  5  --send: TCP, the TLS handshake or the WebSocket upgrade not done within --connect-timeout
  6  --send mqtts://, wss://: the TLS handshake failed (certificate not trusted or not for HOST,
     no common version, not a TLS port), or TLS failed later
  7  --send ws://, wss://: the WebSocket upgrade was refused or answered wrongly, or the
     server's frames break RFC 6455 (or MQTT-6.0.0-1: a text frame))";

struct Subcommand {
    std::string_view name;
    PacketType type;
    std::string_view description;
};

constexpr std::array<Subcommand, 15> subcommands{{
    {"connect", PacketType::connect, "CONNECT: open a session (client to server)"},
    {"connack", PacketType::connack, "CONNACK: answer a CONNECT (server to client)"},
    {"publish", PacketType::publish, "PUBLISH: an application message"},
    {"puback", PacketType::puback, "PUBACK: acknowledge a QoS 1 PUBLISH"},
    {"pubrec", PacketType::pubrec, "PUBREC: QoS 2 delivery, part 1"},
    {"pubrel", PacketType::pubrel, "PUBREL: QoS 2 delivery, part 2"},
    {"pubcomp", PacketType::pubcomp, "PUBCOMP: QoS 2 delivery, part 3"},
    {"subscribe", PacketType::subscribe, "SUBSCRIBE: ask for topic filters"},
    {"suback", PacketType::suback, "SUBACK: answer a SUBSCRIBE (server to client)"},
    {"unsubscribe", PacketType::unsubscribe, "UNSUBSCRIBE: drop topic filters"},
    {"unsuback", PacketType::unsuback, "UNSUBACK: answer an UNSUBSCRIBE (server to client)"},
    {"pingreq", PacketType::pingreq, "PINGREQ: keep-alive request"},
    {"pingresp", PacketType::pingresp, "PINGRESP: keep-alive answer (server to client)"},
    {"disconnect", PacketType::disconnect, "DISCONNECT: end the session cleanly"},
    {"auth", PacketType::auth, "AUTH: enhanced authentication exchange (MQTT 5.0)"},
}};

/// A named option for one property: its value is read as `--property NAME=VALUE` reads it.
struct NamedProperty {
    std::string_view option;
    mqtt::PropertyId id;
    std::string_view value_name;
    bool binary_text = false;  ///< Binary Data as text with escapes (the -hex twin takes hex)
};

constexpr std::array<NamedProperty, 19> named_properties{{
    {"--session-expiry", mqtt::PropertyId::session_expiry_interval, "SECONDS"},
    {"--receive-maximum", mqtt::PropertyId::receive_maximum, "N"},
    {"--maximum-packet-size", mqtt::PropertyId::maximum_packet_size, "BYTES"},
    {"--topic-alias-maximum", mqtt::PropertyId::topic_alias_maximum, "N"},
    {"--topic-alias", mqtt::PropertyId::topic_alias, "N"},
    {"--message-expiry", mqtt::PropertyId::message_expiry_interval, "SECONDS"},
    {"--payload-format", mqtt::PropertyId::payload_format_indicator, "0|1"},
    {"--content-type", mqtt::PropertyId::content_type, "TEXT"},
    {"--response-topic", mqtt::PropertyId::response_topic, "TOPIC"},
    {"--correlation-data", mqtt::PropertyId::correlation_data, "TEXT", true},
    {"--correlation-data-hex", mqtt::PropertyId::correlation_data, "HEX"},
    {"--subscription-identifier", mqtt::PropertyId::subscription_identifier, "N"},
    {"--reason-string", mqtt::PropertyId::reason_string, "TEXT"},
    {"--auth-method", mqtt::PropertyId::authentication_method, "TEXT"},
    {"--auth-data", mqtt::PropertyId::authentication_data, "TEXT", true},
    {"--auth-data-hex", mqtt::PropertyId::authentication_data, "HEX"},
    {"--assigned-client-id", mqtt::PropertyId::assigned_client_identifier, "TEXT"},
    {"--server-keep-alive", mqtt::PropertyId::server_keep_alive, "SECONDS"},
    {"--user-property", mqtt::PropertyId::user_property, "KEY=VALUE"},
}};

/// A range check that does not clutter --help (the option's text states the range).
template <class T>
CLI::Validator range(T min, T max) {
    CLI::Validator v = CLI::Range(min, max);
    v.description("");
    return v;
}

/// An option that fills a std::optional only when given.
template <class T>
CLI::Option* optional_option(CLI::App* app, const std::string& name, std::optional<T>& target,
                             const std::string& description) {
    return app->add_option_function<T>(name, [&target](const T& v) { target = v; }, description);
}

/// A shortcut that records a length prefix override for `field`: --client-id-length N.
void length_shortcut(CLI::App* app, const std::string& name, std::string_view field,
                     PacketOptions& o) {
    app->add_option_function<unsigned>(
           name,
           [&o, field](const unsigned& v) { o.length_prefixes.push_back(fmt::format("{}={}", field, v)); },
           fmt::format("Write N as the {} length prefix, whatever its real length", field))
        ->check(range(0u, 65535u))
        ->type_name("N");
}

/// --out FORMAT: hex, raw, c or pcap; anything else is a validation error.
void add_out_option(CLI::App& app, GlobalOptions& g, const std::string& group) {
    app.add_option_function<std::string>(
           "--out",
           [&g](const std::string& v) {
               static const std::map<std::string, OutFormat> formats{
                   {"hex", OutFormat::hex}, {"raw", OutFormat::raw}, {"c", OutFormat::c}, {"pcap", OutFormat::pcap}};
               auto it = formats.find(v);
               if (it == formats.end()) throw CLI::ValidationError("--out", "expected hex, raw, c or pcap, not '" + v + "'");
               g.out = it->second;
           },
           "hex (default on a terminal), raw (default otherwise), c (a C array), or pcap "
           "(a TCP conversation with handshake and close)")
        ->type_name("FORMAT")
        ->group(group);
}

/// The "Output" group: format, destination, rule report and the pcap conversation's shape.
void add_output_options(CLI::App& app, GlobalOptions& g) {
    const std::string group = "Output";
    add_out_option(app, g, group);
    app.add_option("-o,--output", g.output_file, "Write to FILE instead of stdout")->type_name("FILE")->group(group);
    app.add_flag("-q,--quiet", g.quiet, "Do not report on stderr which rules the packets break")
        ->group(group);
    app.add_flag("--strict", g.strict, "Exit 1 when a crafted packet breaks a rule")->group(group);
    optional_option(&app, "--port", g.port,
                    "Server TCP port in --out pcap (default 1883; 8080 with --ws, a port dissectors read as "
                    "WebSocket)")
        ->check(range(1u, 65535u))->type_name("PORT")
        ->group(group);
    app.add_option("--segment", g.segment,
                   "--out pcap: at most N bytes of MQTT per TCP segment (1 cuts every packet byte by byte)")
        ->check(range(1u, 65495u))->type_name("N")
        ->capture_default_str()
        ->group(group);
    app.add_option("--ip-fragment", g.ip_fragment,
                   "--out pcap: cut each data segment into IPv4 fragments of at most N payload bytes "
                   "(rounded down to a multiple of 8; 0: none)")
        ->check(range(0u, 65535u))->type_name("N")
        ->capture_default_str()
        ->group(group);
}

/// The "Send" group: --send TARGET, its timing and how replies are printed.
void add_send_options(CLI::App& app, GlobalOptions& g) {
    const std::string group = "Send";
    app.add_option("--send", g.send,
                   "Connect, send the packets, print the replies. TARGET: HOST:PORT ([ADDR]:PORT for IPv6) "
                   "or mqtt://HOST:PORT (TCP), mqtts://HOST:PORT (TLS), ws://HOST:PORT/PATH (WebSocket), "
                   "wss://HOST:PORT/PATH (WebSocket over TLS)")
        ->type_name("TARGET")
        ->group(group);
    app.add_option("--delay", g.delay_ms, "Milliseconds between two packets sent")
        ->type_name("MS")
        ->capture_default_str()
        ->group(group);
    app.add_option("--wait", g.wait_ms, "Milliseconds to read replies after the last packet")
        ->type_name("MS")
        ->capture_default_str()
        ->group(group);
    app.add_option("--connect-timeout", g.connect_timeout_ms,
                   "Milliseconds allowed to connect: TCP, TLS handshake and WebSocket upgrade together")
        ->type_name("MS")
        ->capture_default_str()
        ->group(group);
    app.add_flag("--json", g.json, "Print sent packets and replies as JSON lines")->group(group);
    app.add_flag("-V,--verbose", g.verbose, "Print sent packets and replies as full trees")->group(group);
}

/// The TLS group of mqtts:// and wss:// targets: trust, version and key log.
void add_tls_options(CLI::App& app, GlobalOptions& g) {
    const std::string group = "TLS (--send mqtts://, wss://)";
    app.add_option("--cafile", g.cafile,
                   "Verify the server's certificate against the CA certificates in FILE (PEM; default: the "
                   "system's store)")
        ->type_name("FILE")
        ->group(group);
    app.add_flag("--insecure", g.insecure,
                  "RISK: verify neither the server's certificate nor its name; anyone on the path can read "
                  "and change the session")
        ->group(group);
    app.add_option_function<std::string>(
           "--tls-version",
           [&g](const std::string& v) {
               if (v == "1.2") g.tls_version = TlsVersion::v1_2;
               else if (v == "1.3") g.tls_version = TlsVersion::v1_3;
               else throw CLI::ValidationError("--tls-version", "expected 1.2 or 1.3, not '" + v + "'");
           },
           "Only this TLS version, 1.2 or 1.3 (default: either)")
        ->type_name("VERSION")
        ->group(group);
    app.add_option("--tls-keylog", g.tls_keylog,
                   "Append the session's TLS secrets to FILE in the NSS key log format (mqtt-dissect "
                   "--tls-keylog reads it). RISK: FILE decrypts the session")
        ->type_name("FILE")
        ->group(group);
}

/// The "WebSocket" group: frame size and --ws for pcap output.
void add_websocket_options(CLI::App& app, GlobalOptions& g) {
    const std::string group = "WebSocket";
    app.add_option("--ws-frame", g.ws_frame,
                   "At most N payload bytes per WebSocket frame: a packet is one binary message, cut into a "
                   "first frame and continuation frames (default: one frame per packet). For ws:// and "
                   "wss:// targets, and --out pcap (implies --ws)")
        ->check(range(1u, 0x7fffffffu))->type_name("N")
        ->group(group);
    app.add_flag("--ws", g.ws,
                 "--out pcap: MQTT over WebSocket: an HTTP upgrade (GET /mqtt) opens the conversation, each "
                 "packet is a binary message (client frames masked), a close each way ends it")
        ->group(group);
}

/// --protocol-version 3.1, 3.1.1 or 5 (5.0), in the "Protocol" group.
void add_protocol_option(CLI::App& app, GlobalOptions& g) {
    app.add_option_function<std::string>(
           "--protocol-version",
           [&g](const std::string& v) {
               if (v == "3.1") g.protocol_version = mqtt::Version::v3_1;
               else if (v == "3.1.1") g.protocol_version = mqtt::Version::v3_1_1;
               else if (v == "5" || v == "5.0") g.protocol_version = mqtt::Version::v5_0;
               else throw CLI::ValidationError("--protocol-version", "expected 3.1, 3.1.1 or 5, not '" + v + "'");
           },
           "3.1, 3.1.1 (default) or 5: every packet's layout (5: property lists, reason codes) and "
           "CONNECT's default Protocol Level")
        ->type_name("VERSION")
        ->group("Protocol");
}

/// The options before the subcommand, group by group in --help order, all writing into `g`.
void add_global_options(CLI::App& app, GlobalOptions& g) {
    add_output_options(app, g);
    add_send_options(app, g);
    add_tls_options(app, g);
    add_websocket_options(app, g);
    add_protocol_option(app, g);
}

/// `--property NAME=VALUE` (or --will-property) appending to `target` in command-line order.
void add_generic_property(CLI::App* s, const std::string& name, std::vector<PropertyArg>& target,
                          const std::string& description, const std::string& group) {
    s->add_option_function<std::string>(
         name,
         [&target, name](const std::string& v) {
             auto arg = split_property(v, name);
             if (!arg) throw CLI::ValidationError(name, "expected NAME=VALUE, not '" + v + "'");
             target.push_back(std::move(*arg));
         },
         description)
        ->type_name("NAME=VALUE")->trigger_on_parse()->group(group);
}

/// The options that break one property list: --[will-]property-length, -width, --[will-]properties-hex.
void add_property_breaking(CLI::App* s, const std::string& prefix, PropertyBreakArgs& b) {
    const std::string group = "Breaking (MQTT 5.0 properties)";
    const std::string list = prefix.empty() ? "the packet's" : "the Will";
    optional_option(s, fmt::format("--{}property-length", prefix), b.length,
                    fmt::format("Property Length value of {} list, whatever follows", list))
        ->type_name("N")->group(group);
    optional_option(s, fmt::format("--{}property-length-width", prefix), b.length_width,
                    fmt::format("Write {} Property Length in N bytes (1..5: non-minimal, 5 malformed)", list))
        ->check(range(1u, 5u))->type_name("N")->group(group);
    optional_option(s, fmt::format("--{}properties-hex", prefix), b.hex,
                    fmt::format("Raw bytes replacing {} properties (the Property Length counts them)", list))
        ->type_name("HEX")->group(group);
}

/// The property options of a packet type that has a list: the generic one, the named ones
/// allowed in it, the breaking ones; CONNECT's Will Properties too.
void add_property_options(CLI::App* s, PacketType type, PacketOptions& o) {
    const auto scope = property_scope_of(type);
    if (!scope) return;
    const std::string group = "MQTT 5.0 properties";
    add_generic_property(s, "--property", o.properties,
                         "A property of the packet, repeatable, any identifier: NAME=VALUE", group);
    for (const NamedProperty& n : named_properties) {
        if (!mqtt::allowed_in(n.id, *scope)) continue;
        const mqtt::PropertyInfo* info = mqtt::property_info(static_cast<std::uint8_t>(n.id));
        const std::string option(n.option);
        s->add_option_function<std::string>(
             option,
             [&o, n, info, option](const std::string& v) {
                 o.properties.push_back({std::string(info->name), v, n.binary_text, option});
             },
             fmt::format("{}{}", info->title,
                         n.id == mqtt::PropertyId::user_property ? ", repeatable"
                         : info->type != mqtt::PropertyType::binary_data ? ""
                         : n.binary_text ? " as text (escapes allowed)" : " in hex"))
            ->type_name(std::string(n.value_name))->trigger_on_parse()->group(group);
    }
    add_property_breaking(s, "", o.property_break);
    if (type != PacketType::connect) return;
    add_generic_property(s, "--will-property", o.will_properties,
                         "A Will Property, repeatable, any identifier: NAME=VALUE (sets the Will Flag)", group);
    add_property_breaking(s, "will-", o.will_property_break);
}

void add_breaking_options(CLI::App* s, PacketOptions& o) {
    const char* group = "Breaking (any packet)";
    optional_option(s, "--type", o.type, "Packet type nibble of byte 0 (0..15)")
        ->check(range(0u, 15u))->type_name("N")->group(group);
    optional_option(s, "--flags", o.flags, "Flags nibble of byte 0 (0..15)")
        ->check(range(0u, 15u))->type_name("N")->group(group);
    optional_option(s, "--remaining-length", o.remaining_length,
                    "Remaining Length value written instead of the real one")
        ->type_name("N")->group(group);
    optional_option(s, "--remaining-length-width", o.remaining_length_width,
                    "Write the Remaining Length in N bytes (1..5: non-minimal, 5 malformed)")
        ->check(range(1u, 5u))->type_name("N")->group(group);
    optional_option(s, "--remaining-length-bytes", o.remaining_length_bytes,
                    "Raw Remaining Length encoding, any bytes (80 80 80 80 01)")
        ->type_name("HEX")->group(group);
    optional_option(s, "--truncate", o.truncate, "Keep only the first N bytes of the packet")
        ->type_name("N")->group(group);
    optional_option(s, "--append", o.append, "Bytes added after the packet")
        ->type_name("HEX")->group(group);
    s->add_option("--length-prefix", o.length_prefixes,
                  "Raw 2-byte length prefix of a string field: FIELD[:INDEX]=N, FIELD one of "
                  "protocol_name client_id will_topic will_message username password topic "
                  "topic_filter (INDEX counts filters from 0)")
        ->type_name("FIELD[:I]=N")->group(group);
    group = "Placement";
    s->add_flag("--from-server", o.from_server, "This packet travels server to client")->group(group);
    s->add_flag("--from-client", o.from_client, "This packet travels client to server")->group(group);
    s->add_option("--count", o.count,
                  "Write the packet N times; a non-zero Packet Identifier goes up by one each time")
        ->check(range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->type_name("N")->capture_default_str()->group(group);
}

void add_packet_id(CLI::App* s, PacketOptions& o, std::string_view default_text) {
    optional_option(s, "--packet-id", o.packet_id,
                    fmt::format("Packet Identifier (0..65535; default {})", default_text))
        ->check(range(0u, 65535u))->type_name("N");
    s->add_flag("--no-packet-id", o.no_packet_id, "Leave the Packet Identifier out");
}

void add_payload(CLI::App* s, PacketOptions& o) {
    auto* text = optional_option(s, "--payload", o.payload, "Payload text (escapes allowed)");
    auto* hex = optional_option(s, "--payload-hex", o.payload_hex, "Payload bytes in hex")->type_name("HEX");
    auto* file = optional_option(s, "--payload-file", o.payload_file, "Payload read from FILE ('-': stdin)")
                     ->type_name("FILE");
    text->excludes(hex)->excludes(file);
    hex->excludes(file);
    optional_option(s, "--payload-size", o.payload_size,
                    "Payload of N bytes: the payload given repeated, or 'x' bytes")
        ->type_name("N");
}

/// --reason-code of PUBACK..PUBCOMP, DISCONNECT and AUTH.
void add_reason_code(CLI::App* s, PacketOptions& o) {
    optional_option(s, "--reason-code", o.reason_code,
                    "MQTT 5.0 Reason Code (0..255; default: none, the short form, unless properties are given)")
        ->check(range(0u, 255u))->type_name("N");
}

/// CONNECT's own options: its fields, their length overrides and its raw flags.
void add_connect_options(CLI::App* s, PacketOptions& o) {
    s->add_option("--client-id", o.client_id, "Client Identifier")->capture_default_str();
    length_shortcut(s, "--client-id-length", "client_id", o);
    optional_option(s, "--protocol-name", o.protocol_name,
                    "Protocol Name (default MQTT; MQIsdp with --protocol-level 3)");
    length_shortcut(s, "--protocol-name-length", "protocol_name", o);
    optional_option(s, "--protocol-level", o.protocol_level,
                    "Protocol Level (4 = 3.1.1, 3 = 3.1, 5 = 5.0; default: --protocol-version's, else 4)")
        ->check(range(0u, 255u))->type_name("N");
    s->add_option("--keep-alive", o.keep_alive, "Keep Alive in seconds")
        ->check(range(0u, 65535u))->type_name("N")->capture_default_str();
    s->add_flag("--no-clean-session", o.no_clean_session, "Clear the Clean Session flag");
    optional_option(s, "--will-topic", o.will_topic, "Will Topic (sets the Will Flag)");
    length_shortcut(s, "--will-topic-length", "will_topic", o);
    auto* wm = optional_option(s, "--will-message", o.will_message, "Will Message text (sets the Will Flag)");
    auto* wmh = optional_option(s, "--will-message-hex", o.will_message_hex, "Will Message bytes in hex")
                    ->type_name("HEX");
    wm->excludes(wmh);
    length_shortcut(s, "--will-message-length", "will_message", o);
    s->add_option("--will-qos", o.will_qos, "Will QoS bits (0..3), written even without a will")
        ->check(range(0u, 3u))->type_name("N");
    s->add_flag("--will-retain", o.will_retain, "Will Retain bit, written even without a will");
    optional_option(s, "--username", o.username, "User Name (sets its flag)");
    length_shortcut(s, "--username-length", "username", o);
    auto* pw = optional_option(s, "--password", o.password, "Password text (sets its flag)");
    auto* pwh = optional_option(s, "--password-hex", o.password_hex, "Password bytes in hex")->type_name("HEX");
    pw->excludes(pwh);
    length_shortcut(s, "--password-length", "password", o);
    optional_option(s, "--connect-flags", o.connect_flags,
                    "Raw Connect Flags byte, replacing the one the fields imply")
        ->check(range(0u, 255u))->type_name("N");
    s->add_flag("--reserved-flag", o.reserved_flag, "Set Connect Flags bit 0 (reserved)");
}

/// The options of packet `type`'s own fields, on its subcommand `s`.
void add_type_options(CLI::App* s, PacketType type, PacketOptions& o) {
    switch (type) {
    case PacketType::connect:
        add_connect_options(s, o);
        break;
    case PacketType::connack:
        s->add_flag("--session-present", o.session_present, "Session Present flag");
        s->add_option("--return-code,--reason-code", o.return_code,
                      "Connect Return Code; the Connect Reason Code in 5.0 (0..255)")
            ->check(range(0u, 255u))->type_name("N")->capture_default_str();
        optional_option(s, "--ack-flags", o.ack_flags, "Raw Acknowledge Flags byte")
            ->check(range(0u, 255u))->type_name("N");
        break;
    case PacketType::publish:
        s->add_option("--topic", o.topic, "Topic Name")->capture_default_str();
        length_shortcut(s, "--topic-length", "topic", o);
        s->add_option("--qos", o.qos, "QoS bits (0..3)")->check(range(0u, 3u))->type_name("N")->capture_default_str();
        s->add_flag("--dup", o.dup, "DUP flag");
        s->add_flag("--retain", o.retain, "RETAIN flag");
        add_packet_id(s, o, "1 at QoS 1..3, none at QoS 0");
        add_payload(s, o);
        break;
    case PacketType::puback:
    case PacketType::pubrec:
    case PacketType::pubrel:
    case PacketType::pubcomp:
        add_packet_id(s, o, "1");
        add_reason_code(s, o);
        break;
    case PacketType::unsuback:
        add_packet_id(s, o, "1");
        s->add_option("--reason-code", o.return_codes,
                      "MQTT 5.0 Reason Code, repeatable (default 0 with --protocol-version 5)")
            ->check(range(0u, 255u))->type_name("N");
        s->add_flag("--no-reason-codes", o.no_return_codes, "No Reason Code at all (5.0 layout)");
        break;
    case PacketType::disconnect:
    case PacketType::auth:
        add_reason_code(s, o);
        break;
    case PacketType::subscribe:
        add_packet_id(s, o, "1");
        s->add_option("--filter", o.filters, "Topic Filter[:QOS], repeatable (default '#:0')")
            ->type_name("FILTER[:Q]");
        s->add_option("--qos", o.qos, "Requested QoS of filters given without :QOS (0..3)")
            ->check(range(0u, 3u))->type_name("N")->capture_default_str();
        optional_option(s, "--qos-byte", o.qos_byte, "Raw Requested QoS byte of filters given without :QOS")
            ->check(range(0u, 255u))->type_name("N");
        s->add_flag("--no-filters", o.no_filters, "No filter at all");
        s->add_flag("--no-local", o.no_local, "MQTT 5.0 No Local option of filters given without :QOS");
        s->add_flag("--retain-as-published", o.retain_as_published,
                    "MQTT 5.0 Retain As Published option of filters given without :QOS");
        s->add_option("--retain-handling", o.retain_handling,
                      "MQTT 5.0 Retain Handling of filters given without :QOS (0..3)")
            ->check(range(0u, 3u))->type_name("N");
        break;
    case PacketType::suback:
        add_packet_id(s, o, "1");
        s->add_option("--return-code,--reason-code", o.return_codes, "Return code, repeatable (default 0)")
            ->check(range(0u, 255u))->type_name("N");
        s->add_flag("--no-return-codes", o.no_return_codes, "No return code at all");
        break;
    case PacketType::unsubscribe:
        add_packet_id(s, o, "1");
        s->add_option("--filter", o.filters, "Topic Filter, repeatable (default '#')");
        s->add_flag("--no-filters", o.no_filters, "No filter at all");
        break;
    default: break;
    }
}

struct SegmentResult {
    std::optional<PacketRequest> packet;  ///< a packet subcommand
    std::optional<std::string> script;    ///< `script FILE`
};

/// Parses one segment. Throws CLI::ParseError (help included) or UsageError.
SegmentResult parse_segment(std::vector<std::string> args, GlobalOptions& globals, bool allow_script,
                            std::unique_ptr<CLI::App>& app_out) {
    auto app = std::make_unique<CLI::App>(
        "mqtt-craft: write any MQTT 3.1.1 or 5.0 packet, valid or broken, as hex, raw bytes, a C array, "
        "a pcap conversation, or send it to a broker.",
        "mqtt-craft");
    app->fallthrough();
    app->require_subcommand(1, 1);
    app->footer(std::string(footer));
    add_global_options(*app, globals);

    auto options = std::make_unique<PacketOptions>();
    std::vector<std::pair<CLI::App*, PacketType>> subs;
    for (const auto& sc : subcommands) {
        auto* s = app->add_subcommand(std::string(sc.name), std::string(sc.description));
        add_type_options(s, sc.type, *options);
        add_property_options(s, sc.type, *options);
        add_breaking_options(s, *options);
        subs.emplace_back(s, sc.type);
    }
    std::string script_file;
    CLI::App* script = nullptr;
    if (allow_script) {
        script = app->add_subcommand("script", "Packets from FILE, one per line ('-': stdin)");
        script->add_option("FILE", script_file, "Script file")->required();
    }

    std::reverse(args.begin(), args.end());
    app_out = std::move(app);
    app_out->parse(args);

    SegmentResult result;
    if (script && script->parsed()) {
        result.script = script_file;
        return result;
    }
    for (auto& [s, type] : subs)
        if (s->parsed()) result.packet = PacketRequest{type, std::move(*options), {}};
    return result;
}

/// Splits `args` on the separator token.
std::vector<std::vector<std::string>> split_segments(const std::vector<std::string>& args) {
    std::vector<std::vector<std::string>> segments(1);
    for (const auto& a : args) {
        if (a == packet_separator) segments.emplace_back();
        else segments.back().push_back(a);
    }
    return segments;
}

}  // namespace

std::optional<std::vector<PacketRequest>> parse_command_line(int argc, char** argv,
                                                             GlobalOptions& globals, int& exit_code) {
    std::vector<PacketRequest> requests;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) args.push_back("--help");

    // One segment at a time; a failing segment reports where it came from.
    auto run = [&](std::vector<std::string> segment, const std::string& origin, bool allow_script) -> bool {
        std::unique_ptr<CLI::App> app;
        try {
            auto r = parse_segment(std::move(segment), globals, allow_script, app);
            if (r.packet) {
                r.packet->origin = origin;
                requests.push_back(std::move(*r.packet));
                return true;
            }
            const std::string& file = *r.script;
            std::string text = read_script(file);
            std::string name = file == "-" ? std::string("stdin") : file;
            for (auto& line : split_script(text, name)) {
                for (auto& seg : split_segments(line.args)) {
                    std::unique_ptr<CLI::App> line_app;
                    std::string where = fmt::format("{}:{}", name, line.number);
                    try {
                        auto lr = parse_segment(std::move(seg), globals, false, line_app);
                        lr.packet->origin = where;
                        requests.push_back(std::move(*lr.packet));
                    } catch (const CLI::ParseError& e) {
                        std::fprintf(stderr, "mqtt-craft: %s: %s\n", where.c_str(), e.what());
                        exit_code = exit_usage;
                        return false;
                    }
                }
            }
            return true;
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
                exit_code = app->exit(e);  // --help
                return false;
            }
            std::fprintf(stderr, "mqtt-craft: %s: %s\nRun with --help for more information.\n",
                         origin.c_str(), e.what());
            exit_code = exit_usage;
            return false;
        } catch (const UsageError& e) {
            std::fprintf(stderr, "mqtt-craft: %s: %s\n", origin.c_str(), e.what());
            exit_code = exit_usage;
            return false;
        }
    };

    auto segments = split_segments(args);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        std::string origin = segments.size() == 1 ? std::string("command line")
                                                  : fmt::format("command line segment {}", i + 1);
        if (segments[i].empty()) {
            std::fprintf(stderr, "mqtt-craft: %s is empty (two '+' in a row?)\n", origin.c_str());
            exit_code = exit_usage;
            return std::nullopt;
        }
        if (!run(std::move(segments[i]), origin, true)) return std::nullopt;
    }
    exit_code = exit_ok;
    return requests;
}

}  // namespace mqttlens::craft
