#include "sink.hpp"

namespace mqttlens::dissect {

void Sink::packet(const mqtt::Packet& packet, const output::Context& context) {
    rule_broken_ |= !packet.valid();
    for (const auto& d : context.extra) rule_broken_ |= d.severity == mqtt::Severity::error;
    output::print_packet(writer_.buffer(), packet, context, options_);
    writer_.commit();
}

void Sink::framing_error(const output::FramingError& error, const output::Context& context) {
    rule_broken_ = true;
    output::print_framing_error(writer_.buffer(), error, context, options_);
    writer_.commit();
}

}  // namespace mqttlens::dissect
