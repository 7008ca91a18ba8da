// Inputs that broke real MQTT parsers (shared/regressions.md, and the MQTT 5.0 ones of
// docs/MQTT5-REGRESSIONS.md), replayed from corpus/regressions/ with the exact diagnosis: what the framer makes of the stream, and what the decoder says of each
// packet. Stream rules (wrong direction, first packet not CONNECT) belong to the session checker's
// tests; here only the single-packet part is asserted.
#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "framer_util.hpp"

namespace mqttlens::mqtt {
namespace {

using Status = Frame::Status;

std::vector<std::uint8_t> read_regression(const std::string& name) {
    std::ifstream in(std::string(MQTTLENS_SOURCE_DIR) + "/corpus/regressions/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing corpus/regressions/" << name;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Finding {
    Code code;
    Field field;
    std::uint32_t offset;
    friend auto operator<=>(const Finding&, const Finding&) = default;
};

void PrintTo(const Finding& f, std::ostream* os) {
    *os << code_info(f.code).name << " " << field_name(f.field) << " @" << f.offset;
}

std::vector<Finding> findings(const Packet& p) {
    std::vector<Finding> out;
    for (const Diagnostic& d : p.diagnostics) out.push_back({d.code, d.field, d.offset});
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<Finding> sorted(std::vector<Finding> v) {
    std::sort(v.begin(), v.end());
    return v;
}

/// One packet the framer must cut from the file, and the decoder's exact diagnosis of it.
struct FramedPacket {
    std::uint64_t offset;
    PacketType type;
    std::vector<Finding> diagnostics;
};

/// One row of shared/regressions.md.
struct Regression {
    const char* file;
    std::vector<FramedPacket> packets;     ///< in stream order
    std::optional<Code> framer_error;      ///< reported after the packets, at `error_offset`
    std::uint64_t error_offset = 0;
    std::vector<Finding> decoded_whole;    ///< decode() of the whole file (framer_error rows)
    Version version = Version::v3_1_1;     ///< the connection's, as decode() is given it
};

/// A file the framer cuts into whole packets.
Regression framed(const char* file, std::vector<FramedPacket> packets) {
    return {file, std::move(packets), std::nullopt, 0, {}};
}
/// A file of MQTT 5.0 packets (docs/MQTT5-REGRESSIONS.md) the framer cuts into whole packets.
Regression framed5(const char* file, std::vector<FramedPacket> packets) {
    return {file, std::move(packets), std::nullopt, 0, {}, Version::v5_0};
}
/// A file the framer refuses at `offset`; `decoded_whole` is what decode() says of all its bytes.
Regression refused(const char* file, Code code, std::uint64_t offset, std::vector<Finding> decoded_whole) {
    return {file, {}, code, offset, std::move(decoded_whole)};
}

const std::vector<Regression>& regressions() {
    using enum Code;
    using F = Field;
    using T = PacketType;
    static const std::vector<Regression> rows = {
        // Remaining Length claims 268,435,455 bytes; 6 follow.
        refused("cve-2017-7651.bin", packet_truncated, 0, {{packet_truncated, F::none, 11}}),
        // Topic "a/" + ED A0 80 (U+D800, a surrogate).
        framed("cve-2017-7653.bin",
               {{0, T::publish, {{utf8_malformed, F::topic, 6}, {publish_topic_invalid, F::topic, 2}}}}),
        // Topic "$foo/bar": valid.
        framed("cve-2018-12543.bin", {{0, T::publish, {}}}),
        // SUBSCRIBE, one filter of 65,400 '/': valid.
        framed("cve-2019-11779.bin", {{0, T::subscribe, {}}}),
        // Client Identifier length 255 with 2 bytes left.
        framed("cve-2019-17210.bin",
               {{0, T::connect, {{string_truncated, F::client_id, 12}, {connect_malformed, F::client_id, 12}}}}),
        // MQTT 5 reproducer: CONNECT level 5 (valid, read as 5.0 whatever the connection's version),
        // CONNACK (flags 1001) client→server, DISCONNECT; both read as 3.1.1 here.
        framed("cve-2021-28166.bin",
               {{0, T::connect, {}},
                {18, T::connack, {{invalid_fixed_header_flags, F::fixed_header, 0}}},
                {22, T::disconnect, {}}}),
        // Topic length 0.
        framed("cve-2021-34432.bin", {{0, T::publish, {{topic_empty, F::topic, 2}}}}),
        // Remaining Length 10, 5 bytes follow.
        refused("cve-2021-41036.bin", packet_truncated, 0, {{packet_truncated, F::none, 7}}),
        // A SUBACK where a client waits for a CONNACK: decoded as what its type byte says.
        framed("cve-2021-45934.bin", {{0, T::suback, {}}}),
        // First packet a SUBSCRIBE claiming 2,097,151 bytes; 5 follow.
        refused("cve-2023-0809.bin", packet_truncated, 0,
                {{subscribe_pair_truncated, F::requested_qos, 9}, {packet_truncated, F::none, 9}}),
        // SUBACK without return codes.
        framed("cve-2024-10525.bin", {{0, T::suback, {{suback_no_return_codes, F::return_codes, 4}}}}),
        // Topic length 0xFFFF in a 7-byte body.
        framed("mqtt-c-203.bin",
               {{0, T::publish, {{string_truncated, F::topic, 2}, {publish_topic_invalid, F::topic, 2}}}}),
        // MQTT 5 DISCONNECT with a reason code and a cut property: 3.1.1 wants Remaining Length 0.
        framed("mqtt-packet-107.bin", {{0, T::disconnect, {{disconnect_length, F::remaining_length, 1}}}}),
        // MQTT 5 CONNACK with property length 80 FF FF: 3.1.1 wants Remaining Length 2.
        framed("paho-c-985.bin", {{0, T::connack, {{connack_length, F::remaining_length, 1}}}}),
        // Topic length 0x98 with 3 bytes left.
        framed("paho-c-986.bin",
               {{0, T::publish, {{string_truncated, F::topic, 2}, {publish_topic_invalid, F::topic, 2}}}}),
        // CONNACK cut after its first body byte.
        refused("wolfmqtt-545-connack.bin", packet_truncated, 0, {{packet_truncated, F::none, 3}}),
        // Remaining Length cut after a continuation byte.
        refused("wolfmqtt-545-length.bin", packet_truncated, 0, {{packet_truncated, F::remaining_length, 2}}),
        // MQTT 5.0 (docs/MQTT5-REGRESSIONS.md, rows 1 to 18), decoded as a 5.0 connection's packets.
        framed5("v5-emqx-13045-duplicate.bin",
               {{0, T::connect, {{connect_property_repeated, F::properties, 62}}}}),
        framed5("v5-emqx-13045-utf8.bin",
               {{0, T::connect, {{utf8_malformed, F::properties, 69}, {utf8_malformed, F::properties, 70}, {string_pair_not_utf8, F::properties, 66}, {utf8_malformed, F::will_properties, 137}, {utf8_malformed, F::will_properties, 148}, {utf8_malformed, F::will_properties, 149}, {string_pair_not_utf8, F::will_properties, 133}, {utf8_control, F::will_properties, 136}, {utf8_control, F::will_properties, 151}}}}),
        framed5("v5-emqx-15361.bin",
               {{0, T::publish, {{property_truncated, F::properties, 11}, {string_truncated, F::properties, 11}, {string_pair_not_utf8, F::properties, 11}}}}),
        framed5("v5-mongoose-3419.bin",
               {{0, T::publish, {{property_truncated, F::properties, 6}, {string_truncated, F::properties, 6}}}}),
        framed5("v5-mosquitto-3052-no-local.bin",
               {{0, T::subscribe, {{subscribe_no_local_shared, F::requested_qos, 17}}}}),
        framed5("v5-mosquitto-3052-response-topic.bin",
               {{0, T::publish, {{response_topic_wildcard, F::properties, 12}}}}),
        framed5("v5-mosquitto-3052-share.bin",
               {{0, T::subscribe, {{share_name_invalid, F::topic_filter, 5}}}}),
        framed5("v5-mosquitto-cve-2021-34431.bin",
               {{0, T::connect, {{topic_empty, F::will_topic, 40}}}}),
        framed5("v5-mosquitto-cve-2023-3592.bin",
               {{0, T::connect, {{property_not_allowed, F::will_properties, 17}}}}),
        framed5("v5-mqtt-packet-162.bin",
               {{0, T::disconnect, {}},
                {2, T::pingreq, {}},
                {4, T::disconnect, {}},
                {7, T::pingreq, {}},
                {9, T::auth, {{auth_method_missing, F::remaining_length, 1}}},
                {11, T::pingreq, {}},
                {13, T::connack, {{connack_length, F::remaining_length, 1}}},
                {16, T::pingreq, {}}}),
        framed5("v5-mqtt-packet-80.bin",
               {{0, T::puback, {}},
                {4, T::puback, {}},
                {9, T::puback, {}},
                {15, T::puback, {}},
                {20, T::pubrec, {}},
                {25, T::puback, {{puback_length, F::remaining_length, 1}}}}),
        framed5("v5-mqttjs-1176.bin",
               {{0, T::disconnect, {}},
                {3, T::disconnect, {}},
                {6, T::disconnect, {}}}),
        framed5("v5-mqttnet-2261.bin",
               {{0, T::publish, {{publish_property_repeated, F::properties, 10}}}}),
        framed5("v5-mqttnet-2262.bin",
               {{0, T::subscribe, {{subscribe_subscription_identifier_invalid, F::properties, 6}}}}),
        framed5("v5-nanomq-2192.bin",
               {{0, T::connect, {{property_varint_malformed, F::properties, 12}}}}),
        framed5("v5-ntex-73-publish.bin",
               {{0, T::publish, {{publish_subscription_identifier_zero, F::properties, 7}, {property_unknown, F::properties, 8}}}}),
        framed5("v5-ntex-73-subscribe.bin",
               {{0, T::subscribe, {{property_unknown, F::properties, 7}}}}),
        framed5("v5-paho-c-1543.bin",
               {{0, T::connack, {{property_length_missing, F::properties, 4}}}}),
        framed5("v5-paho-java-980.bin",
               {{0, T::auth, {{auth_flags, F::fixed_header, 0}}}}),
        framed5("v5-paho-python-541.bin",
               {{0, T::publish, {}}}),
        framed5("v5-vernemq-1883.bin",
               {{0, T::publish, {{property_not_allowed, F::properties, 6}}}}),
        framed5("v5-wolfmqtt-394.bin",
               {{0, T::connack, {{property_truncated, F::properties, 5}, {string_truncated, F::properties, 5}, {string_pair_not_utf8, F::properties, 5}}}}),
    };
    return rows;
}

class Regressions : public ::testing::TestWithParam<Regression> {};

TEST_P(Regressions, FramerCutsTheFileAsExpected) {
    const Regression& r = GetParam();
    const auto bytes = read_regression(r.file);
    ASSERT_FALSE(bytes.empty());

    std::vector<test::Event> expected;
    for (std::size_t i = 0; i < r.packets.size(); ++i) {
        std::uint64_t end = i + 1 < r.packets.size() ? r.packets[i + 1].offset
                            : r.framer_error         ? r.error_offset
                                                     : bytes.size();
        expected.push_back({Status::packet, r.packets[i].offset,
                            {bytes.begin() + static_cast<std::ptrdiff_t>(r.packets[i].offset),
                             bytes.begin() + static_cast<std::ptrdiff_t>(end)},
                            Code::packet_truncated});
    }
    if (r.framer_error) expected.push_back({Status::error, r.error_offset, {}, *r.framer_error});

    EXPECT_EQ(test::frame_chunks(bytes, bytes.size()), expected) << "one chunk";
    EXPECT_EQ(test::frame_chunks(bytes, 1), expected) << "byte by byte";
    EXPECT_EQ(test::frame_chunks(bytes, 1448), expected) << "TCP-sized chunks";
    if (bytes.size() <= 64) {
        for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
            EXPECT_EQ(test::frame_split(bytes, {cut}), expected) << "split at " << cut;
    }
}

TEST_P(Regressions, DecoderGivesTheExactDiagnosis) {
    const Regression& r = GetParam();
    const auto bytes = read_regression(r.file);
    Framer framer;
    framer.feed(bytes);
    framer.finish();
    for (const FramedPacket& want : r.packets) {
        Frame frame = framer.next();
        ASSERT_EQ(frame.status, Status::packet);
        ASSERT_EQ(frame.offset, want.offset);
        const Packet p = decode(frame.packet, r.version);
        EXPECT_EQ(p.type(), want.type) << "packet at " << want.offset;
        EXPECT_EQ(findings(p), sorted(want.diagnostics)) << "packet at " << want.offset;
        EXPECT_EQ(p.valid(), want.diagnostics.empty());
    }
    if (r.framer_error) {
        // The decoder alone, given the bytes the framer refused, says where they run out.
        EXPECT_EQ(findings(decode(bytes)), sorted(r.decoded_whole));
    }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Regressions, ::testing::ValuesIn(regressions()),
                         [](const auto& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

// paho.mqtt.python #541: a Property Length of two bytes (128) must not shift the payload by one.
TEST(RegressionCorpus, ATwoBytePropertyLengthLeavesThePayloadWhole) {
    const auto bytes = read_regression("v5-paho-python-541.bin");
    const Packet p = decode(bytes, Version::v5_0);
    ASSERT_NE(p.get<Publish>(), nullptr);
    EXPECT_EQ(as_string(p.get<Publish>()->payload), "hi");
    ASSERT_TRUE(p.get<Publish>()->properties.has_value());
    EXPECT_EQ(p.get<Publish>()->properties->raw().size(), 128u);
    EXPECT_EQ(p.get<Publish>()->properties->find(PropertyId::user_property)->value, std::string(122, 'v'));
}

TEST(RegressionCorpus, EveryFileHasARow) {
    // A new .bin without a row here would be replayed by the fuzzers but never asserted.
    std::ifstream readme(std::string(MQTTLENS_SOURCE_DIR) + "/corpus/regressions/README.md");
    ASSERT_TRUE(readme.good());
    std::string text{std::istreambuf_iterator<char>(readme), std::istreambuf_iterator<char>()};
    for (const Regression& r : regressions())
        EXPECT_NE(text.find(r.file), std::string::npos) << r.file << " not listed in the README";
}

// CVE-2017-7651 and CVE-2023-0809: a huge claim holds only the bytes fed, and a smaller
// configured maximum refuses the packet as soon as its Remaining Length is read.
TEST(RegressionClaims, HugeClaimsAreNeverBufferedByTheClaim) {
    struct Claim { const char* file; std::uint32_t remaining_length; std::size_t header; };
    for (auto [file, remaining_length, header] :
         {Claim{"cve-2017-7651.bin", 268'435'455, 5}, Claim{"cve-2023-0809.bin", 2'097'151, 4}}) {
        const auto bytes = read_regression(file);
        Framer framer;
        framer.feed(bytes);
        Frame frame = framer.next();
        EXPECT_EQ(frame.status, Status::need_more) << file;
        EXPECT_EQ(frame.need, header + remaining_length - bytes.size()) << file;
        EXPECT_EQ(framer.buffered(), bytes.size()) << file;

        Framer bounded(FramerOptions{.max_remaining_length = 65'536});
        bounded.feed(bytes);
        frame = bounded.next();
        EXPECT_EQ(frame.status, Status::error) << file;
        EXPECT_EQ(frame.error, Code::packet_too_large) << file;
        EXPECT_EQ(frame.offset, 0u) << file;
    }
}

TEST(RegressionShapes, DollarTopicIsAnOrdinaryTopic) {
    const auto bytes = read_regression("cve-2018-12543.bin");
    const Packet p = decode(bytes);
    ASSERT_NE(p.get<Publish>(), nullptr);
    EXPECT_EQ(p.get<Publish>()->topic, "$foo/bar");
    EXPECT_EQ(as_string(p.get<Publish>()->payload), "hi");
}

TEST(RegressionShapes, SixtyFiveThousandSlashesAreOneFilter) {
    const auto bytes = read_regression("cve-2019-11779.bin");
    const Packet p = decode(bytes);
    const Subscribe* s = p.get<Subscribe>();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->packet_id, 1);
    ASSERT_EQ(s->subscriptions.size(), 1u);
    const Subscription sub = *s->subscriptions.begin();
    EXPECT_EQ(sub.filter, std::string(65'400, '/'));
    EXPECT_EQ(sub.qos(), 0);
}

TEST(RegressionShapes, SubackIsDecodedByItsTypeByteOnly) {
    const auto bytes = read_regression("cve-2021-45934.bin");
    const Packet p = decode(bytes);
    const Suback* s = p.get<Suback>();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->packet_id, 1);
    EXPECT_EQ(test::to_vector(s->return_codes), std::vector<std::uint8_t>{0x00});
}

}  // namespace
}  // namespace mqttlens::mqtt
