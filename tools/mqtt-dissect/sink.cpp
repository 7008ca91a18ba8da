#include "sink.hpp"

namespace mqttlens::dissect {

void Sink::packet(const mqtt::Packet& packet, const output::Context& context) {
    ++stats_.packets;
    stats_.bytes += packet.raw.size();
    ++stats_.per_type[static_cast<std::size_t>(packet.type())];
    bool invalid = !packet.valid();
    for (const auto& d : packet.diagnostics) stats_.warnings += d.severity == mqtt::Severity::warning;
    for (const auto& d : context.extra) {
        invalid |= d.severity == mqtt::Severity::error;
        stats_.warnings += d.severity == mqtt::Severity::warning;
    }
    stats_.invalid_packets += invalid;
    output::print_packet(writer_.buffer(), packet, context, options_);
    writer_.commit();
}

void Sink::framing_error(const output::FramingError& error, const output::Context& context) {
    ++stats_.framing_errors;
    output::print_framing_error(writer_.buffer(), error, context, options_);
    writer_.commit();
}

}  // namespace mqttlens::dissect
