// Where byte input (--hex, --hex-file, --raw) ends: takes (packet, context), prints it, and keeps
// the counts that decide the exit status. Capture input has its own consumer (capture_input.cpp):
// it adds the session checker, the filters and the statistics, and a different exit status.
#pragma once

#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"

#include <array>
#include <cstdint>

namespace mqttlens::dissect {

struct Stats {
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::uint64_t invalid_packets = 0;  ///< with at least one error-severity diagnostic
    std::uint64_t warnings = 0;
    std::uint64_t framing_errors = 0;
    std::array<std::uint64_t, 16> per_type{};
};

class Sink {
public:
    Sink(output::Writer& writer, const output::PrintOptions& options) : writer_(writer), options_(options) {}

    /// Prints one decoded packet and counts it.
    void packet(const mqtt::Packet& packet, const output::Context& context);
    /// Prints a broken stream and counts it.
    void framing_error(const output::FramingError& error, const output::Context& context);

    const Stats& stats() const noexcept { return stats_; }
    /// True when some packet broke a rule (error severity) or some stream broke.
    bool any_rule_broken() const noexcept {
        return stats_.invalid_packets > 0 || stats_.framing_errors > 0;
    }

private:
    output::Writer& writer_;
    output::PrintOptions options_;
    Stats stats_;
};

}  // namespace mqttlens::dissect
