// One time type for every layer: a capture record's time, a packet's, a printed time or duration.
#pragma once

#include <compare>
#include <cstdint>

namespace mqttlens {

/// A point in time (seconds since the epoch) or a duration: whole seconds and nanoseconds
/// (0..999,999,999).
struct Timestamp {
    std::int64_t sec = 0;
    std::uint32_t nsec = 0;

    double seconds() const noexcept { return double(sec) + double(nsec) * 1e-9; }
    friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

}  // namespace mqttlens
