// Annotated MQTT 3.1.1 test vectors: each packet written field by field, with the diagnostics a
// strict decoder must report (code, rule ID, offset from the packet's first byte), in the order
// the decoder reports them. Shared by the decoder, framer and encoder tests.
#pragma once

#include "mqtt/decoder.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mqttlens::mqtt::test {

/// One field of a vector: its bytes in hex (spaces allowed) and what they mean.
struct Piece {
    std::string_view hex;
    std::string_view note;
};

struct Expected {
    Code code;
    std::string_view rule;
    std::uint32_t offset;
    std::optional<Severity> severity = {};  ///< empty: the code's own (code_info)

    /// The severity the decoder must give.
    Severity expected_severity() const { return severity.value_or(code_info(code).severity); }
};

/// How the bytes relate to packet boundaries (what a framer must make of them).
enum class Framing : std::uint8_t {
    whole,       ///< exactly one packet: fixed header + Remaining Length bytes
    truncated,   ///< the input ends inside the packet (Remaining Length or body)
    trailing,    ///< one whole packet, then bytes that belong to no packet of this vector
    bad_length,  ///< Remaining Length malformed (continuation bit on its 4th byte)
};

struct Vector {
    std::string_view name;
    std::vector<Piece> pieces;
    PacketType type;
    std::vector<Expected> expected;  ///< empty: valid, no diagnostic at all
    Framing framing = Framing::whole;
    DecodeOptions options = {};
    Version version = Version::v3_1_1;  ///< the connection's, as decode() is given it

    /// The vector's bytes: every piece's hex concatenated.
    std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> out;
        for (const auto& piece : pieces) {
            int high = -1;
            for (char ch : piece.hex) {
                int v = ch >= '0' && ch <= '9'   ? ch - '0'
                        : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                        : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                 : -1;
                if (v < 0) continue;  // spaces and colons separate bytes
                if (high < 0) {
                    high = v;
                } else {
                    out.push_back(static_cast<std::uint8_t>(high << 4 | v));
                    high = -1;
                }
            }
        }
        return out;
    }
    /// True when the decoder must report no error (warnings allowed).
    bool valid() const {
        for (const auto& e : expected)
            if (e.expected_severity() == Severity::error) return false;
        return true;
    }
};

// Shorthands for the pieces that recur.
inline constexpr std::string_view mqtt_name = "00 04 4D 51 54 54";  // "MQTT"

// clang-format off
inline const std::vector<Vector>& vectors() {
    using C = Code;
    using T = PacketType;
    static const std::vector<Vector> all = {
    // ---------------------------------------------------------------- CONNECT
    {"connect/minimal", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name \"MQTT\""}, {"04", "Protocol Level 4"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 00", "Client Identifier \"\""}}, T::connect, {}},
    {"connect/all fields", {
        {"10", "CONNECT"}, {"1E", "Remaining Length 30"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level 4"},
        {"EE", "Connect Flags: User Name, Password, Will Retain, Will QoS 1, Will, Clean Session"},
        {"00 0A", "Keep Alive 10"},
        {"00 02 63 31", "Client Identifier \"c1\""},
        {"00 03 77 2F 74", "Will Topic \"w/t\""},
        {"00 03 62 79 65", "Will Message \"bye\""},
        {"00 01 75", "User Name \"u\""},
        {"00 01 70", "Password \"p\""}}, T::connect, {}},
    {"connect/MQIsdp 3.1", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 02 63 31", "Client Identifier \"c1\""}}, T::connect, {}},
    // MQTT 3.1 ("MQIsdp" level 3) is judged by its own text, whatever version decode() is given:
    // no rule for Connect Flags bit 0 or the fixed header flags, a Client Identifier of 1 to 23 characters.
    {"connect/3.1 reserved flag (warning)", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"03", "Connect Flags: Clean Session, reserved bit 0"}, {"00 3C", "Keep Alive 60"},
        {"00 02 63 31", "Client Identifier \"c1\""}}, T::connect,
        {{C::connect_reserved_flag, "MQTT-3.1.2-3", 11, Severity::warning}}},
    {"connect/3.1 fixed header flags (warning)", {
        {"11", "CONNECT with flags 0001"}, {"10", "Remaining Length 16"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 02 63 31", "Client Identifier \"c1\""}}, T::connect,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0, Severity::warning}}},
    {"connect/3.1.1 reserved flag on a 3.1 connection", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name \"MQTT\": judged as 3.1.1"}, {"04", "Protocol Level 4"},
        {"03", "Connect Flags: Clean Session, reserved bit 0"}, {"00 3C", "Keep Alive 60"},
        {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_reserved_flag, "MQTT-3.1.2-3", 9}}, Framing::whole, {}, Version::v3_1},
    {"connect/3.1 Client Identifier of 0 characters", {
        {"10", "CONNECT"}, {"0E", "Remaining Length 14"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 00", "Client Identifier \"\": 3.1 has no empty identifier"}}, T::connect,
        {{C::client_id_length_v3_1, "MQTT-v3.1-§3.1", 14}}},
    {"connect/3.1 Client Identifier of 0 characters, Clean Session 0", {
        {"10", "CONNECT"}, {"0E", "Remaining Length 14"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"00", "Connect Flags: Clean Session 0"}, {"00 3C", "Keep Alive 60"},
        {"00 00", "Client Identifier \"\": the 3.1 rule only, not MQTT-3.1.3-7"}}, T::connect,
        {{C::client_id_length_v3_1, "MQTT-v3.1-§3.1", 14}}},
    {"connect/3.1 Client Identifier of 1 character", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 01 61", "Client Identifier \"a\""}}, T::connect, {}},
    {"connect/3.1 Client Identifier of 23 characters", {
        {"10", "CONNECT"}, {"25", "Remaining Length 37"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 17", "Client Identifier, 23 bytes:"},
        {"61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", "23 x \"a\""}}, T::connect, {}},
    {"connect/3.1 Client Identifier of 23 two-byte characters", {
        {"10", "CONNECT"}, {"3C", "Remaining Length 60"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 2E", "Client Identifier, 46 bytes (characters count, not bytes):"},
        {"C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9", "12 x U+00E9"},
        {"C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9 C3 A9", "11 x U+00E9: 23 characters"}},
        T::connect, {}},
    {"connect/3.1 Client Identifier of 24 characters", {
        {"10", "CONNECT"}, {"26", "Remaining Length 38"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"03", "Protocol Level 3 (MQTT 3.1)"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 18", "Client Identifier, 24 bytes:"},
        {"61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", "24 x \"a\": CONNACK 2, Identifier Rejected"}},
        T::connect,
        {{C::client_id_length_v3_1, "MQTT-v3.1-§3.1", 14}}},
    {"connect/3.1.1 Client Identifier of 24 characters", {
        {"10", "CONNECT"}, {"24", "Remaining Length 36"},
        {mqtt_name, "Protocol Name \"MQTT\""}, {"04", "Protocol Level 4"},
        {"02", "Connect Flags: Clean Session"}, {"00 3C", "Keep Alive 60"},
        {"00 18", "Client Identifier, 24 bytes:"},
        {"61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", "24 x \"a\": allowed in 3.1.1 (MQTT-3.1.3-5)"}},
        T::connect, {}},
    {"connect/byte order mark kept", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 04 EF BB BF 61", "Client Identifier U+FEFF \"a\": valid, must not be stripped"}}, T::connect, {}},
    {"connect/flags not zero", {
        {"11", "CONNECT with flags 0001"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"connect/protocol name MQTX", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {"00 04 4D 51 54 58", "Protocol Name \"MQTX\""}, {"04", "Protocol Level"}, {"02", "Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::protocol_name_invalid, "MQTT-3.1.2-1", 2}}},
    {"connect/MQTT with level 3", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"03", "Protocol Level 3: not 3.1.1"}, {"02", "Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::protocol_level_unsupported, "MQTT-3.1.2-2", 8}}},
    {"connect/MQTT 5.0 (CVE-2021-28166 reproducer, first packet)", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {mqtt_name, "Protocol Name"}, {"05", "Protocol Level 5: decoded as 5.0, whatever the connection's"},
        {"02", "Connect Flags"}, {"00 3C", "Keep Alive"},
        {"03 21 00 14", "5.0 properties: length 3, Receive Maximum 20"},
        {"00 00", "Client Identifier \"\""}}, T::connect, {}},
    {"connect/reserved flag", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"03", "Connect Flags: Clean Session + reserved bit 0"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_reserved_flag, "MQTT-3.1.2-3", 9}}},
    {"connect/will QoS without will", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"0A", "Connect Flags: Will QoS 1, Will Flag 0"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::will_qos_without_will, "MQTT-3.1.2-13", 9}}},
    {"connect/will retain without will", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"22", "Connect Flags: Will Retain, Will Flag 0"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::will_retain_without_will, "MQTT-3.1.2-15", 9}}},
    {"connect/will QoS 3", {
        {"10", "CONNECT"}, {"11", "Remaining Length 17"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"1E", "Connect Flags: Will QoS 3, Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 74", "Will Topic \"t\""}, {"00 00", "Will Message (empty)"}}, T::connect,
        {{C::will_qos_invalid, "MQTT-3.1.2-14", 9}}},
    {"connect/will topic missing", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::will_fields_missing, "MQTT-3.1.2-9", 14}}},
    {"connect/will message missing", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 74", "Will Topic \"t\"; no Will Message follows"}}, T::connect,
        {{C::will_fields_missing, "MQTT-3.1.2-9", 17}}},
    {"connect/will topic not UTF-8", {
        {"10", "CONNECT"}, {"12", "Remaining Length 18"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 02 C0 80", "Will Topic: overlong NUL C0 80"}, {"00 00", "Will Message"}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 16}, {C::will_topic_not_utf8, "MQTT-3.1.3-10", 14}}},
    {"connect/will topic wildcard", {
        {"10", "CONNECT"}, {"13", "Remaining Length 19"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 03 61 2F 23", "Will Topic \"a/#\""}, {"00 00", "Will Message"}}, T::connect,
        {{C::topic_name_wildcard, "MQTT-4.7.1-1", 18}, {C::will_topic_invalid, "MQTT-§3.1.3", 14}}},
    {"connect/will topic empty", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 00", "Will Topic \"\""}, {"00 00", "Will Message"}}, T::connect,
        {{C::topic_empty, "MQTT-4.7.3-1", 14}, {C::will_topic_invalid, "MQTT-§3.1.3", 14}}},
    {"connect/user name missing", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"82", "Connect Flags: User Name, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::username_missing, "MQTT-3.1.2-19", 14}}},
    {"connect/password missing", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"C2", "Connect Flags: User Name, Password, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 75", "User Name \"u\"; no Password follows"}}, T::connect,
        {{C::password_missing, "MQTT-3.1.2-21", 17}}},
    {"connect/password without user name", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"42", "Connect Flags: Password, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 70", "Password \"p\""}}, T::connect,
        {{C::password_without_username, "MQTT-3.1.2-22", 9}}},
    {"connect/user name without flag", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Connect Flags: Clean Session only"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 75", "a User Name \"u\" the flags do not announce"}}, T::connect,
        {{C::username_without_flag, "MQTT-3.1.2-18", 14}}},
    {"connect/password without flag", {
        {"10", "CONNECT"}, {"12", "Remaining Length 18"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"82", "Connect Flags: User Name, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 75", "User Name \"u\""}, {"00 01 70", "a Password \"p\" the flags do not announce"}}, T::connect,
        {{C::password_without_flag, "MQTT-3.1.2-20", 17}}},
    {"connect/client id missing", {
        {"10", "CONNECT"}, {"0A", "Remaining Length 10"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"},
        {"00 3C", "Keep Alive; the payload is empty"}}, T::connect,
        {{C::client_id_missing, "MQTT-3.1.3-3", 12}}},
    {"connect/client id not UTF-8", {
        {"10", "CONNECT"}, {"0E", "Remaining Length 14"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 02 61 FF", "Client Identifier \"a\" + FF (never valid in UTF-8)"}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 15}, {C::client_id_not_utf8, "MQTT-3.1.3-4", 12}}},
    {"connect/client id holds U+0000", {
        {"10", "CONNECT"}, {"0D", "Remaining Length 13"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 01 00", "Client Identifier U+0000"}}, T::connect,
        {{C::utf8_null, "MQTT-1.5.3-2", 14}, {C::client_id_not_utf8, "MQTT-3.1.3-4", 12}}},
    {"connect/client id control character (warning)", {
        {"10", "CONNECT"}, {"0E", "Remaining Length 14"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 02 61 01", "Client Identifier \"a\" U+0001"}}, T::connect,
        {{C::utf8_control, "MQTT-§1.5.3", 15}}},
    {"connect/empty client id with Clean Session 0", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"00", "Connect Flags: Clean Session 0"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::client_id_empty_persistent, "MQTT-3.1.3-7", 12}}},
    {"connect/user name not UTF-8", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"82", "Connect Flags: User Name, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 FF", "User Name FF"}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 16}, {C::username_not_utf8, "MQTT-3.1.3-11", 14}}},
    {"connect/byte after the last field", {
        {"10", "CONNECT"}, {"13", "Remaining Length 19"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"C2", "Connect Flags: User Name, Password, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 75", "User Name \"u\""}, {"00 01 70", "Password \"p\""}, {"FF", "one byte too many"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 20}}},
    {"connect/protocol name truncated", {
        {"10", "CONNECT"}, {"03", "Remaining Length 3"},
        {"00 04 4D", "Protocol Name: length 4, one byte follows"}}, T::connect,
        {{C::string_truncated, "MQTT-§1.5.3", 2}, {C::connect_malformed, "MQTT-3.1.4-1", 2}}},
    {"connect/keep alive truncated", {
        {"10", "CONNECT"}, {"09", "Remaining Length 9"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"},
        {"00", "Keep Alive: one byte of two"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 10}}},
    {"connect/client id length past the end (CVE-2019-17210 class)", {
        {"10", "CONNECT"}, {"0D", "Remaining Length 13"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"02", "Clean Session"}, {"00 3C", "Keep Alive"},
        {"00 98 61", "Client Identifier: length 0x98, one byte follows"}}, T::connect,
        {{C::string_truncated, "MQTT-§1.5.3", 12}, {C::connect_malformed, "MQTT-3.1.4-1", 12}}},

    {"connect/every Connect Flags rule at once", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"},
        {"6B", "Connect Flags: Password, Will Retain, Will QoS 1, Clean Session, reserved; no Will, no User Name"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""}, {"00 01 70", "Password \"p\""}}, T::connect,
        {{C::connect_reserved_flag, "MQTT-3.1.2-3", 9}, {C::will_qos_without_will, "MQTT-3.1.2-13", 9},
         {C::will_retain_without_will, "MQTT-3.1.2-15", 9}, {C::password_without_username, "MQTT-3.1.2-22", 9}}},
    {"connect/MQIsdp with level 4", {
        {"10", "CONNECT"}, {"10", "Remaining Length 16"},
        {"00 06 4D 51 49 73 64 70", "Protocol Name \"MQIsdp\""}, {"04", "Protocol Level 4: MQIsdp means 3"},
        {"02", "Clean Session"}, {"00 3C", "Keep Alive"}, {"00 02 63 31", "Client Identifier \"c1\""}}, T::connect,
        {{C::protocol_level_unsupported, "MQTT-3.1.2-2", 10}}},
    {"connect/level 6 stops decoding", {
        {"10", "CONNECT"}, {"0C", "Remaining Length 12"},
        {mqtt_name, "Protocol Name"}, {"06", "Protocol Level 6: unknown layout, nothing after is read"},
        {"FF", "Connect Flags (not judged)"}, {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier"}}, T::connect,
        {{C::protocol_level_unsupported, "MQTT-3.1.2-2", 8}}},
    {"connect/will QoS 2", {
        {"10", "CONNECT"}, {"11", "Remaining Length 17"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"16", "Connect Flags: Will QoS 2, Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 74", "Will Topic \"t\""}, {"00 00", "Will Message (empty)"}}, T::connect, {}},
    {"connect/will message truncated", {
        {"10", "CONNECT"}, {"11", "Remaining Length 17"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"06", "Connect Flags: Will, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 74", "Will Topic \"t\""}, {"00 05", "Will Message length 5; nothing follows"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 17}}},
    {"connect/user name truncated", {
        {"10", "CONNECT"}, {"0F", "Remaining Length 15"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"82", "Connect Flags: User Name, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 09 75", "User Name length 9, one byte follows"}}, T::connect,
        {{C::string_truncated, "MQTT-§1.5.3", 14}, {C::connect_malformed, "MQTT-3.1.4-1", 14}}},
    {"connect/password truncated", {
        {"10", "CONNECT"}, {"12", "Remaining Length 18"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level"}, {"C2", "Connect Flags: User Name, Password, Clean Session"},
        {"00 3C", "Keep Alive"}, {"00 00", "Client Identifier \"\""},
        {"00 01 75", "User Name \"u\""}, {"00 03 70", "Password length 3, one byte follows"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 17}}},
    {"connect/no Connect Flags", {
        {"10", "CONNECT"}, {"07", "Remaining Length 7"},
        {mqtt_name, "Protocol Name"}, {"04", "Protocol Level; nothing follows"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 9}}},
    {"connect/no Protocol Level", {
        {"10", "CONNECT"}, {"06", "Remaining Length 6"}, {mqtt_name, "Protocol Name; nothing follows"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 8}}},
    {"connect/empty body", {{"10", "CONNECT"}, {"00", "Remaining Length 0"}}, T::connect,
        {{C::connect_malformed, "MQTT-3.1.4-1", 2}}},

    // ---------------------------------------------------------------- CONNACK
    {"connack/accepted", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"00", "Acknowledge Flags: Session Present 0"}, {"00", "Return Code 0: accepted"}}, T::connack, {}},
    {"connack/session present", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"01", "Acknowledge Flags: Session Present 1"}, {"00", "Return Code 0"}}, T::connack, {}},
    {"connack/refused not authorized", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"00", "Acknowledge Flags"}, {"05", "Return Code 5: not authorized"}}, T::connack, {}},
    {"connack/flags not zero", {
        {"21", "CONNACK with flags 0001"}, {"02", "Remaining Length 2"},
        {"00", "Acknowledge Flags"}, {"00", "Return Code"}}, T::connack,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"connack/remaining length 3", {
        {"20", "CONNACK"}, {"03", "Remaining Length 3"},
        {"00", "Acknowledge Flags"}, {"00", "Return Code"}, {"00", "extra byte"}}, T::connack,
        {{C::connack_length, "MQTT-§3.2.1", 1}}},
    {"connack/remaining length 0", {
        {"20", "CONNACK"}, {"00", "Remaining Length 0: no fields"}}, T::connack,
        {{C::connack_length, "MQTT-§3.2.1", 1}}},
    {"connack/MQTT 5.0 property length (paho.mqtt.c #985)", {
        {"20", "CONNACK"}, {"05", "Remaining Length 5"},
        {"00", "Acknowledge Flags"}, {"00", "Return Code"}, {"80 FF FF", "5.0 property length, not 3.1.1"}}, T::connack,
        {{C::connack_length, "MQTT-§3.2.1", 1}}},
    {"connack/reserved acknowledge flags", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"02", "Acknowledge Flags: reserved bit 1 set"}, {"00", "Return Code"}}, T::connack,
        {{C::connack_reserved_flags, "MQTT-§3.2.2.1", 2}}},
    {"connack/return code 6", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"00", "Acknowledge Flags"}, {"06", "Return Code 6: reserved"}}, T::connack,
        {{C::connack_return_code_invalid, "MQTT-§3.2.2.3", 3}}},
    {"connack/session present with refusal", {
        {"20", "CONNACK"}, {"02", "Remaining Length 2"},
        {"01", "Acknowledge Flags: Session Present 1"}, {"05", "Return Code 5"}}, T::connack,
        {{C::connack_session_present_error, "MQTT-3.2.2-4", 2}}},

    // ---------------------------------------------------------------- PUBLISH
    {"publish/QoS 0", {
        {"30", "PUBLISH QoS 0"}, {"0A", "Remaining Length 10"},
        {"00 03 61 2F 62", "Topic Name \"a/b\""}, {"68 65 6C 6C 6F", "payload \"hello\""}}, T::publish, {}},
    {"publish/QoS 1", {
        {"32", "PUBLISH QoS 1"}, {"09", "Remaining Length 9"},
        {"00 03 61 2F 62", "Topic Name \"a/b\""}, {"00 0A", "Packet Identifier 10"},
        {"68 69", "payload \"hi\""}}, T::publish, {}},
    {"publish/QoS 2 DUP RETAIN", {
        {"3D", "PUBLISH DUP, QoS 2, RETAIN"}, {"06", "Remaining Length 6"},
        {"00 01 74", "Topic Name \"t\""}, {"00 01", "Packet Identifier 1"}, {"78", "payload \"x\""}}, T::publish, {}},
    {"publish/empty payload", {
        {"30", "PUBLISH QoS 0"}, {"03", "Remaining Length 3"},
        {"00 01 74", "Topic Name \"t\"; zero-length payload is valid (§3.3.3)"}}, T::publish, {}},
    {"publish/dollar topic (CVE-2018-12543 class)", {
        {"30", "PUBLISH QoS 0"}, {"06", "Remaining Length 6"},
        {"00 04 24 66 6F 6F", "Topic Name \"$foo\": valid"}}, T::publish, {}},
    {"publish/multi-byte UTF-8 topic", {
        {"30", "PUBLISH QoS 0"}, {"0D", "Remaining Length 13"},
        {"00 0B", "Topic Name length 11"},
        {"C3 A9 2F E2 82 AC 2F F0 9F 98 80", "U+00E9 '/' U+20AC '/' U+1F600"}}, T::publish, {}},
    {"publish/topic ends inside a 4-byte sequence", {
        {"30", "PUBLISH QoS 0"}, {"05", "Remaining Length 5"},
        {"00 03 61 F0 9F", "Topic Name \"a\" + F0 9F (2 of 4 bytes)"}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 5}, {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}},
    {"publish/long topic", {
        {"30", "PUBLISH QoS 0"}, {"24", "Remaining Length 36"},
        {"00 1E", "Topic Name length 30"},
        {"73 65 6E 73 6F 72 73 2F 74 65 6D 70 65 72 61 74 75 72 65 2F 6C 69 76 69 6E 67 72 6F 6F 6D",
         "\"sensors/temperature/livingroom\""},
        {"32 31 2E 35", "payload \"21.5\""}}, T::publish, {}},
    {"publish/long topic with '+' as its last byte", {
        {"30", "PUBLISH QoS 0"}, {"20", "Remaining Length 32"},
        {"00 1E", "Topic Name length 30"},
        {"73 65 6E 73 6F 72 73 2F 74 65 6D 70 65 72 61 74 75 72 65 2F 6C 69 76 69 6E 67 72 6F 6F 2B",
         "\"sensors/temperature/livingroo+\""}}, T::publish,
        {{C::topic_name_wildcard, "MQTT-4.7.1-1", 33}, {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}},
    {"publish/DUP with QoS 0 and a wildcard", {
        {"38", "PUBLISH DUP, QoS 0"}, {"05", "Remaining Length 5"},
        {"00 03 61 2F 2B", "Topic Name \"a/+\""}}, T::publish,
        {{C::publish_dup_qos0, "MQTT-3.3.1-2", 0}, {C::topic_name_wildcard, "MQTT-4.7.1-1", 6},
         {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}},
    {"publish/topic both ill-formed and wildcard", {
        {"30", "PUBLISH QoS 0"}, {"04", "Remaining Length 4"},
        {"00 02 2B FF", "Topic Name '+' FF"}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 5}, {C::topic_name_wildcard, "MQTT-4.7.1-1", 4},
         {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}, {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}},
    {"publish/QoS 3", {
        {"36", "PUBLISH QoS 3"}, {"06", "Remaining Length 6"},
        {"00 01 74", "Topic Name \"t\""}, {"00 01", "Packet Identifier 1"}, {"78", "payload"}}, T::publish,
        {{C::publish_qos_invalid, "MQTT-3.3.1-4", 0}}},
    {"publish/QoS 3 on a 3.1 connection", {
        {"36", "PUBLISH QoS 3: reserved in 3.1 too"}, {"06", "Remaining Length 6"},
        {"00 01 74", "Topic Name \"t\""}, {"00 01", "Packet Identifier 1"}, {"78", "payload"}}, T::publish,
        {{C::publish_qos_invalid, "MQTT-3.3.1-4", 0}}, Framing::whole, {}, Version::v3_1},
    {"publish/DUP with QoS 0 on a 3.1 connection (warning)", {
        {"38", "PUBLISH DUP, QoS 0"}, {"03", "Remaining Length 3"},
        {"00 01 74", "Topic Name \"t\""}}, T::publish,
        {{C::publish_dup_qos0, "MQTT-3.3.1-2", 0, Severity::warning}}, Framing::whole, {}, Version::v3_1},
    {"publish/DUP with QoS 0", {
        {"38", "PUBLISH DUP, QoS 0"}, {"03", "Remaining Length 3"},
        {"00 01 74", "Topic Name \"t\""}}, T::publish,
        {{C::publish_dup_qos0, "MQTT-3.3.1-2", 0}}},
    {"publish/zero-length topic (CVE-2021-34432)", {
        {"30", "PUBLISH QoS 0"}, {"02", "Remaining Length 2"},
        {"00 00", "Topic Name \"\""}}, T::publish,
        {{C::topic_empty, "MQTT-4.7.3-1", 2}}},
    {"publish/topic with '+'", {
        {"30", "PUBLISH QoS 0"}, {"05", "Remaining Length 5"},
        {"00 03 61 2F 2B", "Topic Name \"a/+\""}}, T::publish,
        {{C::topic_name_wildcard, "MQTT-4.7.1-1", 6}, {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}},
    {"publish/topic with '#' keeps its payload", {
        {"30", "PUBLISH QoS 0"}, {"07", "Remaining Length 7"},
        {"00 03 61 2F 23", "Topic Name \"a/#\""}, {"68 69", "payload \"hi\""}}, T::publish,
        {{C::topic_name_wildcard, "MQTT-4.7.1-1", 6}, {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}},
    {"publish/topic holds a surrogate (CVE-2017-7653 class)", {
        {"30", "PUBLISH QoS 0"}, {"06", "Remaining Length 6"},
        {"00 04 61 ED A0 80", "Topic Name \"a\" + ED A0 80 (U+D800)"}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 5}, {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}},
    {"publish/topic holds U+0000", {
        {"30", "PUBLISH QoS 0"}, {"05", "Remaining Length 5"},
        {"00 03 61 00 62", "Topic Name \"a\" U+0000 \"b\""}}, T::publish,
        {{C::utf8_null, "MQTT-1.5.3-2", 5}, {C::topic_null, "MQTT-4.7.3-2", 5},
         {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}},
    {"publish/topic control character (warning)", {
        {"30", "PUBLISH QoS 0"}, {"04", "Remaining Length 4"},
        {"00 02 61 09", "Topic Name \"a\" TAB"}}, T::publish,
        {{C::utf8_control, "MQTT-§1.5.3", 5}}},
    {"publish/topic C1 control character (warning)", {
        {"30", "PUBLISH QoS 0"}, {"05", "Remaining Length 5"},
        {"00 03 61 C2 85", "Topic Name \"a\" U+0085"}}, T::publish,
        {{C::utf8_control, "MQTT-§1.5.3", 5}}},
    {"publish/topic non-character (warning)", {
        {"30", "PUBLISH QoS 0"}, {"06", "Remaining Length 6"},
        {"00 04 61 EF BF BF", "Topic Name \"a\" U+FFFF"}}, T::publish,
        {{C::utf8_noncharacter, "MQTT-§1.5.3", 5}}},
    {"publish/topic length past the packet (MQTT-C #203)", {
        {"30", "PUBLISH QoS 0"}, {"07", "Remaining Length 7"},
        {"FF FF", "Topic Name length 65535"}, {"41 42 43 44 45", "5 bytes"}}, T::publish,
        {{C::string_truncated, "MQTT-§1.5.3", 2}, {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}},
    {"publish/no topic", {
        {"30", "PUBLISH QoS 0"}, {"00", "Remaining Length 0"}}, T::publish,
        {{C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}},
    {"publish/QoS 1 Packet Identifier 0", {
        {"32", "PUBLISH QoS 1"}, {"05", "Remaining Length 5"},
        {"00 01 74", "Topic Name \"t\""}, {"00 00", "Packet Identifier 0"}}, T::publish,
        {{C::packet_id_zero, "MQTT-2.3.1-1", 5}}},
    {"publish/QoS 1 Packet Identifier 0 allowed by option", {
        {"32", "PUBLISH QoS 1"}, {"05", "Remaining Length 5"},
        {"00 01 74", "Topic Name \"t\""}, {"00 00", "Packet Identifier 0"}}, T::publish,
        {}, Framing::whole, DecodeOptions{.allow_packet_id_zero = true}},
    {"publish/QoS 1 without Packet Identifier", {
        {"32", "PUBLISH QoS 1"}, {"04", "Remaining Length 4"},
        {"00 01 74", "Topic Name \"t\""}, {"00", "one byte of the Packet Identifier"}}, T::publish,
        {{C::publish_packet_id_missing, "MQTT-§3.3.2", 5}}},
    {"publish/non-minimal Remaining Length (warning)", {
        {"30", "PUBLISH QoS 0"}, {"83 00", "Remaining Length 3 in two bytes"},
        {"00 01 74", "Topic Name \"t\""}}, T::publish,
        {{C::remaining_length_non_minimal, "MQTT-§2.2.3", 1}}},
    {"publish/non-minimal Remaining Length, warning off", {
        {"30", "PUBLISH QoS 0"}, {"83 00", "Remaining Length 3 in two bytes"},
        {"00 01 74", "Topic Name \"t\""}}, T::publish,
        {}, Framing::whole, DecodeOptions{.warn_non_minimal_length = false}},
    {"publish/two-byte Remaining Length", {
        {"30", "PUBLISH QoS 0"}, {"80 01", "Remaining Length 128"},
        {"00 01 74", "Topic Name \"t\""},
        {"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
         "00000000000000000000000000000000000000000000000000", "payload: 125 zero bytes"}},
        T::publish, {}},
    {"publish/Remaining Length of five bytes", {
        {"30", "PUBLISH QoS 0"}, {"FF FF FF FF 7F", "Remaining Length: continuation bit on the 4th byte"}},
        T::publish, {{C::remaining_length_malformed, "MQTT-§2.2.3", 1}}, Framing::bad_length},
    {"publish/claims 256 MB, two bytes follow (CVE-2017-7651)", {
        {"30", "PUBLISH QoS 0"}, {"FF FF FF 7F", "Remaining Length 268,435,455"},
        {"00 01", "Topic Name length 1; then the input ends"}}, T::publish,
        {{C::string_truncated, "MQTT-§1.5.3", 5}, {C::publish_topic_invalid, "MQTT-3.3.2-1", 5},
         {C::packet_truncated, "MQTT-§2.2.3", 7}}, Framing::truncated},
    {"publish/bytes after the packet", {
        {"30", "PUBLISH QoS 0"}, {"03", "Remaining Length 3"},
        {"00 01 74", "Topic Name \"t\""}, {"FF", "a byte past Remaining Length"}}, T::publish,
        {{C::packet_length_mismatch, "MQTT-§2.2.3", 5}}, Framing::trailing},

    // ---------------------------------------------------------------- PUBACK, PUBREC, PUBREL, PUBCOMP
    {"puback/valid", {
        {"40", "PUBACK"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1"}}, T::puback, {}},
    {"puback/flags not zero", {
        {"41", "PUBACK with flags 0001"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier"}}, T::puback,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"puback/remaining length 3", {
        {"40", "PUBACK"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier"}, {"00", "extra"}}, T::puback,
        {{C::puback_length, "MQTT-§3.4.1", 1}}},
    {"puback/remaining length 0", {
        {"40", "PUBACK"}, {"00", "Remaining Length 0"}}, T::puback,
        {{C::puback_length, "MQTT-§3.4.1", 1}}},
    {"puback/Packet Identifier 0 (warning)", {
        {"40", "PUBACK"}, {"02", "Remaining Length 2"}, {"00 00", "Packet Identifier 0"}}, T::puback,
        {{C::ack_packet_id_zero, "MQTT-§2.3.1", 2}}},
    {"pubrec/valid", {
        {"50", "PUBREC"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier 7"}}, T::pubrec, {}},
    {"pubrec/remaining length 1", {
        {"50", "PUBREC"}, {"01", "Remaining Length 1"}, {"00", "half a Packet Identifier"}}, T::pubrec,
        {{C::pubrec_length, "MQTT-§3.5.1", 1}}},
    {"pubrec/flags not zero", {
        {"52", "PUBREC with flags 0010"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier"}}, T::pubrec,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"pubrel/valid", {
        {"62", "PUBREL, flags 0010"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier 7"}}, T::pubrel, {}},
    {"pubrel/flags 0000", {
        {"60", "PUBREL with flags 0000"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier"}}, T::pubrel,
        {{C::pubrel_flags, "MQTT-3.6.1-1", 0}}},
    {"pubrel/flags 0000 on a 3.1 connection (warning)", {
        {"60", "PUBREL with flags 0000"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier"}}, T::pubrel,
        {{C::pubrel_flags, "MQTT-3.6.1-1", 0, Severity::warning}}, Framing::whole, {}, Version::v3_1},
    {"pubrel/3.1 retry: DUP, QoS 1 (warning)", {
        {"6A", "PUBREL with flags 1010"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier"}}, T::pubrel,
        {{C::pubrel_flags, "MQTT-3.6.1-1", 0, Severity::warning}}, Framing::whole, {}, Version::v3_1},
    {"pubrel/remaining length 3", {
        {"62", "PUBREL"}, {"03", "Remaining Length 3"}, {"00 07", "Packet Identifier"}, {"00", "extra"}}, T::pubrel,
        {{C::pubrel_length, "MQTT-§3.6.1", 1}}},
    {"pubcomp/valid", {
        {"70", "PUBCOMP"}, {"02", "Remaining Length 2"}, {"00 07", "Packet Identifier 7"}}, T::pubcomp, {}},
    {"pubcomp/remaining length 4", {
        {"70", "PUBCOMP"}, {"04", "Remaining Length 4"}, {"00 07", "Packet Identifier"}, {"00 00", "extra"}}, T::pubcomp,
        {{C::pubcomp_length, "MQTT-§3.7.1", 1}}},
    {"pubcomp/Remaining Length cut after a continuation byte (wolfMQTT #545)", {
        {"70", "PUBCOMP"}, {"80", "Remaining Length: continuation bit, then the input ends"}}, T::pubcomp,
        {{C::packet_truncated, "MQTT-§2.2.3", 2}}, Framing::truncated},

    // ---------------------------------------------------------------- SUBSCRIBE
    {"subscribe/two filters", {
        {"82", "SUBSCRIBE, flags 0010"}, {"0C", "Remaining Length 12"},
        {"00 0A", "Packet Identifier 10"},
        {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"01", "Requested QoS 1"},
        {"00 01 23", "Topic Filter \"#\""}, {"02", "Requested QoS 2"}}, T::subscribe, {}},
    {"subscribe/'+' levels", {
        {"82", "SUBSCRIBE"}, {"0A", "Remaining Length 10"},
        {"00 01", "Packet Identifier 1"},
        {"00 05 2B 2F 78 2F 2B", "Topic Filter \"+/x/+\""}, {"00", "Requested QoS 0"}}, T::subscribe, {}},
    {"subscribe/'/#' and '+/#'", {
        {"82", "SUBSCRIBE"}, {"0D", "Remaining Length 13"},
        {"00 01", "Packet Identifier 1"},
        {"00 02 2F 23", "Topic Filter \"/#\""}, {"00", "Requested QoS 0"},
        {"00 03 2B 2F 23", "Topic Filter \"+/#\""}, {"01", "Requested QoS 1"}}, T::subscribe, {}},
    {"subscribe/flags 0000", {
        {"80", "SUBSCRIBE with flags 0000"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::subscribe_flags, "MQTT-3.8.1-1", 0}}},
    {"subscribe/3.1 retry: DUP, QoS 1 (warning)", {
        {"8A", "SUBSCRIBE with flags 1010"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::subscribe_flags, "MQTT-3.8.1-1", 0, Severity::warning}}, Framing::whole, {}, Version::v3_1},
    {"subscribe/Packet Identifier 0", {
        {"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 00", "Packet Identifier 0"}, {"00 01 61", "Topic Filter \"a\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::packet_id_zero, "MQTT-2.3.1-1", 2}}},
    {"subscribe/no Packet Identifier", {
        {"82", "SUBSCRIBE"}, {"01", "Remaining Length 1"}, {"00", "half a Packet Identifier"}}, T::subscribe,
        {{C::packet_id_missing, "MQTT-§2.3.1", 2}}},
    {"subscribe/no filters", {
        {"82", "SUBSCRIBE"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier; no payload"}}, T::subscribe,
        {{C::subscribe_no_filters, "MQTT-3.8.3-3", 4}}},
    {"subscribe/Requested QoS 3", {
        {"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}, {"03", "Requested QoS 3"}}, T::subscribe,
        {{C::subscribe_qos_invalid, "MQTT-3-8.3-4", 7}}},
    {"subscribe/Requested QoS reserved bits", {
        {"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}, {"04", "Requested QoS byte 0x04"}}, T::subscribe,
        {{C::subscribe_qos_invalid, "MQTT-3-8.3-4", 7}}},
    {"subscribe/filter without its QoS byte", {
        {"82", "SUBSCRIBE"}, {"09", "Remaining Length 9"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}, {"00", "QoS 0"},
        {"00 01 62", "Topic Filter \"b\"; no QoS byte"}}, T::subscribe,
        {{C::subscribe_pair_truncated, "MQTT-§3.8.3", 11}}},
    {"subscribe/filter length past the packet", {
        {"82", "SUBSCRIBE"}, {"05", "Remaining Length 5"},
        {"00 01", "Packet Identifier"}, {"00 05 61", "Topic Filter length 5, one byte follows"}}, T::subscribe,
        {{C::string_truncated, "MQTT-§1.5.3", 4}}},
    {"subscribe/filter not UTF-8", {
        {"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 FF", "Topic Filter FF"}, {"00", "QoS 0"}}, T::subscribe,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 6}, {C::subscribe_filter_not_utf8, "MQTT-3.8.3-1", 4}}},
    {"subscribe/filter holds U+0000", {
        {"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 01 00", "Topic Filter U+0000"}, {"00", "QoS 0"}}, T::subscribe,
        {{C::utf8_null, "MQTT-1.5.3-2", 6}, {C::topic_null, "MQTT-4.7.3-2", 6},
         {C::subscribe_filter_not_utf8, "MQTT-3.8.3-1", 4}}},
    {"subscribe/empty filter", {
        {"82", "SUBSCRIBE"}, {"05", "Remaining Length 5"},
        {"00 01", "Packet Identifier"}, {"00 00", "Topic Filter \"\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::topic_empty, "MQTT-4.7.3-1", 4}}},
    {"subscribe/'#' inside a level", {
        {"82", "SUBSCRIBE"}, {"07", "Remaining Length 7"},
        {"00 01", "Packet Identifier"}, {"00 02 61 23", "Topic Filter \"a#\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::filter_hash_misplaced, "MQTT-4.7.1-2", 7}}},
    {"subscribe/'#' not last", {
        {"82", "SUBSCRIBE"}, {"08", "Remaining Length 8"},
        {"00 01", "Packet Identifier"}, {"00 03 23 2F 61", "Topic Filter \"#/a\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::filter_hash_misplaced, "MQTT-4.7.1-2", 6}}},
    {"subscribe/'+' inside a level", {
        {"82", "SUBSCRIBE"}, {"07", "Remaining Length 7"},
        {"00 01", "Packet Identifier"}, {"00 02 61 2B", "Topic Filter \"a+\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::filter_plus_misplaced, "MQTT-4.7.1-3", 7}}},
    {"subscribe/second pair broken, first kept", {
        {"82", "SUBSCRIBE"}, {"0B", "Remaining Length 11"},
        {"00 01", "Packet Identifier"},
        {"00 01 61", "Topic Filter \"a\""}, {"01", "QoS 1"},
        {"00 02 2B 2B", "Topic Filter \"++\""}, {"00", "QoS 0"}}, T::subscribe,
        {{C::filter_plus_misplaced, "MQTT-4.7.1-3", 10}, {C::filter_plus_misplaced, "MQTT-4.7.1-3", 11}}},

    // ---------------------------------------------------------------- SUBACK
    {"suback/granted and failure", {
        {"90", "SUBACK"}, {"05", "Remaining Length 5"},
        {"00 0A", "Packet Identifier 10"}, {"00 02 80", "return codes: QoS 0, QoS 2, failure"}}, T::suback, {}},
    {"suback/no return code (CVE-2024-10525)", {
        {"90", "SUBACK"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier; no return code"}}, T::suback,
        {{C::suback_no_return_codes, "MQTT-§3.9.3", 4}}},
    {"suback/return code 3", {
        {"90", "SUBACK"}, {"04", "Remaining Length 4"},
        {"00 01", "Packet Identifier"}, {"01 03", "return codes: QoS 1, then 3 (reserved)"}}, T::suback,
        {{C::suback_return_code_invalid, "MQTT-3.9.3-2", 5}}},
    {"suback/flags not zero", {
        {"92", "SUBACK with flags 0010"}, {"03", "Remaining Length 3"},
        {"00 01", "Packet Identifier"}, {"00", "return code"}}, T::suback,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"suback/no Packet Identifier", {
        {"90", "SUBACK"}, {"00", "Remaining Length 0"}}, T::suback,
        {{C::packet_id_missing, "MQTT-§2.3.1", 2}}},

    // ---------------------------------------------------------------- UNSUBSCRIBE, UNSUBACK
    {"unsubscribe/two filters", {
        {"A2", "UNSUBSCRIBE, flags 0010"}, {"0A", "Remaining Length 10"},
        {"00 0B", "Packet Identifier 11"},
        {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"00 01 23", "Topic Filter \"#\""}}, T::unsubscribe, {}},
    {"unsubscribe/flags 0000", {
        {"A0", "UNSUBSCRIBE with flags 0000"}, {"05", "Remaining Length 5"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""}}, T::unsubscribe,
        {{C::unsubscribe_flags, "MQTT-3.10.1-1", 0}}},
    {"unsubscribe/Packet Identifier 0", {
        {"A2", "UNSUBSCRIBE"}, {"05", "Remaining Length 5"},
        {"00 00", "Packet Identifier 0"}, {"00 01 61", "Topic Filter \"a\""}}, T::unsubscribe,
        {{C::packet_id_zero, "MQTT-2.3.1-1", 2}}},
    {"unsubscribe/no filters", {
        {"A2", "UNSUBSCRIBE"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier; no payload"}}, T::unsubscribe,
        {{C::unsubscribe_no_filters, "MQTT-3.10.3-2", 4}}},
    {"unsubscribe/filter not UTF-8", {
        {"A2", "UNSUBSCRIBE"}, {"05", "Remaining Length 5"},
        {"00 01", "Packet Identifier"}, {"00 01 FF", "Topic Filter FF"}}, T::unsubscribe,
        {{C::utf8_malformed, "MQTT-1.5.3-1", 6}, {C::unsubscribe_filter_not_utf8, "MQTT-3.10.3-1", 4}}},
    {"unsubscribe/'+' inside a level", {
        {"A2", "UNSUBSCRIBE"}, {"06", "Remaining Length 6"},
        {"00 01", "Packet Identifier"}, {"00 02 2B 61", "Topic Filter \"+a\""}}, T::unsubscribe,
        {{C::filter_plus_misplaced, "MQTT-4.7.1-3", 6}}},
    {"unsubscribe/filter length past the packet", {
        {"A2", "UNSUBSCRIBE"}, {"05", "Remaining Length 5"},
        {"00 01", "Packet Identifier"}, {"00 05 61", "Topic Filter length 5, one byte follows"}}, T::unsubscribe,
        {{C::string_truncated, "MQTT-§1.5.3", 4}}},
    {"unsubscribe/second filter truncated, first kept", {
        {"A2", "UNSUBSCRIBE"}, {"08", "Remaining Length 8"},
        {"00 01", "Packet Identifier"}, {"00 01 61", "Topic Filter \"a\""},
        {"00 05 62", "Topic Filter length 5, one byte follows"}}, T::unsubscribe,
        {{C::string_truncated, "MQTT-§1.5.3", 7}}},
    {"unsuback/valid", {
        {"B0", "UNSUBACK"}, {"02", "Remaining Length 2"}, {"00 0B", "Packet Identifier 11"}}, T::unsuback, {}},
    {"unsuback/remaining length 3", {
        {"B0", "UNSUBACK"}, {"03", "Remaining Length 3"}, {"00 0B", "Packet Identifier"}, {"00", "extra"}}, T::unsuback,
        {{C::unsuback_length, "MQTT-§3.11.1", 1}}},
    {"unsuback/flags not zero", {
        {"B1", "UNSUBACK with flags 0001"}, {"02", "Remaining Length 2"}, {"00 0B", "Packet Identifier"}}, T::unsuback,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},

    // ---------------------------------------------------------------- PINGREQ, PINGRESP, DISCONNECT
    {"pingreq/valid", {{"C0", "PINGREQ"}, {"00", "Remaining Length 0"}}, T::pingreq, {}},
    {"pingreq/remaining length 1", {
        {"C0", "PINGREQ"}, {"01", "Remaining Length 1"}, {"00", "extra"}}, T::pingreq,
        {{C::pingreq_length, "MQTT-§3.12.1", 1}}},
    {"pingreq/flags not zero", {{"C8", "PINGREQ with flags 1000"}, {"00", "Remaining Length 0"}}, T::pingreq,
        {{C::invalid_fixed_header_flags, "MQTT-2.2.2-1", 0}}},
    {"pingresp/valid", {{"D0", "PINGRESP"}, {"00", "Remaining Length 0"}}, T::pingresp, {}},
    {"pingresp/remaining length 1", {
        {"D0", "PINGRESP"}, {"01", "Remaining Length 1"}, {"00", "extra"}}, T::pingresp,
        {{C::pingresp_length, "MQTT-§3.13.1", 1}}},
    {"disconnect/valid", {{"E0", "DISCONNECT"}, {"00", "Remaining Length 0"}}, T::disconnect, {}},
    {"disconnect/reserved bits", {{"E1", "DISCONNECT with flags 0001"}, {"00", "Remaining Length 0"}}, T::disconnect,
        {{C::disconnect_flags, "MQTT-3.14.1-1", 0}}},
    {"disconnect/MQTT 5.0 reason code (mqtt-packet #107)", {
        {"E0", "DISCONNECT"}, {"02", "Remaining Length 2"}, {"00 20", "5.0 reason code and a cut property"}}, T::disconnect,
        {{C::disconnect_length, "MQTT-§3.14.1", 1}}},

    // ---------------------------------------------------------------- reserved types
    {"reserved/type 0", {{"00", "type 0"}, {"00", "Remaining Length 0"}}, T::reserved0,
        {{C::reserved_packet_type, "MQTT-§2.2.1", 0}}},
    {"reserved/type 15 with a body", {
        {"F0", "type 15"}, {"02", "Remaining Length 2"}, {"01 02", "body, kept as opaque bytes"}}, T::reserved15,
        {{C::reserved_packet_type, "MQTT-§2.2.1", 0}}},

    // ---------------------------------------------------------------- MQTT 5.0 (decode() given Version::v5_0)
    // Generated once from an annotated list, then kept here as the spec: each vector breaks one rule
    // of shared/mqtt-5.0-rules.md (or none), at the offset given.
    {"connect5/minimal", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Connect Flags: Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {}, Framing::whole, {}, Version::v5_0},
    {"connect5/all fields", {{"10", "CONNECT"}, {"27", "Remaining Length 39"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"EE", "Connect Flags: User Name, Password, Will Retain, Will QoS 1, Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"05 11 00 00 00 1E", "Properties: Session Expiry Interval 30"}, {"00 02 63 31", "Client Identifier \"c1\""}, {"02 01 01", "Will Properties: Payload Format Indicator 1"}, {"00 03 77 2F 74", "Will Topic \"w/t\""}, {"00 03 62 79 65", "Will Payload \"bye\""}, {"00 01 75", "User Name \"u\""}, {"00 01 70", "Password \"p\""}}, T::connect,
        {}, Framing::whole, {}, Version::v5_0},
    {"connect5/password without user name", {{"10", "CONNECT"}, {"10", "Remaining Length 16"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"42", "Connect Flags: Password, Clean Start: allowed in 5.0"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00 01 70", "Password \"p\""}}, T::connect,
        {}, Framing::whole, {}, Version::v5_0},
    {"connect5/empty client id without clean start", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"00", "Connect Flags: none (the server may assign an identifier)"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {}, Framing::whole, {}, Version::v5_0},
    {"connect5/property not allowed", {{"10", "CONNECT"}, {"12", "Remaining Length 18"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"05 18 00 00 00 05", "Properties: Will Delay Interval, a Will property"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::property_not_allowed, "MQTT5-§2.2.2.2", 13}}, Framing::whole, {}, Version::v5_0},
    {"connect5/property repeated", {{"10", "CONNECT"}, {"13", "Remaining Length 19"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"06 21 00 0A 21 00 0B", "Properties: Receive Maximum twice"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_property_repeated, "MQTT5-§3.1.2.11", 16}}, Framing::whole, {}, Version::v5_0},
    {"connect5/receive maximum 0", {{"10", "CONNECT"}, {"10", "Remaining Length 16"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"03 21 00 00", "Properties: Receive Maximum 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_receive_maximum_zero, "MQTT5-§3.1.2.11.3", 14}}, Framing::whole, {}, Version::v5_0},
    {"connect5/maximum packet size 0", {{"10", "CONNECT"}, {"12", "Remaining Length 18"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"05 27 00 00 00 00", "Properties: Maximum Packet Size 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_maximum_packet_size_zero, "MQTT5-§3.1.2.11.4", 14}}, Framing::whole, {}, Version::v5_0},
    {"connect5/request response information 2", {{"10", "CONNECT"}, {"0F", "Remaining Length 15"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"02 19 02", "Properties: Request Response Information 2"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::request_response_information_invalid, "MQTT5-§3.1.2.11.6", 14}}, Framing::whole, {}, Version::v5_0},
    {"connect5/request problem information 2", {{"10", "CONNECT"}, {"0F", "Remaining Length 15"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"02 17 02", "Properties: Request Problem Information 2"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::request_problem_information_invalid, "MQTT5-§3.1.2.11.7", 14}}, Framing::whole, {}, Version::v5_0},
    {"connect5/authentication data without method", {{"10", "CONNECT"}, {"11", "Remaining Length 17"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"04 16 00 01 AA", "Properties: Authentication Data, no Method"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::authentication_data_without_method, "MQTT5-§3.1.2.11.10", 12}}, Framing::whole, {}, Version::v5_0},
    {"connect5/unknown property", {{"10", "CONNECT"}, {"0E", "Remaining Length 14"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"01 00", "Properties: identifier 0x00, which 5.0 does not define"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::property_unknown, "MQTT5-§2.2.2.2", 13}}, Framing::whole, {}, Version::v5_0},
    {"connect5/property length not minimal", {{"10", "CONNECT"}, {"0E", "Remaining Length 14"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"80 00", "Property Length 0 in two bytes"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::property_varint_non_minimal, "MQTT-1.5.5-1", 12}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will property repeated", {{"10", "CONNECT"}, {"17", "Remaining Length 23"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"06", "Connect Flags: Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"04 01 00 01 00", "Will Properties: Payload Format Indicator twice"}, {"00 01 74", "Will Topic \"t\""}, {"00 00", "Will Payload, empty"}}, T::connect,
        {{C::will_property_repeated, "MQTT5-§3.1.3.2", 18}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will payload not UTF-8", {{"10", "CONNECT"}, {"16", "Remaining Length 22"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"06", "Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"02 01 01", "Will Properties: Payload Format Indicator 1 (UTF-8)"}, {"00 01 74", "Will Topic \"t\""}, {"00 01 FF", "Will Payload: byte FF, not UTF-8"}}, T::connect,
        {{C::will_payload_format_invalid, "MQTT5-§3.1.3.2.3", 21}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will properties missing", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"06", "Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::property_length_missing, "MQTT-2.2.2-1", 15}, {C::will_fields_missing, "MQTT-3.1.2-9", 15}}, Framing::whole, {}, Version::v5_0},
    {"connect5/property length missing", {{"10", "CONNECT"}, {"0A", "Remaining Length 10"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60, then nothing"}}, T::connect,
        {{C::property_length_missing, "MQTT-2.2.2-1", 12}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will QoS 3", {{"10", "CONNECT"}, {"13", "Remaining Length 19"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"1E", "Will, Will QoS 3, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00", "Will Properties: none"}, {"00 01 74", "Will Topic"}, {"00 00", "Will Payload"}}, T::connect,
        {{C::will_qos_invalid, "MQTT-3.1.2-12", 9}}, Framing::whole, {}, Version::v5_0},
    {"connack5/success", {{"20", "CONNACK"}, {"03", "Remaining Length 3"}, {"00", "Acknowledge Flags"}, {"00", "Reason Code 0x00 Success"}, {"00", "Property Length 0"}}, T::connack,
        {}, Framing::whole, {}, Version::v5_0},
    {"connack5/with properties", {{"20", "CONNACK"}, {"0B", "Remaining Length 11"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"08 21 00 0A 22 00 05 24 01", "Properties: Receive Maximum 10, Topic Alias Maximum 5, Maximum QoS 1"}}, T::connack,
        {}, Framing::whole, {}, Version::v5_0},
    {"connack5/refused not authorized", {{"20", "CONNACK"}, {"03", "Remaining Length 3"}, {"00", "Acknowledge Flags"}, {"87", "Reason Code 0x87 Not authorized"}, {"00", "Property Length 0"}}, T::connack,
        {}, Framing::whole, {}, Version::v5_0},
    {"connack5/reason code not in table 3-1", {{"20", "CONNACK"}, {"03", "Remaining Length 3"}, {"00", "Acknowledge Flags"}, {"03", "Reason Code 0x03"}, {"00", "Property Length 0"}}, T::connack,
        {{C::connack_reason_code_invalid, "MQTT-3.2.2-8", 3}}, Framing::whole, {}, Version::v5_0},
    {"connack5/session present with a refusal", {{"20", "CONNACK"}, {"03", "Remaining Length 3"}, {"01", "Session Present"}, {"87", "Not authorized"}, {"00", "Property Length 0"}}, T::connack,
        {{C::connack_session_present_error, "MQTT-3.2.2-6", 2}}, Framing::whole, {}, Version::v5_0},
    {"connack5/reserved acknowledge flags", {{"20", "CONNACK"}, {"03", "Remaining Length 3"}, {"02", "Acknowledge Flags: bit 1"}, {"00", "Success"}, {"00", "Property Length 0"}}, T::connack,
        {{C::connack_reserved_flags, "MQTT-3.2.2-1", 2}}, Framing::whole, {}, Version::v5_0},
    {"connack5/no property length", {{"20", "CONNACK"}, {"02", "Remaining Length 2"}, {"00", "Acknowledge Flags"}, {"00", "Success, then nothing"}}, T::connack,
        {{C::property_length_missing, "MQTT-2.2.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"connack5/remaining length 1", {{"20", "CONNACK"}, {"01", "Remaining Length 1"}, {"00", "Acknowledge Flags only"}}, T::connack,
        {{C::connack_length, "MQTT5-§2.1.4", 1}}, Framing::whole, {}, Version::v5_0},
    {"connack5/bytes after the properties", {{"20", "CONNACK"}, {"04", "Remaining Length 4"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"00", "Property Length 0"}, {"FF", "one byte too many"}}, T::connack,
        {{C::fields_end_early, "MQTT5-§2.1.4", 5}}, Framing::whole, {}, Version::v5_0},
    {"connack5/receive maximum 0", {{"20", "CONNACK"}, {"06", "Remaining Length 6"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"03 21 00 00", "Properties: Receive Maximum 0"}}, T::connack,
        {{C::connack_receive_maximum_zero, "MQTT5-§3.2.2.3.3", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/maximum packet size 0", {{"20", "CONNACK"}, {"08", "Remaining Length 8"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"05 27 00 00 00 00", "Properties: Maximum Packet Size 0"}}, T::connack,
        {{C::connack_maximum_packet_size_zero, "MQTT5-§3.2.2.3.6", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/maximum QoS 2", {{"20", "CONNACK"}, {"05", "Remaining Length 5"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"02 24 02", "Properties: Maximum QoS 2"}}, T::connack,
        {{C::maximum_qos_invalid, "MQTT5-§3.2.2.3.4", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/retain available 2", {{"20", "CONNACK"}, {"05", "Remaining Length 5"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"02 25 02", "Properties: Retain Available 2"}}, T::connack,
        {{C::retain_available_invalid, "MQTT5-§3.2.2.3.5", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/wildcard subscription available 2", {{"20", "CONNACK"}, {"05", "Remaining Length 5"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"02 28 02", "Properties: Wildcard Subscription Available 2"}}, T::connack,
        {{C::wildcard_subscription_available_invalid, "MQTT5-§3.2.2.3.11", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/subscription identifiers available 2", {{"20", "CONNACK"}, {"05", "Remaining Length 5"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"02 29 02", "Properties: Subscription Identifiers Available 2"}}, T::connack,
        {{C::subscription_identifier_available_invalid, "MQTT5-§3.2.2.3.12", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/shared subscription available 2", {{"20", "CONNACK"}, {"05", "Remaining Length 5"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"02 2A 02", "Properties: Shared Subscription Available 2"}}, T::connack,
        {{C::shared_subscription_available_invalid, "MQTT5-§3.2.2.3.13", 6}}, Framing::whole, {}, Version::v5_0},
    {"connack5/property repeated", {{"20", "CONNACK"}, {"09", "Remaining Length 9"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"06 21 00 01 21 00 02", "Properties: Receive Maximum twice"}}, T::connack,
        {{C::connack_property_repeated, "MQTT5-§3.2.2.3", 8}}, Framing::whole, {}, Version::v5_0},
    {"publish5/QoS 0", {{"30", "PUBLISH QoS 0"}, {"08", "Remaining Length 8"}, {"00 03 61 2F 62", "Topic Name \"a/b\""}, {"00", "Property Length 0"}, {"68 69", "Payload \"hi\""}}, T::publish,
        {}, Framing::whole, {}, Version::v5_0},
    {"publish5/QoS 1 with properties", {{"32", "PUBLISH QoS 1"}, {"11", "Remaining Length 17"}, {"00 01 61", "Topic Name \"a\""}, {"00 0A", "Packet Identifier 10"}, {"09 01 01 03 00 04 74 65 78 74", "Properties: Payload Format Indicator 1, Content Type \"text\""}, {"68 69", "Payload \"hi\""}}, T::publish,
        {}, Framing::whole, {}, Version::v5_0},
    {"publish5/topic alias with an empty topic", {{"30", "PUBLISH"}, {"06", "Remaining Length 6"}, {"00 00", "Topic Name \"\""}, {"03 23 00 01", "Properties: Topic Alias 1"}}, T::publish,
        {}, Framing::whole, {}, Version::v5_0},
    {"publish5/subscription identifiers repeated", {{"30", "PUBLISH"}, {"08", "Remaining Length 8"}, {"00 01 61", "Topic Name \"a\""}, {"04 0B 01 0B 02", "Properties: Subscription Identifier 1 and 2 (may repeat in PUBLISH)"}}, T::publish,
        {}, Framing::whole, {}, Version::v5_0},
    {"publish5/empty topic without alias", {{"30", "PUBLISH"}, {"03", "Remaining Length 3"}, {"00 00", "Topic Name \"\""}, {"00", "Property Length 0"}}, T::publish,
        {{C::publish_topic_empty_without_alias, "MQTT5-§3.3.2.1", 2}}, Framing::whole, {}, Version::v5_0},
    {"publish5/topic alias 0", {{"30", "PUBLISH"}, {"07", "Remaining Length 7"}, {"00 01 61", "Topic Name \"a\""}, {"03 23 00 00", "Properties: Topic Alias 0"}}, T::publish,
        {{C::topic_alias_zero, "MQTT-3.3.2-8", 7}}, Framing::whole, {}, Version::v5_0},
    {"publish5/subscription identifier 0", {{"30", "PUBLISH"}, {"06", "Remaining Length 6"}, {"00 01 61", "Topic Name \"a\""}, {"02 0B 00", "Properties: Subscription Identifier 0"}}, T::publish,
        {{C::publish_subscription_identifier_zero, "MQTT5-§3.3.2.3.8", 7}}, Framing::whole, {}, Version::v5_0},
    {"publish5/payload not UTF-8", {{"30", "PUBLISH"}, {"07", "Remaining Length 7"}, {"00 01 61", "Topic Name \"a\""}, {"02 01 01", "Properties: Payload Format Indicator 1"}, {"FF", "Payload: byte FF"}}, T::publish,
        {{C::publish_payload_format_invalid, "MQTT5-§3.3.2.3.2", 8}}, Framing::whole, {}, Version::v5_0},
    {"publish5/payload format indicator 2", {{"30", "PUBLISH"}, {"06", "Remaining Length 6"}, {"00 01 61", "Topic Name \"a\""}, {"02 01 02", "Properties: Payload Format Indicator 2"}}, T::publish,
        {{C::publish_payload_format_invalid, "MQTT5-§3.3.2.3.2", 7}}, Framing::whole, {}, Version::v5_0},
    {"publish5/response topic with a wildcard", {{"30", "PUBLISH"}, {"09", "Remaining Length 9"}, {"00 01 61", "Topic Name \"a\""}, {"05 08 00 02 61 23", "Properties: Response Topic \"a#\""}}, T::publish,
        {{C::response_topic_wildcard, "MQTT-3.3.2-14", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/response topic not UTF-8", {{"30", "PUBLISH"}, {"09", "Remaining Length 9"}, {"00 01 61", "Topic Name \"a\""}, {"05 08 00 02 61 FF", "Properties: Response Topic \"a\\xFF\""}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 10}, {C::response_topic_not_utf8, "MQTT-3.3.2-13", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/content type not UTF-8", {{"30", "PUBLISH"}, {"08", "Remaining Length 8"}, {"00 01 61", "Topic Name \"a\""}, {"04 03 00 01 FF", "Properties: Content Type \"\\xFF\""}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 9}, {C::content_type_not_utf8, "MQTT-3.3.2-19", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/property repeated", {{"30", "PUBLISH"}, {"0A", "Remaining Length 10"}, {"00 01 61", "Topic Name \"a\""}, {"06 23 00 01 23 00 02", "Properties: Topic Alias twice"}}, T::publish,
        {{C::publish_property_repeated, "MQTT5-§3.3.2.3", 9}}, Framing::whole, {}, Version::v5_0},
    {"publish5/property not allowed", {{"30", "PUBLISH"}, {"09", "Remaining Length 9"}, {"00 01 61", "Topic Name \"a\""}, {"05 11 00 00 00 01", "Properties: Session Expiry Interval"}}, T::publish,
        {{C::property_not_allowed, "MQTT5-§2.2.2.2", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/packet identifier 0", {{"32", "PUBLISH QoS 1"}, {"06", "Remaining Length 6"}, {"00 01 61", "Topic Name \"a\""}, {"00 00", "Packet Identifier 0"}, {"00", "Property Length 0"}}, T::publish,
        {{C::packet_id_zero, "MQTT-2.2.1-3", 5}}, Framing::whole, {}, Version::v5_0},
    {"publish5/remaining length not minimal", {{"30", "PUBLISH"}, {"86 00", "Remaining Length 6 in two bytes: an error in 5.0"}, {"00 01 61", "Topic Name \"a\""}, {"00", "Property Length 0"}, {"68 69", "Payload"}}, T::publish,
        {{C::remaining_length_non_minimal, "MQTT-1.5.5-1", 1, Severity::error}}, Framing::whole, {}, Version::v5_0},
    {"publish5/no property length", {{"30", "PUBLISH"}, {"03", "Remaining Length 3"}, {"00 01 61", "Topic Name \"a\""}}, T::publish,
        {{C::property_length_missing, "MQTT-2.2.2-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"publish5/binary property cut short", {{"30", "PUBLISH"}, {"07", "Remaining Length 7"}, {"00 01 61", "Topic Name \"a\""}, {"03 09 00 05", "Properties: Correlation Data of 5 bytes, none there"}}, T::publish,
        {{C::property_truncated, "MQTT5-§2.2.2.1", 6}, {C::binary_truncated, "MQTT5-§1.5.6", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/subscription identifier not minimal", {{"30", "PUBLISH"}, {"07", "Remaining Length 7"}, {"00 01 61", "Topic Name \"a\""}, {"03 0B 81 00", "Properties: Subscription Identifier 1 in two bytes"}}, T::publish,
        {{C::property_varint_non_minimal, "MQTT-1.5.5-1", 7}}, Framing::whole, {}, Version::v5_0},
    {"publish5/subscription identifier of 5 bytes", {{"30", "PUBLISH"}, {"09", "Remaining Length 9"}, {"00 01 61", "Topic Name \"a\""}, {"05 0B 80 80 80 80", "Properties: Subscription Identifier with a 4th continuation bit"}}, T::publish,
        {{C::property_varint_malformed, "MQTT5-§1.5.5", 7}}, Framing::whole, {}, Version::v5_0},
    {"puback5/short form", {{"40", "PUBACK"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1 (Reason Code 0x00, no properties)"}}, T::puback,
        {}, Framing::whole, {}, Version::v5_0},
    {"puback5/reason code only", {{"40", "PUBACK"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"10", "Reason Code 0x10 No matching subscribers"}}, T::puback,
        {}, Framing::whole, {}, Version::v5_0},
    {"puback5/reason code and properties", {{"40", "PUBACK"}, {"0A", "Remaining Length 10"}, {"00 01", "Packet Identifier 1"}, {"80", "Reason Code 0x80 Unspecified error"}, {"06 1F 00 03 62 61 64", "Properties: Reason String \"bad\""}}, T::puback,
        {}, Framing::whole, {}, Version::v5_0},
    {"pubrel5/short form", {{"62", "PUBREL"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1"}}, T::pubrel,
        {}, Framing::whole, {}, Version::v5_0},
    {"pubcomp5/packet identifier not found", {{"70", "PUBCOMP"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"92", "Reason Code 0x92 Packet Identifier not found"}}, T::pubcomp,
        {}, Framing::whole, {}, Version::v5_0},
    {"puback5/remaining length 1", {{"40", "PUBACK"}, {"01", "Remaining Length 1"}, {"00", "half a Packet Identifier"}}, T::puback,
        {{C::puback_length, "MQTT5-§2.1.4", 1}}, Framing::whole, {}, Version::v5_0},
    {"puback5/property not allowed", {{"40", "PUBACK"}, {"09", "Remaining Length 9"}, {"00 01", "Packet Identifier 1"}, {"00", "Success"}, {"05 11 00 00 00 01", "Properties: Session Expiry Interval"}}, T::puback,
        {{C::property_not_allowed, "MQTT5-§2.2.2.2", 6}}, Framing::whole, {}, Version::v5_0},
    {"puback5/reason code not in its table", {{"40", "PUBACK"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"92", "Reason Code 0x92"}}, T::puback,
        {{C::puback_reason_code_invalid, "MQTT-3.4.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"pubrec5/reason code not in its table", {{"50", "PUBREC"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"92", "Reason Code 0x92"}}, T::pubrec,
        {{C::pubrec_reason_code_invalid, "MQTT-3.5.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"pubrel5/reason code not in its table", {{"62", "PUBREL"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"10", "Reason Code 0x10"}}, T::pubrel,
        {{C::pubrel_reason_code_invalid, "MQTT-3.6.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"pubcomp5/reason code not in its table", {{"70", "PUBCOMP"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"10", "Reason Code 0x10"}}, T::pubcomp,
        {{C::pubcomp_reason_code_invalid, "MQTT-3.7.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"puback5/property repeated", {{"40", "PUBACK"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"00", "Success"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}}, T::puback,
        {{C::puback_property_repeated, "MQTT5-§3.4.2.2", 10}}, Framing::whole, {}, Version::v5_0},
    {"pubrec5/property repeated", {{"50", "PUBREC"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"00", "Success"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}}, T::pubrec,
        {{C::pubrec_property_repeated, "MQTT5-§3.5.2.2", 10}}, Framing::whole, {}, Version::v5_0},
    {"pubrel5/property repeated", {{"62", "PUBREL"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"00", "Success"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}}, T::pubrel,
        {{C::pubrel_property_repeated, "MQTT5-§3.6.2.2", 10}}, Framing::whole, {}, Version::v5_0},
    {"pubcomp5/property repeated", {{"70", "PUBCOMP"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"00", "Success"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}}, T::pubcomp,
        {{C::pubcomp_property_repeated, "MQTT5-§3.7.2.2", 10}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/options", {{"82", "SUBSCRIBE"}, {"0B", "Remaining Length 11"}, {"00 01", "Packet Identifier 1"}, {"02 0B 01", "Properties: Subscription Identifier 1"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"2D", "Subscription Options: QoS 1, No Local, Retain As Published, Retain Handling 2"}}, T::subscribe,
        {}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/options reserved bits", {{"82", "SUBSCRIBE"}, {"09", "Remaining Length 9"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"C1", "Subscription Options: bits 7..6 set"}}, T::subscribe,
        {{C::subscribe_options_reserved, "MQTT-3.8.3-5", 10}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/QoS 3", {{"82", "SUBSCRIBE"}, {"09", "Remaining Length 9"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"03", "Subscription Options: QoS 3"}}, T::subscribe,
        {{C::subscribe_options_invalid, "MQTT5-§3.8.3.1", 10}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/retain handling 3", {{"82", "SUBSCRIBE"}, {"09", "Remaining Length 9"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"30", "Subscription Options: Retain Handling 3"}}, T::subscribe,
        {{C::subscribe_options_invalid, "MQTT5-§3.8.3.1", 10}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/no local on a shared subscription", {{"82", "SUBSCRIBE"}, {"10", "Remaining Length 16"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 0A 24 73 68 61 72 65 2F 67 2F 61", "Topic Filter \"$share/g/a\""}, {"04", "Subscription Options: No Local"}}, T::subscribe,
        {{C::subscribe_no_local_shared, "MQTT-3.8.3-4", 17}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/empty share name", {{"82", "SUBSCRIBE"}, {"0F", "Remaining Length 15"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 09 24 73 68 61 72 65 2F 2F 61", "Topic Filter \"$share//a\""}, {"00", "Subscription Options"}}, T::subscribe,
        {{C::share_name_empty, "MQTT-4.8.2-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/share name with a wildcard", {{"82", "SUBSCRIBE"}, {"11", "Remaining Length 17"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 0B 24 73 68 61 72 65 2F 67 2B 2F 61", "Topic Filter \"$share/g+/a\""}, {"00", "Subscription Options"}}, T::subscribe,
        {{C::filter_plus_misplaced, "MQTT-4.7.1-2", 15}, {C::share_name_invalid, "MQTT-4.8.2-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/share name without a filter", {{"82", "SUBSCRIBE"}, {"0E", "Remaining Length 14"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 08 24 73 68 61 72 65 2F 67", "Topic Filter \"$share/g\""}, {"00", "Subscription Options"}}, T::subscribe,
        {{C::share_name_invalid, "MQTT-4.8.2-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/subscription identifier twice", {{"82", "SUBSCRIBE"}, {"0D", "Remaining Length 13"}, {"00 01", "Packet Identifier 1"}, {"04 0B 01 0B 02", "Properties: Subscription Identifier 1 and 2"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"00", "Options"}}, T::subscribe,
        {{C::subscribe_subscription_identifier_invalid, "MQTT5-§3.8.2.1.2", 7}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/subscription identifier 0", {{"82", "SUBSCRIBE"}, {"0B", "Remaining Length 11"}, {"00 01", "Packet Identifier 1"}, {"02 0B 00", "Properties: Subscription Identifier 0"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"00", "Options"}}, T::subscribe,
        {{C::subscribe_subscription_identifier_invalid, "MQTT5-§3.8.2.1.2", 6}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/no topic filter", {{"82", "SUBSCRIBE"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0, then nothing"}}, T::subscribe,
        {{C::subscribe_no_filters, "MQTT-3.8.3-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"suback5/granted and refused", {{"90", "SUBACK"}, {"05", "Remaining Length 5"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"01 80", "Reason Codes: Granted QoS 1, Unspecified error"}}, T::suback,
        {}, Framing::whole, {}, Version::v5_0},
    {"suback5/reason code not in table 3-8", {{"90", "SUBACK"}, {"04", "Remaining Length 4"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"03", "Reason Code 0x03"}}, T::suback,
        {{C::suback_reason_code_invalid, "MQTT-3.9.3-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"suback5/no reason code", {{"90", "SUBACK"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0, then nothing"}}, T::suback,
        {{C::suback_no_return_codes, "MQTT-3.8.4-6", 5}}, Framing::whole, {}, Version::v5_0},
    {"suback5/property repeated", {{"90", "SUBACK"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}, {"00", "Granted QoS 0"}}, T::suback,
        {{C::suback_property_repeated, "MQTT5-§3.9.2.1", 9}}, Framing::whole, {}, Version::v5_0},
    {"suback5/no property length", {{"90", "SUBACK"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1"}}, T::suback,
        {{C::property_length_missing, "MQTT-2.2.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"unsubscribe5/one filter", {{"A2", "UNSUBSCRIBE"}, {"06", "Remaining Length 6"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 01 61", "Topic Filter \"a\""}}, T::unsubscribe,
        {}, Framing::whole, {}, Version::v5_0},
    {"unsubscribe5/no topic filter", {{"A2", "UNSUBSCRIBE"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0, then nothing"}}, T::unsubscribe,
        {{C::unsubscribe_no_filters, "MQTT-3.10.3-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"unsubscribe5/empty share name", {{"A2", "UNSUBSCRIBE"}, {"0E", "Remaining Length 14"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 09 24 73 68 61 72 65 2F 2F 61", "Topic Filter \"$share//a\""}}, T::unsubscribe,
        {{C::share_name_empty, "MQTT-4.8.2-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"unsuback5/success and no subscription", {{"B0", "UNSUBACK"}, {"05", "Remaining Length 5"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 11", "Reason Codes: Success, No subscription existed"}}, T::unsuback,
        {}, Framing::whole, {}, Version::v5_0},
    {"unsuback5/reason code not in table 3-9", {{"B0", "UNSUBACK"}, {"04", "Remaining Length 4"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"01", "Reason Code 0x01"}}, T::unsuback,
        {{C::unsuback_reason_code_invalid, "MQTT-3.11.3-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"unsuback5/no reason code", {{"B0", "UNSUBACK"}, {"03", "Remaining Length 3"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0, then nothing"}}, T::unsuback,
        {{C::unsuback_no_reason_codes, "MQTT-3.11.3-2", 5}}, Framing::whole, {}, Version::v5_0},
    {"unsuback5/property repeated", {{"B0", "UNSUBACK"}, {"0C", "Remaining Length 12"}, {"00 01", "Packet Identifier 1"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}, {"00", "Success"}}, T::unsuback,
        {{C::unsuback_property_repeated, "MQTT5-§3.11.2.1", 9}}, Framing::whole, {}, Version::v5_0},
    {"unsuback5/3.1.1 form", {{"B0", "UNSUBACK"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1"}}, T::unsuback,
        {{C::property_length_missing, "MQTT-2.2.2-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"pingreq5/valid", {{"C0", "PINGREQ"}, {"00", "Remaining Length 0"}}, T::pingreq,
        {}, Framing::whole, {}, Version::v5_0},
    {"pingreq5/remaining length 1", {{"C0", "PINGREQ"}, {"01", "Remaining Length 1"}, {"00", "one byte"}}, T::pingreq,
        {{C::pingreq_length, "MQTT5-§2.1.4", 1}}, Framing::whole, {}, Version::v5_0},
    {"pingresp5/valid", {{"D0", "PINGRESP"}, {"00", "Remaining Length 0"}}, T::pingresp,
        {}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/short form", {{"E0", "DISCONNECT"}, {"00", "Remaining Length 0"}}, T::disconnect,
        {}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/reason code only", {{"E0", "DISCONNECT"}, {"01", "Remaining Length 1"}, {"04", "Reason Code 0x04 Disconnect with Will Message"}}, T::disconnect,
        {}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/reason code and properties", {{"E0", "DISCONNECT"}, {"07", "Remaining Length 7"}, {"8E", "Reason Code 0x8E Session taken over"}, {"05 11 00 00 00 00", "Properties: Session Expiry Interval 0"}}, T::disconnect,
        {}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/reason code not in table 3-10", {{"E0", "DISCONNECT"}, {"01", "Remaining Length 1"}, {"8C", "Reason Code 0x8C Bad authentication method (Table 3-10 lacks it)"}}, T::disconnect,
        {{C::disconnect_reason_code_invalid, "MQTT-3.14.2-1", 2}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/property repeated", {{"E0", "DISCONNECT"}, {"0A", "Remaining Length 10"}, {"00", "Normal disconnection"}, {"08 1F 00 01 61 1F 00 01 62", "Properties: Reason String twice"}}, T::disconnect,
        {{C::disconnect_property_repeated, "MQTT5-§3.14.2.2", 8}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/reserved flags", {{"E1", "DISCONNECT with flags 0001"}, {"00", "Remaining Length 0"}}, T::disconnect,
        {{C::disconnect_flags, "MQTT-3.14.1-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/property length past the packet (mqtt-packet #107)", {{"E0", "DISCONNECT"}, {"02", "Remaining Length 2"}, {"00", "Normal disconnection"}, {"20", "Property Length 32, nothing after it"}}, T::disconnect,
        {{C::property_length_past_end, "MQTT5-§2.2.2.1", 3}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/bytes after the properties", {{"E0", "DISCONNECT"}, {"03", "Remaining Length 3"}, {"00", "Normal disconnection"}, {"00", "Property Length 0"}, {"FF", "one byte too many"}}, T::disconnect,
        {{C::fields_end_early, "MQTT5-§2.1.4", 4}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/property length of 5 bytes", {{"E0", "DISCONNECT"}, {"06", "Remaining Length 6"}, {"00", "Normal disconnection"}, {"80 80 80 80 01", "Property Length with a 4th continuation bit"}}, T::disconnect,
        {{C::property_varint_malformed, "MQTT5-§1.5.5", 3}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/property length past the end of the list", {{"E0", "DISCONNECT"}, {"03", "Remaining Length 3"}, {"00", "Normal disconnection"}, {"05", "Property Length 5"}, {"11", "Session Expiry Interval, cut"}}, T::disconnect,
        {{C::property_length_past_end, "MQTT5-§2.2.2.1", 3}, {C::property_truncated, "MQTT5-§2.2.2.1", 4}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/property cut short", {{"E0", "DISCONNECT"}, {"04", "Remaining Length 4"}, {"00", "Normal disconnection"}, {"02 11 00", "Properties: Session Expiry Interval with 1 of its 4 bytes"}}, T::disconnect,
        {{C::property_truncated, "MQTT5-§2.2.2.1", 4}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/string property cut short", {{"E0", "DISCONNECT"}, {"05", "Remaining Length 5"}, {"00", "Normal disconnection"}, {"03 1F 00 05", "Properties: Reason String of 5 bytes, none there"}}, T::disconnect,
        {{C::property_truncated, "MQTT5-§2.2.2.1", 4}, {C::string_truncated, "MQTT5-§1.5.4", 4}}, Framing::whole, {}, Version::v5_0},
    {"disconnect5/user property name not UTF-8", {{"E0", "DISCONNECT"}, {"09", "Remaining Length 9"}, {"00", "Normal disconnection"}, {"07 26 00 01 FF 00 01 61", "Properties: User Property \"\\xFF\" = \"a\""}}, T::disconnect,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 7}, {C::string_pair_not_utf8, "MQTT-1.5.7-1", 4}}, Framing::whole, {}, Version::v5_0},
    {"auth5/continue authentication", {{"F0", "AUTH"}, {"0F", "Remaining Length 15"}, {"18", "Reason Code 0x18 Continue authentication"}, {"0D 15 00 05 53 43 52 41 4D 16 00 02 AB CD", "Properties: Authentication Method \"SCRAM\", Authentication Data AB CD"}}, T::auth,
        {}, Framing::whole, {}, Version::v5_0},
    {"auth5/short form", {{"F0", "AUTH"}, {"00", "Remaining Length 0"}}, T::auth,
        {{C::auth_method_missing, "MQTT5-§3.15.2.2", 1}}, Framing::whole, {}, Version::v5_0},
    {"auth5/reason code not 0x00, 0x18, 0x19", {{"F0", "AUTH"}, {"0A", "Remaining Length 10"}, {"87", "Reason Code 0x87"}, {"08 15 00 05 53 43 52 41 4D", "Properties: Authentication Method"}}, T::auth,
        {{C::auth_reason_code_invalid, "MQTT-3.15.2-1", 2}}, Framing::whole, {}, Version::v5_0},
    {"auth5/reserved flags", {{"F1", "AUTH with flags 0001"}, {"0A", "Remaining Length 10"}, {"18", "Continue authentication"}, {"08 15 00 05 53 43 52 41 4D", "Properties: Authentication Method"}}, T::auth,
        {{C::auth_flags, "MQTT-3.15.1-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"auth5/no authentication method", {{"F0", "AUTH"}, {"02", "Remaining Length 2"}, {"18", "Continue authentication"}, {"00", "Property Length 0"}}, T::auth,
        {{C::auth_method_missing, "MQTT5-§3.15.2.2", 3}}, Framing::whole, {}, Version::v5_0},
    {"auth5/property repeated", {{"F0", "AUTH"}, {"12", "Remaining Length 18"}, {"18", "Continue authentication"}, {"10 15 00 05 53 43 52 41 4D 15 00 05 53 43 52 41 4D", "Properties: Authentication Method twice"}}, T::auth,
        {{C::auth_property_repeated, "MQTT5-§3.15.2.2", 12}}, Framing::whole, {}, Version::v5_0},
    {"reserved5/type 0", {{"00", "type 0"}, {"00", "Remaining Length 0"}}, T::reserved0,
        {{C::reserved_packet_type, "MQTT5-§2.1.2", 0}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will QoS without will", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"0A", "Connect Flags: Will QoS 1 without Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::will_qos_without_will, "MQTT-3.1.2-11", 9}}, Framing::whole, {}, Version::v5_0},
    {"connect5/user name without its flag", {{"10", "CONNECT"}, {"10", "Remaining Length 16"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start, no User Name Flag"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00 01 75", "User Name \"u\""}}, T::connect,
        {{C::username_without_flag, "MQTT-3.1.2-16", 15}}, Framing::whole, {}, Version::v5_0},
    {"connect5/user name flag without user name", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"82", "User Name Flag, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::username_missing, "MQTT-3.1.2-17", 15}}, Framing::whole, {}, Version::v5_0},
    {"connect5/user name not UTF-8", {{"10", "CONNECT"}, {"10", "Remaining Length 16"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"82", "User Name Flag, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00 01 FF", "User Name \"\\xFF\""}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 17}, {C::username_not_utf8, "MQTT-3.1.3-12", 15}}, Framing::whole, {}, Version::v5_0},
    {"connack5/reserved flags in byte 0", {{"21", "CONNACK with flags 0001"}, {"03", "Remaining Length 3"}, {"00", "Acknowledge Flags"}, {"00", "Success"}, {"00", "Property Length 0"}}, T::connack,
        {{C::invalid_fixed_header_flags, "MQTT-2.1.3-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"publish5/content type holding U+0000", {{"30", "PUBLISH"}, {"08", "Remaining Length 8"}, {"00 01 61", "Topic Name \"a\""}, {"04 03 00 01 00", "Properties: Content Type \"\\0\""}}, T::publish,
        {{C::utf8_null, "MQTT-1.5.4-2", 9}, {C::content_type_not_utf8, "MQTT-3.3.2-19", 6}}, Framing::whole, {}, Version::v5_0},
    {"publish5/topic with a wildcard", {{"30", "PUBLISH"}, {"06", "Remaining Length 6"}, {"00 03 61 2F 2B", "Topic Name \"a/+\""}, {"00", "Property Length 0"}}, T::publish,
        {{C::topic_name_wildcard, "MQTT-4.7.0-1", 6}, {C::publish_topic_wildcard, "MQTT-3.3.2-2", 2}}, Framing::whole, {}, Version::v5_0},
    {"puback5/packet identifier 0", {{"40", "PUBACK"}, {"02", "Remaining Length 2"}, {"00 00", "Packet Identifier 0"}}, T::puback,
        {{C::ack_packet_id_zero, "MQTT-2.2.1-5", 2}}, Framing::whole, {}, Version::v5_0},
    {"connect5/protocol name not MQTT", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 58", "Protocol Name \"MQTX\""}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::protocol_name_invalid, "MQTT-3.1.2-1", 2}}, Framing::whole, {}, Version::v5_0},
    {"connect5/protocol level 6", {{"10", "CONNECT"}, {"0A", "Remaining Length 10"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"06", "Protocol Level 6: no such version; decoding stops"}, {"02", "Connect Flags"}, {"00 3C", "Keep Alive"}}, T::connect,
        {{C::protocol_level_unsupported, "MQTT-3.1.2-2", 8}}, Framing::whole, {}, Version::v5_0},
    {"connect5/reserved flag", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"03", "Clean Start + reserved bit 0"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::connect_reserved_flag, "MQTT-3.1.2-3", 9}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will retain without will", {{"10", "CONNECT"}, {"0D", "Remaining Length 13"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"22", "Will Retain without Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}}, T::connect,
        {{C::will_retain_without_will, "MQTT-3.1.2-13", 9}}, Framing::whole, {}, Version::v5_0},
    {"connect5/password without its flag", {{"10", "CONNECT"}, {"13", "Remaining Length 19"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"82", "User Name Flag only, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00 01 75", "User Name \"u\""}, {"00 01 70", "Password \"p\", not flagged"}}, T::connect,
        {{C::password_without_flag, "MQTT-3.1.2-18", 18}}, Framing::whole, {}, Version::v5_0},
    {"connect5/password flag without password", {{"10", "CONNECT"}, {"10", "Remaining Length 16"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"C2", "User Name and Password Flags, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00 01 75", "User Name \"u\", then nothing"}}, T::connect,
        {{C::password_missing, "MQTT-3.1.2-19", 18}}, Framing::whole, {}, Version::v5_0},
    {"connect5/will topic not UTF-8", {{"10", "CONNECT"}, {"13", "Remaining Length 19"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"06", "Will, Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 00", "Client Identifier \"\""}, {"00", "Will Properties: none"}, {"00 01 FF", "Will Topic \"\\xFF\""}, {"00 00", "Will Payload"}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 18}, {C::will_topic_not_utf8, "MQTT-3.1.3-11", 16}}, Framing::whole, {}, Version::v5_0},
    {"connect5/client identifier missing", {{"10", "CONNECT"}, {"0B", "Remaining Length 11"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0, then nothing"}}, T::connect,
        {{C::client_id_missing, "MQTT-3.1.3-3", 13}}, Framing::whole, {}, Version::v5_0},
    {"connect5/client identifier not UTF-8", {{"10", "CONNECT"}, {"0E", "Remaining Length 14"}, {"00 04 4D 51 54 54", "Protocol Name"}, {"05", "Protocol Level 5"}, {"02", "Clean Start"}, {"00 3C", "Keep Alive 60"}, {"00", "Property Length 0"}, {"00 01 FF", "Client Identifier \"\\xFF\""}}, T::connect,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 15}, {C::client_id_not_utf8, "MQTT-3.1.3-4", 13}}, Framing::whole, {}, Version::v5_0},
    {"publish5/DUP with QoS 0", {{"38", "PUBLISH DUP, QoS 0"}, {"04", "Remaining Length 4"}, {"00 01 61", "Topic Name \"a\""}, {"00", "Property Length 0"}}, T::publish,
        {{C::publish_dup_qos0, "MQTT-3.3.1-2", 0}}, Framing::whole, {}, Version::v5_0},
    {"publish5/QoS 3", {{"36", "PUBLISH QoS 3"}, {"06", "Remaining Length 6"}, {"00 01 61", "Topic Name \"a\""}, {"00 01", "Packet Identifier"}, {"00", "Property Length 0"}}, T::publish,
        {{C::publish_qos_invalid, "MQTT-3.3.1-4", 0}}, Framing::whole, {}, Version::v5_0},
    {"publish5/topic not UTF-8", {{"30", "PUBLISH"}, {"04", "Remaining Length 4"}, {"00 01 FF", "Topic Name \"\\xFF\""}, {"00", "Property Length 0"}}, T::publish,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 4}, {C::publish_topic_invalid, "MQTT-3.3.2-1", 2}}, Framing::whole, {}, Version::v5_0},
    {"pubrel5/flags 0000", {{"60", "PUBREL with flags 0000"}, {"02", "Remaining Length 2"}, {"00 01", "Packet Identifier 1"}}, T::pubrel,
        {{C::pubrel_flags, "MQTT-3.6.1-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/flags 0000", {{"80", "SUBSCRIBE with flags 0000"}, {"09", "Remaining Length 9"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 03 61 2F 62", "Topic Filter \"a/b\""}, {"00", "Options"}}, T::subscribe,
        {{C::subscribe_flags, "MQTT-3.8.1-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/topic filter not UTF-8", {{"82", "SUBSCRIBE"}, {"07", "Remaining Length 7"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 01 FF", "Topic Filter \"\\xFF\""}, {"00", "Options"}}, T::subscribe,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 7}, {C::subscribe_filter_not_utf8, "MQTT-3.8.3-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/hash not last", {{"82", "SUBSCRIBE"}, {"08", "Remaining Length 8"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 02 61 23", "Topic Filter \"a#\""}, {"00", "Options"}}, T::subscribe,
        {{C::filter_hash_misplaced, "MQTT-4.7.1-1", 8}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/empty topic filter", {{"82", "SUBSCRIBE"}, {"06", "Remaining Length 6"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 00", "Topic Filter \"\""}, {"00", "Options"}}, T::subscribe,
        {{C::topic_empty, "MQTT-4.7.3-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"subscribe5/topic filter holding U+0000", {{"82", "SUBSCRIBE"}, {"08", "Remaining Length 8"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 02 61 00", "Topic Filter \"a\\0\""}, {"00", "Options"}}, T::subscribe,
        {{C::utf8_null, "MQTT-1.5.4-2", 8}, {C::topic_null, "MQTT-4.7.3-2", 8}, {C::subscribe_filter_not_utf8, "MQTT-3.8.3-1", 5}}, Framing::whole, {}, Version::v5_0},
    {"unsubscribe5/flags 0000", {{"A0", "UNSUBSCRIBE with flags 0000"}, {"06", "Remaining Length 6"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 01 61", "Topic Filter \"a\""}}, T::unsubscribe,
        {{C::unsubscribe_flags, "MQTT-3.10.1-1", 0}}, Framing::whole, {}, Version::v5_0},
    {"unsubscribe5/topic filter not UTF-8", {{"A2", "UNSUBSCRIBE"}, {"06", "Remaining Length 6"}, {"00 01", "Packet Identifier 1"}, {"00", "Property Length 0"}, {"00 01 FF", "Topic Filter \"\\xFF\""}}, T::unsubscribe,
        {{C::utf8_malformed, "MQTT-1.5.4-1", 7}, {C::unsubscribe_filter_not_utf8, "MQTT-3.10.3-1", 5}}, Framing::whole, {}, Version::v5_0},

    // The named leniencies of the 5.0 rules file's notes.
    {"auth5/short form, allowed by name", {{"F0", "AUTH"}, {"00", "Remaining Length 0"}}, T::auth,
        {}, Framing::whole, DecodeOptions{.allow_auth_short_form = true}, Version::v5_0},
    {"auth5/no method with properties, even when the short form is allowed", {{"F0", "AUTH"}, {"02", "Remaining Length 2"},
        {"18", "Continue authentication"}, {"00", "Property Length 0"}}, T::auth,
        {{C::auth_method_missing, "MQTT5-§3.15.2.2", 3}}, Framing::whole, DecodeOptions{.allow_auth_short_form = true},
        Version::v5_0},
    {"disconnect5/0x8C, allowed by name", {{"E0", "DISCONNECT"}, {"01", "Remaining Length 1"},
        {"8C", "Reason Code 0x8C Bad authentication method (Table 2-6)"}}, T::disconnect,
        {}, Framing::whole, DecodeOptions{.allow_disconnect_bad_authentication_method = true}, Version::v5_0},
    };
    return all;
}
// clang-format on

/// The vector called `name`, or nullptr.
inline const Vector* find_vector(std::string_view name) {
    for (const auto& v : vectors())
        if (v.name == name) return &v;
    return nullptr;
}

}  // namespace mqttlens::mqtt::test
