// Finding lines: the rule ID with the version that numbers it, the code's stable name, where, and the
// message: "MQTT-3.1.4-1 (5.0) connack_after_bad_connect: the broker's CONNACK 0x00 at byte 0: ...".
#include "findings.hpp"

#include <fmt/format.h>

namespace mqttlens::probe {

std::string stream_finding(mqtt::Code error, std::uint64_t offset, mqtt::Version version) {
    const mqtt::RuleId rule = mqtt::rule_id(error, version);
    return fmt::format("{} ({}) {}: the broker's stream at byte {}: {}", rule.id, rule.version,
                       mqtt::code_info(error).name, offset, mqtt::code_info(error).message);
}

void packet_findings(const engine::Observed& o, std::string_view what, std::vector<std::string>& out) {
    const auto* connack = o.packet.get<mqtt::Connack>();
    const bool refusing = connack && connack->return_code.value_or(0) > 0;
    auto note = [&](const mqtt::Diagnostic& d) {
        if (d.severity != mqtt::Severity::error) return;
        if (d.code == mqtt::Code::connack_after_bad_connect && refusing) return;
        // The server forwards the Payload Format Indicator unaltered (MQTT-3.3.2-4) and need not
        // check the payload (a MAY): a payload that is not the UTF-8 it promises is the publisher's.
        if (d.code == mqtt::Code::publish_payload_format_invalid) return;
        const mqtt::RuleId rule = d.rule(o.version);
        out.push_back(fmt::format("{} ({}) {}: the broker's {} at byte {}: {}", rule.id, rule.version,
                                  mqtt::code_info(d.code).name, what, d.offset, d.message()));
    };
    for (const auto& d : o.packet.diagnostics) note(d);
    for (const auto& d : o.stream) note(d);
}

}  // namespace mqttlens::probe
