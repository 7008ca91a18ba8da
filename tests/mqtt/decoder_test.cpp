// The decoder against the annotated vectors: exact diagnostics (code, rule, offset) and fields.
#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt/topic.hpp"

#include "alloc_count.hpp"
#include "framer_util.hpp"
#include "vectors.hpp"
#include "xorshift.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <string>
#include <thread>

namespace mqttlens::mqtt::test {
namespace {

Bytes view(const std::vector<std::uint8_t>& b) { return {b.data(), b.size()}; }

std::string describe(const Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds)
        out += std::string(code_info(d.code).name) + " " + std::string(d.rule(Version::v3_1_1).id) + " @" +
               std::to_string(d.offset) + "; ";
    return out;
}

std::string describe(const std::vector<Expected>& es) {
    std::string out;
    for (const auto& e : es)
        out += std::string(code_info(e.code).name) + " " + std::string(e.rule) + " @" +
               std::to_string(e.offset) + "; ";
    return out;
}

Packet decode_vector(const Vector& v, const std::vector<std::uint8_t>& bytes) {
    return decode(view(bytes), v.version, v.options);
}

const Vector& vec(std::string_view name) {
    const Vector* v = find_vector(name);
    if (!v) throw std::runtime_error("no vector named " + std::string(name));
    return *v;
}

// Decodes a vector kept alive in static storage, so views stay valid for the test.
Packet decode_named(std::string_view name) {
    static std::vector<std::vector<std::uint8_t>> keep;
    keep.push_back(vec(name).bytes());
    return decode(view(keep.back()), vec(name).version, vec(name).options);
}

TEST(Vectors, NamesAreUnique) {
    std::set<std::string_view> names;
    for (const auto& v : vectors()) EXPECT_TRUE(names.insert(v.name).second) << v.name;
}

TEST(Vectors, EveryPacketTypeHasValidAndBrokenVectors) {
    for (int t = 0; t < 16; ++t) {
        bool valid = false, broken = false;
        for (const auto& v : vectors()) {
            if (static_cast<int>(v.type) != t) continue;
            (v.expected.empty() ? valid : broken) = true;
        }
        EXPECT_TRUE(broken) << "no broken vector for type " << t;
        if (t != 0 && t != 15) {
            EXPECT_TRUE(valid) << "no valid vector for type " << t;
        }
    }
}

TEST(Decoder, EveryVectorGivesExactlyItsDiagnostics) {
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        auto bytes = v.bytes();
        Packet p = decode_vector(v, bytes);
        EXPECT_EQ(p.type(), v.type);
        ASSERT_EQ(p.diagnostics.size(), v.expected.size())
            << "got: " << describe(p.diagnostics) << "\nwant: " << describe(v.expected);
        EXPECT_EQ(p.diagnostics.dropped(), 0u);
        for (std::size_t i = 0; i < v.expected.size(); ++i) {
            const Diagnostic& d = p.diagnostics[i];
            const Expected& e = v.expected[i];
            EXPECT_EQ(code_info(d.code).name, code_info(e.code).name) << "diagnostic " << i;
            EXPECT_EQ(d.rule(v.version).id, e.rule) << "diagnostic " << i;
            EXPECT_EQ(d.offset, e.offset) << "diagnostic " << i;
            EXPECT_EQ(d.severity, e.expected_severity()) << "diagnostic " << i;
            EXPECT_FALSE(d.message().empty());
        }
        EXPECT_EQ(p.valid(), v.valid());
        EXPECT_EQ(p.header.first_byte, bytes[0]);
    }
}

TEST(Decoder, WholeVectorsAreExactlyOnePacket) {
    for (const auto& v : vectors()) {
        if (v.framing != Framing::whole) continue;
        SCOPED_TRACE(std::string(v.name));
        auto bytes = v.bytes();
        Packet p = decode_vector(v, bytes);
        EXPECT_EQ(p.header.size() + p.header.remaining_length, bytes.size());
        EXPECT_EQ(p.raw.size(), bytes.size());
        EXPECT_EQ(p.raw.data(), bytes.data());
    }
}

// ------------------------------------------------------------------ decoded fields

TEST(DecoderFields, ConnectWithEveryField) {
    Packet p = decode_named("connect/all fields");
    const Connect* c = p.get<Connect>();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->protocol_name, "MQTT");
    EXPECT_EQ(c->protocol_level, 4);
    EXPECT_EQ(c->flags, 0xEE);
    EXPECT_TRUE(c->clean_session());
    EXPECT_EQ(c->will_qos(), 1);
    EXPECT_TRUE(c->will_retain());
    EXPECT_EQ(c->keep_alive, 10);
    EXPECT_EQ(c->client_id, "c1");
    ASSERT_TRUE(c->will.has_value());
    EXPECT_EQ(c->will->topic, "w/t");
    EXPECT_EQ(as_string(c->will->message), "bye");
    EXPECT_EQ(c->username, std::optional<std::string_view>("u"));
    ASSERT_TRUE(c->password.has_value());
    EXPECT_EQ(as_string(*c->password), "p");
}

TEST(DecoderFields, Mqtt31ConnectIsDecodedAs31) {
    Packet p = decode_named("connect/MQIsdp 3.1");
    const Connect* c = p.get<Connect>();
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(p.valid());
    EXPECT_EQ(c->protocol_name, "MQIsdp");
    EXPECT_EQ(c->protocol_level, 3);
    EXPECT_EQ(c->client_id, "c1");
    EXPECT_EQ(c->keep_alive, 60);
}

// MQTT-1.5.3-3: U+FEFF is a character like any other; it is neither an error nor stripped.
TEST(DecoderFields, ByteOrderMarkIsKept) {
    Packet p = decode_named("connect/byte order mark kept");
    ASSERT_NE(p.get<Connect>(), nullptr);
    EXPECT_EQ(p.get<Connect>()->client_id, "\xEF\xBB\xBF" "a");
}

TEST(DecoderFields, Mqtt5ConnectStopsAfterTheLevel) {
    Packet p = decode_named("connect/MQTT 5.0 (CVE-2021-28166 reproducer, first packet)");
    const Connect* c = p.get<Connect>();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->protocol_name, "MQTT");
    EXPECT_EQ(c->protocol_level, 5);
    EXPECT_FALSE(c->will.has_value());
    EXPECT_FALSE(c->username.has_value());
}

TEST(DecoderFields, FieldsSentWithoutTheirFlagAreShown) {
    Packet u = decode_named("connect/user name without flag");
    ASSERT_NE(u.get<Connect>(), nullptr);
    EXPECT_EQ(u.get<Connect>()->username, std::optional<std::string_view>("u"));
    Packet p = decode_named("connect/password without flag");
    ASSERT_NE(p.get<Connect>(), nullptr);
    ASSERT_TRUE(p.get<Connect>()->password.has_value());
    EXPECT_EQ(as_string(*p.get<Connect>()->password), "p");
}

TEST(DecoderFields, Connack) {
    Packet p = decode_named("connack/session present");
    ASSERT_NE(p.get<Connack>(), nullptr);
    EXPECT_TRUE(p.get<Connack>()->session_present());
    EXPECT_EQ(p.get<Connack>()->return_code, std::optional<std::uint8_t>(0));
    Packet r = decode_named("connack/refused not authorized");
    EXPECT_EQ(r.get<Connack>()->return_code, std::optional<std::uint8_t>(5));
    Packet empty = decode_named("connack/remaining length 0");
    ASSERT_NE(empty.get<Connack>(), nullptr);
    EXPECT_FALSE(empty.get<Connack>()->ack_flags.has_value());
    EXPECT_FALSE(empty.get<Connack>()->return_code.has_value());
}

TEST(DecoderFields, PublishQos0) {
    Packet p = decode_named("publish/QoS 0");
    const Publish* pub = p.get<Publish>();
    ASSERT_NE(pub, nullptr);
    EXPECT_EQ(pub->topic, "a/b");
    EXPECT_FALSE(pub->packet_id.has_value());
    EXPECT_EQ(as_string(pub->payload), "hello");
    EXPECT_EQ(p.header.qos(), 0);
    EXPECT_FALSE(p.header.dup());
    EXPECT_FALSE(p.header.retain());
}

TEST(DecoderFields, PublishQos2DupRetain) {
    Packet p = decode_named("publish/QoS 2 DUP RETAIN");
    const Publish* pub = p.get<Publish>();
    ASSERT_NE(pub, nullptr);
    EXPECT_TRUE(p.header.dup());
    EXPECT_EQ(p.header.qos(), 2);
    EXPECT_TRUE(p.header.retain());
    EXPECT_EQ(pub->packet_id, std::optional<std::uint16_t>(1));
    EXPECT_EQ(as_string(pub->payload), "x");
}

TEST(DecoderFields, PublishWithWildcardStillHasTopicAndPayload) {
    Packet p = decode_named("publish/topic with '#' keeps its payload");
    const Publish* pub = p.get<Publish>();
    ASSERT_NE(pub, nullptr);
    EXPECT_FALSE(p.valid());
    EXPECT_EQ(pub->topic, "a/#");
    EXPECT_EQ(as_string(pub->payload), "hi");
}

TEST(DecoderFields, PublishQos3StillHasItsFields) {
    Packet p = decode_named("publish/QoS 3");
    const Publish* pub = p.get<Publish>();
    ASSERT_NE(pub, nullptr);
    EXPECT_EQ(pub->topic, "t");
    EXPECT_EQ(pub->packet_id, std::optional<std::uint16_t>(1));
    EXPECT_EQ(as_string(pub->payload), "x");
}

TEST(DecoderFields, EmptyPayloadIsValid) {
    Packet p = decode_named("publish/empty payload");
    ASSERT_NE(p.get<Publish>(), nullptr);
    EXPECT_TRUE(p.valid());
    EXPECT_TRUE(p.get<Publish>()->payload.empty());
}

TEST(DecoderFields, RemainingLengthForms) {
    Packet nm = decode_named("publish/non-minimal Remaining Length (warning)");
    EXPECT_TRUE(nm.valid());
    EXPECT_EQ(nm.header.length_size, 2);
    EXPECT_EQ(nm.header.remaining_length, 3u);
    EXPECT_EQ(nm.get<Publish>()->topic, "t");
    Packet two = decode_named("publish/two-byte Remaining Length");
    EXPECT_EQ(two.header.remaining_length, 128u);
    EXPECT_EQ(two.get<Publish>()->payload.size(), 125u);
}

TEST(DecoderFields, HugeClaimIsNotTrusted) {
    Packet p = decode_named("publish/claims 256 MB, two bytes follow (CVE-2017-7651)");
    EXPECT_EQ(p.header.remaining_length, 268'435'455u);
    EXPECT_EQ(p.header.length_size, 4);
    EXPECT_EQ(p.raw.size(), 7u);
}

TEST(DecoderFields, TrailingBytesAreNotPartOfThePacket) {
    Packet p = decode_named("publish/bytes after the packet");
    EXPECT_EQ(p.raw.size(), 5u);
    EXPECT_TRUE(p.get<Publish>()->payload.empty());
}

TEST(DecoderFields, Acks) {
    for (auto name : {"puback/valid", "pubrec/valid", "pubrel/valid", "pubcomp/valid", "unsuback/valid"}) {
        SCOPED_TRACE(name);
        Packet p = decode_named(name);
        ASSERT_NE(p.get<Ack>(), nullptr);
        EXPECT_TRUE(p.get<Ack>()->packet_id.has_value());
    }
    EXPECT_EQ(decode_named("pubrel/valid").get<Ack>()->packet_id, std::optional<std::uint16_t>(7));
    EXPECT_FALSE(decode_named("puback/remaining length 0").get<Ack>()->packet_id.has_value());
}

TEST(DecoderFields, SubscribeEntries) {
    Packet p = decode_named("subscribe/two filters");
    const Subscribe* s = p.get<Subscribe>();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->packet_id, std::optional<std::uint16_t>(10));
    std::vector<Subscription> subs(s->subscriptions.begin(), s->subscriptions.end());
    ASSERT_EQ(subs.size(), 2u);
    EXPECT_EQ(subs[0], (Subscription{"a/b", 1}));
    EXPECT_EQ(subs[1], (Subscription{"#", 2}));
}

TEST(DecoderFields, SubscribeKeepsOnlyWholePairs) {
    Packet p = decode_named("subscribe/filter without its QoS byte");
    ASSERT_NE(p.get<Subscribe>(), nullptr);
    std::vector<Subscription> subs(p.get<Subscribe>()->subscriptions.begin(),
                                   p.get<Subscribe>()->subscriptions.end());
    ASSERT_EQ(subs.size(), 1u);
    EXPECT_EQ(subs[0], (Subscription{"a", 0}));
    Packet broken = decode_named("subscribe/second pair broken, first kept");
    EXPECT_EQ(broken.get<Subscribe>()->subscriptions.size(), 2u);
}

TEST(DecoderFields, SubackReturnCodes) {
    Packet p = decode_named("suback/granted and failure");
    const Suback* s = p.get<Suback>();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->packet_id, std::optional<std::uint16_t>(10));
    EXPECT_EQ(std::vector<std::uint8_t>(s->return_codes.begin(), s->return_codes.end()),
              (std::vector<std::uint8_t>{0x00, 0x02, 0x80}));
}

TEST(DecoderFields, UnsubscribeFilters) {
    Packet p = decode_named("unsubscribe/two filters");
    const Unsubscribe* u = p.get<Unsubscribe>();
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->packet_id, std::optional<std::uint16_t>(11));
    std::vector<std::string_view> filters(u->filters.begin(), u->filters.end());
    EXPECT_EQ(filters, (std::vector<std::string_view>{"a/b", "#"}));
}

TEST(DecoderFields, UnsubscribeKeepsOnlyWholeFilters) {
    Packet p = decode_named("unsubscribe/second filter truncated, first kept");
    ASSERT_NE(p.get<Unsubscribe>(), nullptr);
    std::vector<std::string_view> filters(p.get<Unsubscribe>()->filters.begin(),
                                          p.get<Unsubscribe>()->filters.end());
    EXPECT_EQ(filters, (std::vector<std::string_view>{"a"}));
}

TEST(DecoderFields, UnknownProtocolLevelLeavesTheRestUnread) {
    Packet p = decode_named("connect/level 6 stops decoding");
    const Connect* c = p.get<Connect>();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->protocol_level, 6);
    EXPECT_EQ(c->flags, 0);
    EXPECT_EQ(c->keep_alive, 0);
}

TEST(DecoderFields, EmptyBodies) {
    for (auto name : {"pingreq/valid", "pingresp/valid", "disconnect/valid"}) {
        Packet p = decode_named(name);
        EXPECT_NE(p.get<Empty>(), nullptr) << name;
    }
}

TEST(DecoderFields, ReservedTypeBodyIsOpaque) {
    Packet p = decode_named("reserved/type 15 with a body");
    ASSERT_NE(p.get<Opaque>(), nullptr);
    EXPECT_EQ(std::vector<std::uint8_t>(p.get<Opaque>()->bytes.begin(), p.get<Opaque>()->bytes.end()),
              (std::vector<std::uint8_t>{1, 2}));
    EXPECT_EQ(type_name(p.type()), "RESERVED");
}

// ------------------------------------------------------------------ edges

TEST(Decoder, EmptyInputIsTruncated) {
    Packet p = decode(Bytes{});
    ASSERT_EQ(p.diagnostics.size(), 1u);
    EXPECT_EQ(p.diagnostics[0].code, Code::packet_truncated);
    EXPECT_EQ(p.diagnostics[0].offset, 0u);
}

TEST(Decoder, ClientIdentifierBeyond23CharactersIsAllowed) {
    // MQTT-3.1.3-5: servers MAY accept longer identifiers and other characters; not an error.
    std::string id = "client-identifier-of-40-characters-.....";
    ASSERT_EQ(id.size(), 40u);
    std::vector<std::uint8_t> b = {0x10, static_cast<std::uint8_t>(12 + id.size()), 0, 4, 'M', 'Q', 'T', 'T',
                                   4,    2,    0,    60, 0, static_cast<std::uint8_t>(id.size())};
    b.insert(b.end(), id.begin(), id.end());
    Packet p = decode(view(b));
    EXPECT_TRUE(p.diagnostics.empty()) << describe(p.diagnostics);
    EXPECT_EQ(p.get<Connect>()->client_id, id);
}

std::vector<std::uint8_t> subscribe_with_filter(const std::string& filter) {
    std::vector<std::uint8_t> b = {0x82};
    std::uint32_t rl = static_cast<std::uint32_t>(2 + 2 + filter.size() + 1);
    do {
        std::uint8_t byte = rl & 0x7F;
        rl >>= 7;
        b.push_back(static_cast<std::uint8_t>(byte | (rl ? 0x80 : 0)));
    } while (rl);
    b.insert(b.end(), {0x00, 0x01, static_cast<std::uint8_t>(filter.size() >> 8),
                       static_cast<std::uint8_t>(filter.size() & 0xFF)});
    b.insert(b.end(), filter.begin(), filter.end());
    b.push_back(0x00);
    return b;
}

// CVE-2019-11779: a filter of 65,535 '/' decodes in bounded stack, without allocating.
TEST(Decoder, FilterOf65535SlashesIsValid) {
    auto b = subscribe_with_filter(std::string(65'535, '/'));
    auto before = allocation_count();
    Packet p = decode(view(b));
    auto after = allocation_count();
    EXPECT_EQ(after, before);
    EXPECT_TRUE(p.diagnostics.empty()) << describe(p.diagnostics);
    ASSERT_NE(p.get<Subscribe>(), nullptr);
    ASSERT_EQ(p.get<Subscribe>()->subscriptions.size(), 1u);
    EXPECT_EQ((*p.get<Subscribe>()->subscriptions.begin()).filter.size(), 65'535u);
}

TEST(Decoder, DiagnosticsBeyondCapacityAreCounted) {
    auto b = subscribe_with_filter(std::string(65'535, '+'));  // every '+' shares its level
    Packet p = decode(view(b));
    EXPECT_EQ(p.diagnostics.size(), Diagnostics::capacity);
    EXPECT_EQ(p.diagnostics.size() + p.diagnostics.dropped(), 65'535u);
    EXPECT_EQ(p.diagnostics.error_count(), 65'535u);
    EXPECT_EQ(p.diagnostics[0].code, Code::filter_plus_misplaced);
    EXPECT_EQ(p.diagnostics[0].offset, 8u);  // 82, 3-byte length, id, filter length
}

TEST(Decoder, ControlCharacterWarningsCanBeTurnedOff) {
    const Vector& v = vec("publish/topic control character (warning)");
    auto b = v.bytes();
    DecodeOptions quiet;
    quiet.warn_control_characters = false;
    EXPECT_TRUE(decode(view(b), Version::v3_1_1, quiet).diagnostics.empty());
}

TEST(RemainingLength, Forms) {
    struct Case {
        std::vector<std::uint8_t> bytes;
        LengthResult::Status status;
        std::uint32_t value;
        std::uint8_t size;
    };
    using S = LengthResult::Status;
    const Case cases[] = {
        {{0x00}, S::ok, 0, 1},
        {{0x7F}, S::ok, 127, 1},
        {{0x80, 0x01}, S::ok, 128, 2},
        {{0xFF, 0x7F}, S::ok, 16'383, 2},
        {{0x80, 0x80, 0x01}, S::ok, 16'384, 3},
        {{0xFF, 0xFF, 0x7F}, S::ok, 2'097'151, 3},
        {{0x80, 0x80, 0x80, 0x01}, S::ok, 2'097'152, 4},
        {{0xFF, 0xFF, 0xFF, 0x7F}, S::ok, 268'435'455, 4},
        {{0x80, 0x00}, S::ok, 0, 2},
        {{0x05, 0xFF}, S::ok, 5, 1},
        {{}, S::need_more, 0, 0},
        {{0x80}, S::need_more, 0, 1},
        {{0xFF, 0xFF, 0xFF}, S::need_more, 2'097'151, 3},
        {{0xFF, 0xFF, 0xFF, 0xFF}, S::malformed, 268'435'455, 4},
        {{0x80, 0x80, 0x80, 0x80, 0x01}, S::malformed, 0, 4},
    };
    for (const auto& c : cases) {
        auto r = read_remaining_length(view(c.bytes));
        EXPECT_EQ(r.status, c.status) << ::testing::PrintToString(c.bytes);
        EXPECT_EQ(r.size, c.size) << ::testing::PrintToString(c.bytes);
        if (c.status == S::ok) {
            EXPECT_EQ(r.value, c.value) << ::testing::PrintToString(c.bytes);
        }
    }
}

// ------------------------------------------------------------------ memory safety

// Places `bytes` at the very end of a readable page followed by an inaccessible one, so any read
// past the input faults.
class GuardedBuffer {
public:
    GuardedBuffer() {
        page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        void* m = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
        base_ = static_cast<std::uint8_t*>(m);
        if (mprotect(base_ + page_, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
    }
    ~GuardedBuffer() { munmap(base_, 2 * page_); }
    GuardedBuffer(const GuardedBuffer&) = delete;
    GuardedBuffer& operator=(const GuardedBuffer&) = delete;

    Bytes place(const std::vector<std::uint8_t>& bytes) {
        if (bytes.size() > page_) throw std::runtime_error("vector larger than a page");
        std::uint8_t* at = base_ + page_ - bytes.size();
        if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
        return {at, bytes.size()};
    }

private:
    std::size_t page_ = 0;
    std::uint8_t* base_ = nullptr;
};

// Reads every byte every view of the packet points at, and checks each lies inside `in`.
void touch_views(const Packet& p, Bytes in) {
    const auto* lo = in.data();
    const auto* hi = in.data() + in.size();
    unsigned sum = 0;
    auto check = [&](const void* data, std::size_t n) {
        auto* d = static_cast<const std::uint8_t*>(data);
        if (n == 0) return;
        ASSERT_GE(d, lo);
        ASSERT_LE(d + n, hi);
        for (std::size_t i = 0; i < n; ++i) sum += d[i];
    };
    check(p.raw.data(), p.raw.size());
    if (auto* c = p.get<Connect>()) {
        check(c->protocol_name.data(), c->protocol_name.size());
        check(c->client_id.data(), c->client_id.size());
        if (c->will) {
            check(c->will->topic.data(), c->will->topic.size());
            check(c->will->message.data(), c->will->message.size());
        }
        if (c->username) check(c->username->data(), c->username->size());
        if (c->password) check(c->password->data(), c->password->size());
    } else if (auto* pub = p.get<Publish>()) {
        check(pub->topic.data(), pub->topic.size());
        check(pub->payload.data(), pub->payload.size());
    } else if (auto* s = p.get<Subscribe>()) {
        check(s->subscriptions.raw().data(), s->subscriptions.raw().size());
        for (auto sub : s->subscriptions) check(sub.filter.data(), sub.filter.size());
    } else if (auto* u = p.get<Unsubscribe>()) {
        check(u->filters.raw().data(), u->filters.raw().size());
        for (auto f : u->filters) check(f.data(), f.size());
    } else if (auto* sa = p.get<Suback>()) {
        check(sa->return_codes.data(), sa->return_codes.size());
    } else if (auto* o = p.get<Opaque>()) {
        check(o->bytes.data(), o->bytes.size());
    }
    for (const auto& d : p.diagnostics) EXPECT_LE(d.offset, in.size());
    (void)sum;
}

TEST(DecoderMemory, EveryVectorAgainstAGuardPage) {
    GuardedBuffer guard;
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        auto bytes = v.bytes();
        Bytes in = guard.place(bytes);
        Packet p = decode(in, v.version, v.options);
        EXPECT_EQ(p.diagnostics.size(), v.expected.size());
        touch_views(p, in);
    }
}

TEST(DecoderMemory, EveryPrefixAndEveryByteFlipAgainstAGuardPage) {
    GuardedBuffer guard;
    std::size_t decoded = 0;
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        auto bytes = v.bytes();
        for (std::size_t n = 0; n <= bytes.size(); ++n) {
            std::vector<std::uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
            Bytes in = guard.place(prefix);
            touch_views(decode(in, v.version, v.options), in);
            ++decoded;
        }
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            for (std::uint8_t x : {0x01, 0x80, 0xFF}) {
                auto m = bytes;
                m[i] ^= x;
                Bytes in = guard.place(m);
                touch_views(decode(in, v.version, v.options), in);
                ++decoded;
            }
        }
    }
    EXPECT_GT(decoded, 1000u);
}

TEST(DecoderMemory, DecodingAllocatesNothing) {
    std::vector<std::vector<std::uint8_t>> inputs;
    std::vector<const Vector*> sources;
    for (const auto& v : vectors()) {
        inputs.push_back(v.bytes());
        sources.push_back(&v);
    }
    std::size_t valid = 0, errors = 0;
    auto before = allocation_count();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        Packet p = decode(view(inputs[i]), sources[i]->version, sources[i]->options);
        valid += p.valid();
        errors += p.diagnostics.error_count();
    }
    auto after = allocation_count();
    EXPECT_EQ(after, before) << "decode allocated " << (after - before) << " times";
    EXPECT_GT(valid, 10u);
    EXPECT_GT(errors, 10u);
}

}  // namespace

namespace {

/// `b` is `a` read another way: the same header, body, views (pointing at the same bytes) and
/// field table. Diagnostics are the caller's to compare.
void expect_same_reading(const Packet& a, const Packet& b) {
    EXPECT_EQ(b.header, a.header);
    EXPECT_TRUE(b.body == a.body);
    EXPECT_EQ(b.raw.data(), a.raw.data());
    EXPECT_EQ(b.raw.size(), a.raw.size());
    for (std::size_t i = 0; i < FieldTable::size; ++i) {
        const auto field = static_cast<Field>(i);
        EXPECT_EQ(b.fields.find(field), a.fields.find(field)) << field_name(field);
    }
    if (const auto* p = a.get<Publish>()) {
        const auto* q = b.get<Publish>();
        ASSERT_NE(q, nullptr);
        EXPECT_EQ(q->topic.data(), p->topic.data());
        EXPECT_EQ(q->payload.data(), p->payload.data());
    }
}

/// decode_clean(b) is decode(b) whenever decode finds nothing wrong with b.
void expect_clean_is_decode(Bytes b, Version version, const DecodeOptions& options = {},
                            std::size_t* compared = nullptr) {
    const Packet d = decode(b, version, options);
    const Packet c = decode_clean(b, version, options);  // must be safe for any bytes
    if (!d.diagnostics.empty() || d.diagnostics.dropped() != 0) return;
    if (compared) ++*compared;
    EXPECT_TRUE(c.diagnostics.empty());
    expect_same_reading(d, c);
}

}  // namespace

TEST(DecodeClean, SameAsDecodeForEveryCleanVector) {
    std::size_t compared = 0;
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        const auto bytes = v.bytes();
        expect_clean_is_decode(Bytes(bytes), v.version, v.options, &compared);
    }
    EXPECT_GE(compared, 30u);
}

/// Calls f(bytes, options) on `count` random inputs, mostly shaped like the packets the short
/// paths take (PUBLISH of every QoS and flag, acknowledgements, PINGREQ...), with lengths that
/// fit, so that every edge of their fields is met.
template <class F>
void for_each_random_packet(int count, F f) {
    test::XorShift next{0x9E3779B97F4A7C15u};
    for (int i = 0; i < count; ++i) {
        std::vector<std::uint8_t> b(next() % (next() % 8 == 0 ? 300 : 24));
        for (auto& x : b) x = static_cast<std::uint8_t>(next());
        if (!b.empty() && next() % 4 != 0) {
            static constexpr std::uint8_t firsts[] = {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x39, 0x3A,
                                                      0x3D, 0x40, 0x50, 0x62, 0x70, 0xB0, 0xC0, 0xD0, 0xE0};
            b[0] = firsts[next() % std::size(firsts)];
            const bool publish = b[0] >> 4 == 3;
            std::size_t start = 2;
            if (b.size() >= 2) {
                const std::size_t rest = b.size() - 2;
                if (rest < 128 || b.size() < 3) {
                    b[1] = static_cast<std::uint8_t>(rest);
                } else {  // two length bytes
                    start = 3;
                    b[1] = static_cast<std::uint8_t>(0x80 | ((rest - 1) & 0x7F));
                    b[2] = static_cast<std::uint8_t>((rest - 1) >> 7);
                }
                if (next() % 16 == 0) b[1] ^= 1;  // a length that does not fit
            }
            if (publish && b.size() >= start + 2) {
                const std::size_t room = b.size() - start - 2;
                const std::size_t topic = room == 0 ? 0 : next() % (room + 1);
                b[start] = static_cast<std::uint8_t>(topic >> 8);
                b[start + 1] = static_cast<std::uint8_t>(topic);
                for (std::size_t k = start + 2; k < b.size(); ++k)
                    if (next() % 32 != 0) b[k] = static_cast<std::uint8_t>('a' + next() % 26);  // mostly plain
                const std::size_t id_at = start + 2 + topic;
                if (id_at + 2 <= b.size() && next() % 8 == 0) b[id_at] = b[id_at + 1] = 0;  // identifier 0
            }
        }
        const Version version = next() % 2 ? Version::v3_1_1 : Version::v3_1;
        f(Bytes(b), version);
    }
}

TEST(DecodeClean, SameAsDecodeForRandomBytesOfEveryShape) {
    std::size_t compared = 0;
    for_each_random_packet(300'000, [&](Bytes b, Version version) {
        if (!HasFailure()) expect_clean_is_decode(b, version, {}, &compared);
    });
    EXPECT_GE(compared, 20'000u);
}

/// decode() with and without its fast paths: the same packet in every detail.
void expect_fast_is_general(Bytes b, Version version, DecodeOptions options, std::size_t* fast = nullptr) {
    options.fast_paths = false;
    const Packet general = decode(b, version, options);
    options.fast_paths = true;
    const Packet quick = decode(b, version, options);
    expect_same_reading(general, quick);
    ASSERT_EQ(quick.diagnostics.size(), general.diagnostics.size());
    for (std::size_t i = 0; i < general.diagnostics.size(); ++i) EXPECT_EQ(quick.diagnostics[i], general.diagnostics[i]);
    EXPECT_EQ(quick.diagnostics.dropped(), general.diagnostics.dropped());
    if (fast && general.type() == PacketType::publish && general.diagnostics.empty()) ++*fast;
    // The verdict without a Packet (the engine's for a clean QoS 0 PUBLISH): only for a QoS 0
    // PUBLISH the general path finds nothing wrong with, and in 5.0 with exactly the
    // identifiers its list holds; for every such one in the short path's shape (3.1.1; 5.0's
    // shape is DecodeFastPaths.APropertyListIsJudgedByItsOwnBytesWhateverCameBefore's table).
    std::uint64_t ids = ~std::uint64_t{0};
    if (is_plain_qos0_publish(b, version, &ids)) {
        EXPECT_EQ(general.type(), PacketType::publish);
        EXPECT_EQ(general.header.qos(), 0);
        EXPECT_TRUE(general.diagnostics.empty());
        EXPECT_EQ(general.diagnostics.dropped(), 0u);
        std::uint64_t held = 0;
        if (const auto* p = general.get<Publish>(); p && p->properties)
            for (const Property& property : *p->properties)
                held |= std::uint64_t{1} << static_cast<unsigned>(property.id);
        EXPECT_EQ(ids, held);
    } else if (version != Version::v5_0 && general.type() == PacketType::publish && general.header.qos() == 0 &&
               general.diagnostics.empty() &&
               general.header.length_size == (general.header.remaining_length < 128 ? 1 : 2) &&
               general.header.remaining_length < 16'384) {
        // A clean QoS 0 PUBLISH in the shortest form of one or two length bytes: only an
        // impure topic (a character topic.hpp reports nothing for, but is not plain) is missed.
        const auto* p = general.get<Publish>();
        EXPECT_FALSE(detail::plain_topic(p->topic)) << "a clean QoS 0 PUBLISH not recognised";
    }
}

TEST(DecodeFastPaths, SameAsTheGeneralPathForEveryVector) {
    for (const auto& v : vectors()) {
        SCOPED_TRACE(std::string(v.name));
        const auto bytes = v.bytes();
        expect_fast_is_general(Bytes(bytes), v.version, v.options);
    }
}

TEST(DecodeFastPaths, SameAsTheGeneralPathForRandomBytesOfEveryShape) {
    std::size_t clean_publish = 0;
    for_each_random_packet(300'000, [&](Bytes b, Version version) {
        if (!HasFailure()) expect_fast_is_general(b, version, {}, &clean_publish);
    });
    EXPECT_GE(clean_publish, 20'000u);
}

}  // namespace mqttlens::mqtt::test

namespace mqttlens::mqtt::test {

TEST(DecodeFastPaths, SameAsTheGeneralPathForMqtt5PublishesOfEveryPropertyShape) {
    // 5.0 PUBLISH packets put together from pieces, each plain or broken in one way, so that the
    // shortcut's every test decides some of them: decode() must read each exactly as its general
    // path does, and many must be clean (the ones the shortcut takes).
    const std::vector<std::string> topics = {"", "a/b", "sensors/1/temp", "a/+", std::string("a\x01", 2), "\xc3\xa9"};
    const std::vector<std::string> properties = {
        "01 00", "01 01", "01 02",                                     // Payload Format Indicator
        "02 00 00 0E 10",                                              // Message Expiry Interval
        "03 00 04 74 65 78 74", "03 00 02 C3 A9", "03 00 09 74",       // Content Type: plain, é, cut
        "08 00 03 72 2F 74", "08 00 03 72 2F 23",                      // Response Topic: plain, '#'
        "09 00 02 01 02",                                              // Correlation Data
        "0B 07", "0B 00", "0B 81 01", "0B 80 00",                      // Subscription Identifier
        "23 00 01", "23 00 00",                                        // Topic Alias: 1, 0
        "26 00 01 6B 00 01 76", "26 00 01 6B 00 01 00", "26 00 05 6B", // User Property: plain, NUL, cut
        "11 00 00 00 01", "7F",                                        // not in PUBLISH; undefined
    };
    const std::vector<std::string> payloads = {"", "68 69", "FF FE", "00", "C3 A9 21"};
    XorShift next{0x5EED5EEDu};
    std::size_t fast = 0;
    for (int i = 0; i < 60'000 && !HasFailure(); ++i) {
        std::vector<std::uint8_t> list;
        for (std::uint64_t n = next() % 5; n > 0; --n) {
            const auto p = test::hex(properties[next() % properties.size()]);
            list.insert(list.end(), p.begin(), p.end());
        }
        const std::string& topic = topics[next() % topics.size()];
        const unsigned qos = static_cast<unsigned>(next() % 3);
        std::vector<std::uint8_t> body = {static_cast<std::uint8_t>(topic.size() >> 8),
                                          static_cast<std::uint8_t>(topic.size())};
        body.insert(body.end(), topic.begin(), topic.end());
        if (qos != 0) body.insert(body.end(), {0x00, static_cast<std::uint8_t>(next() % 8 == 0 ? 0 : 7)});
        std::size_t length = list.size();
        if (next() % 8 == 0) length += next() % 3;  // a Property Length past the list: into the payload
        if (length < 0x80) body.push_back(static_cast<std::uint8_t>(length));
        else body.insert(body.end(), {static_cast<std::uint8_t>(0x80 | (length & 0x7F)), static_cast<std::uint8_t>(length >> 7)});
        body.insert(body.end(), list.begin(), list.end());
        const auto payload = test::hex(payloads[next() % payloads.size()]);
        body.insert(body.end(), payload.begin(), payload.end());
        std::vector<std::uint8_t> packet = {static_cast<std::uint8_t>(0x30 | qos << 1)};
        write_remaining_length(static_cast<std::uint32_t>(body.size()), packet);
        packet.insert(packet.end(), body.begin(), body.end());
        SCOPED_TRACE(::testing::PrintToString(packet));
        expect_fast_is_general(Bytes(packet), Version::v5_0, {}, &fast);
        expect_clean_is_decode(Bytes(packet), Version::v5_0, {});
    }
    EXPECT_GE(fast, 5'000u) << "clean 5.0 PUBLISH packets decoded";
}

}  // namespace mqttlens::mqtt::test

namespace mqttlens::mqtt::test {

// The shortcut keeps the last property list it found plain and takes the next list of the same
// bytes without reading it again: a list of the same length with one byte changed is read on its
// own, whatever came before it, and each packet still reads as the general path reads it.
TEST(DecodeFastPaths, APropertyListIsJudgedByItsOwnBytesWhateverCameBefore) {
    struct Case {
        const char* hex;
        bool plain;
    };
    const Case cases[] = {
        {"30 14  00 01 74  0F  26 00 04 75 6E 69 74 00 01 43  26 00 00 00 00  68", true},   // "unit":"C", "":""
        {"30 14  00 01 74  0F  26 00 04 75 6E 69 74 00 01 43  26 00 00 00 00  69", true},   // the same list
        {"30 14  00 01 74  0F  26 00 04 75 6E 69 74 00 01 00  26 00 00 00 00  68", false},  // "C" -> NUL
        {"30 14  00 01 74  0F  26 00 04 75 6E 69 74 00 01 43  26 00 00 00 00  6A", true},
        {"30 14  00 01 74  0F  26 00 04 75 6E 69 74 00 01 43  01 01 26 00 00  6B", false},  // same length: PFI, a pair cut
        {"30 09  00 01 74  02  01 01  C3 A9 21", true},   // Payload Format Indicator 1, a UTF-8 payload
        {"30 08  00 01 74  02  01 01  FF FE", false},      // the same list, a payload that is not UTF-8
        {"30 09  00 01 74  02  01 01  C3 A9 21", true},
        {"30 06  00 00  03  23 00 01", true},              // an empty topic with Topic Alias 1
        {"30 06  00 00  03  0B 00 01", false},             // Subscription Identifier 0, then a cut one
        {"30 09  00 00  03  23 00 00  68 69 21", false},   // Topic Alias 0
        {"30 06  00 00  03  23 00 01", true},
        // Lists of 24, 5 and 7 bytes, each followed by one of its length with a byte changed in
        // the middle.
        {"30 1D  00 01 74  18  26 00 04 75 6E 69 74 00 01 43 26 00 04 73 69 74 65 00 05 6E 6F 72 74 68  68", true},
        {"30 1D  00 01 74  18  26 00 04 75 6E 69 74 00 01 43 26 00 04 73 00 74 65 00 05 6E 6F 72 74 68  68", false},
        {"30 1D  00 01 74  18  26 00 04 75 6E 69 74 00 01 43 26 00 04 73 69 74 65 00 05 6E 6F 72 74 68  69", true},
        {"30 0A  00 01 74  05  23 00 01 01 00  68", true},   // Topic Alias 1, Payload Format Indicator 0
        {"30 0A  00 01 74  05  23 00 01 01 02  68", false},  // Payload Format Indicator 2
        {"30 0A  00 01 74  05  23 00 00 01 00  68", false},  // Topic Alias 0
        {"30 0A  00 01 74  05  23 00 01 01 00  69", true},
        {"30 0C  00 01 74  07  26 00 01 6B 00 01 76  68", true},
        {"30 0C  00 01 74  07  26 00 01 00 00 01 76  68", false},  // a name of one NUL
        {"30 0C  00 01 74  07  26 00 01 6B 00 01 76  69", true},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.hex);
        const auto bytes = test::hex(c.hex);
        EXPECT_EQ(is_plain_qos0_publish(Bytes(bytes), Version::v5_0), c.plain);
        expect_fast_is_general(Bytes(bytes), Version::v5_0, {});
        expect_clean_is_decode(Bytes(bytes), Version::v5_0, {});
    }
}

// is_plain_qos0_publish keeps the bytes before the payload of the last QoS 0 PUBLISH it found
// plain, and answers a packet with the same bytes there, of the same size and version, without
// reading its topic and properties again: each verdict is still the one a fresh thread gives,
// whatever was asked before.
TEST(DecodeFastPaths, AQos0PublishIsJudgedByItsOwnBytesWhateverCameBefore) {
    struct Case {
        const char* hex;
        Version version;
        bool plain;
    };
    const Case cases[] = {
        {"30 09  00 01 74  02  01 01  C3 A9 21", Version::v5_0, true},       // Payload Format Indicator 1, UTF-8
        {"30 09  00 01 74  02  01 01  C3 A9 22", Version::v5_0, true},       // another payload
        {"30 09  00 01 74  02  01 01  FF FE 21", Version::v5_0, false},      // the same size, not UTF-8
        {"30 09  00 01 74  02  01 01  C3 A9 21", Version::v5_0, true},
        {"30 0A  00 01 74  02  01 01  C3 A9 21 21", Version::v5_0, true},    // one byte more
        {"30 0A  00 01 74  02  01 01  C3 A9 21 00", Version::v5_0, false},   // a NUL in the payload
        {"30 0A  00 01 74  02  01 01  C3 A9 21 21", Version::v5_0, true},
        {"30 0A  00 01 74  02  01 01  C3 A9 21 21", Version::v3_1_1, true},  // the same bytes in 3.1.1
        {"30 0A  00 01 23  02  01 01  C3 A9 21 21", Version::v3_1_1, false}, // topic "#"
        {"30 0A  00 01 74  02  01 01  C3 A9 21 21", Version::v3_1_1, true},
        {"30 07  00 01 74  01 02 03 04", Version::v3_1_1, true},             // read as 5.0: a Property Length of 1, property 2
        {"30 07  00 01 74  01 02 03 04", Version::v5_0, false},
        {"30 07  00 01 74  01 02 03 04", Version::v3_1_1, true},
        {"30 07  00 01 74  00  61 62 63", Version::v5_0, true},              // an empty list
        {"31 07  00 01 74  00  61 62 63", Version::v5_0, true},              // RETAIN
        {"38 07  00 01 74  00  61 62 63", Version::v5_0, false},             // DUP on QoS 0
        {"32 09  00 01 74  00 01  00  61 62", Version::v5_0, false},         // QoS 1: not this shortcut's
        {"30 07  00 01 74  00  61 62 63", Version::v5_0, true},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.hex);
        const auto bytes = test::hex(c.hex);
        bool alone = false;
        std::thread([&] { alone = is_plain_qos0_publish(Bytes(bytes), c.version); }).join();
        EXPECT_EQ(alone, c.plain);
        EXPECT_EQ(is_plain_qos0_publish(Bytes(bytes), c.version), c.plain);
        expect_fast_is_general(Bytes(bytes), c.version, {});
    }
}

}  // namespace mqttlens::mqtt::test
