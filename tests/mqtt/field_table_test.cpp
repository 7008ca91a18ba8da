// The field table: where the decoder found each field it read. Every span lies inside the packet,
// none overlaps another, and each agrees with the field's value and view; a few vectors are checked against
// their annotations byte by byte.
#include "mqtt/decoder.hpp"

#include "vectors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace mqttlens::mqtt::test {
namespace {

std::uint16_t u16_at(Bytes raw, std::size_t at) { return static_cast<std::uint16_t>(raw[at] << 8 | raw[at + 1]); }

/// The span of `field` is exactly the view `data`/`size` inside `raw`, plus `prefix` bytes
/// before it (2 for a string or binary field's length).
void expect_view(const Packet& p, Field field, const void* data, std::size_t size, std::size_t prefix) {
    const auto span = p.fields.find(field);
    if (data == nullptr) return;  // not set: nothing to compare
    ASSERT_TRUE(span) << field_name(field) << " has a view but no span";
    const auto at = static_cast<const std::uint8_t*>(data) - p.raw.data();
    EXPECT_EQ(span->offset + prefix, static_cast<std::size_t>(at)) << field_name(field);
    EXPECT_EQ(span->length, size + prefix) << field_name(field);
    if (prefix == 2) EXPECT_EQ(u16_at(p.raw, span->offset), size) << field_name(field);
}
void expect_string(const Packet& p, Field field, std::string_view s) { expect_view(p, field, s.data(), s.size(), 2); }

/// A one- or two-byte field: its span holds the value.
void expect_value(const Packet& p, Field field, const std::optional<std::uint16_t>& value, std::size_t size) {
    const auto span = p.fields.find(field);
    EXPECT_EQ(span.has_value(), value.has_value()) << field_name(field);
    if (!span || !value) return;
    ASSERT_EQ(span->length, size) << field_name(field);
    EXPECT_EQ(size == 1 ? p.raw[span->offset] : u16_at(p.raw, span->offset), *value) << field_name(field);
}

struct Agrees {
    const Packet& p;
    void operator()(const Opaque&) const {}
    void operator()(const Connect& c) const {
        expect_string(p, Field::protocol_name, c.protocol_name);
        if (p.fields.has(Field::protocol_level)) expect_value(p, Field::protocol_level, c.protocol_level, 1);
        if (p.fields.has(Field::connect_flags)) expect_value(p, Field::connect_flags, c.flags, 1);
        if (p.fields.has(Field::keep_alive)) expect_value(p, Field::keep_alive, c.keep_alive, 2);
        expect_string(p, Field::client_id, c.client_id);
        EXPECT_EQ(p.fields.has(Field::will_topic), c.will.has_value());
        EXPECT_EQ(p.fields.has(Field::will_message), c.will.has_value());
        if (c.will) {
            expect_string(p, Field::will_topic, c.will->topic);
            expect_view(p, Field::will_message, c.will->message.data(), c.will->message.size(), 2);
        }
        EXPECT_EQ(p.fields.has(Field::username), c.username.has_value());
        if (c.username) expect_string(p, Field::username, *c.username);
        EXPECT_EQ(p.fields.has(Field::password), c.password.has_value());
        if (c.password) expect_view(p, Field::password, c.password->data(), c.password->size(), 2);
    }
    void operator()(const Connack& c) const {
        expect_value(p, Field::ack_flags, c.ack_flags, 1);
        expect_value(p, c.properties || p.fields.has(Field::reason_code) ? Field::reason_code : Field::return_code,
                     c.return_code, 1);
        properties(c.properties);
    }
    /// A 5.0 property list: its span covers the Property Length and the properties.
    void properties(const std::optional<PropertyList>& list) const {
        if (!list) return;
        const auto span = p.fields.find(Field::properties);
        ASSERT_TRUE(span);
        if (list->empty()) return;  // a malformed Property Length gives an empty list, pointing nowhere
        // The properties read lie after the Property Length, inside the span (a list stops before
        // a property it cannot read).
        const auto at = static_cast<std::size_t>(list->raw().data() - p.raw.data());
        EXPECT_GT(at, span->offset);
        EXPECT_LE(at + list->raw().size(), std::size_t(span->offset) + span->length);
    }
    void operator()(const Publish& pub) const {
        expect_string(p, Field::topic, pub.topic);
        expect_value(p, Field::packet_id, pub.packet_id, 2);
        expect_view(p, Field::payload, pub.payload.data(), pub.payload.size(), 0);
        properties(pub.properties);
    }
    void operator()(const Ack& a) const {
        expect_value(p, Field::packet_id, a.packet_id, 2);
        expect_value(p, Field::reason_code, a.reason_code, 1);
        properties(a.properties);
    }
    void operator()(const Subscribe& s) const {
        expect_value(p, Field::packet_id, s.packet_id, 2);
        expect_view(p, Field::topic_filter, s.subscriptions.raw().data(), s.subscriptions.raw().size(), 0);
    }
    void operator()(const Suback& s) const {
        expect_value(p, Field::packet_id, s.packet_id, 2);
        expect_view(p, s.properties ? Field::reason_codes : Field::return_codes, s.return_codes.data(),
                    s.return_codes.size(), 0);
        properties(s.properties);
    }
    void operator()(const Unsubscribe& u) const {
        expect_value(p, Field::packet_id, u.packet_id, 2);
        expect_view(p, Field::topic_filter, u.filters.raw().data(), u.filters.raw().size(), 0);
    }
    void operator()(const Empty&) const {}
    void operator()(const Reason& r) const {
        expect_value(p, Field::reason_code, r.reason_code, 1);
        properties(r.properties);
    }
};

/// Every span inside the packet, none overlapping another (in wire order, which is Field order
/// but for the 5.0 fields, appended to Field), and agreeing with the body.
void expect_sound(const Packet& p) {
    std::vector<std::pair<FieldSpan, Field>> in_wire_order;
    p.fields.for_each([&](Field field, FieldSpan span) { in_wire_order.emplace_back(span, field); });
    std::sort(in_wire_order.begin(), in_wire_order.end(),
              [](const auto& a, const auto& b) { return a.first.offset < b.first.offset; });
    std::size_t end = 0;
    for (const auto& [span, field] : in_wire_order) {
        EXPECT_LE(std::size_t(span.offset) + span.length, p.raw.size()) << field_name(field);
        EXPECT_GE(span.offset, end) << field_name(field) << " overlaps the field before it";
        end = std::size_t(span.offset) + span.length;
    }
    if (!p.raw.empty()) {
        EXPECT_EQ(p.fields.find(Field::fixed_header), (FieldSpan{0, 1}));
        EXPECT_EQ(p.fields.find(Field::remaining_length), (FieldSpan{1, p.header.length_size}));
    }
    std::visit(Agrees{p}, p.body);
}

std::vector<std::pair<Field, FieldSpan>> spans(const Packet& p) {
    std::vector<std::pair<Field, FieldSpan>> out;
    p.fields.for_each([&](Field field, FieldSpan span) { out.emplace_back(field, span); });
    return out;
}

using Spans = std::vector<std::pair<Field, FieldSpan>>;

/// The spans of the named vector, decoded by decode() and by decode_clean().
void expect_spans(std::string_view name, const Spans& want) {
    const Vector* v = find_vector(name);
    ASSERT_NE(v, nullptr) << name;
    const auto bytes = v->bytes();
    const Packet p = decode(Bytes(bytes), v->version, v->options);
    EXPECT_EQ(spans(p), want) << name;
    EXPECT_EQ(spans(decode_clean(Bytes(bytes), v->version, v->options)), want) << name;
}

}  // namespace

TEST(FieldTable, EveryVectorsSpansLieInsideItAndMatchItsFields) {
    std::size_t with_fields = 0;
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        const auto bytes = v.bytes();
        for (const bool fast : {true, false}) {
            DecodeOptions options = v.options;
            options.fast_paths = fast;
            const Packet p = decode(Bytes(bytes), v.version, options);
            expect_sound(p);
            with_fields += spans(p).size() > 2;
        }
        expect_sound(decode_clean(Bytes(bytes), v.version, v.options));
    }
    EXPECT_GT(with_fields, 100u);
}

TEST(FieldTable, ConnectWithEveryField) {
    expect_spans("connect/all fields", {
        {Field::fixed_header, {0, 1}},    // 10
        {Field::remaining_length, {1, 1}},  // 1E
        {Field::protocol_name, {2, 6}},   // 00 04 "MQTT"
        {Field::protocol_level, {8, 1}},  // 04
        {Field::connect_flags, {9, 1}},   // EE
        {Field::keep_alive, {10, 2}},     // 00 0A
        {Field::client_id, {12, 4}},      // 00 02 "c1"
        {Field::will_topic, {16, 5}},     // 00 03 "w/t"
        {Field::will_message, {21, 5}},   // 00 03 "bye"
        {Field::username, {26, 3}},       // 00 01 "u"
        {Field::password, {29, 3}},       // 00 01 "p"
    });
}

TEST(FieldTable, PublishQos1) {
    expect_spans("publish/QoS 1", {
        {Field::fixed_header, {0, 1}},      // 32
        {Field::remaining_length, {1, 1}},  // 09
        {Field::topic, {2, 5}},             // 00 03 "a/b"
        {Field::packet_id, {7, 2}},         // 00 0A
        {Field::payload, {9, 2}},           // "hi"
    });
}

TEST(FieldTable, PublishWithoutPacketIdentifierStopsAtTheTopic) {
    const Vector* v = find_vector("publish/QoS 1 without Packet Identifier");
    ASSERT_NE(v, nullptr);
    const auto bytes = v->bytes();
    const Packet p = decode(Bytes(bytes), v->version, v->options);
    EXPECT_TRUE(p.fields.has(Field::topic));
    EXPECT_FALSE(p.fields.has(Field::packet_id));
    EXPECT_FALSE(p.fields.has(Field::payload));
}

TEST(FieldTable, Connack) {
    expect_spans("connack/accepted", {
        {Field::fixed_header, {0, 1}},      // 20
        {Field::remaining_length, {1, 1}},  // 02
        {Field::ack_flags, {2, 1}},         // 00
        {Field::return_code, {3, 1}},       // 00
    });
}

TEST(FieldTable, SubscribeListsAllItsPairsInOneSpan) {
    expect_spans("subscribe/two filters", {
        {Field::fixed_header, {0, 1}},      // 82
        {Field::remaining_length, {1, 1}},  // 0C
        {Field::packet_id, {2, 2}},         // 00 0A
        {Field::topic_filter, {4, 10}},     // 00 03 "a/b" 01, 00 01 "#" 02
    });
}

TEST(FieldTable, SubackReturnCodes) {
    expect_spans("suback/granted and failure", {
        {Field::fixed_header, {0, 1}},      // 90
        {Field::remaining_length, {1, 1}},  // 05
        {Field::packet_id, {2, 2}},         // 00 0A
        {Field::return_codes, {4, 3}},      // 00 02 80
    });
}

TEST(FieldTable, PacketBuiltByHandHasNone) {
    const Packet p = make_packet(PacketType::publish, Publish{"a/b", 7, {}}, 0x02);
    EXPECT_TRUE(spans(p).empty());
}

}  // namespace mqttlens::mqtt::test
