// JSON lines: valid JSON for every packet kind, the contract keys of issue 2 §5, the capture keys
// of issue 3, and visible escaping of invalid UTF-8.
#include "json_checker.hpp"
#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace mqttlens;
using json_checker::Value;
using output::Format;
using test_util::Decoded;

namespace {

// CONNECT, annotated: protocol "MQTT" level 4; flags 0xce = user, password, will QoS 1, will,
// clean session; keep alive 60; client id "c1"; will topic "lw", will message "bye"; user "u";
// password "pw".
constexpr std::string_view connect_hex =
    "10 1e  00 04 4d 51 54 54  04  ce  00 3c  00 02 63 31  00 02 6c 77  00 03 62 79 65"
    "  00 01 75  00 02 70 77";
// PUBLISH QoS 1, topic "a/b", packet id 7, payload "hello".
constexpr std::string_view publish_hex = "32 0c  00 03 61 2f 62  00 07  68 65 6c 6c 6f";

Value parse_line(const std::string& line) {
    EXPECT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n') << "a JSON line ends with a newline";
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per object";
    json_checker::Parser parser(line);
    auto v = parser.parse();
    EXPECT_TRUE(v.has_value()) << parser.error() << " in " << line;
    return v.value_or(Value{});
}

Value json_of(const mqtt::Packet& p, output::Context context = {}, output::PrintOptions options = {}) {
    if (!context.offset) context.offset = 0;
    return parse_line(test_util::print(p, Format::json, context, options));
}

struct TypeCase {
    std::string_view hex;
    std::string_view type;
    std::vector<std::string> keys;  // type-specific contract keys
};

const TypeCase type_cases[] = {
    {connect_hex, "CONNECT", {"protocol_name", "protocol_level", "clean_session", "keep_alive", "client_id", "will", "username", "password_len"}},
    {"20 02 00 00", "CONNACK", {"session_present", "return_code"}},
    {publish_hex, "PUBLISH", {"dup", "qos", "retain", "topic", "packet_id", "payload_len", "payload"}},
    {"40 02 00 07", "PUBACK", {"packet_id"}},
    {"50 02 00 07", "PUBREC", {"packet_id"}},
    {"62 02 00 07", "PUBREL", {"packet_id"}},
    {"70 02 00 07", "PUBCOMP", {"packet_id"}},
    // SUBSCRIBE id 3: "a/#" QoS 1, "b" QoS 0.
    {"82 0c  00 03  00 03 61 2f 23 01  00 01 62 00", "SUBSCRIBE", {"packet_id", "subscriptions"}},
    {"90 05  00 03  01 00 80", "SUBACK", {"packet_id", "return_codes"}},
    // UNSUBSCRIBE id 4: "a/#".
    {"a2 07  00 04  00 03 61 2f 23", "UNSUBSCRIBE", {"packet_id", "filters"}},
    {"b0 02 00 04", "UNSUBACK", {"packet_id"}},
    {"c0 00", "PINGREQ", {}},
    {"d0 00", "PINGRESP", {}},
    {"e0 00", "DISCONNECT", {}},
    {"00 00", "RESERVED", {}},
    {"f0 00", "RESERVED", {}},
};

}  // namespace

TEST(Json, EveryPacketKindIsValidJsonWithTheContractKeys) {
    for (const auto& c : type_cases) {
        SCOPED_TRACE(std::string(c.hex));
        Decoded d(c.hex);
        const Value v = json_of(d.packet);
        ASSERT_EQ(v.kind, Value::Kind::object);
        EXPECT_EQ(v["type"].string, c.type);
        for (const char* key : {"flags", "remaining_length", "offset"})
            EXPECT_EQ(v[key].kind, Value::Kind::number) << key;
        EXPECT_EQ(v["valid"].kind, Value::Kind::boolean);
        EXPECT_EQ(v["errors"].kind, Value::Kind::array);
        EXPECT_EQ(v["warnings"].kind, Value::Kind::array);
        EXPECT_EQ(v["flags"].number, d.bytes[0] & 0x0F);
        EXPECT_EQ(v["remaining_length"].number, d.bytes[1]);
        for (const auto& key : c.keys) EXPECT_TRUE(v.has(key)) << key;
        EXPECT_EQ(v["valid"].boolean, c.type != "RESERVED");
        EXPECT_FALSE(v.has("error"));
    }
}

TEST(Json, ConnectFields) {
    Decoded d(connect_hex);
    const Value v = json_of(d.packet);
    EXPECT_EQ(v["protocol_name"].string, "MQTT");
    EXPECT_EQ(v["protocol_level"].number, 4);
    EXPECT_TRUE(v["clean_session"].boolean);
    EXPECT_EQ(v["keep_alive"].number, 60);
    EXPECT_EQ(v["client_id"].string, "c1");
    EXPECT_EQ(v["will"]["topic"].string, "lw");
    EXPECT_EQ(v["will"]["message_len"].number, 3);
    EXPECT_EQ(v["will"]["qos"].number, 1);
    EXPECT_FALSE(v["will"]["retain"].boolean);
    EXPECT_EQ(v["username"].string, "u");
    EXPECT_EQ(v["password_len"].number, 2);
    EXPECT_FALSE(v.has("password")) << "the password itself is not printed in JSON";
}

TEST(Json, ConnectWithoutOptionalFieldsHasNulls) {
    // flags 0x02: clean session only; client id "" (allowed with clean session).
    Decoded d("10 0c  00 04 4d 51 54 54  04  02  00 3c  00 00");
    const Value v = json_of(d.packet);
    EXPECT_EQ(v["will"].kind, Value::Kind::null);
    EXPECT_EQ(v["username"].kind, Value::Kind::null);
    EXPECT_EQ(v["password_len"].kind, Value::Kind::null);
    EXPECT_EQ(v["client_id"].string, "");
}

TEST(Json, AckFamilyAndSubscriptions) {
    Decoded sub("82 0c  00 03  00 03 61 2f 23 01  00 01 62 00");
    const Value s = json_of(sub.packet);
    EXPECT_EQ(s["packet_id"].number, 3);
    ASSERT_EQ(s["subscriptions"].array.size(), 2u);
    EXPECT_EQ(s["subscriptions"][0]["filter"].string, "a/#");
    EXPECT_EQ(s["subscriptions"][0]["qos"].number, 1);
    EXPECT_EQ(s["subscriptions"][1]["filter"].string, "b");
    EXPECT_EQ(s["subscriptions"][1]["qos"].number, 0);

    Decoded ack("90 05  00 03  01 00 80");
    const Value a = json_of(ack.packet);
    ASSERT_EQ(a["return_codes"].array.size(), 3u);
    EXPECT_EQ(a["return_codes"][2].number, 128);

    Decoded unsub("a2 07  00 04  00 03 61 2f 23");
    const Value u = json_of(unsub.packet);
    ASSERT_EQ(u["filters"].array.size(), 1u);
    EXPECT_EQ(u["filters"][0].string, "a/#");

    Decoded connack("20 02 01 00");
    EXPECT_TRUE(json_of(connack.packet)["session_present"].boolean);
}

TEST(Json, PublishQos0HasNullPacketId) {
    Decoded d("30 08  00 01 74  68 65 6c 6c 6f");
    const Value v = json_of(d.packet);
    EXPECT_EQ(v["packet_id"].kind, Value::Kind::null);
    EXPECT_EQ(v["qos"].number, 0);
    EXPECT_EQ(v["payload"].string, "hello");
}

TEST(Json, PayloadIsTextWhenPrintableElseHex) {
    Decoded text(publish_hex);
    const Value t = json_of(text.packet);
    EXPECT_EQ(t["payload"].string, "hello");
    EXPECT_FALSE(t.has("payload_hex"));
    EXPECT_EQ(t["payload_len"].number, 5);

    Decoded binary("30 07  00 01 74  00 01 ff fe");
    const Value b = json_of(binary.packet);
    EXPECT_EQ(b["payload_hex"].string, "0001fffe");
    EXPECT_FALSE(b.has("payload"));
    EXPECT_EQ(b["payload_len"].number, 4);
}

TEST(Json, PayloadMaxCutsThePayloadAndSaysSo) {
    Decoded d(publish_hex);
    output::PrintOptions options;
    options.payload_max = 3;
    const Value cut = json_of(d.packet, {}, options);
    EXPECT_EQ(cut["payload"].string, "hel");
    EXPECT_TRUE(cut["payload_truncated"].boolean);
    EXPECT_EQ(cut["payload_len"].number, 5) << "payload_len is always the full length";

    options.payload_max = 0;  // all
    const Value all = json_of(d.packet, {}, options);
    EXPECT_EQ(all["payload"].string, "hello");
    EXPECT_FALSE(all.has("payload_truncated"));

    Decoded bin("30 07  00 01 74  00 01 ff fe");
    options.payload_max = 2;
    const Value b = json_of(bin.packet, {}, options);
    EXPECT_EQ(b["payload_hex"].string, "0001");
    EXPECT_TRUE(b["payload_truncated"].boolean);
}

TEST(Json, InvalidUtf8TopicIsEscapedVisiblyAndGivenInHex) {
    Decoded d("30 05  00 03 61 ff 62");  // topic "a", 0xff, "b"
    const std::string line = test_util::print(d.packet, Format::json);
    const Value v = parse_line(line);
    EXPECT_EQ(v["topic"].string, "a\\xffb");
    EXPECT_EQ(v["topic_hex"].string, "61ff62");
    EXPECT_FALSE(v["valid"].boolean);
    bool topic_error = false;
    for (const auto& e : v["errors"].array) {
        for (const char* key : {"rule", "code", "offset", "field", "message"}) EXPECT_TRUE(e.has(key)) << key;
        topic_error |= e["field"].string == "topic";
    }
    EXPECT_TRUE(topic_error);
}

TEST(Json, InvalidUtf8InClientIdFilterAndUsernameStaysValidJson) {
    // client id "\xc3(" (broken 2-byte sequence), user name "\xff".
    Decoded c("10 11  00 04 4d 51 54 54  04  82  00 3c  00 02 c3 28  00 01 ff");
    const Value cv = json_of(c.packet);
    EXPECT_EQ(cv["client_id"].string, "\\xc3(");
    EXPECT_EQ(cv["client_id_hex"].string, "c328");
    EXPECT_EQ(cv["username"].string, "\\xff");

    Decoded s("82 06  00 01  00 01 fe 00");
    const Value sv = json_of(s.packet);
    EXPECT_EQ(sv["subscriptions"][0]["filter"].string, "\\xfe");
    EXPECT_EQ(sv["subscriptions"][0]["filter_hex"].string, "fe");
}

TEST(Json, DiagnosticsAreSplitBySeverity) {
    // PUBLISH QoS 0 with DUP set (error MQTT-3.3.1-2) and a non-minimal Remaining Length
    // (warning): 38 85 00 ... is Remaining Length 5 in two bytes.
    Decoded d("38 85 00  00 01 74  68 69");
    const Value v = json_of(d.packet);
    EXPECT_FALSE(v["valid"].boolean);
    ASSERT_FALSE(v["errors"].array.empty());
    ASSERT_FALSE(v["warnings"].array.empty());
    bool dup = false;
    for (const auto& e : v["errors"].array) dup |= e["rule"].string == "MQTT-3.3.1-2";
    EXPECT_TRUE(dup);
    EXPECT_EQ(v["warnings"][0]["code"].string, "remaining_length_non_minimal");
    EXPECT_EQ(v["warnings"][0]["offset"].number, 1);
}

TEST(Json, CaptureKeysOnlyWhenTheContextHasThem) {
    Decoded d(publish_hex);
    const Value bare = parse_line(test_util::print(d.packet, Format::json));
    for (const char* key : {"frame", "ts", "stream", "src", "dst", "direction", "offset", "note"})
        EXPECT_FALSE(bare.has(key)) << key;

    output::Context c;
    c.frame = 12;
    c.ts = output::Timestamp{1700000000, 123456000};
    c.stream = 3;
    c.src = "[::1]:50000";
    c.dst = "[::1]:1883";
    c.direction = output::Direction::c2s;
    c.offset = 40;
    c.alias_topic = "a/\"b\"";
    const std::string line = test_util::print(d.packet, Format::json, c);
    const Value v = parse_line(line);
    EXPECT_EQ(v["frame"].number, 12);
    EXPECT_NE(line.find("\"ts\":1700000000.123456,"), std::string::npos) << line;
    EXPECT_EQ(v["stream"].number, 3);
    EXPECT_EQ(v["src"].string, "[::1]:50000");
    EXPECT_EQ(v["dst"].string, "[::1]:1883");
    EXPECT_EQ(v["direction"].string, "c2s");
    EXPECT_EQ(v["offset"].number, 40);
    EXPECT_EQ(v["resolved_topic"].string, "a/\"b\"");

    c.direction = output::Direction::unknown;
    c.ts = output::Timestamp{5, 1};  // nanosecond precision keeps 9 digits
    const std::string line2 = test_util::print(d.packet, Format::json, c);
    EXPECT_EQ(parse_line(line2)["direction"].string, "unknown");
    EXPECT_NE(line2.find("\"ts\":5.000000001,"), std::string::npos) << line2;
}

TEST(Json, ConnectionDiagnosticsJoinTheListsAndTheVerdict) {
    Decoded d("20 02 00 00");  // a valid CONNACK ...
    const mqtt::Diagnostic extra[] = {
        {mqtt::Code::wrong_direction, mqtt::Severity::error, mqtt::Field::fixed_header, 0}};
    output::Context c;
    c.extra = extra;  // ... sent by the client
    const Value v = json_of(d.packet, c);
    EXPECT_FALSE(v["valid"].boolean);
    ASSERT_EQ(v["errors"].array.size(), 1u);
    EXPECT_EQ(v["errors"][0]["code"].string, "wrong_direction");
    EXPECT_EQ(v["errors"][0]["rule"].string, mqtt::code_info(mqtt::Code::wrong_direction).rule);
}

TEST(Json, HexDumpOptionAddsRawHex) {
    Decoded d("c0 00");
    output::PrintOptions options;
    options.hex_dump = true;
    EXPECT_EQ(json_of(d.packet, {}, options)["raw_hex"].string, "c000");
}

TEST(Json, NeverColoured) {
    Decoded d("38 85 00  00 01 74  68 69");
    output::PrintOptions options;
    options.color = true;
    EXPECT_EQ(test_util::print(d.packet, Format::json, {}, options).find('\x1b'), std::string::npos);
}

TEST(Json, FramingErrorIsOneObjectWithErrorAndNoType) {
    const auto rest = test_util::unhex("30 ff ff ff 7f 00");
    output::FramingError error{mqtt::Code::packet_truncated, 17, rest};
    output::Context c;
    c.direction = output::Direction::c2s;
    output::PrintOptions options;
    options.format = Format::json;
    output::Buffer out;
    output::print_framing_error(out, error, c, options);
    const Value v = parse_line(test_util::text(out));
    EXPECT_FALSE(v.has("type"));
    EXPECT_EQ(v["error"]["code"].string, "packet_truncated");
    EXPECT_EQ(v["error"]["offset"].number, 17);
    EXPECT_FALSE(v["error"]["message"].string.empty());
    EXPECT_EQ(v["error"]["bytes_left"].number, 6);
    EXPECT_EQ(v["error"]["remaining_length"].number, 268435455);
    EXPECT_EQ(v["direction"].string, "c2s");
}

// MQTT 5.0: every 3.1.1 key stays; reason codes with their names, a `properties` object (snake_case
// names, `user_properties` as [name, value] pairs, `subscription_identifiers` as a list, Binary
// Data as `<name>_hex`), Subscription Options spelled out, AUTH by its name.
TEST(Json, Mqtt5ReasonCodesAndProperties) {
    output::Context c;
    c.version = mqtt::Version::v5_0;
    // PUBLISH QoS 1 "a" id 7; properties: User Property k=v, User Property k=w, Subscription
    // Identifier 3 and 4, Correlation Data 01 02, Message Expiry 60; payload "hi".
    Decoded pub("32 24  00 01 61  00 07  1c  26 00 01 6b 00 01 76  26 00 01 6b 00 01 77  0b 03  0b 04"
                "  09 00 02 01 02  02 00 00 00 3c  68 69",
                mqtt::Version::v5_0);
    ASSERT_TRUE(pub.packet.valid());
    const Value p = json_of(pub.packet, c);
    EXPECT_EQ(p["type"].string, "PUBLISH");
    EXPECT_EQ(p["topic"].string, "a");
    EXPECT_EQ(p["packet_id"].number, 7);
    EXPECT_EQ(p["payload"].string, "hi");
    const Value& props = p["properties"];
    ASSERT_EQ(props["user_properties"].array.size(), 2u);
    EXPECT_EQ(props["user_properties"][0][0].string, "k");
    EXPECT_EQ(props["user_properties"][0][1].string, "v");
    EXPECT_EQ(props["user_properties"][1][1].string, "w");
    ASSERT_EQ(props["subscription_identifiers"].array.size(), 2u);
    EXPECT_EQ(props["subscription_identifiers"][1].number, 4);
    EXPECT_EQ(props["correlation_data_hex"].string, "0102");
    EXPECT_EQ(props["message_expiry_interval"].number, 60);

    Decoded connack("20 06  00 87  03 21 00 0a", mqtt::Version::v5_0);
    const Value a = json_of(connack.packet, c);
    EXPECT_EQ(a["return_code"].number, 0x87) << "the 3.1.1 key stays";
    EXPECT_EQ(a["reason_code"].number, 0x87);
    EXPECT_EQ(a["reason"].string, "Not authorized");
    EXPECT_EQ(a["properties"]["receive_maximum"].number, 10);

    Decoded suback("90 06  00 01  00  01 80 97", mqtt::Version::v5_0);
    const Value s = json_of(suback.packet, c);
    ASSERT_EQ(s["reasons"].array.size(), 3u);
    EXPECT_EQ(s["reasons"][0].string, "Granted QoS 1");
    EXPECT_EQ(s["reasons"][2].string, "Quota exceeded");

    Decoded subscribe("82 09  00 01  00  00 01 61  2d", mqtt::Version::v5_0);
    const Value sub = json_of(subscribe.packet, c)["subscriptions"][0];
    EXPECT_EQ(sub["qos"].number, 1);
    EXPECT_TRUE(sub["no_local"].boolean);
    EXPECT_TRUE(sub["retain_as_published"].boolean);
    EXPECT_EQ(sub["retain_handling"].number, 2);
    EXPECT_FALSE(sub.has("options")) << "no reserved bit set";

    Decoded disconnect("e0 00", mqtt::Version::v5_0);
    const Value d = json_of(disconnect.packet, c);
    EXPECT_EQ(d["reason_code"].number, 0) << "Remaining Length 0 means 0x00";
    EXPECT_EQ(d["reason"].string, "Normal disconnection");

    Decoded auth("f0 0a  18  08 15 00 05 53 43 52 41 4d", mqtt::Version::v5_0);
    const Value au = json_of(auth.packet, c);
    EXPECT_EQ(au["type"].string, "AUTH");
    EXPECT_EQ(au["reason"].string, "Continue authentication");
    EXPECT_EQ(au["properties"]["authentication_method"].string, "SCRAM");

    // A repeated property keeps its first value: the object's keys stay unique.
    Decoded twice("20 09  00 00  06 21 00 0a 21 00 0b", mqtt::Version::v5_0);
    const std::string twice_line = test_util::print(twice.packet, Format::json, c);
    EXPECT_EQ(parse_line(twice_line)["properties"]["receive_maximum"].number, 10);
    EXPECT_EQ(twice_line.find("receive_maximum"), twice_line.rfind("receive_maximum")) << twice_line;

    // A broken 5.0 packet: the finding names its 5.0 rule.
    Decoded alias0("30 07  00 01 61  03 23 00 00", mqtt::Version::v5_0);
    const Value e = json_of(alias0.packet, c);
    ASSERT_EQ(e["errors"].array.size(), 1u);
    EXPECT_EQ(e["errors"][0]["rule"].string, "MQTT-3.3.2-8");
    EXPECT_EQ(e["errors"][0]["version"].string, "5.0");
    EXPECT_EQ(e["errors"][0]["code"].string, "topic_alias_zero");
    EXPECT_EQ(e["errors"][0]["field"].string, "properties");
}
