// Encoder: canonical round trips for valid packets, and every override breaking what it should.
#include "mqtt/encoder.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <sstream>
#include <string>
#include <vector>

#include "framer_util.hpp"
#include "vectors.hpp"

namespace mqttlens::mqtt {
namespace {

using test::hex;
using test::to_vector;
using Bytes8 = std::vector<std::uint8_t>;

std::string describe(const Diagnostics& diagnostics) {
    std::ostringstream os;
    for (const Diagnostic& d : diagnostics)
        os << code_info(d.code).name << " (" << d.rule(Version::v3_1_1).id << ") " << field_name(d.field) << " @"
           << d.offset << "; ";
    return os.str();
}

Bytes8 encoded(const Packet& p, const EncodeOverrides& o = {}) {
    Bytes8 out;
    const std::size_t n = encode(p, out, o);
    EXPECT_EQ(n, out.size());
    return out;
}

/// True when `p` holds a diagnostic with this code, field and offset.
::testing::AssertionResult has(const Packet& p, Code code, Field field, std::uint32_t offset) {
    for (const Diagnostic& d : p.diagnostics)
        if (d.code == code && d.field == field && d.offset == offset) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "no " << code_info(code).name << " on " << field_name(field) << " @" << offset
           << " among: " << describe(p.diagnostics);
}

// ---------------------------------------------------------------------------------------------
// Remaining Length encoding (§2.2.3)

TEST(WriteRemainingLength, MinimalForms) {
    struct Case { std::uint32_t value; const char* bytes; };
    for (auto [value, bytes] : {Case{0, "00"}, Case{127, "7f"}, Case{128, "80 01"},
                                Case{16'383, "ff 7f"}, Case{16'384, "80 80 01"},
                                Case{2'097'151, "ff ff 7f"}, Case{2'097'152, "80 80 80 01"},
                                Case{268'435'455, "ff ff ff 7f"}}) {
        Bytes8 out = {0xAA};
        EXPECT_EQ(write_remaining_length(value, out), hex(bytes).size()) << value;
        Bytes8 expected = {0xAA};
        for (auto b : hex(bytes)) expected.push_back(b);
        EXPECT_EQ(out, expected) << value;
    }
}

TEST(WriteRemainingLength, WiderThanNeededSetsContinuationOnZeroGroups) {
    Bytes8 out;
    write_remaining_length(0, out, 2);
    EXPECT_EQ(out, hex("80 00"));
    out.clear();
    write_remaining_length(5, out, 4);
    EXPECT_EQ(out, hex("85 80 80 00"));
    out.clear();
    EXPECT_EQ(write_remaining_length(0, out, 5), 5u);
    EXPECT_EQ(out, hex("80 80 80 80 00"));
}

TEST(WriteRemainingLength, WidthBelowTheMinimumIsRaised) {
    Bytes8 out;
    EXPECT_EQ(write_remaining_length(200, out, 1), 2u);
    EXPECT_EQ(out, hex("c8 01"));
}

TEST(WriteRemainingLength, ValuesBeyondFourBytesTakeFive) {
    Bytes8 out;
    EXPECT_EQ(write_remaining_length(268'435'456, out), 5u);
    EXPECT_EQ(out, hex("80 80 80 80 01"));
}

// ---------------------------------------------------------------------------------------------
// Exact bytes of hand-made packets

TEST(Encode, ConnectWritesEveryPresentFieldInSpecOrder) {
    Connect c;
    c.flags = Connect::make_flags(true, true, 1, true, true, true);
    c.keep_alive = 0x1234;
    c.client_id = "id";
    c.will = Will{"w/t", as_bytes("bye")};
    c.username = "u";
    c.password = as_bytes("pw");
    EXPECT_EQ(encoded(make_packet(PacketType::connect, c)),
              hex("10 1f  00 04 4d 51 54 54  04  ee  12 34"
                  "  00 02 69 64  00 03 77 2f 74  00 03 62 79 65  00 01 75  00 02 70 77"));
}

TEST(Encode, ConnectWritesFlagsAsGivenWhateverTheFields) {
    Connect c;
    c.flags = 0x80;  // User Name Flag, but no user name
    c.client_id = "c";
    EXPECT_EQ(encoded(make_packet(PacketType::connect, c)),
              hex("10 0d 00 04 4d 51 54 54 04 80 00 3c 00 01 63"));
}

TEST(Encode, PublishWritesPacketIdWheneverPresent) {
    Publish p{"a", 7, as_bytes("x")};
    EXPECT_EQ(encoded(make_packet(PacketType::publish, p, 0x00)), hex("30 06 00 01 61 00 07 78"));
    p.packet_id.reset();
    EXPECT_EQ(encoded(make_packet(PacketType::publish, p, 0x0b)), hex("3b 04 00 01 61 78"));
}

TEST(Encode, EveryOtherShape) {
    std::vector<std::uint8_t> subs_storage, filters_storage;
    std::array subs = {Subscription{"a/+", 1}, Subscription{"#", 2}};
    std::array<std::string_view, 2> filters = {"a", "b/c"};
    struct Case { Packet packet; const char* bytes; };
    const Case cases[] = {
        {make_packet(PacketType::connack, Connack{1, 0}), "20 02 01 00"},
        {make_packet(PacketType::puback, Ack{0x0102}), "40 02 01 02"},
        {make_packet(PacketType::pubrec, Ack{3}), "50 02 00 03"},
        {make_packet(PacketType::pubrel, Ack{3}), "62 02 00 03"},
        {make_packet(PacketType::pubcomp, Ack{3}), "70 02 00 03"},
        {make_packet(PacketType::subscribe, Subscribe{10, build_subscriptions(subs_storage, subs)}),
         "82 0c 00 0a 00 03 61 2f 2b 01 00 01 23 02"},
        {make_packet(PacketType::suback, Suback{10, as_bytes("\x01\x80")}), "90 04 00 0a 01 80"},
        {make_packet(PacketType::unsubscribe, Unsubscribe{11, build_filters(filters_storage, filters)}),
         "a2 0a 00 0b 00 01 61 00 03 62 2f 63"},
        {make_packet(PacketType::unsuback, Ack{11}), "b0 02 00 0b"},
        {make_packet(PacketType::pingreq, Empty{}), "c0 00"},
        {make_packet(PacketType::pingresp, Empty{}), "d0 00"},
        {make_packet(PacketType::disconnect, Empty{}), "e0 00"},
        {make_packet(PacketType::reserved15, Opaque{as_bytes("\x01\x02")}), "f0 02 01 02"},
        {make_packet(PacketType::connack, Connack{std::nullopt, std::nullopt}), "20 00"},
        {make_packet(PacketType::puback, Ack{std::nullopt}), "40 00"},
    };
    for (const Case& c : cases)
        EXPECT_EQ(encoded(c.packet), hex(c.bytes)) << c.bytes;
}

TEST(Encode, AppendsToWhatTheVectorHolds) {
    Bytes8 out = hex("c0 00");
    EXPECT_EQ(encode(make_packet(PacketType::puback, Ack{1}), out), 4u);
    EXPECT_EQ(out, hex("c0 00 40 02 00 01"));
}

// ---------------------------------------------------------------------------------------------
// Round trips over pseudo-random valid packets of every type

bool options_are_default(const DecodeOptions& o) {
    const DecodeOptions d;
    return o.warn_control_characters == d.warn_control_characters &&
           o.warn_non_minimal_length == d.warn_non_minimal_length &&
           o.allow_packet_id_zero == d.allow_packet_id_zero && o.allow_auth_short_form == d.allow_auth_short_form &&
           o.allow_disconnect_bad_authentication_method == d.allow_disconnect_bad_authentication_method;
}

/// Deterministic generator of valid packets; owns the bytes its packets view.
class PacketGenerator {
public:
    explicit PacketGenerator(std::uint64_t seed) : state_(seed) {}

    Packet make(PacketType type) {
        switch (type) {
        case PacketType::connect: return make_packet(type, connect());
        case PacketType::connack: {
            auto code = static_cast<std::uint8_t>(below(6));
            auto flags = static_cast<std::uint8_t>(code == 0 ? below(2) : 0);
            return make_packet(type, Connack{flags, code});
        }
        case PacketType::publish: {
            auto qos = static_cast<std::uint8_t>(below(3));
            bool dup = qos > 0 && coin();
            auto flags = static_cast<std::uint8_t>((dup ? 8 : 0) | qos << 1 | (coin() ? 1 : 0));
            Publish p{topic_name(), std::nullopt, blob(below(4) == 0 ? 600 : 40)};
            if (qos > 0) p.packet_id = packet_id();
            return make_packet(type, p, flags);
        }
        case PacketType::puback:
        case PacketType::pubrec:
        case PacketType::pubrel:
        case PacketType::pubcomp:
        case PacketType::unsuback: return make_packet(type, Ack{packet_id()});
        case PacketType::subscribe: {
            std::vector<Subscription> subs(1 + below(4));
            for (auto& s : subs) s = Subscription{topic_filter(), static_cast<std::uint8_t>(below(3))};
            auto& storage = storage_.emplace_back();
            return make_packet(type, Subscribe{packet_id(), build_subscriptions(storage, subs)});
        }
        case PacketType::suback: {
            static constexpr std::uint8_t codes[] = {0x00, 0x01, 0x02, 0x80};
            auto& storage = storage_.emplace_back(1 + below(5));
            for (auto& c : storage) c = codes[below(4)];
            return make_packet(type, Suback{packet_id(), Bytes(storage)});
        }
        case PacketType::unsubscribe: {
            std::vector<std::string_view> filters(1 + below(4));
            for (auto& f : filters) f = topic_filter();
            auto& storage = storage_.emplace_back();
            return make_packet(type, Unsubscribe{packet_id(), build_filters(storage, filters)});
        }
        case PacketType::pingreq:
        case PacketType::pingresp:
        case PacketType::disconnect: return make_packet(type, Empty{});
        default: return make_packet(type, Opaque{});
        }
    }

private:
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
    bool coin() { return next() & 1; }
    std::uint16_t packet_id() { return static_cast<std::uint16_t>(1 + below(65535)); }

    /// 1..max pieces of printable ASCII and multi-byte UTF-8, never a wildcard, '/' or control.
    std::string word(std::uint32_t max) {
        static constexpr std::string_view pieces[] = {
            "a", "b", "z", "0", "9", "_", "-", " ", "$", "sensor", "\xc3\xa9", "\xe2\x82\xac",
            "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "\xe4\xb8\xad"};
        std::string s;
        for (std::uint32_t n = 1 + below(max); n > 0; --n) s += pieces[below(std::size(pieces))];
        return s;
    }
    std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }
    std::string_view text(std::uint32_t max) { return keep(word(max)); }
    std::string_view topic_name() {
        std::string s = word(4);
        for (std::uint32_t levels = below(4); levels > 0; --levels) s += "/" + word(3);
        return keep(s);
    }
    std::string_view topic_filter() {
        std::string s;
        std::uint32_t levels = 1 + below(4);
        for (std::uint32_t i = 0; i < levels; ++i) {
            if (i > 0) s += '/';
            switch (below(4)) {
            case 0: s += '+'; break;
            case 1: if (i > 0) break; [[fallthrough]];
            default: s += word(3);
            }
        }
        if (below(3) == 0) s += s.empty() ? "#" : "/#";
        return keep(s);
    }
    Bytes blob(std::uint32_t max) {
        auto& b = storage_.emplace_back(below(max + 1));
        for (auto& x : b) x = static_cast<std::uint8_t>(next());
        return Bytes(b);
    }
    std::string_view client_id() {
        static constexpr std::string_view chars =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        std::string s(1 + below(23), ' ');
        for (char& c : s) c = chars[below(chars.size())];
        return keep(s);
    }
    Connect connect() {
        Connect c;
        if (below(5) == 0) {
            c.protocol_name = "MQIsdp";
            c.protocol_level = 3;
        }
        bool clean = coin();
        const bool v3_1 = c.protocol_level == 3;  // 3.1 has no empty Client Identifier
        c.client_id = v3_1 || !clean || coin() ? client_id() : std::string_view{};
        bool will = coin();
        std::uint8_t will_qos = will ? static_cast<std::uint8_t>(below(3)) : 0;
        bool will_retain = will && coin();
        bool user = coin();
        bool pass = user && coin();
        if (will) c.will = Will{topic_name(), blob(20)};
        if (user) c.username = text(5);
        if (pass) c.password = blob(12);
        c.flags = Connect::make_flags(clean, will, will_qos, will_retain, user, pass);
        c.keep_alive = static_cast<std::uint16_t>(next());
        return c;
    }

    std::uint64_t state_;
    std::deque<std::string> strings_;
    std::deque<std::vector<std::uint8_t>> storage_;
};

constexpr PacketType every_type[] = {
    PacketType::connect,   PacketType::connack,  PacketType::publish,     PacketType::puback,
    PacketType::pubrec,    PacketType::pubrel,   PacketType::pubcomp,     PacketType::subscribe,
    PacketType::suback,    PacketType::unsubscribe, PacketType::unsuback, PacketType::pingreq,
    PacketType::pingresp,  PacketType::disconnect,
};

TEST(EncodeRoundTrip, DecodeOfEncodeGivesThePacketBackWithoutDiagnostics) {
    PacketGenerator gen(20141029);
    for (PacketType type : every_type) {
        for (int i = 0; i < 1500; ++i) {
            const Packet p = gen.make(type);
            const Bytes8 bytes = encoded(p);
            const Packet back = decode(bytes);
            SCOPED_TRACE(::testing::Message() << type_name(type) << " #" << i);
            ASSERT_TRUE(back.diagnostics.empty()) << describe(back.diagnostics);
            ASSERT_EQ(back.header.first_byte, p.header.first_byte);
            ASSERT_EQ(back.header.size() + back.header.remaining_length, bytes.size());
            ASSERT_TRUE(back.body == p.body);
            ASSERT_TRUE(same_bytes(back.raw, bytes));
            // And back again: the decoded value encodes to the same bytes.
            ASSERT_EQ(encoded(back), bytes);
        }
    }
}

TEST(EncodeRoundTrip, EncodeOfDecodeGivesEveryValidCanonicalVectorBack) {
    std::size_t checked = 0;
    for (const test::Vector& v : test::vectors()) {
        if (v.framing != test::Framing::whole || !v.valid()) continue;
        const Bytes8 bytes = v.bytes();
        const Packet p = decode(bytes, v.version, v.options);
        if (p.diagnostics.has(Code::remaining_length_non_minimal) || !options_are_default(v.options))
            continue;  // not canonical: the encoder writes the minimal form
        EXPECT_EQ(encoded(p), bytes) << v.name;
        ++checked;
    }
    EXPECT_GE(checked, 30u);
}

TEST(EncodeRoundTrip, EncodedPacketsFrameBackToBack) {
    PacketGenerator gen(7);
    Bytes8 stream;
    std::vector<std::size_t> sizes;
    for (int i = 0; i < 300; ++i) {
        std::size_t n = encode(gen.make(every_type[i % std::size(every_type)]), stream);
        sizes.push_back(n);
    }
    auto events = test::frame_chunks(stream, 97);
    ASSERT_EQ(events.size(), sizes.size());
    std::uint64_t offset = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].status, Frame::Status::packet);
        EXPECT_EQ(events[i].offset, offset);
        EXPECT_EQ(events[i].bytes.size(), sizes[i]);
        offset += sizes[i];
    }
}

// ---------------------------------------------------------------------------------------------
// Overrides: each one breaks exactly what it says, and the decoder sees it

Packet publish_a_b() { return make_packet(PacketType::publish, Publish{"a/b", std::nullopt, as_bytes("hi")}); }

TEST(EncodeOverride, FirstByte) {
    EncodeOverrides o;
    o.first_byte = 0x00;
    Bytes8 bytes = encoded(make_packet(PacketType::pingreq, Empty{}), o);
    EXPECT_EQ(bytes, hex("00 00"));
    EXPECT_TRUE(has(decode(bytes), Code::reserved_packet_type, Field::fixed_header, 0));
}

TEST(EncodeOverride, TypeKeepsTheFlagsNibble) {
    EncodeOverrides o;
    o.type = 15;
    Bytes8 bytes = encoded(make_packet(PacketType::pubrel, Ack{1}), o);
    EXPECT_EQ(bytes, hex("f2 02 00 01"));
    EXPECT_TRUE(has(decode(bytes), Code::reserved_packet_type, Field::fixed_header, 0));
}

TEST(EncodeOverride, FlagsOnPubrel) {
    EncodeOverrides o;
    o.flags = 0;
    Bytes8 bytes = encoded(make_packet(PacketType::pubrel, Ack{1}), o);
    EXPECT_EQ(bytes, hex("60 02 00 01"));
    EXPECT_TRUE(has(decode(bytes), Code::pubrel_flags, Field::fixed_header, 0));
}

TEST(EncodeOverride, FlagsOnConnect) {
    EncodeOverrides o;
    o.flags = 1;
    Connect c;
    c.client_id = "c";
    Bytes8 bytes = encoded(make_packet(PacketType::connect, c), o);
    EXPECT_EQ(bytes[0], 0x11);
    EXPECT_TRUE(has(decode(bytes), Code::invalid_fixed_header_flags, Field::fixed_header, 0));
}

TEST(EncodeOverride, TypeAndFlagsApplyOverFirstByte) {
    EncodeOverrides o;
    o.first_byte = 0xff;
    o.type = 12;
    o.flags = 4;
    EXPECT_EQ(encoded(make_packet(PacketType::puback, Ack{1}), o)[0], 0xc4);
}

TEST(EncodeOverride, RemainingLengthWidthTwoIsNonMinimal) {
    EncodeOverrides o;
    o.remaining_length_width = 2;
    Bytes8 bytes = encoded(make_packet(PacketType::pingreq, Empty{}), o);
    EXPECT_EQ(bytes, hex("c0 80 00"));
    Packet p = decode(bytes);
    EXPECT_TRUE(p.valid());
    EXPECT_TRUE(has(p, Code::remaining_length_non_minimal, Field::remaining_length, 1));
    EXPECT_EQ(p.header.length_size, 2u);
}

TEST(EncodeOverride, RemainingLengthWidthFiveIsMalformed) {
    EncodeOverrides o;
    o.remaining_length_width = 5;
    Bytes8 bytes = encoded(publish_a_b(), o);
    EXPECT_EQ(bytes, hex("30 87 80 80 80 00  00 03 61 2f 62 68 69"));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::remaining_length_malformed));
    auto events = test::frame_chunks(bytes, bytes.size());
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].error, Code::remaining_length_malformed);
}

TEST(EncodeOverride, RemainingLengthValueLongerThanTheBody) {
    EncodeOverrides o;
    o.remaining_length = 9;
    Bytes8 bytes = encoded(publish_a_b(), o);
    EXPECT_EQ(bytes, hex("30 09 00 03 61 2f 62 68 69"));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::packet_truncated));
    EXPECT_EQ(test::frame_chunks(bytes, 3)[0].error, Code::packet_truncated);
}

TEST(EncodeOverride, RemainingLengthValueShorterThanTheBody) {
    EncodeOverrides o;
    o.remaining_length = 5;
    Bytes8 bytes = encoded(publish_a_b(), o);
    EXPECT_EQ(bytes, hex("30 05 00 03 61 2f 62 68 69"));
    Packet p = decode(bytes);
    EXPECT_TRUE(p.diagnostics.has(Code::packet_length_mismatch));
    EXPECT_EQ(p.header.remaining_length, 5u);
}

TEST(EncodeOverride, RawRemainingLengthBytes) {
    EncodeOverrides o;
    o.remaining_length_bytes = hex("ff ff ff 7f");
    o.remaining_length = 1;        // ignored: the raw bytes win
    o.remaining_length_width = 1;  // ignored too
    Bytes8 bytes = encoded(publish_a_b(), o);
    EXPECT_EQ(bytes, hex("30 ff ff ff 7f 00 03 61 2f 62 68 69"));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::packet_truncated));
}

TEST(EncodeOverride, TopicLengthPrefixPastTheEnd) {
    EncodeOverrides o;
    o.length_prefixes = {{Field::topic, 0, 0xffff}};
    Bytes8 bytes = encoded(publish_a_b(), o);
    EXPECT_EQ(bytes, hex("30 07 ff ff 61 2f 62 68 69"));  // MQTT-C #203
    EXPECT_TRUE(has(decode(bytes), Code::string_truncated, Field::topic, 2));
}

TEST(EncodeOverride, LengthPrefixOfOneFilterByIndex) {
    std::vector<std::uint8_t> storage;
    std::array subs = {Subscription{"a", 0}, Subscription{"b", 1}};
    Packet p = make_packet(PacketType::subscribe, Subscribe{5, build_subscriptions(storage, subs)});
    EncodeOverrides o;
    o.length_prefixes = {{Field::topic_filter, 1, 0x0009}};
    Bytes8 bytes = encoded(p, o);
    EXPECT_EQ(bytes, hex("82 0a 00 05  00 01 61 00  00 09 62 01"));
    EXPECT_TRUE(has(decode(bytes), Code::string_truncated, Field::topic_filter, 8));
}

TEST(EncodeOverride, LengthPrefixOfConnectFields) {
    Connect c;
    c.flags = Connect::make_flags(true, false, 0, false, true, true);
    c.client_id = "c";
    c.username = "u";
    c.password = as_bytes("p");
    EncodeOverrides o;
    o.length_prefixes = {{Field::protocol_name, 0, 3}, {Field::password, 0, 2}};
    Bytes8 bytes = encoded(make_packet(PacketType::connect, c), o);
    EXPECT_EQ(bytes, hex("10 13 00 03 4d 51 54 54 04 c2 00 3c 00 01 63 00 01 75 00 02 70"));
    Packet back = decode(bytes);
    EXPECT_FALSE(back.valid());
    EXPECT_TRUE(back.diagnostics.has(Code::protocol_name_invalid)) << describe(back.diagnostics);
}

// In CONNECT a field cut short is MQTT-3.1.4-1 (connect_malformed), at the field's prefix.
TEST(EncodeOverride, PasswordPrefixPastTheEnd) {
    Connect c;
    c.flags = Connect::make_flags(true, false, 0, false, true, true);
    c.client_id = "c";
    c.username = "u";
    c.password = as_bytes("p");
    EncodeOverrides o;
    o.length_prefixes = {{Field::password, 0, 2}};
    Bytes8 bytes = encoded(make_packet(PacketType::connect, c), o);
    EXPECT_EQ(bytes, hex("10 13 00 04 4d 51 54 54 04 c2 00 3c 00 01 63 00 01 75 00 02 70"));
    EXPECT_TRUE(has(decode(bytes), Code::connect_malformed, Field::password, 18));
}

TEST(EncodeOverride, TruncateCutsTheWholeResult) {
    EncodeOverrides o;
    o.truncate = 3;
    Bytes8 bytes = encoded(make_packet(PacketType::connack, Connack{0, 0}), o);
    EXPECT_EQ(bytes, hex("20 02 00"));  // wolfMQTT #545
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::packet_truncated));
    auto events = test::frame_chunks(bytes, 1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].error, Code::packet_truncated);

    o.truncate = 100;  // longer than the packet: nothing cut
    EXPECT_EQ(encoded(make_packet(PacketType::connack, Connack{0, 0}), o), hex("20 02 00 00"));
}

TEST(EncodeOverride, AppendAddsTrailingBytesAfterTruncation) {
    EncodeOverrides o;
    o.append = {0x00};
    Bytes8 bytes = encoded(make_packet(PacketType::pingreq, Empty{}), o);
    EXPECT_EQ(bytes, hex("c0 00 00"));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::packet_length_mismatch));

    o.truncate = 1;
    o.append = {0x80};
    EXPECT_EQ(encoded(make_packet(PacketType::pingreq, Empty{}), o), hex("c0 80"));
}

TEST(EncodeOverride, RawBytesInsideStrings) {
    Packet bad_utf8 = make_packet(PacketType::publish, Publish{"a\xc0\xaf", std::nullopt, {}});
    Bytes8 bytes = encoded(bad_utf8);
    EXPECT_EQ(bytes, hex("30 05 00 03 61 c0 af"));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::utf8_malformed));

    Packet null = make_packet(PacketType::publish, Publish{std::string_view("a\0b", 3), std::nullopt, {}});
    bytes = encoded(null);
    EXPECT_EQ(bytes, hex("30 05 00 03 61 00 62"));
    Packet p = decode(bytes);
    EXPECT_TRUE(p.diagnostics.has(Code::utf8_null) || p.diagnostics.has(Code::topic_null))
        << describe(p.diagnostics);
}

TEST(EncodeOverride, ConnectFieldsWithoutTheirFlags) {
    Connect c;
    c.flags = 0x02;
    c.client_id = "c";
    c.username = "u";
    Bytes8 bytes = encoded(make_packet(PacketType::connect, c));
    EXPECT_EQ(bytes, hex("10 10 00 04 4d 51 54 54 04 02 00 3c 00 01 63 00 01 75"));
    EXPECT_FALSE(decode(bytes).valid());

    c.flags = Connect::make_flags(true, false, 0, false, false, true);
    c.username.reset();
    c.password = as_bytes("p");
    bytes = encoded(make_packet(PacketType::connect, c));
    EXPECT_TRUE(decode(bytes).diagnostics.has(Code::password_without_username));
}

TEST(EncodeOverride, WillQosThreeWrittenAsGiven) {
    Connect c;
    c.flags = Connect::make_flags(true, true, 3, false, false, false);
    c.client_id = "c";
    c.will = Will{"w", as_bytes("m")};
    Bytes8 bytes = encoded(make_packet(PacketType::connect, c));
    EXPECT_EQ(bytes[9], 0x1e);
    EXPECT_TRUE(has(decode(bytes), Code::will_qos_invalid, Field::connect_flags, 9));
}

TEST(EncodeOverride, PublishQosThreeAndDupWithQosZero) {
    Bytes8 bytes = encoded(make_packet(PacketType::publish, Publish{"t", 1, {}}, 0x06));
    EXPECT_TRUE(has(decode(bytes), Code::publish_qos_invalid, Field::fixed_header, 0));
    bytes = encoded(make_packet(PacketType::publish, Publish{"t", std::nullopt, {}}, 0x08));
    EXPECT_TRUE(has(decode(bytes), Code::publish_dup_qos0, Field::fixed_header, 0));
}

// ---------------------------------------------------------------------------------------------
// MQTT 5.0 property lists: canonical from the body, broken through PropertyOverride

/// Lays `properties` out in wire form into `storage` (the list views it).
PropertyList list_of(Bytes8& storage, std::initializer_list<Property> properties) {
    for (const Property& p : properties) write_property(p, storage);
    return PropertyList(storage);
}

/// A 5.0 PUBLISH "a/b" QoS 0, payload "hi", with `properties`.
Packet publish_v5(const PropertyList& properties) {
    return make_packet(PacketType::publish, Publish{"a/b", std::nullopt, as_bytes("hi"), properties});
}

/// An integer property.
Property numbered(PropertyId id, std::uint32_t n) { return {id, {}, n, {}, {}, {}}; }
Property topic_alias(std::uint32_t alias) { return numbered(PropertyId::topic_alias, alias); }

TEST(EncodeV5, PublishWithPropertiesRoundTrips) {
    Bytes8 storage;
    const Packet p = publish_v5(list_of(storage, {topic_alias(1), {PropertyId::user_property, {}, 0, "k", "v", {}}}));
    const Bytes8 bytes = encoded(p);
    EXPECT_EQ(bytes, hex("30 12  00 03 61 2f 62  0a  23 00 01  26 00 01 6b 00 01 76  68 69"));
    const Packet back = decode(bytes, Version::v5_0);
    EXPECT_TRUE(back.diagnostics.empty()) << describe(back.diagnostics);
    EXPECT_TRUE(back.body == p.body);
}

TEST(EncodeV5, RepeatsAndMisplacedPropertiesAreTheCallersList) {
    Bytes8 storage;
    const Property session_expiry = numbered(PropertyId::session_expiry_interval, 10);
    const Bytes8 bytes = encoded(publish_v5(list_of(storage, {topic_alias(1), topic_alias(2), session_expiry})));
    EXPECT_EQ(bytes, hex("30 13  00 03 61 2f 62  0b  23 00 01  23 00 02  11 00 00 00 0a  68 69"));
    const Packet p = decode(bytes, Version::v5_0);
    EXPECT_TRUE(has(p, Code::publish_property_repeated, Field::properties, 11));
    EXPECT_TRUE(has(p, Code::property_not_allowed, Field::properties, 14));
}

TEST(EncodeV5Override, PropertyLengthValuePastTheEnd) {
    Bytes8 storage;
    EncodeOverrides o;
    o.properties = PropertyOverride{{100, 0}, std::nullopt};
    const Bytes8 bytes = encoded(publish_v5(list_of(storage, {topic_alias(1)})), o);
    EXPECT_EQ(bytes, hex("30 0b  00 03 61 2f 62  64  23 00 01  68 69"));
    EXPECT_TRUE(has(decode(bytes, Version::v5_0), Code::property_length_past_end, Field::properties, 7));
}

TEST(EncodeV5Override, PropertyLengthWidthTwoIsNonMinimal) {
    Bytes8 storage;
    EncodeOverrides o;
    o.properties = PropertyOverride{{std::nullopt, 2}, std::nullopt};
    const Packet original = publish_v5(list_of(storage, {topic_alias(1)}));
    const Bytes8 bytes = encoded(original, o);
    EXPECT_EQ(bytes, hex("30 0c  00 03 61 2f 62  83 00  23 00 01  68 69"));
    const Packet p = decode(bytes, Version::v5_0);
    EXPECT_TRUE(has(p, Code::property_varint_non_minimal, Field::properties, 7));
    EXPECT_TRUE(p.body == original.body);  // the list itself is read whole
}

TEST(EncodeV5Override, PropertyLengthWidthFiveIsMalformed) {
    EncodeOverrides o;
    o.properties = PropertyOverride{{std::nullopt, 5}, std::nullopt};
    const Bytes8 bytes = encoded(publish_v5(PropertyList{}), o);
    EXPECT_EQ(bytes, hex("30 0c  00 03 61 2f 62  80 80 80 80 00  68 69"));
    EXPECT_TRUE(has(decode(bytes, Version::v5_0), Code::property_varint_malformed, Field::properties, 7));
}

TEST(EncodeV5Override, RawBytesReplaceTheListAndAreCounted) {
    Bytes8 storage;
    EncodeOverrides o;
    o.properties = PropertyOverride{{}, hex("7f 01")};  // an identifier 5.0 does not define
    const Bytes8 bytes = encoded(publish_v5(list_of(storage, {topic_alias(1)})), o);
    EXPECT_EQ(bytes, hex("30 0a  00 03 61 2f 62  02  7f 01  68 69"));
    EXPECT_TRUE(has(decode(bytes, Version::v5_0), Code::property_unknown, Field::properties, 8));
}

TEST(EncodeV5Override, RawBytesCarryANonMinimalVariableByteIntegerValue) {
    EncodeOverrides o;
    o.properties = PropertyOverride{{}, hex("0b 81 00")};  // Subscription Identifier 1 in two bytes
    Bytes8 storage;
    const Bytes8 bytes = encoded(make_packet(PacketType::subscribe,
                                             Subscribe{1, build_subscriptions(storage, std::array{Subscription{"a", 0}}),
                                                       PropertyList{}}, 0), o);
    EXPECT_EQ(bytes, hex("82 0a  00 01  03 0b 81 00  00 01 61 00"));
    EXPECT_TRUE(has(decode(bytes, Version::v5_0), Code::property_varint_non_minimal, Field::properties, 6));
}

TEST(EncodeV5Override, RawBytesAndLengthTogether) {
    EncodeOverrides o;
    o.properties = PropertyOverride{{1, 3}, hex("23 00 01")};
    const Bytes8 bytes = encoded(publish_v5(PropertyList{}), o);
    EXPECT_EQ(bytes, hex("30 0d  00 03 61 2f 62  81 80 00  23 00 01  68 69"));
}

TEST(EncodeV5Override, WillPropertiesApartFromThePacketsList) {
    Bytes8 storage;
    Connect c;
    c.protocol_level = 5;
    c.flags = Connect::make_flags(true, true, 0, false, false, false);
    c.client_id = "c";
    c.properties = PropertyList{};
    c.will = Will{"w", as_bytes("m"), list_of(storage, {numbered(PropertyId::will_delay_interval, 5)})};
    EncodeOverrides o;
    o.will_properties = PropertyOverride{{std::nullopt, 2}, std::nullopt};
    const Packet connect = make_packet(PacketType::connect, c);
    const Bytes8 bytes = encoded(connect, o);
    EXPECT_EQ(bytes, hex("10 1b  00 04 4d 51 54 54 05 06 00 3c  00  00 01 63  85 00  18 00 00 00 05  "
                         "00 01 77  00 01 6d"));
    const Packet p = decode(bytes, Version::v5_0);
    EXPECT_TRUE(has(p, Code::property_varint_non_minimal, Field::will_properties, 16));
    EXPECT_EQ(p.diagnostics.size(), 1u) << describe(p.diagnostics);
    EXPECT_TRUE(p.body == connect.body);
}

TEST(EncodeV5Override, NoListInTheBodyNoListWritten) {
    EncodeOverrides o;
    o.properties = PropertyOverride{{7, 2}, hex("23 00 01")};
    o.will_properties = o.properties;
    EXPECT_EQ(encoded(publish_a_b(), o), encoded(publish_a_b()));
}

}  // namespace
}  // namespace mqttlens::mqtt
