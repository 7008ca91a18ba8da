// What the command line says: global settings and, per packet, every field and override as typed.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mqttlens::craft {

/// Exit codes of mqtt-craft (also printed by --help).
enum Exit : int {
    exit_ok = 0,          ///< written or sent; the peer kept the connection or closed it after DISCONNECT
    exit_broken = 1,      ///< with --strict: some crafted packet breaks a rule
    exit_usage = 2,       ///< bad command line, unreadable script or payload file, unwritable output
    exit_unreachable = 3, ///< --send: name not resolved, connection refused or unreachable
    exit_closed = 4,      ///< --send: the peer closed or reset the connection (not after our DISCONNECT)
    exit_timeout = 5,     ///< --send: TCP, the TLS handshake or the WebSocket upgrade not done within --connect-timeout
    exit_tls = 6,         ///< --send mqtts://, wss://: the TLS handshake failed (untrusted certificate, ...) or TLS broke later
    exit_upgrade = 7,     ///< --send ws://, wss://: the upgrade was refused or answered wrongly, or the server's frames are broken
};

enum class TlsVersion { v1_2, v1_3 };

enum class OutFormat { automatic, hex, raw, c, pcap };

/// Settings for the whole run; any packet segment may set them.
struct GlobalOptions {
    OutFormat out = OutFormat::automatic;
    std::string output_file;  ///< empty: stdout
    bool quiet = false;
    bool strict = false;
    std::optional<unsigned> port;  ///< --port: server port in --out pcap; nullopt: 1883, 8080 with --ws
    unsigned segment = 1460;    ///< --out pcap: bytes of MQTT per TCP segment at most
    unsigned ip_fragment = 0;   ///< --out pcap: IP payload bytes per fragment at most (0: none)
    std::string send;      ///< HOST:PORT, [V6]:PORT or a URL (target.hpp); empty: no sending
    unsigned delay_ms = 0;
    unsigned wait_ms = 1000;
    unsigned connect_timeout_ms = 3000;
    bool json = false;
    bool verbose = false;
    // --send over TLS (mqtts://, wss://)
    std::string cafile;      ///< --cafile: CA certificates (PEM) the server is verified against; empty: the system store
    bool insecure = false;   ///< --insecure: no certificate or host name verification (a risk, documented as one)
    std::optional<TlsVersion> tls_version;  ///< --tls-version: only this version; nullopt: 1.2 or 1.3
    std::string tls_keylog;  ///< --tls-keylog: file the NSS key log lines are appended to; empty: none
    // WebSocket (ws://, wss://; --out pcap with --ws)
    unsigned ws_frame = 0;   ///< --ws-frame: payload bytes per frame at most; 0: one frame per packet
    bool ws = false;         ///< --ws: --out pcap writes MQTT over WebSocket (implied by --ws-frame)
    /// --protocol-version: the layout of every packet (5.0: property lists, reason codes) and the
    /// default Protocol Level of CONNECT; nullopt: 3.1.1, as before the option existed.
    std::optional<mqtt::Version> protocol_version;
};

/// One property as typed: `--property NAME=VALUE`, or a named option (`--topic-alias 3`).
struct PropertyArg {
    std::string name;          ///< snake_case name (property_info) or identifier number
    std::string value;         ///< parsed by the property's type when the packet is built
    bool binary_text = false;  ///< Binary Data given as text with escapes (--correlation-data), not hex
    std::string option;        ///< the option that gave it, for messages
};

/// How to break one property list (the encoder's PropertyOverride, as typed).
struct PropertyBreakArgs {
    std::optional<std::uint32_t> length;   ///< --property-length
    std::optional<unsigned> length_width;  ///< --property-length-width 1..5
    std::optional<std::string> hex;        ///< --properties-hex: raw bytes replacing the list
    bool any() const noexcept { return length || length_width || hex; }
};

/// One packet's options exactly as typed; build.cpp turns them into a PacketSpec.
struct PacketOptions {
    // CONNECT
    std::optional<std::string> protocol_name;
    std::optional<unsigned> protocol_level;  ///< default: 5 with --protocol-version 5, 3 with 3.1, else 4
    unsigned keep_alive = 60;
    std::string client_id = "mqtt-craft";
    bool no_clean_session = false;
    std::optional<std::string> will_topic;
    std::optional<std::string> will_message;
    std::optional<std::string> will_message_hex;
    unsigned will_qos = 0;
    bool will_retain = false;
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::optional<std::string> password_hex;
    std::optional<unsigned> connect_flags;
    bool reserved_flag = false;

    // CONNACK
    bool session_present = false;
    unsigned return_code = 0;
    std::optional<unsigned> ack_flags;

    // PUBLISH (qos is also SUBSCRIBE's default Requested QoS)
    std::string topic = "a/b";
    unsigned qos = 0;
    bool dup = false;
    bool retain = false;
    std::optional<std::string> payload;
    std::optional<std::string> payload_hex;
    std::optional<std::string> payload_file;
    std::optional<std::uint64_t> payload_size;

    // Packet Identifier (PUBLISH, acknowledgements, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK)
    std::optional<unsigned> packet_id;
    bool no_packet_id = false;

    // SUBSCRIBE, UNSUBSCRIBE
    std::vector<std::string> filters;
    bool no_filters = false;
    std::optional<unsigned> qos_byte;

    // SUBSCRIBE: Subscription Options of filters given without :OPTIONS (MQTT 5.0)
    bool no_local = false;
    bool retain_as_published = false;
    unsigned retain_handling = 0;

    // SUBACK (and the 5.0 UNSUBACK's Reason Codes)
    std::vector<unsigned> return_codes;
    bool no_return_codes = false;

    // MQTT 5.0: PUBACK..PUBCOMP, DISCONNECT and AUTH's Reason Code; the property lists
    std::optional<unsigned> reason_code;
    std::vector<PropertyArg> properties;       ///< the packet's, in command-line order
    std::vector<PropertyArg> will_properties;  ///< CONNECT's Will Properties
    PropertyBreakArgs property_break;
    PropertyBreakArgs will_property_break;

    // Any packet: deliberate breakage
    std::optional<unsigned> type;
    std::optional<unsigned> flags;
    std::optional<std::uint32_t> remaining_length;
    std::optional<unsigned> remaining_length_width;
    std::optional<std::string> remaining_length_bytes;
    std::optional<std::uint64_t> truncate;
    std::optional<std::string> append;
    std::vector<std::string> length_prefixes;  ///< FIELD[:INDEX]=N

    // Any packet: placement
    bool from_server = false;
    bool from_client = false;
    std::uint64_t count = 1;
};

/// One packet segment of the command line or of a script line.
struct PacketRequest {
    mqtt::PacketType type;
    PacketOptions options;
    std::string origin;  ///< "argument 2" or "FILE:7", for messages
};

}  // namespace mqttlens::craft
