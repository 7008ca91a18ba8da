// The table behind code_info(): one row per Code, in enumerator order (checked at compile time).
#include "mqtt/diagnostic.hpp"

namespace mqttlens::mqtt {
namespace {

constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

struct Row {
    Code code;
    CodeInfo info;
};

constexpr Row rows[] = {
    // Framing and fixed header
    {Code::reserved_packet_type, {"reserved_packet_type", "MQTT-§2.2.1", E,
        "packet type 0 and 15 are reserved and must not be used", "MQTT5-§2.1.2"}},
    {Code::invalid_fixed_header_flags, {"invalid_fixed_header_flags", "MQTT-2.2.2-1", E,
        "fixed header flags must be the values Table 2.2 gives for this packet type", "MQTT-2.1.3-1"}},
    {Code::pubrel_flags, {"pubrel_flags", "MQTT-3.6.1-1", E,
        "PUBREL fixed header flags must be 0010", "MQTT-3.6.1-1"}},
    {Code::subscribe_flags, {"subscribe_flags", "MQTT-3.8.1-1", E,
        "SUBSCRIBE fixed header flags must be 0010", "MQTT-3.8.1-1"}},
    {Code::unsubscribe_flags, {"unsubscribe_flags", "MQTT-3.10.1-1", E,
        "UNSUBSCRIBE fixed header flags must be 0010", "MQTT-3.10.1-1"}},
    {Code::disconnect_flags, {"disconnect_flags", "MQTT-3.14.1-1", E,
        "DISCONNECT reserved flag bits must be zero", "MQTT-3.14.1-1"}},
    {Code::remaining_length_malformed, {"remaining_length_malformed", "MQTT-§2.2.3", E,
        "Remaining Length must not use more than 4 bytes", "MQTT5-§1.5.5"}},
    {Code::remaining_length_non_minimal, {"remaining_length_non_minimal", "MQTT-§2.2.3", W,
        "Remaining Length is not encoded in its shortest form", "MQTT-1.5.5-1"}},
    {Code::packet_too_large, {"packet_too_large", "MQTT-§2.2.3", E,
        "Remaining Length exceeds the configured maximum packet size"}},
    {Code::packet_truncated, {"packet_truncated", "MQTT-§2.2.3", E,
        "input ends before the bytes the Remaining Length announces", "MQTT5-§2.1.4"}},
    {Code::packet_length_mismatch, {"packet_length_mismatch", "MQTT-§2.2.3", E,
        "bytes follow the end the Remaining Length announces", "MQTT5-§2.1.4"}},

    // Strings and topics
    {Code::string_truncated, {"string_truncated", "MQTT-§1.5.3", E,
        "string length prefix runs past the end of the packet", "MQTT5-§1.5.4"}},
    {Code::utf8_malformed, {"utf8_malformed", "MQTT-1.5.3-1", E,
        "string is not well-formed UTF-8", "MQTT-1.5.4-1"}},
    {Code::utf8_null, {"utf8_null", "MQTT-1.5.3-2", E,
        "string must not contain U+0000", "MQTT-1.5.4-2"}},
    {Code::utf8_control, {"utf8_control", "MQTT-§1.5.3", W,
        "string contains a control character", "MQTT5-§1.5.4"}},
    {Code::utf8_noncharacter, {"utf8_noncharacter", "MQTT-§1.5.3", W,
        "string contains a Unicode non-character", "MQTT5-§1.5.4"}},
    {Code::topic_empty, {"topic_empty", "MQTT-4.7.3-1", E,
        "Topic Name or Topic Filter must be at least one character long", "MQTT-4.7.3-1"}},
    {Code::topic_null, {"topic_null", "MQTT-4.7.3-2", E,
        "Topic Name or Topic Filter must not contain U+0000", "MQTT-4.7.3-2"}},
    {Code::topic_name_wildcard, {"topic_name_wildcard", "MQTT-4.7.1-1", E,
        "wildcard characters must not be used in a Topic Name", "MQTT-4.7.0-1"}},
    {Code::filter_hash_misplaced, {"filter_hash_misplaced", "MQTT-4.7.1-2", E,
        "'#' must stand alone or after '/' and be the last character of a Topic Filter", "MQTT-4.7.1-1"}},
    {Code::filter_plus_misplaced, {"filter_plus_misplaced", "MQTT-4.7.1-3", E,
        "'+' must occupy an entire level of a Topic Filter", "MQTT-4.7.1-2"}},

    // CONNECT
    {Code::protocol_name_invalid, {"protocol_name_invalid", "MQTT-3.1.2-1", E,
        "Protocol Name must be \"MQTT\" (or \"MQIsdp\" for MQTT 3.1)", "MQTT-3.1.2-1"}},
    {Code::protocol_level_unsupported, {"protocol_level_unsupported", "MQTT-3.1.2-2", E,
        "Protocol Level is not supported (4 for \"MQTT\", 3 for \"MQIsdp\")", "MQTT-3.1.2-2"}},
    {Code::connect_reserved_flag, {"connect_reserved_flag", "MQTT-3.1.2-3", E,
        "Connect Flags reserved bit 0 must be zero", "MQTT-3.1.2-3"}},
    {Code::will_fields_missing, {"will_fields_missing", "MQTT-3.1.2-9", E,
        "Will Flag is 1 but the Will Topic or Will Message is missing", "MQTT-3.1.2-9"}},
    {Code::will_qos_without_will, {"will_qos_without_will", "MQTT-3.1.2-13", E,
        "Will QoS must be 0 when the Will Flag is 0", "MQTT-3.1.2-11"}},
    {Code::will_qos_invalid, {"will_qos_invalid", "MQTT-3.1.2-14", E,
        "Will QoS must not be 3", "MQTT-3.1.2-12"}},
    {Code::will_retain_without_will, {"will_retain_without_will", "MQTT-3.1.2-15", E,
        "Will Retain must be 0 when the Will Flag is 0", "MQTT-3.1.2-13"}},
    {Code::username_without_flag, {"username_without_flag", "MQTT-3.1.2-18", E,
        "a User Name is present but the User Name Flag is 0", "MQTT-3.1.2-16"}},
    {Code::username_missing, {"username_missing", "MQTT-3.1.2-19", E,
        "User Name Flag is 1 but the User Name is missing", "MQTT-3.1.2-17"}},
    {Code::password_without_flag, {"password_without_flag", "MQTT-3.1.2-20", E,
        "a Password is present but the Password Flag is 0", "MQTT-3.1.2-18"}},
    {Code::password_missing, {"password_missing", "MQTT-3.1.2-21", E,
        "Password Flag is 1 but the Password is missing", "MQTT-3.1.2-19"}},
    {Code::password_without_username, {"password_without_username", "MQTT-3.1.2-22", E,
        "Password Flag must be 0 when the User Name Flag is 0"}},
    {Code::client_id_missing, {"client_id_missing", "MQTT-3.1.3-3", E,
        "Client Identifier is missing", "MQTT-3.1.3-3"}},
    {Code::client_id_not_utf8, {"client_id_not_utf8", "MQTT-3.1.3-4", E,
        "Client Identifier must be a valid UTF-8 string", "MQTT-3.1.3-4"}},
    {Code::client_id_empty_persistent, {"client_id_empty_persistent", "MQTT-3.1.3-7", E,
        "a zero-length Client Identifier requires Clean Session 1"}},
    {Code::will_topic_not_utf8, {"will_topic_not_utf8", "MQTT-3.1.3-10", E,
        "Will Topic must be a valid UTF-8 string", "MQTT-3.1.3-11"}},
    {Code::username_not_utf8, {"username_not_utf8", "MQTT-3.1.3-11", E,
        "User Name must be a valid UTF-8 string", "MQTT-3.1.3-12"}},
    {Code::will_topic_invalid, {"will_topic_invalid", "MQTT-§3.1.3", E,
        "Will Topic must be a valid Topic Name"}},
    {Code::connect_malformed, {"connect_malformed", "MQTT-3.1.4-1", E,
        "CONNECT is malformed: a field is truncated or bytes follow the last field", "MQTT5-§2.1.4"}},

    // CONNACK
    {Code::connack_length, {"connack_length", "MQTT-§3.2.1", E,
        "Remaining Length must be 2 for CONNACK", "MQTT5-§2.1.4"}},
    {Code::connack_reserved_flags, {"connack_reserved_flags", "MQTT-§3.2.2.1", E,
        "Acknowledge Flags bits 7..1 must be zero", "MQTT-3.2.2-1"}},
    {Code::connack_return_code_invalid, {"connack_return_code_invalid", "MQTT-§3.2.2.3", E,
        "CONNACK return code must be 0 to 5"}},
    {Code::connack_session_present_error, {"connack_session_present_error", "MQTT-3.2.2-4", E,
        "Session Present must be 0 with a non-zero return code", "MQTT-3.2.2-6"}},

    // PUBLISH
    {Code::publish_qos_invalid, {"publish_qos_invalid", "MQTT-3.3.1-4", E,
        "PUBLISH QoS must not be 3", "MQTT-3.3.1-4"}},
    {Code::publish_dup_qos0, {"publish_dup_qos0", "MQTT-3.3.1-2", E,
        "DUP must be 0 for a QoS 0 PUBLISH", "MQTT-3.3.1-2"}},
    {Code::publish_topic_invalid, {"publish_topic_invalid", "MQTT-3.3.2-1", E,
        "PUBLISH Topic Name must be present and a valid UTF-8 string", "MQTT-3.3.2-1"}},
    {Code::publish_topic_wildcard, {"publish_topic_wildcard", "MQTT-3.3.2-2", E,
        "PUBLISH Topic Name must not contain wildcard characters", "MQTT-3.3.2-2"}},
    {Code::packet_id_zero, {"packet_id_zero", "MQTT-2.3.1-1", E,
        "Packet Identifier must be non-zero", "MQTT-2.2.1-3"}},
    {Code::publish_packet_id_missing, {"publish_packet_id_missing", "MQTT-§3.3.2", E,
        "QoS 1 or 2 PUBLISH has no room for its Packet Identifier", "MQTT5-§2.1.4"}},

    // PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK
    {Code::puback_length, {"puback_length", "MQTT-§3.4.1", E,
        "Remaining Length must be 2 for PUBACK", "MQTT5-§2.1.4"}},
    {Code::pubrec_length, {"pubrec_length", "MQTT-§3.5.1", E,
        "Remaining Length must be 2 for PUBREC", "MQTT5-§2.1.4"}},
    {Code::pubrel_length, {"pubrel_length", "MQTT-§3.6.1", E,
        "Remaining Length must be 2 for PUBREL", "MQTT5-§2.1.4"}},
    {Code::pubcomp_length, {"pubcomp_length", "MQTT-§3.7.1", E,
        "Remaining Length must be 2 for PUBCOMP", "MQTT5-§2.1.4"}},
    {Code::unsuback_length, {"unsuback_length", "MQTT-§3.11.1", E,
        "Remaining Length must be 2 for UNSUBACK", "MQTT5-§2.1.4"}},
    {Code::ack_packet_id_zero, {"ack_packet_id_zero", "MQTT-§2.3.1", W,
        "acknowledgement carries Packet Identifier 0: it must repeat its request's, which is never 0", "MQTT-2.2.1-5"}},

    // SUBSCRIBE, SUBACK, UNSUBSCRIBE
    {Code::subscribe_filter_not_utf8, {"subscribe_filter_not_utf8", "MQTT-3.8.3-1", E,
        "SUBSCRIBE Topic Filter must be a valid UTF-8 string", "MQTT-3.8.3-1"}},
    {Code::subscribe_no_filters, {"subscribe_no_filters", "MQTT-3.8.3-3", E,
        "SUBSCRIBE must contain at least one Topic Filter and QoS pair", "MQTT-3.8.3-2"}},
    {Code::subscribe_qos_invalid, {"subscribe_qos_invalid", "MQTT-3-8.3-4", E,
        "Requested QoS must be 0, 1 or 2 with bits 7..2 zero"}},
    {Code::subscribe_pair_truncated, {"subscribe_pair_truncated", "MQTT-§3.8.3", E,
        "the last Topic Filter has no Requested QoS byte", "MQTT5-§2.1.4"}},
    {Code::suback_no_return_codes, {"suback_no_return_codes", "MQTT-§3.9.3", E,
        "SUBACK must contain at least one return code", "MQTT-3.8.4-6"}},
    {Code::suback_return_code_invalid, {"suback_return_code_invalid", "MQTT-3.9.3-2", E,
        "SUBACK return code must be 0x00, 0x01, 0x02 or 0x80"}},
    {Code::unsubscribe_filter_not_utf8, {"unsubscribe_filter_not_utf8", "MQTT-3.10.3-1", E,
        "UNSUBSCRIBE Topic Filter must be a valid UTF-8 string", "MQTT-3.10.3-1"}},
    {Code::unsubscribe_no_filters, {"unsubscribe_no_filters", "MQTT-3.10.3-2", E,
        "UNSUBSCRIBE must contain at least one Topic Filter", "MQTT-3.10.3-2"}},
    {Code::packet_id_missing, {"packet_id_missing", "MQTT-§2.3.1", E,
        "variable header is too short for the Packet Identifier", "MQTT5-§2.1.4"}},

    // PINGREQ, PINGRESP, DISCONNECT
    {Code::pingreq_length, {"pingreq_length", "MQTT-§3.12.1", E,
        "Remaining Length must be 0 for PINGREQ", "MQTT5-§2.1.4"}},
    {Code::pingresp_length, {"pingresp_length", "MQTT-§3.13.1", E,
        "Remaining Length must be 0 for PINGRESP", "MQTT5-§2.1.4"}},
    {Code::disconnect_length, {"disconnect_length", "MQTT-§3.14.1", E,
        "Remaining Length must be 0 for DISCONNECT"}},

    // Across one connection
    {Code::first_packet_not_connect, {"first_packet_not_connect", "MQTT-3.1.0-1", E,
        "the client's first packet must be CONNECT", "MQTT-3.1.0-1"}},
    {Code::second_connect, {"second_connect", "MQTT-3.1.0-2", E,
        "the client must not send a second CONNECT", "MQTT-3.1.0-2"}},
    {Code::first_packet_not_connack, {"first_packet_not_connack", "MQTT-3.2.0-1", E,
        "the server's first packet must be CONNACK"}},
    {Code::wrong_direction, {"wrong_direction", "MQTT-§2.2.1", E,
        "this packet type must not be sent in this direction", "MQTT5-§2.1.2"}},
    {Code::connack_after_bad_connect, {"connack_after_bad_connect", "MQTT-3.1.4-1", E,
        "the server must not answer a malformed CONNECT with CONNACK"}},
    {Code::session_present_clean, {"session_present_clean", "MQTT-3.2.2-1", E,
        "Session Present must be 0 after a CONNECT with Clean Session 1"}},
    {Code::data_after_connack_error, {"data_after_connack_error", "MQTT-3.2.2-5", E,
        "the server must close the connection after a non-zero CONNACK return code"}},
    {Code::packet_id_in_use, {"packet_id_in_use", "MQTT-2.3.1-2", E,
        "a new request must not reuse a Packet Identifier still in flight"}},
    {Code::ack_unknown_packet_id, {"ack_unknown_packet_id", "MQTT-2.3.1-6", E,
        "acknowledgement matches no outstanding request"}},
    {Code::subscribe_unanswered, {"subscribe_unanswered", "MQTT-3.8.4-1", E,
        "SUBSCRIBE was never acknowledged with SUBACK"}},
    {Code::unsubscribe_unanswered, {"unsubscribe_unanswered", "MQTT-3.10.4-4", E,
        "UNSUBSCRIBE was never acknowledged with UNSUBACK"}},
    {Code::suback_count_mismatch, {"suback_count_mismatch", "MQTT-3.9.3-1", E,
        "SUBACK must carry one return code per Topic Filter of the SUBSCRIBE"}},
    {Code::pingreq_unanswered, {"pingreq_unanswered", "MQTT-3.12.4-1", E,
        "PINGREQ was never answered by PINGRESP"}},
    {Code::data_after_disconnect, {"data_after_disconnect", "MQTT-3.14.4-1", E,
        "the client must send nothing after DISCONNECT"}},
    {Code::keep_alive_exceeded, {"keep_alive_exceeded", "MQTT-3.1.2-24", E,
        "no packet within one and a half times the Keep Alive"}},

    // Capture and TCP layer
    {Code::stream_gap, {"stream_gap", "mqttlens", W,
        "bytes were lost in the capture; decoding resynchronised"}},
    {Code::stream_midstream, {"stream_midstream", "mqttlens", W,
        "capture starts inside a connection; decoding starts at the first packet boundary found"}},
    {Code::stream_unsynchronised, {"stream_unsynchronised", "mqttlens", W,
        "no plausible packet boundary found; bytes skipped"}},

    // MQTT 3.1 only
    {Code::client_id_length_v3_1, {"client_id_length_v3_1", "MQTT-v3.1-§3.1", E,
        "an MQTT 3.1 Client Identifier must be 1 to 23 characters long (the server answers CONNACK 2)"}},

    // MQTT 5.0 only
    {Code::auth_flags, {"auth_flags", "", E,
        "AUTH fixed header flags must be 0000", "MQTT-3.15.1-1"}},
    {Code::property_length_missing, {"property_length_missing", "", E,
        "the packet must carry a Property Length (0 when there are no properties)", "MQTT-2.2.2-1"}},
    {Code::property_varint_malformed, {"property_varint_malformed", "", E,
        "a Variable Byte Integer must not use more than 4 bytes", "MQTT5-§1.5.5"}},
    {Code::property_varint_non_minimal, {"property_varint_non_minimal", "", E,
        "a Variable Byte Integer must use the fewest bytes that hold its value", "MQTT-1.5.5-1"}},
    {Code::property_length_past_end, {"property_length_past_end", "", E,
        "the Property Length runs past the end of the packet", "MQTT5-§2.2.2.1"}},
    {Code::property_truncated, {"property_truncated", "", E,
        "a property runs past the end of the Property Length", "MQTT5-§2.2.2.1"}},
    {Code::binary_truncated, {"binary_truncated", "", E,
        "a Binary Data length runs past the end of its field", "MQTT5-§1.5.6"}},
    {Code::property_unknown, {"property_unknown", "", E,
        "property identifier is not defined by MQTT 5.0", "MQTT5-§2.2.2.2"}},
    {Code::property_not_allowed, {"property_not_allowed", "", E,
        "this property is not allowed here", "MQTT5-§2.2.2.2"}},
    {Code::string_pair_not_utf8, {"string_pair_not_utf8", "", E,
        "both strings of a UTF-8 String Pair must be valid UTF-8 strings", "MQTT-1.5.7-1"}},
    {Code::connect_property_repeated, {"connect_property_repeated", "", E,
        "a CONNECT property other than User Property appears twice", "MQTT5-§3.1.2.11"}},
    {Code::will_property_repeated, {"will_property_repeated", "", E,
        "a Will property other than User Property appears twice", "MQTT5-§3.1.3.2"}},
    {Code::connack_property_repeated, {"connack_property_repeated", "", E,
        "a CONNACK property other than User Property appears twice", "MQTT5-§3.2.2.3"}},
    {Code::publish_property_repeated, {"publish_property_repeated", "", E,
        "a PUBLISH property other than User Property and Subscription Identifier appears twice", "MQTT5-§3.3.2.3"}},
    {Code::puback_property_repeated, {"puback_property_repeated", "", E,
        "a PUBACK property other than User Property appears twice", "MQTT5-§3.4.2.2"}},
    {Code::pubrec_property_repeated, {"pubrec_property_repeated", "", E,
        "a PUBREC property other than User Property appears twice", "MQTT5-§3.5.2.2"}},
    {Code::pubrel_property_repeated, {"pubrel_property_repeated", "", E,
        "a PUBREL property other than User Property appears twice", "MQTT5-§3.6.2.2"}},
    {Code::pubcomp_property_repeated, {"pubcomp_property_repeated", "", E,
        "a PUBCOMP property other than User Property appears twice", "MQTT5-§3.7.2.2"}},
    {Code::suback_property_repeated, {"suback_property_repeated", "", E,
        "a SUBACK property other than User Property appears twice", "MQTT5-§3.9.2.1"}},
    {Code::unsuback_property_repeated, {"unsuback_property_repeated", "", E,
        "an UNSUBACK property other than User Property appears twice", "MQTT5-§3.11.2.1"}},
    {Code::disconnect_property_repeated, {"disconnect_property_repeated", "", E,
        "a DISCONNECT property other than User Property appears twice", "MQTT5-§3.14.2.2"}},
    {Code::auth_property_repeated, {"auth_property_repeated", "", E,
        "an AUTH property other than User Property appears twice", "MQTT5-§3.15.2.2"}},
    {Code::subscribe_subscription_identifier_invalid, {"subscribe_subscription_identifier_invalid", "", E,
        "SUBSCRIBE may carry one Subscription Identifier, not 0", "MQTT5-§3.8.2.1.2"}},
    {Code::publish_subscription_identifier_zero, {"publish_subscription_identifier_zero", "", E,
        "a Subscription Identifier must not be 0", "MQTT5-§3.3.2.3.8"}},
    {Code::connect_receive_maximum_zero, {"connect_receive_maximum_zero", "", E,
        "Receive Maximum must not be 0", "MQTT5-§3.1.2.11.3"}},
    {Code::connack_receive_maximum_zero, {"connack_receive_maximum_zero", "", E,
        "Receive Maximum must not be 0", "MQTT5-§3.2.2.3.3"}},
    {Code::connect_maximum_packet_size_zero, {"connect_maximum_packet_size_zero", "", E,
        "Maximum Packet Size must not be 0", "MQTT5-§3.1.2.11.4"}},
    {Code::connack_maximum_packet_size_zero, {"connack_maximum_packet_size_zero", "", E,
        "Maximum Packet Size must not be 0", "MQTT5-§3.2.2.3.6"}},
    {Code::request_response_information_invalid, {"request_response_information_invalid", "", E,
        "Request Response Information must be 0 or 1", "MQTT5-§3.1.2.11.6"}},
    {Code::request_problem_information_invalid, {"request_problem_information_invalid", "", E,
        "Request Problem Information must be 0 or 1", "MQTT5-§3.1.2.11.7"}},
    {Code::authentication_data_without_method, {"authentication_data_without_method", "", E,
        "Authentication Data requires an Authentication Method", "MQTT5-§3.1.2.11.10"}},
    {Code::maximum_qos_invalid, {"maximum_qos_invalid", "", E,
        "Maximum QoS must be 0 or 1", "MQTT5-§3.2.2.3.4"}},
    {Code::retain_available_invalid, {"retain_available_invalid", "", E,
        "Retain Available must be 0 or 1", "MQTT5-§3.2.2.3.5"}},
    {Code::wildcard_subscription_available_invalid, {"wildcard_subscription_available_invalid", "", E,
        "Wildcard Subscription Available must be 0 or 1", "MQTT5-§3.2.2.3.11"}},
    {Code::subscription_identifier_available_invalid, {"subscription_identifier_available_invalid", "", E,
        "Subscription Identifiers Available must be 0 or 1", "MQTT5-§3.2.2.3.12"}},
    {Code::shared_subscription_available_invalid, {"shared_subscription_available_invalid", "", E,
        "Shared Subscription Available must be 0 or 1", "MQTT5-§3.2.2.3.13"}},
    {Code::publish_payload_format_invalid, {"publish_payload_format_invalid", "", E,
        "Payload Format Indicator must be 0 or 1, and with 1 the payload must be valid UTF-8", "MQTT5-§3.3.2.3.2"}},
    {Code::will_payload_format_invalid, {"will_payload_format_invalid", "", E,
        "Will Payload Format Indicator must be 0 or 1, and with 1 the Will Payload must be valid UTF-8", "MQTT5-§3.1.3.2.3"}},
    {Code::publish_topic_empty_without_alias, {"publish_topic_empty_without_alias", "", E,
        "a zero-length Topic Name requires a Topic Alias", "MQTT5-§3.3.2.1"}},
    {Code::topic_alias_zero, {"topic_alias_zero", "", E,
        "Topic Alias must not be 0", "MQTT-3.3.2-8"}},
    {Code::response_topic_not_utf8, {"response_topic_not_utf8", "", E,
        "Response Topic must be a valid UTF-8 string", "MQTT-3.3.2-13"}},
    {Code::response_topic_wildcard, {"response_topic_wildcard", "", E,
        "Response Topic must not contain wildcard characters", "MQTT-3.3.2-14"}},
    {Code::content_type_not_utf8, {"content_type_not_utf8", "", E,
        "Content Type must be a valid UTF-8 string", "MQTT-3.3.2-19"}},
    {Code::connack_reason_code_invalid, {"connack_reason_code_invalid", "", E,
        "CONNACK Reason Code must be one of Table 3-1", "MQTT-3.2.2-8"}},
    {Code::puback_reason_code_invalid, {"puback_reason_code_invalid", "", E,
        "PUBACK Reason Code must be one of Table 3-4", "MQTT-3.4.2-1"}},
    {Code::pubrec_reason_code_invalid, {"pubrec_reason_code_invalid", "", E,
        "PUBREC Reason Code must be one of Table 3-5", "MQTT-3.5.2-1"}},
    {Code::pubrel_reason_code_invalid, {"pubrel_reason_code_invalid", "", E,
        "PUBREL Reason Code must be 0x00 or 0x92", "MQTT-3.6.2-1"}},
    {Code::pubcomp_reason_code_invalid, {"pubcomp_reason_code_invalid", "", E,
        "PUBCOMP Reason Code must be 0x00 or 0x92", "MQTT-3.7.2-1"}},
    {Code::suback_reason_code_invalid, {"suback_reason_code_invalid", "", E,
        "SUBACK Reason Code must be one of Table 3-8", "MQTT-3.9.3-2"}},
    {Code::unsuback_reason_code_invalid, {"unsuback_reason_code_invalid", "", E,
        "UNSUBACK Reason Code must be one of Table 3-9", "MQTT-3.11.3-2"}},
    {Code::unsuback_no_reason_codes, {"unsuback_no_reason_codes", "", E,
        "UNSUBACK must carry one Reason Code per Topic Filter", "MQTT-3.11.3-2"}},
    {Code::disconnect_reason_code_invalid, {"disconnect_reason_code_invalid", "", E,
        "DISCONNECT Reason Code must be one of Table 3-10", "MQTT-3.14.2-1"}},
    {Code::auth_reason_code_invalid, {"auth_reason_code_invalid", "", E,
        "AUTH Reason Code must be 0x00, 0x18 or 0x19", "MQTT-3.15.2-1"}},
    {Code::auth_method_missing, {"auth_method_missing", "", E,
        "AUTH must carry an Authentication Method", "MQTT5-§3.15.2.2"}},
    {Code::subscribe_options_reserved, {"subscribe_options_reserved", "", E,
        "Subscription Options bits 7..6 must be zero", "MQTT-3.8.3-5"}},
    {Code::subscribe_options_invalid, {"subscribe_options_invalid", "", E,
        "Maximum QoS and Retain Handling must not be 3", "MQTT5-§3.8.3.1"}},
    {Code::subscribe_no_local_shared, {"subscribe_no_local_shared", "", E,
        "No Local must not be set on a Shared Subscription", "MQTT-3.8.3-4"}},
    {Code::share_name_empty, {"share_name_empty", "", E,
        "a ShareName must be at least one character long", "MQTT-4.8.2-1"}},
    {Code::share_name_invalid, {"share_name_invalid", "", E,
        "a ShareName must not contain wildcards and must be followed by / and a Topic Filter", "MQTT-4.8.2-2"}},
    {Code::fields_end_early, {"fields_end_early", "", E,
        "bytes follow the last field, inside the Remaining Length", "MQTT5-§2.1.4"}},
};

consteval bool rows_match_codes() {
    if (std::size(rows) != code_count) return false;
    for (std::size_t i = 0; i < std::size(rows); ++i)
        if (static_cast<std::size_t>(rows[i].code) != i) return false;
    return true;
}
static_assert(rows_match_codes(), "one row per Code, in enumerator order");

constexpr std::string_view field_names[] = {
    "none",        "fixed_header", "remaining_length", "protocol_name", "protocol_level",
    "connect_flags", "keep_alive", "client_id",       "will_topic",    "will_message",
    "username",    "password",     "ack_flags",        "return_code",   "topic",
    "packet_id",   "payload",      "topic_filter",     "requested_qos", "return_codes",
    "properties",  "will_properties", "reason_code",   "reason_codes",  "trailing",
};
static_assert(std::size(field_names) == static_cast<std::size_t>(Field::trailing) + 1);

}  // namespace

const CodeInfo& code_info(Code code) noexcept {
    static constexpr CodeInfo unknown{"unknown", "mqttlens", E, "unknown diagnostic code"};
    auto i = static_cast<std::size_t>(code);
    return i < code_count ? rows[i].info : unknown;
}

RuleId rule_id(Code code, Version version) noexcept {
    const CodeInfo& info = code_info(code);
    // A 5.0-only code (no 3.1.1 rule) names its 5.0 rule whatever the version asked.
    if (!info.rule_v5.empty() && (version == Version::v5_0 || info.rule.empty())) return {info.rule_v5, "5.0"};
    if (info.rule == "mqttlens") return {info.rule, {}};
    return {info.rule, code == Code::client_id_length_v3_1 ? "3.1" : "3.1.1"};
}

std::string_view field_name(Field field) noexcept {
    auto i = static_cast<std::size_t>(field);
    return i < std::size(field_names) ? field_names[i] : std::string_view("unknown");
}

std::string_view severity_name(Severity severity) noexcept {
    return severity == Severity::warning ? "warning" : "error";
}

}  // namespace mqttlens::mqtt
