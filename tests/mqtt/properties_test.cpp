// MQTT 5.0 properties (§2.2.2): Table 2-4 as the standard gives it, property lists read from
// annotated bytes, and every rule one list can break with the offset of the offending byte.
#include "alloc_count.hpp"

#include "mqtt/properties.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace mqttlens::mqtt::test {
namespace {

using Buffer = std::vector<std::uint8_t>;
using P = PropertyId;
using I = PropertyIssue;
using S = PropertyScope;

struct Read {
    PropertyRead read;
    std::vector<PropertyFinding> findings;
};

// The list in the result views `bytes`: keep them alive while it is used.
Read read(const Buffer& bytes, PropertyScope scope) {
    Read r;
    PropertySink sink{&r.findings, [](void* to, const PropertyFinding& f) {
                          static_cast<std::vector<PropertyFinding>*>(to)->push_back(f);
                      }};
    r.read = read_properties(bytes, scope, sink);
    return r;
}

// The "Per packet" paragraph of the rules file's Properties section.
const std::map<PropertyScope, std::vector<std::uint8_t>>& allowed_per_scope() {
    static const std::map<PropertyScope, std::vector<std::uint8_t>> list = {
        {S::connect, {0x11, 0x15, 0x16, 0x17, 0x19, 0x21, 0x22, 0x26, 0x27}},
        {S::will, {0x01, 0x02, 0x03, 0x08, 0x09, 0x18, 0x26}},
        {S::connack, {0x11, 0x12, 0x13, 0x15, 0x16, 0x1A, 0x1C, 0x1F, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
                      0x2A}},
        {S::publish, {0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26}},
        {S::puback, {0x1F, 0x26}},
        {S::pubrec, {0x1F, 0x26}},
        {S::pubrel, {0x1F, 0x26}},
        {S::pubcomp, {0x1F, 0x26}},
        {S::subscribe, {0x0B, 0x26}},
        {S::suback, {0x1F, 0x26}},
        {S::unsubscribe, {0x26}},
        {S::unsuback, {0x1F, 0x26}},
        {S::disconnect, {0x11, 0x1C, 0x1F, 0x26}},
        {S::auth, {0x15, 0x16, 0x1F, 0x26}},
    };
    return list;
}

TEST(PropertyTable, TwentySevenIdentifiersAndNoOthers) {
    const std::vector<std::uint8_t> defined = {0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x11, 0x12, 0x13,
                                               0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1C, 0x1F, 0x21,
                                               0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A};
    for (unsigned id = 0; id < 256; ++id) {
        const bool is_defined = std::find(defined.begin(), defined.end(), id) != defined.end();
        const PropertyInfo* info = property_info(static_cast<std::uint8_t>(id));
        EXPECT_EQ(info != nullptr, is_defined) << id;
        if (info) {
            EXPECT_EQ(static_cast<unsigned>(info->id), id);
        }
    }
}

TEST(PropertyTable, TypesAndNamesAsTable24) {
    EXPECT_EQ(property_info(0x01)->type, PropertyType::byte);
    EXPECT_EQ(property_info(0x02)->type, PropertyType::four_byte_integer);
    EXPECT_EQ(property_info(0x0B)->type, PropertyType::variable_byte_integer);
    EXPECT_EQ(property_info(0x13)->type, PropertyType::two_byte_integer);
    EXPECT_EQ(property_info(0x16)->type, PropertyType::binary_data);
    EXPECT_EQ(property_info(0x1F)->type, PropertyType::utf8_string);
    EXPECT_EQ(property_info(0x26)->type, PropertyType::utf8_string_pair);
    EXPECT_EQ(property_info(0x11)->name, "session_expiry_interval");
    EXPECT_EQ(property_info(0x11)->title, "Session Expiry Interval");
    EXPECT_EQ(property_info(0x2A)->name, "shared_subscription_available");
    EXPECT_EQ(property_type_name(PropertyType::utf8_string_pair), "utf8_string_pair");
    EXPECT_EQ(property_scope_name(S::will), "will");
}

TEST(PropertyTable, AllowedExactlyWhereTheStandardSays) {
    for (const auto& [scope, ids] : allowed_per_scope()) {
        for (unsigned id = 0; id < 0x2B; ++id) {
            if (!property_info(static_cast<std::uint8_t>(id))) continue;
            const bool listed = std::find(ids.begin(), ids.end(), id) != ids.end();
            EXPECT_EQ(allowed_in(static_cast<PropertyId>(id), scope), listed)
                << property_scope_name(scope) << " " << property_info(static_cast<std::uint8_t>(id))->name;
        }
    }
}

TEST(PropertyTable, OnlyUserPropertyAndPublishSubscriptionIdentifiersRepeat) {
    for (const auto& [scope, ids] : allowed_per_scope())
        for (std::uint8_t id : ids)
            EXPECT_EQ(may_repeat(static_cast<PropertyId>(id), scope),
                      id == 0x26 || (id == 0x0B && scope == S::publish))
                << property_scope_name(scope) << " " << int(id);
}

// A CONNACK's properties, one of each type.
const Buffer connack_list = {
    0x23,                                 // Property Length 35
    0x11, 0x00, 0x00, 0x0E, 0x10,         // Session Expiry Interval 3600
    0x21, 0x00, 0x0A,                     // Receive Maximum 10
    0x24, 0x01,                           // Maximum QoS 1
    0x12, 0x00, 0x03, 'c', 'i', 'd',      // Assigned Client Identifier "cid"
    0x16, 0x00, 0x02, 0xDE, 0xAD,         // Authentication Data DE AD
    0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // User Property k=v
    0x26, 0x00, 0x00, 0x00, 0x02, 'v', '2',  // User Property ""=v2 (repeats)
    0x40,                                 // what follows the list (not read)
};

TEST(PropertyList, EachTypeIsReadFromItsBytes) {
    const Read r = read(connack_list, S::connack);
    EXPECT_TRUE(r.findings.empty());
    EXPECT_TRUE(r.read.present);
    EXPECT_EQ(r.read.end, 36u);  // 1 + 35: the next field starts there
    const PropertyList& list = r.read.list;
    ASSERT_EQ(list.size(), 7u);
    std::vector<Property> p(list.begin(), list.end());
    EXPECT_EQ(p[0].id, P::session_expiry_interval);
    EXPECT_EQ(p[0].number, 3600u);
    EXPECT_EQ(p[0].raw.data(), connack_list.data() + 1);
    EXPECT_EQ(p[0].raw.size(), 5u);
    EXPECT_EQ(p[1].number, 10u);
    EXPECT_EQ(p[2].number, 1u);
    EXPECT_EQ(p[3].text, "cid");
    EXPECT_EQ(std::vector<std::uint8_t>(p[4].binary.begin(), p[4].binary.end()), (Buffer{0xDE, 0xAD}));
    EXPECT_EQ(p[5].text, "k");
    EXPECT_EQ(p[5].value, "v");
    EXPECT_EQ(p[6].text, "");
    EXPECT_EQ(p[6].value, "v2");
    EXPECT_EQ(list.count(P::user_property), 2u);
    ASSERT_TRUE(list.find(P::receive_maximum));
    EXPECT_EQ(list.find(P::receive_maximum)->number, 10u);
    EXPECT_FALSE(list.find(P::topic_alias));
}

TEST(PropertyList, ReadingAllocatesNothing) {
    const auto before = allocation_count();
    std::size_t seen = 0;
    PropertySink sink{&seen, [](void* n, const PropertyFinding&) { ++*static_cast<std::size_t*>(n); }};
    const PropertyRead r = read_properties(connack_list, S::connack, sink);
    for (const Property& p : r.list) seen += p.raw.size();
    EXPECT_EQ(allocation_count(), before);
    EXPECT_EQ(seen, 35u);
}

TEST(PropertyList, EmptyListAndNoList) {
    const Buffer zero = {0x00};
    const Read empty = read(zero, S::puback);
    EXPECT_TRUE(empty.read.present);
    EXPECT_EQ(empty.read.end, 1u);
    EXPECT_TRUE(empty.read.list.empty());
    EXPECT_TRUE(empty.findings.empty());
    const Read none = read({}, S::puback);
    EXPECT_FALSE(none.read.present);  // the caller decides whether a Property Length was required
    EXPECT_TRUE(none.findings.empty());
}

TEST(PropertyList, SubscriptionIdentifierIsAVariableByteInteger) {
    const Buffer bytes = {0x05, 0x0B, 0xFF, 0xFF, 0xFF, 0x7F};  // 268,435,455
    const Read r = read(bytes, S::publish);
    EXPECT_TRUE(r.findings.empty());
    ASSERT_EQ(r.read.list.size(), 1u);
    EXPECT_EQ((*r.read.list.begin()).number, 268'435'455u);
}

struct Broken {
    const char* name;
    PropertyScope scope;
    Buffer bytes;
    std::vector<PropertyFinding> findings;
    std::size_t kept;  // properties in the list
    std::size_t end;
};

const std::vector<Broken>& broken() {
    static const std::vector<Broken> list = {
        {"Property Length with a 5th byte (MQTT5-§1.5.5)", S::puback, {0x80, 0x80, 0x80, 0x80, 0x01},
         {{I::varint_malformed, 0, 0}}, 0, 5},
        {"Property Length not minimal (MQTT-1.5.5-1)", S::puback, {0x80, 0x00},
         {{I::varint_non_minimal, 0, 0}}, 0, 2},
        {"Property Length cut short", S::puback, {0x80}, {{I::length_past_end, 0, 0}}, 0, 1},
        {"Property Length past the packet (MQTT5-§2.2.2.1)", S::puback, {0x05, 0x1F, 0x00, 0x00},
         {{I::length_past_end, 0, 0}}, 1, 4},
        {"a property cut by the Property Length (MQTT5-§2.2.2.1)", S::puback, {0x03, 0x1F, 0x00, 0x02, 'a', 'b'},
         {{I::truncated, 0x1F, 1}}, 0, 4},
        {"unknown identifier 0x00 (MQTT5-§2.2.2.2)", S::connack, {0x04, 0x24, 0x00, 0x00, 0x01},
         {{I::unknown, 0x00, 3}}, 1, 5},
        {"unknown identifier 0x2B (MQTT5-§2.2.2.2)", S::connack, {0x02, 0x2B, 0x00}, {{I::unknown, 0x2B, 1}}, 0, 3},
        {"a two-byte identifier is none of 5.0's (MQTT5-§2.2.2.2)", S::connack, {0x02, 0x81, 0x00},
         {{I::unknown, 0x81, 1}}, 0, 3},
        {"Will Delay Interval among CONNECT properties (MQTT5-§2.2.2.2)", S::connect, {0x05, 0x18, 0, 0, 0, 1},
         {{I::not_allowed, 0x18, 1}}, 1, 6},
        {"Session Expiry Interval in Will Properties (MQTT5-§2.2.2.2)", S::will, {0x05, 0x11, 0, 0, 0, 1},
         {{I::not_allowed, 0x11, 1}}, 1, 6},
        {"Topic Alias in SUBSCRIBE (MQTT5-§2.2.2.2)", S::subscribe, {0x03, 0x23, 0x00, 0x01},
         {{I::not_allowed, 0x23, 1}}, 1, 4},
        {"Reason String twice in PUBACK (MQTT5-§3.4.2.2)", S::puback, {0x06, 0x1F, 0, 0, 0x1F, 0, 0},
         {{I::repeated, 0x1F, 4}}, 2, 7},
        {"Subscription Identifier twice in SUBSCRIBE (MQTT5-§3.8.2.1.2)", S::subscribe, {0x04, 0x0B, 1, 0x0B, 2},
         {{I::repeated, 0x0B, 3}}, 2, 5},
        {"Subscription Identifier 0 in PUBLISH (MQTT5-§3.3.2.3.8)", S::publish, {0x02, 0x0B, 0x00},
         {{I::zero, 0x0B, 2}}, 1, 3},
        {"Subscription Identifier not minimal (MQTT-1.5.5-1)", S::publish, {0x03, 0x0B, 0x81, 0x00},
         {{I::varint_non_minimal, 0x0B, 2}}, 1, 4},
        {"Subscription Identifier with a 5th byte (MQTT5-§1.5.5)", S::publish, {0x06, 0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01},
         {{I::varint_malformed, 0x0B, 2}}, 0, 7},
        {"Receive Maximum 0 in CONNECT (MQTT5-§3.1.2.11.3)", S::connect, {0x03, 0x21, 0x00, 0x00},
         {{I::zero, 0x21, 2}}, 1, 4},
        {"Maximum Packet Size 0 in CONNACK (MQTT5-§3.2.2.3.6)", S::connack, {0x05, 0x27, 0, 0, 0, 0},
         {{I::zero, 0x27, 2}}, 1, 6},
        {"Topic Alias 0 (MQTT-3.3.2-8)", S::publish, {0x03, 0x23, 0x00, 0x00}, {{I::zero, 0x23, 2}}, 1, 4},
        {"Request Problem Information 2 (MQTT5-§3.1.2.11.7)", S::connect, {0x02, 0x17, 0x02},
         {{I::not_boolean, 0x17, 2}}, 1, 3},
        {"Maximum QoS 2 (MQTT5-§3.2.2.3.4)", S::connack, {0x02, 0x24, 0x02}, {{I::not_boolean, 0x24, 2}}, 1, 3},
        {"Payload Format Indicator 2 (MQTT5-§3.3.2.3.2)", S::publish, {0x02, 0x01, 0x02},
         {{I::not_boolean, 0x01, 2}}, 1, 3},
        {"a User Property whose value is cut", S::auth, {0x06, 0x26, 0x00, 0x01, 'k', 0x00, 0x05},
         {{I::truncated, 0x26, 1}}, 0, 7},
        {"a Binary Data length past the list (MQTT5-§1.5.6)", S::auth, {0x03, 0x16, 0x00, 0x09},
         {{I::truncated, 0x16, 1}}, 0, 4},
        {"several findings in wire order", S::connack, {0x08, 0x24, 0x05, 0x24, 0x01, 0x18, 0, 0, 0},
         {{I::not_boolean, 0x24, 2}, {I::repeated, 0x24, 3}, {I::truncated, 0x18, 5}}, 2, 9},
    };
    return list;
}

TEST(PropertyList, EveryRuleOneListCanBreakIsReportedAtItsByte) {
    for (const Broken& b : broken()) {
        SCOPED_TRACE(b.name);
        const Read r = read(b.bytes, b.scope);
        EXPECT_EQ(r.findings, b.findings);
        EXPECT_EQ(r.read.list.size(), b.kept);
        EXPECT_EQ(r.read.end, b.end);
    }
}

// Every prefix of a valid list: reading stays inside the bytes, the list holds only whole
// properties, and something is reported whenever the list was cut.
TEST(PropertyList, EveryTruncationIsSafeAndReported) {
    for (std::size_t n = 1; n < 36; ++n) {
        const Buffer cut(connack_list.begin(), connack_list.begin() + static_cast<std::ptrdiff_t>(n));
        const Read r = read(cut, S::connack);
        EXPECT_FALSE(r.findings.empty()) << n;
        EXPECT_EQ(r.read.end, n);
        std::size_t bytes = 0;
        for (const Property& p : r.read.list) bytes += p.raw.size();
        EXPECT_EQ(bytes, r.read.list.raw().size()) << n;
        EXPECT_LE(1 + bytes, n);
    }
}

// A sample value of every identifier's type.
Property sample(PropertyId id) {
    static const std::uint8_t data[] = {0xCA, 0xFE};
    Property p{id, {}, 0, {}, {}, {}};
    switch (property_info(static_cast<std::uint8_t>(id))->type) {
        case PropertyType::byte: p.number = 1; break;
        case PropertyType::two_byte_integer: p.number = 0xBEEF; break;
        case PropertyType::four_byte_integer: p.number = 0xDEADBEEF; break;
        case PropertyType::variable_byte_integer: p.number = 200'000; break;
        case PropertyType::utf8_string: p.text = "caf\xC3\xA9"; break;
        case PropertyType::binary_data: p.binary = data; break;
        case PropertyType::utf8_string_pair: p.text = "name"; p.value = ""; break;
    }
    return p;
}

TEST(PropertyWriting, EveryIdentifierWrittenReadsBackEqual) {
    for (unsigned id = 0; id < 0x2B; ++id) {
        const PropertyInfo* info = property_info(static_cast<std::uint8_t>(id));
        if (!info) continue;
        SCOPED_TRACE(std::string(info->name));
        const auto scope = static_cast<PropertyScope>(__builtin_ctz(info->scopes));  // a scope that allows it
        const Property written = sample(info->id);
        Buffer bytes;
        const std::size_t n = write_properties(std::span(&written, 1), bytes);
        EXPECT_EQ(n, bytes.size());
        const Read r = read(bytes, scope);
        EXPECT_TRUE(r.findings.empty());
        ASSERT_EQ(r.read.list.size(), 1u);
        const Property back = *r.read.list.begin();
        EXPECT_EQ(back.id, written.id);
        EXPECT_EQ(back.number, written.number);
        EXPECT_EQ(back.text, written.text);
        EXPECT_EQ(back.value, written.value);
        EXPECT_TRUE(std::equal(back.binary.begin(), back.binary.end(), written.binary.begin(), written.binary.end()));
        EXPECT_EQ(r.read.end, bytes.size());
    }
}

TEST(PropertyWriting, AListReadWholeIsWrittenBackToTheSameBytes) {
    const Read r = read(connack_list, S::connack);
    const std::vector<Property> list(r.read.list.begin(), r.read.list.end());
    std::vector<Property> values = list;
    for (Property& p : values) p.raw = {};  // written from the values, not copied
    Buffer bytes;
    write_properties(values, bytes);
    EXPECT_EQ(bytes, Buffer(connack_list.begin(), connack_list.begin() + 36));
}

TEST(PropertyWriting, BrokenOnPurpose) {
    const Property reason = sample(P::reason_string);
    Buffer longer;
    write_properties(std::span(&reason, 1), longer, PropertyWriting{100, 0});
    EXPECT_EQ(read(longer, S::puback).findings, (std::vector<PropertyFinding>{{I::length_past_end, 0, 0}}));

    Buffer wide;
    write_properties(std::span(&reason, 1), wide, PropertyWriting{std::nullopt, 3});
    EXPECT_EQ(wide[0], 0x80 | 8);  // 8 bytes in three: 88 80 00
    EXPECT_EQ(read(wide, S::puback).findings, (std::vector<PropertyFinding>{{I::varint_non_minimal, 0, 0}}));

    const std::vector<Property> twice = {reason, reason};
    Buffer repeated;
    write_properties(twice, repeated);
    EXPECT_EQ(read(repeated, S::puback).findings, (std::vector<PropertyFinding>{{I::repeated, 0x1F, 9}}));

    const Property unknown{static_cast<PropertyId>(0x05), {}, 0, {}, {}, {}};
    Buffer alone;
    write_properties(std::span(&unknown, 1), alone);
    EXPECT_EQ(alone, (Buffer{0x01, 0x05}));
    EXPECT_EQ(read(alone, S::puback).findings, (std::vector<PropertyFinding>{{I::unknown, 0x05, 1}}));

    const std::uint8_t raw_bytes[] = {0x0B, 0x80, 0x80, 0x00};  // Subscription Identifier 0, three bytes
    const Property raw{P::subscription_identifier, raw_bytes, 0, {}, {}, {}};
    Buffer verbatim;
    write_properties(std::span(&raw, 1), verbatim);
    EXPECT_EQ(verbatim, (Buffer{0x04, 0x0B, 0x80, 0x80, 0x00}));
    EXPECT_EQ(read(verbatim, S::publish).findings,
              (std::vector<PropertyFinding>{{I::varint_non_minimal, 0x0B, 2}, {I::zero, 0x0B, 2}}));
}

}  // namespace
}  // namespace mqttlens::mqtt::test
