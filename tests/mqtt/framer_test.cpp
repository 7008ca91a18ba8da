// Framer: whole packets, need-more and stream errors, identical under every chunking.
#include "mqtt/framer.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "framer_util.hpp"
#include "vectors.hpp"

namespace mqttlens::mqtt {
namespace {

using test::Event;
using test::frame_chunks;
using test::frame_split;
using test::hex;
using Status = Frame::Status;

Event packet_at(std::uint64_t offset, std::vector<std::uint8_t> bytes) {
    return Event{Status::packet, offset, std::move(bytes), Code::packet_truncated};
}
Event error_at(std::uint64_t offset, Code code) { return Event{Status::error, offset, {}, code}; }

/// Frames `stream` all at once, byte by byte and split at every position; all must give `expected`.
void expect_every_chunking(const std::vector<std::uint8_t>& stream, const std::vector<Event>& expected,
                           FramerOptions options = {}) {
    EXPECT_EQ(frame_chunks(stream, stream.size(), options), expected) << "all in one chunk";
    EXPECT_EQ(frame_chunks(stream, 1, options), expected) << "byte by byte";
    for (std::size_t cut = 0; cut <= stream.size(); ++cut)
        EXPECT_EQ(frame_split(stream, {cut}, options), expected) << "split at " << cut;
    for (std::size_t a = 0; a <= stream.size(); ++a)
        for (std::size_t b = a; b <= stream.size(); ++b)
            ASSERT_EQ(frame_split(stream, {a, b}, options), expected) << "split at " << a << ", " << b;
}

TEST(Framer, EmptyStreamYieldsNothing) {
    expect_every_chunking({}, {});
    Framer f;
    f.finish();
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::need_more);
    EXPECT_EQ(f.position(), 0u);
}

TEST(Framer, PacketsBackToBackKeepTheirOffsets) {
    // PINGREQ | PUBLISH QoS 0 topic "a/b" payload "hi" | DISCONNECT
    auto stream = hex("c0 00  30 07 00 03 61 2f 62 68 69  e0 00");
    expect_every_chunking(stream, {
        packet_at(0, hex("c0 00")),
        packet_at(2, hex("30 07 00 03 61 2f 62 68 69")),
        packet_at(11, hex("e0 00")),
    });
}

TEST(Framer, TwoByteRemainingLengthPacket) {
    // PUBLISH with Remaining Length 200 (`c8 01`): topic "t", 197 payload bytes.
    std::vector<std::uint8_t> stream = hex("30 c8 01 00 01 74");
    stream.resize(3 + 200, 0x55);
    expect_every_chunking(stream, {packet_at(0, stream)});
}

TEST(Framer, NonMinimalRemainingLengthIsFramedNotJudged) {
    // `80 00` is a legal (non-minimal) zero in 3.1.1; the decoder warns, the framer just frames.
    expect_every_chunking(hex("c0 80 00  c0 80 80 80 00"),
                          {packet_at(0, hex("c0 80 00")), packet_at(3, hex("c0 80 80 80 00"))});
}

TEST(Framer, NeedSaysHowManyBytesAreMissing) {
    Framer f;
    f.feed(hex("30"));
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::need_more);
    EXPECT_EQ(frame.need, 1u);
    f.feed(hex("05 00"));
    frame = f.next();
    EXPECT_EQ(frame.status, Status::need_more);
    EXPECT_EQ(frame.need, 4u);
    EXPECT_EQ(f.buffered(), 3u);
    f.feed(hex("01 61 62 63"));
    frame = f.next();
    ASSERT_EQ(frame.status, Status::packet);
    EXPECT_EQ(test::to_vector(frame.packet), hex("30 05 00 01 61 62 63"));
    EXPECT_EQ(f.position(), 7u);
    EXPECT_EQ(f.buffered(), 0u);
}

// §2.2.3: at most four Remaining Length bytes; a 4th byte with the continuation bit is malformed.
TEST(Framer, FifthRemainingLengthByteBreaksTheStream) {
    expect_every_chunking(hex("c0 00  30 80 80 80 80 01 00 00"),
                          {packet_at(0, hex("c0 00")), error_at(2, Code::remaining_length_malformed)});
}

TEST(Framer, MalformedLengthIsReportedWithoutWaitingForMore) {
    Framer f;
    f.feed(hex("30 ff ff ff ff"));
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::error);
    EXPECT_EQ(frame.error, Code::remaining_length_malformed);
    EXPECT_EQ(frame.offset, 0u);
}

TEST(Framer, LargestRemainingLengthIsAcceptedByDefault) {
    Framer f;
    f.feed(hex("30 ff ff ff 7f"));
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::need_more);
    EXPECT_EQ(frame.need, 268'435'455u);
}

TEST(Framer, PacketAboveTheMaximumBreaksTheStreamOnceItsLengthIsKnown) {
    FramerOptions options{.max_remaining_length = 10};
    auto ten = hex("30 0a 00 01 74 00 01 02 03 04 05 06");
    expect_every_chunking(ten, {packet_at(0, ten)}, options);
    expect_every_chunking(hex("c0 00  30 0b 00 01 74"),
                          {packet_at(0, hex("c0 00")), error_at(2, Code::packet_too_large)}, options);

    Framer f(options);
    f.feed(hex("30 0b"));  // no body yet: the claim alone decides
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::error);
    EXPECT_EQ(frame.error, Code::packet_too_large);
}

TEST(Framer, StreamEndingInsideAPacketIsTruncated) {
    // wolfMQTT #545: a Remaining Length cut after a continuation byte.
    expect_every_chunking(hex("70 80"), {error_at(0, Code::packet_truncated)});
    expect_every_chunking(hex("30"), {error_at(0, Code::packet_truncated)});
    expect_every_chunking(hex("c0 00  20 02 00"),
                          {packet_at(0, hex("c0 00")), error_at(2, Code::packet_truncated)});
}

// CVE-2017-7651: a claim of ~256 MB followed by a few bytes must not make the framer hold 256 MB.
TEST(Framer, HugeClaimHoldsOnlyTheBytesFed) {
    Framer f;
    f.feed(hex("30 ff ff ff 7f 00 01 61"));
    Frame frame = f.next();
    EXPECT_EQ(frame.status, Status::need_more);
    EXPECT_EQ(frame.need, 5u + 268'435'455u - 8u);
    EXPECT_EQ(f.buffered(), 8u);

    Framer small(FramerOptions{.max_remaining_length = 1 << 20});
    small.feed(hex("30 ff ff ff 7f 00 01 61"));
    frame = small.next();
    EXPECT_EQ(frame.status, Status::error);
    EXPECT_EQ(frame.error, Code::packet_too_large);
    EXPECT_EQ(frame.offset, 0u);
}

TEST(Framer, BrokenStaysBrokenUntilReset) {
    Framer f;
    f.feed(hex("c0 00 30 80 80 80 80"));
    ASSERT_EQ(f.next().status, Status::packet);
    Frame first = f.next();
    ASSERT_EQ(first.status, Status::error);
    f.feed(hex("c0 00"));
    Frame again = f.next();
    EXPECT_EQ(again.status, Status::error);
    EXPECT_EQ(again.error, first.error);
    EXPECT_EQ(again.offset, first.offset);

    f.reset(100);
    EXPECT_EQ(f.buffered(), 0u);
    f.feed(hex("d0 00"));
    Frame frame = f.next();
    ASSERT_EQ(frame.status, Status::packet);
    EXPECT_EQ(frame.offset, 100u);
    EXPECT_EQ(f.position(), 102u);
}

TEST(Framer, ResetForgetsFinish) {
    Framer f;
    f.feed(hex("30"));
    f.finish();
    EXPECT_EQ(f.next().status, Status::error);
    f.reset();
    f.feed(hex("30"));
    EXPECT_EQ(f.next().status, Status::need_more);
}

TEST(Framer, LargePacketInTcpSizedChunks) {
    std::vector<std::uint8_t> big = hex("30 80 80 40 00 01 74");  // Remaining Length 1 MiB
    big.resize(4 + (1u << 20));
    for (std::size_t i = 7; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 31);
    EXPECT_EQ(frame_chunks(big, 1460), std::vector<Event>{packet_at(0, big)});
}

TEST(Framer, LongStreamOfSmallPacketsStaysSmall) {
    std::vector<std::uint8_t> one = hex("30 0c 00 05 61 2f 62 2f 63 31 32 33 34 35");
    std::vector<std::uint8_t> stream;
    for (int i = 0; i < 5000; ++i) stream.insert(stream.end(), one.begin(), one.end());

    Framer f;
    std::size_t packets = 0, most_buffered = 0;
    for (std::size_t at = 0; at < stream.size(); at += 1447) {
        std::size_t n = std::min<std::size_t>(1447, stream.size() - at);
        f.feed(Bytes(stream.data() + at, n));
        most_buffered = std::max(most_buffered, f.buffered());
        for (Frame frame = f.next(); frame.status == Status::packet; frame = f.next()) {
            ASSERT_EQ(frame.offset, packets * one.size());
            ASSERT_EQ(test::to_vector(frame.packet), one);
            ++packets;
        }
    }
    EXPECT_EQ(packets, 5000u);
    EXPECT_LT(most_buffered, 1447u + one.size());
    EXPECT_EQ(f.position(), stream.size());
}

// ---------------------------------------------------------------------------------------------
// Every annotated vector of vectors.hpp, through the framer

using test::Framing;
using test::Vector;

std::vector<Diagnostic> diagnostics_of(const Packet& p) { return {p.diagnostics.begin(), p.diagnostics.end()}; }

/// Bytes of the one whole packet at the start of `bytes` (fixed header + Remaining Length).
std::vector<std::uint8_t> first_packet(const std::vector<std::uint8_t>& bytes) {
    const Packet p = decode(bytes);
    return {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(p.header.size() + p.header.remaining_length)};
}

/// What the framer must make of a vector on its own.
std::vector<Event> expected_events(const Vector& v) {
    const auto bytes = v.bytes();
    switch (v.framing) {
    case Framing::whole: return {packet_at(0, bytes)};
    case Framing::truncated: return {error_at(0, Code::packet_truncated)};
    case Framing::bad_length: return {error_at(0, Code::remaining_length_malformed)};
    case Framing::trailing: {
        // The trailing bytes start a packet of their own; only the first one is this vector's.
        auto events = frame_chunks(bytes, bytes.size());
        if (events.empty() || !(events[0] == packet_at(0, first_packet(bytes))))
            ADD_FAILURE() << v.name << ": the first event is not the vector's packet";
        return events;
    }
    }
    return {};
}

TEST(FramerVectors, EveryVectorFramesTheSameUnderEveryChunking) {
    for (const Vector& v : test::vectors()) {
        SCOPED_TRACE(v.name);
        const auto bytes = v.bytes();
        const auto expected = expected_events(v);
        EXPECT_EQ(frame_chunks(bytes, bytes.size()), expected) << "all in one chunk";
        EXPECT_EQ(frame_chunks(bytes, 1), expected) << "byte by byte";
        for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
            ASSERT_EQ(frame_split(bytes, {cut}), expected) << "split at " << cut;
        for (std::size_t a = 0; a <= std::min<std::size_t>(bytes.size(), 24); ++a)
            for (std::size_t b = a; b <= bytes.size(); ++b)
                ASSERT_EQ(frame_split(bytes, {a, b}), expected) << "split at " << a << ", " << b;
    }
}

TEST(FramerVectors, FramedPacketDecodesLikeTheVector) {
    for (const Vector& v : test::vectors()) {
        if (v.framing != Framing::whole && v.framing != Framing::trailing) continue;
        SCOPED_TRACE(v.name);
        const auto bytes = v.bytes();
        Framer f;
        f.feed(bytes);
        const Frame frame = f.next();
        ASSERT_EQ(frame.status, Status::packet);
        std::vector<Diagnostic> direct = diagnostics_of(decode(bytes, v.version, v.options));
        if (v.framing == Framing::trailing) {
            // The framer leaves the trailing bytes out, so only the mismatch disappears.
            std::erase_if(direct, [](const Diagnostic& d) { return d.code == Code::packet_length_mismatch; });
        }
        EXPECT_EQ(diagnostics_of(decode(frame.packet, v.version, v.options)), direct);
    }
}

TEST(FramerVectors, VectorsBackToBackInOneStream) {
    // Every whole vector in a row, then a truncated one: the packets in order, then the error.
    std::vector<const Vector*> whole;
    const Vector* truncated = nullptr;
    for (const Vector& v : test::vectors()) {
        if (v.framing == Framing::whole) whole.push_back(&v);
        if (v.framing == Framing::truncated && !truncated) truncated = &v;
    }
    ASSERT_GT(whole.size(), 50u);
    ASSERT_NE(truncated, nullptr);

    std::vector<std::uint8_t> stream;
    std::vector<Event> expected;
    for (const Vector* v : whole) {
        const auto bytes = v->bytes();
        expected.push_back(packet_at(stream.size(), bytes));
        stream.insert(stream.end(), bytes.begin(), bytes.end());
    }
    expected.push_back(error_at(stream.size(), Code::packet_truncated));
    const auto tail = truncated->bytes();
    stream.insert(stream.end(), tail.begin(), tail.end());

    EXPECT_EQ(frame_chunks(stream, stream.size()), expected);
    EXPECT_EQ(frame_chunks(stream, 1), expected);
    for (std::size_t size : {2u, 3u, 7u, 64u, 1448u}) EXPECT_EQ(frame_chunks(stream, size), expected) << size;
    for (std::size_t cut = 0; cut <= stream.size(); ++cut)
        ASSERT_EQ(frame_split(stream, {cut}), expected) << "split at " << cut;

    // Each framed packet decodes as its vector does alone.
    Framer f;
    f.feed(stream);
    for (const Vector* v : whole) {
        const Frame frame = f.next();
        ASSERT_EQ(frame.status, Status::packet) << v->name;
        EXPECT_EQ(diagnostics_of(decode(frame.packet, v->version, v->options)), diagnostics_of(decode(v->bytes(), v->version, v->options)))
            << v->name;
    }
}

}  // namespace
}  // namespace mqttlens::mqtt
