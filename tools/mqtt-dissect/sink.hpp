// Where byte input (--hex, --hex-file, --raw) ends: takes (packet, context), prints it, and keeps
// what decides the exit status. Capture input has its own consumer (capture_input.cpp):
// it adds the session checker, the filters and the statistics, and a different exit status.
#pragma once

#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"

namespace mqttlens::dissect {

class Sink {
public:
    Sink(output::Writer& writer, const output::PrintOptions& options) : writer_(writer), options_(options) {}

    /// Prints one decoded packet.
    void packet(const mqtt::Packet& packet, const output::Context& context);
    /// Prints a broken stream.
    void framing_error(const output::FramingError& error, const output::Context& context);

    /// True when some packet broke a rule (error severity) or some stream broke.
    bool any_rule_broken() const noexcept { return rule_broken_; }

private:
    output::Writer& writer_;
    output::PrintOptions options_;
    bool rule_broken_ = false;
};

}  // namespace mqttlens::dissect
