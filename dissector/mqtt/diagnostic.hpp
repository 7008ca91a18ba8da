// Diagnostics: what the framer, decoder and stream checker say about bytes that break MQTT 3.1.1
// or 5.0.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mqttlens::mqtt {

/// The protocol version a connection speaks, as its CONNECT's Protocol Level names it. Held once
/// per connection (learned from the CONNECT, or given for byte input) and passed by value to
/// whatever differs between versions; the enumerators' values are the Protocol Level bytes.
enum class Version : std::uint8_t { v3_1 = 3, v3_1_1 = 4, v5_0 = 5 };

enum class Severity : std::uint8_t {
    warning,  ///< allowed by the standard but suspicious (non-minimal length, control characters)
    error,    ///< breaks a MUST of the standard
};

/// The named field a diagnostic points at; also used by encoder overrides.
enum class Field : std::uint8_t {
    none,
    fixed_header,      ///< byte 0: packet type and flags
    remaining_length,  ///< the Remaining Length bytes
    protocol_name, protocol_level, connect_flags, keep_alive, client_id, will_topic, will_message, username, password,
    ack_flags,  ///< CONNACK Acknowledge Flags
    return_code, topic, packet_id, payload, topic_filter, requested_qos,
    return_codes,  ///< SUBACK payload
    properties,       ///< MQTT 5.0: a packet's Property Length and properties
    will_properties,  ///< MQTT 5.0: CONNECT's Will Properties
    reason_code,      ///< MQTT 5.0: the one Reason Code of CONNACK, PUBACK..PUBCOMP, DISCONNECT, AUTH
    reason_codes,     ///< MQTT 5.0: SUBACK's and UNSUBACK's list of Reason Codes
    trailing,      ///< bytes after the last field
};

/// Stable diagnostic codes: one enumerator per rule. Never renumber; append only.
enum class Code : std::uint16_t {
    // Framing and fixed header
    reserved_packet_type,          ///< packet type 0 or 15 (§2.2.1)
    invalid_fixed_header_flags,    ///< reserved flag bits differ from Table 2.2 (MQTT-2.2.2-1)
    pubrel_flags,                  ///< PUBREL flags not 0010 (MQTT-3.6.1-1)
    subscribe_flags,               ///< SUBSCRIBE flags not 0010 (MQTT-3.8.1-1)
    unsubscribe_flags,             ///< UNSUBSCRIBE flags not 0010 (MQTT-3.10.1-1)
    disconnect_flags,              ///< DISCONNECT reserved bits not zero (MQTT-3.14.1-1)
    remaining_length_malformed,    ///< 4th Remaining Length byte has the continuation bit (§2.2.3)
    remaining_length_non_minimal,  ///< Remaining Length not in its shortest form (§2.2.3, warning)
    packet_too_large,              ///< Remaining Length above the configured maximum (§2.2.3)
    packet_truncated,              ///< input ends before Remaining Length bytes followed (§2.2.3)
    packet_length_mismatch,        ///< decoder given more bytes than header + Remaining Length (§2.2.3)

    // Strings and topics
    string_truncated,       ///< 2-byte length prefix runs past the end of the packet (§1.5.3)
    utf8_malformed,         ///< not well-formed UTF-8 (MQTT-1.5.3-1)
    utf8_null,              ///< contains U+0000 (MQTT-1.5.3-2)
    utf8_control,           ///< U+0001..001F or U+007F..009F (§1.5.3, warning)
    utf8_noncharacter,      ///< a Unicode non-character (§1.5.3, warning)
    topic_empty,            ///< zero-length Topic Name or Topic Filter (MQTT-4.7.3-1)
    topic_null,             ///< Topic Name or Filter contains U+0000 (MQTT-4.7.3-2)
    topic_name_wildcard,    ///< '+' or '#' in a Topic Name (MQTT-4.7.1-1)
    filter_hash_misplaced,  ///< '#' not last or not after '/' (MQTT-4.7.1-2)
    filter_plus_misplaced,  ///< '+' not a whole level (MQTT-4.7.1-3)

    // CONNECT
    protocol_name_invalid,          ///< Protocol Name not "MQTT" (nor "MQIsdp" for 3.1) (MQTT-3.1.2-1)
    protocol_level_unsupported,     ///< Protocol Level not 4 (or 3 with "MQIsdp") (MQTT-3.1.2-2)
    connect_reserved_flag,          ///< Connect Flags bit 0 set (MQTT-3.1.2-3)
    will_fields_missing,            ///< Will Flag 1 but Will Topic / Message missing (MQTT-3.1.2-9)
    will_qos_without_will,          ///< Will Flag 0 but Will QoS not 0 (MQTT-3.1.2-13)
    will_qos_invalid,               ///< Will QoS 3 (MQTT-3.1.2-14)
    will_retain_without_will,       ///< Will Flag 0 but Will Retain 1 (MQTT-3.1.2-15)
    username_without_flag,          ///< a User Name follows but its flag is 0 (MQTT-3.1.2-18)
    username_missing,               ///< User Name Flag 1 but no User Name (MQTT-3.1.2-19)
    password_without_flag,          ///< a Password follows but its flag is 0 (MQTT-3.1.2-20)
    password_missing,               ///< Password Flag 1 but no Password (MQTT-3.1.2-21)
    password_without_username,      ///< Password Flag 1 with User Name Flag 0 (MQTT-3.1.2-22)
    client_id_missing,              ///< no Client Identifier (MQTT-3.1.3-3)
    client_id_not_utf8,             ///< Client Identifier not valid UTF-8 (MQTT-3.1.3-4)
    client_id_empty_persistent,     ///< zero-length Client Identifier with Clean Session 0 (MQTT-3.1.3-7)
    will_topic_not_utf8,            ///< Will Topic not valid UTF-8 (MQTT-3.1.3-10)
    username_not_utf8,              ///< User Name not valid UTF-8 (MQTT-3.1.3-11)
    will_topic_invalid,             ///< Will Topic is not a valid Topic Name (§3.1.3)
    connect_malformed,              ///< truncated field or bytes after the last field (MQTT-3.1.4-1)

    // CONNACK
    connack_length,                  ///< Remaining Length not 2 (§3.2.1)
    connack_reserved_flags,          ///< Acknowledge Flags bits 7..1 not zero (§3.2.2.1)
    connack_return_code_invalid,     ///< return code above 5 (§3.2.2.3)
    connack_session_present_error,   ///< Session Present 1 with a non-zero return code (MQTT-3.2.2-4)

    // PUBLISH
    publish_qos_invalid,        ///< QoS 3 (MQTT-3.3.1-4)
    publish_dup_qos0,           ///< DUP 1 with QoS 0 (MQTT-3.3.1-2)
    publish_topic_invalid,      ///< Topic Name missing or not UTF-8 (MQTT-3.3.2-1)
    publish_topic_wildcard,     ///< Topic Name holds a wildcard (MQTT-3.3.2-2)
    packet_id_zero,             ///< Packet Identifier 0 where one is required (MQTT-2.3.1-1)
    publish_packet_id_missing,  ///< QoS 1 or 2 with no room for the Packet Identifier (§3.3.2)

    // PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK
    puback_length,       ///< Remaining Length not 2 (§3.4.1)
    pubrec_length,       ///< Remaining Length not 2 (§3.5.1)
    pubrel_length,       ///< Remaining Length not 2 (§3.6.1)
    pubcomp_length,      ///< Remaining Length not 2 (§3.7.1)
    unsuback_length,     ///< Remaining Length not 2 (§3.11.1)
    ack_packet_id_zero,  ///< acknowledgement with Packet Identifier 0 (§2.3.1, warning)

    // SUBSCRIBE, SUBACK, UNSUBSCRIBE
    subscribe_filter_not_utf8,       ///< Topic Filter not UTF-8 (MQTT-3.8.3-1)
    subscribe_no_filters,            ///< no Topic Filter / QoS pair (MQTT-3.8.3-3)
    subscribe_qos_invalid,           ///< Requested QoS reserved bits set or QoS 3 (MQTT-3-8.3-4)
    subscribe_pair_truncated,        ///< last Topic Filter without its QoS byte (§3.8.3)
    suback_no_return_codes,          ///< SUBACK without a return code (§3.9.3)
    suback_return_code_invalid,      ///< return code not 0x00, 0x01, 0x02, 0x80 (MQTT-3.9.3-2)
    unsubscribe_filter_not_utf8,     ///< Topic Filter not UTF-8 (MQTT-3.10.3-1)
    unsubscribe_no_filters,          ///< no Topic Filter (MQTT-3.10.3-2)
    packet_id_missing,               ///< variable header too short for the Packet Identifier (§2.3.1)

    // PINGREQ, PINGRESP, DISCONNECT
    pingreq_length,     ///< Remaining Length not 0 (§3.12.1)
    pingresp_length,    ///< Remaining Length not 0 (§3.13.1)
    disconnect_length,  ///< Remaining Length not 0 (§3.14.1)

    // Across one connection (stream checker, capture layer)
    first_packet_not_connect,      ///< the client's first packet is not CONNECT (MQTT-3.1.0-1)
    second_connect,                ///< a second CONNECT from the client (MQTT-3.1.0-2)
    first_packet_not_connack,      ///< the server's first packet is not CONNACK (MQTT-3.2.0-1)
    wrong_direction,               ///< packet type sent in a direction Table 2.1 forbids (§2.2.1)
    connack_after_bad_connect,     ///< a CONNACK answers a malformed CONNECT (MQTT-3.1.4-1)
    session_present_clean,         ///< Session Present 1 after Clean Session 1 (MQTT-3.2.2-1)
    data_after_connack_error,      ///< server data after a non-zero CONNACK (MQTT-3.2.2-5)
    packet_id_in_use,              ///< a new request reuses an identifier in flight (MQTT-2.3.1-2)
    ack_unknown_packet_id,         ///< acknowledgement matches no outstanding request (MQTT-2.3.1-6)
    subscribe_unanswered,          ///< SUBSCRIBE never acknowledged (MQTT-3.8.4-1)
    unsubscribe_unanswered,        ///< UNSUBSCRIBE never acknowledged (MQTT-3.10.4-4)
    suback_count_mismatch,         ///< SUBACK return codes differ from the filter count (MQTT-3.9.3-1)
    pingreq_unanswered,            ///< PINGREQ never answered by PINGRESP (MQTT-3.12.4-1)
    data_after_disconnect,         ///< client data after DISCONNECT (MQTT-3.14.4-1)
    keep_alive_exceeded,           ///< silence longer than 1.5 x Keep Alive (MQTT-3.1.2-24)

    // Capture and TCP layer (not MQTT rules; rule ID is "mqttlens")
    stream_gap,               ///< bytes lost in the capture; resynchronised
    stream_midstream,         ///< capture starts inside a connection; first boundary found
    stream_unsynchronised,    ///< no plausible packet boundary; bytes skipped

    // MQTT 3.1 only (rule IDs "MQTT-v3.1-§section": that specification numbers no statements)
    client_id_length_v3_1,  ///< 3.1 Client Identifier not 1 to 23 characters (MQTT-v3.1-§3.1)

    // MQTT 5.0 only (rule IDs of shared/mqtt-5.0-rules.md; `rule` empty)
    auth_flags,                    ///< AUTH flags not 0000 (MQTT-3.15.1-1)
    property_length_missing,       ///< no Property Length where the packet must have one (MQTT-2.2.2-1)
    property_varint_malformed,     ///< Property Length or a Variable Byte Integer property of 5 bytes (MQTT5-§1.5.5)
    property_varint_non_minimal,   ///< ... not in its shortest form (MQTT-1.5.5-1)
    property_length_past_end,      ///< Property Length runs past the packet (MQTT5-§2.2.2.1)
    property_truncated,            ///< a property runs past the Property Length (MQTT5-§2.2.2.1)
    binary_truncated,              ///< a Binary Data length runs past its enclosing field (MQTT5-§1.5.6)
    property_unknown,              ///< identifier MQTT 5.0 does not define (MQTT5-§2.2.2.2)
    property_not_allowed,          ///< identifier not allowed in this packet or in Will Properties (MQTT5-§2.2.2.2)
    string_pair_not_utf8,          ///< a User Property name or value breaks a string rule (MQTT-1.5.7-1)
    connect_property_repeated,     ///< CONNECT property twice (MQTT5-§3.1.2.11)
    will_property_repeated,        ///< Will property twice (MQTT5-§3.1.3.2)
    connack_property_repeated,     ///< CONNACK property twice (MQTT5-§3.2.2.3)
    publish_property_repeated,     ///< PUBLISH property twice (MQTT5-§3.3.2.3, inferred for two of them)
    puback_property_repeated,      ///< (MQTT5-§3.4.2.2)
    pubrec_property_repeated,      ///< (MQTT5-§3.5.2.2)
    pubrel_property_repeated,      ///< (MQTT5-§3.6.2.2)
    pubcomp_property_repeated,     ///< (MQTT5-§3.7.2.2)
    suback_property_repeated,      ///< (MQTT5-§3.9.2.1)
    unsuback_property_repeated,    ///< (MQTT5-§3.11.2.1)
    disconnect_property_repeated,  ///< (MQTT5-§3.14.2.2)
    auth_property_repeated,        ///< (MQTT5-§3.15.2.2)
    subscribe_subscription_identifier_invalid,  ///< twice or 0 in SUBSCRIBE (MQTT5-§3.8.2.1.2)
    publish_subscription_identifier_zero,       ///< Subscription Identifier 0 in PUBLISH (MQTT5-§3.3.2.3.8)
    connect_receive_maximum_zero,               ///< (MQTT5-§3.1.2.11.3)
    connack_receive_maximum_zero,               ///< (MQTT5-§3.2.2.3.3)
    connect_maximum_packet_size_zero,           ///< (MQTT5-§3.1.2.11.4)
    connack_maximum_packet_size_zero,           ///< (MQTT5-§3.2.2.3.6)
    request_response_information_invalid,       ///< not 0 or 1 (MQTT5-§3.1.2.11.6)
    request_problem_information_invalid,        ///< not 0 or 1 (MQTT5-§3.1.2.11.7)
    authentication_data_without_method,         ///< (MQTT5-§3.1.2.11.10)
    maximum_qos_invalid,                        ///< not 0 or 1 (MQTT5-§3.2.2.3.4)
    retain_available_invalid,                   ///< not 0 or 1 (MQTT5-§3.2.2.3.5)
    wildcard_subscription_available_invalid,    ///< not 0 or 1 (MQTT5-§3.2.2.3.11)
    subscription_identifier_available_invalid,  ///< not 0 or 1 (MQTT5-§3.2.2.3.12)
    shared_subscription_available_invalid,      ///< not 0 or 1 (MQTT5-§3.2.2.3.13)
    publish_payload_format_invalid,  ///< Payload Format Indicator not 0/1, or 1 with a payload not UTF-8 (MQTT5-§3.3.2.3.2)
    will_payload_format_invalid,     ///< the same for the Will (MQTT5-§3.1.3.2.3)
    publish_topic_empty_without_alias,  ///< zero-length Topic Name and no Topic Alias (MQTT5-§3.3.2.1)
    topic_alias_zero,                ///< Topic Alias 0 (MQTT-3.3.2-8)
    response_topic_not_utf8,         ///< (MQTT-3.3.2-13)
    response_topic_wildcard,         ///< (MQTT-3.3.2-14)
    content_type_not_utf8,           ///< (MQTT-3.3.2-19)
    connack_reason_code_invalid,     ///< not in Table 3-1 (MQTT-3.2.2-8)
    puback_reason_code_invalid,      ///< (MQTT-3.4.2-1)
    pubrec_reason_code_invalid,      ///< (MQTT-3.5.2-1)
    pubrel_reason_code_invalid,      ///< (MQTT-3.6.2-1)
    pubcomp_reason_code_invalid,     ///< (MQTT-3.7.2-1)
    suback_reason_code_invalid,      ///< not in Table 3-8 (MQTT-3.9.3-2)
    unsuback_reason_code_invalid,    ///< not in Table 3-9 (MQTT-3.11.3-2)
    unsuback_no_reason_codes,        ///< UNSUBACK without a Reason Code (MQTT-3.11.3-2)
    disconnect_reason_code_invalid,  ///< not in Table 3-10 (MQTT-3.14.2-1)
    auth_reason_code_invalid,        ///< not 0x00, 0x18, 0x19 (MQTT-3.15.2-1)
    auth_method_missing,             ///< AUTH without Authentication Method (MQTT5-§3.15.2.2)
    subscribe_options_reserved,      ///< Subscription Options bits 7..6 set (MQTT-3.8.3-5)
    subscribe_options_invalid,       ///< Maximum QoS 3 or Retain Handling 3 (MQTT5-§3.8.3.1)
    subscribe_no_local_shared,       ///< No Local on a shared subscription (MQTT-3.8.3-4)
    share_name_empty,                ///< `$share//...` (MQTT-4.8.2-1)
    share_name_invalid,              ///< ShareName with a wildcard, or no filter after it (MQTT-4.8.2-2)
    fields_end_early,                ///< bytes left after the last field inside the Remaining Length (MQTT5-§2.1.4)

    // MQTT 5.0, across one connection (session checker; rule IDs of the rules file's stream rows)
    second_connack,                  ///< a second CONNACK (MQTT-3.2.0-2)
    disconnect_before_connack,       ///< server DISCONNECT before a CONNACK below 0x80 (MQTT-3.14.0-1)
    data_after_server_disconnect,    ///< server data after its DISCONNECT (MQTT-3.14.4-1)
    connack_without_assigned_client_id,  ///< CONNACK 0x00 to an empty ClientID lacks Assigned Client Identifier (MQTT-3.1.3-7)
    connack_maximum_qos_below_will,  ///< CONNACK 0x00 with Maximum QoS below the Will QoS (MQTT-3.2.2-12)
    connack_retain_unavailable_will, ///< CONNACK 0x00 with Retain Available 0 after Will Retain 1 (MQTT-3.2.2-13)
    response_information_unrequested,  ///< Response Information without Request Response Information 1 (MQTT-3.1.2-28)
    publish_qos_above_maximum,       ///< client PUBLISH QoS above the CONNACK's Maximum QoS (MQTT-3.2.2-11)
    publish_retain_unavailable,      ///< client PUBLISH RETAIN 1 after Retain Available 0 (MQTT-3.2.2-14)
    publish_subscription_identifier_from_client,  ///< (MQTT-3.3.4-6)
    subscribe_wildcard_unavailable,  ///< wildcard filter after Wildcard Subscription Available 0 (MQTT5-§3.2.2.3.11)
    subscribe_identifier_unavailable,  ///< Subscription Identifier after Subscription Identifiers Available 0 (MQTT5-§3.2.2.3.12)
    subscribe_shared_unavailable,    ///< `$share/` filter after Shared Subscription Available 0 (MQTT5-§3.2.2.3.13)
    client_topic_alias_invalid,      ///< client Topic Alias above the CONNACK's Topic Alias Maximum (MQTT-3.3.2-9)
    server_topic_alias_invalid,      ///< server Topic Alias above the CONNECT's Topic Alias Maximum (MQTT-3.3.2-11)
    topic_alias_unmapped,            ///< empty Topic Name with an alias not mapped in that direction (MQTT5-§3.3.4)
    client_receive_maximum_exceeded, ///< more client QoS 1/2 PUBLISH in flight than the CONNACK's Receive Maximum (MQTT-3.3.4-7)
    server_receive_maximum_exceeded, ///< more server QoS 1/2 PUBLISH in flight than the CONNECT's Receive Maximum (MQTT-3.3.4-9)
    client_packet_too_large,         ///< client packet above the CONNACK's Maximum Packet Size (MQTT-3.2.2-15)
    server_packet_too_large,         ///< server packet above the CONNECT's Maximum Packet Size (MQTT-3.1.2-24)
    problem_information_unrequested, ///< Reason String / User Property after Request Problem Information 0 (MQTT-3.1.2-29)
    disconnect_reason_wrong_sender,  ///< a DISCONNECT code the other side sends (MQTT-3.14.2-1)
    reason_code_wrong_sender,        ///< a PUBACK, PUBREC or AUTH code the other side sends (MQTT5-§2.4)
    server_disconnect_session_expiry,  ///< Session Expiry Interval in a server DISCONNECT (MQTT-3.14.2-2)
    disconnect_session_expiry_after_zero,  ///< non-zero Session Expiry on DISCONNECT after 0 in CONNECT (MQTT5-§3.14.2.2.2)
    packet_before_authentication,    ///< neither AUTH nor DISCONNECT before CONNACK after an Authentication Method (MQTT-3.1.2-30)
    server_auth_not_continue,        ///< server AUTH before CONNACK not 0x18 (MQTT-4.12.0-2)
    client_auth_not_continue,        ///< client AUTH answering 0x18 not 0x18 (MQTT-4.12.0-3)
    auth_method_mismatch,            ///< AUTH or CONNACK without, or with another, Authentication Method (MQTT-4.12.0-5)
    server_auth_unrequested,         ///< server AUTH or CONNACK method without one in CONNECT (MQTT-4.12.0-6)
    client_auth_unrequested,         ///< client AUTH without a method in CONNECT (MQTT-4.12.0-7)
    reauthentication_method_changed, ///< re-authentication (AUTH 0x19) with another method (MQTT-4.12.1-1)
    unsuback_count_mismatch,         ///< UNSUBACK Reason Codes differ from the filter count (MQTT-3.11.3-1)
    keep_alive_disconnect_early,     ///< DISCONNECT 0x8D before 1.5 x Keep Alive of silence (MQTT-3.2.2-22)

    count_  ///< number of codes; not a code
};

inline constexpr std::size_t code_count = static_cast<std::size_t>(Code::count_);

/// Static facts about a code: its name (snake_case), spec rule IDs, default severity, message.
struct CodeInfo {
    std::string_view name;
    std::string_view rule;  ///< as MQTT 3.1.1 numbers it: "MQTT-3.3.1-4", "MQTT-§3.2.1"; "mqttlens"
                            ///< for the capture layer's; the 3.1-only code's: "MQTT-v3.1-§3.1";
                            ///< empty for a code only MQTT 5.0 has
    Severity severity;
    std::string_view message;
    /// As MQTT 5.0 numbers it (shared/mqtt-5.0-rules.md), for a finding in a 5.0 packet; empty
    /// where no 5.0 rule is given: such a finding names `rule`, with 3.1.1 beside it.
    std::string_view rule_v5 = {};
};

/// A rule ID and the standard that numbers it: "3.1.1", "5.0" or "3.1"; empty for "mqttlens"
/// (the capture layer's events, no standard's).
struct RuleId {
    std::string_view id;
    std::string_view version;
    friend bool operator==(const RuleId&, const RuleId&) = default;
};

/// The table entry for `code`; never fails for a valid enumerator.
const CodeInfo& code_info(Code code) noexcept;
/// The rule `code` names in a packet (or connection) of `version`: see Diagnostic::rule().
RuleId rule_id(Code code, Version version) noexcept;
/// The snake_case name of a field, such as "client_id".
std::string_view field_name(Field field) noexcept;
/// The display name of a severity: "error" or "warning".
std::string_view severity_name(Severity severity) noexcept;

/// One finding: a code, where it is (offset from the packet's first byte) and in which field.
struct Diagnostic {
    Code code;
    Severity severity;  ///< the code's, or warning where the connection's version (3.1) states no such rule
    Field field;
    std::uint32_t offset;

    /// The rule broken, as the standard of `version` (the packet's, or the connection's) numbers
    /// it where it numbers it, else as 3.1.1 does: with that standard's version beside it.
    RuleId rule(Version version) const noexcept { return rule_id(code, version); }
    std::string_view message() const noexcept { return code_info(code).message; }
    friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

/// A fixed-capacity list of diagnostics: never allocates. Past `capacity` it counts what it drops.
class Diagnostics {
public:
    static constexpr std::size_t capacity = 16;

    /// Empty. User-provided, so that `Diagnostics()` and `{}` leave the unused slots alone
    /// instead of zeroing them (136 bytes).
    Diagnostics() noexcept {}

    /// Appends with the code's default severity; counts it as dropped when full.
    void add(Code code, Field field, std::uint32_t offset) noexcept {
        add(Diagnostic{code, code_info(code).severity, field, offset});
    }
    void add(const Diagnostic& d) noexcept {
        if (d.severity == Severity::error) ++errors_;
        if (size_ < capacity) items_[size_++] = d; else ++dropped_;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t dropped() const noexcept { return dropped_; }
    /// Error-severity findings, including dropped ones.
    std::size_t error_count() const noexcept { return errors_; }
    const Diagnostic* begin() const noexcept { return items_.data(); }
    const Diagnostic* end() const noexcept { return items_.data() + size_; }
    const Diagnostic& operator[](std::size_t i) const noexcept { return items_[i]; }
    /// True when some kept diagnostic has this code.
    bool has(Code code) const noexcept {
        for (const auto& d : *this) if (d.code == code) return true;
        return false;
    }

private:
    std::array<Diagnostic, capacity> items_;  // left uninitialised past size_
    std::uint8_t size_ = 0;
    std::uint16_t dropped_ = 0;
    std::uint16_t errors_ = 0;
};

}  // namespace mqttlens::mqtt
