// Test helpers: hex literals and running a Framer over a stream cut into chunks.
#pragma once

#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string_view>
#include <vector>

namespace mqttlens::mqtt::test {

/// Bytes from hex digits; spaces, colons and newlines are ignored.
inline std::vector<std::uint8_t> hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<std::uint8_t> out;
    int high = -1;
    for (char c : text) {
        int v = nibble(c);
        if (v < 0) continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high << 4 | v));
            high = -1;
        }
    }
    return out;
}

inline std::vector<std::uint8_t> to_vector(Bytes b) { return {b.begin(), b.end()}; }

/// What the framer said, minus need_more (which depends on the chunking by design).
struct Event {
    Frame::Status status;
    std::uint64_t offset;
    std::vector<std::uint8_t> bytes;  ///< the packet (status packet)
    Code error;                       ///< the error (status error)
    friend bool operator==(const Event&, const Event&) = default;
};

inline void PrintTo(const Event& e, std::ostream* os) {
    if (e.status == Frame::Status::packet) {
        *os << "packet@" << e.offset << "[";
        for (auto b : e.bytes) *os << ' ' << std::hex << int(b) << std::dec;
        *os << " ]";
    } else {
        *os << "error@" << e.offset << " code " << static_cast<int>(e.error);
    }
}

/// Takes every packet the framer holds; returns false once it reported an error.
inline bool drain(Framer& f, std::vector<Event>& events) {
    for (;;) {
        Frame frame = f.next();
        switch (frame.status) {
        case Frame::Status::need_more: return true;
        case Frame::Status::packet:
            events.push_back({frame.status, frame.offset, to_vector(frame.packet), Code::packet_truncated});
            break;
        case Frame::Status::error:
            events.push_back({frame.status, frame.offset, {}, frame.error});
            return false;
        }
    }
}

/// Gives `stream` cut at the (sorted) positions `cuts` to next(input, taken), then finishes it;
/// returns every event. After an error, checks that the bytes held and the untaken rest are the
/// stream from the broken packet on.
inline std::vector<Event> frame_split_in_place(const std::vector<std::uint8_t>& stream,
                                               const std::vector<std::size_t>& cuts, FramerOptions options = {}) {
    Framer f(options);
    std::vector<Event> events;
    std::size_t from = 0;
    auto give = [&](std::size_t to) {
        Bytes input(stream.data() + from, to - from);
        from = to;
        for (;;) {
            std::size_t taken = 0;
            const Frame frame = f.next(input, taken);
            input = input.subspan(taken);
            if (frame.status == Frame::Status::need_more) {
                EXPECT_TRUE(input.empty()) << "need_more leaves nothing untaken";
                return true;
            }
            if (frame.status == Frame::Status::packet) {
                events.push_back({frame.status, frame.offset, to_vector(frame.packet), Code::packet_truncated});
                continue;
            }
            events.push_back({frame.status, frame.offset, {}, frame.error});
            std::vector<std::uint8_t> rest = to_vector(f.held());
            rest.insert(rest.end(), input.begin(), input.end());
            const std::size_t end = to;
            EXPECT_LE(frame.offset, end);
            EXPECT_EQ(rest, std::vector<std::uint8_t>(stream.begin() + static_cast<std::ptrdiff_t>(frame.offset),
                                                      stream.begin() + static_cast<std::ptrdiff_t>(end)))
                << "held + untaken = the stream from the broken packet to the chunk's end";
            return false;
        }
    };
    for (std::size_t cut : cuts)
        if (!give(cut)) return events;
    if (!give(stream.size())) return events;
    f.finish();
    std::size_t taken = 0;
    const Frame last = f.next(Bytes{}, taken);
    if (last.status == Frame::Status::error) events.push_back({last.status, last.offset, {}, last.error});
    return events;
}

inline std::vector<Event> frame_split_fed(const std::vector<std::uint8_t>& stream,
                                          const std::vector<std::size_t>& cuts, FramerOptions options);

/// Feeds `stream` cut at the (sorted) positions `cuts`, then finishes it; returns every event.
/// The same stream given in place (frame_split_in_place) must give the same events: the two
/// ways into the framer are held equal by every split test.
inline std::vector<Event> frame_split(const std::vector<std::uint8_t>& stream,
                                      const std::vector<std::size_t>& cuts, FramerOptions options = {}) {
    std::vector<Event> events = frame_split_fed(stream, cuts, options);
    EXPECT_EQ(frame_split_in_place(stream, cuts, options), events) << "in place and fed differ";
    return events;
}

/// Feeds `stream` cut at the (sorted) positions `cuts` with feed() and next(), then finishes it.
inline std::vector<Event> frame_split_fed(const std::vector<std::uint8_t>& stream,
                                          const std::vector<std::size_t>& cuts, FramerOptions options) {
    Framer f(options);
    std::vector<Event> events;
    std::size_t from = 0;
    auto feed_to = [&](std::size_t to) {
        f.feed(Bytes(stream.data() + from, to - from));
        from = to;
        return drain(f, events);
    };
    for (std::size_t cut : cuts)
        if (!feed_to(cut)) return events;
    if (!feed_to(stream.size())) return events;
    f.finish();
    drain(f, events);
    return events;
}

/// Feeds `stream` in chunks of `size` bytes (the last may be shorter), then finishes it.
inline std::vector<Event> frame_chunks(const std::vector<std::uint8_t>& stream, std::size_t size,
                                       FramerOptions options = {}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = size; at < stream.size(); at += size) cuts.push_back(at);
    return frame_split(stream, cuts, options);
}

}  // namespace mqttlens::mqtt::test
