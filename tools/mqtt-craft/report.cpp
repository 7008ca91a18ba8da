// The rule report, written through fmt into one buffer per packet.
#include "report.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace mqttlens::craft {

std::size_t report_packet(mqtt::Bytes bytes, std::size_t number, mqtt::PacketType packet_type,
                          std::string_view origin, mqtt::Version version, bool quiet) {
    const mqtt::Packet p = mqtt::decode(bytes, version);
    if (quiet || p.diagnostics.empty()) return p.diagnostics.error_count();
    fmt::memory_buffer out;
    const auto type = mqtt::type_name(packet_type, version);
    for (const mqtt::Diagnostic& d : p.diagnostics) {
        const auto& info = mqtt::code_info(d.code);
        const mqtt::RuleId rule = d.rule(version);
        fmt::format_to(std::back_inserter(out),
                       "mqtt-craft: packet {} {} ({}): {} {} ({}) {} at offset {} ({}): {}\n", number, type,
                       origin, mqtt::severity_name(d.severity), rule.id, rule.version, info.name, d.offset,
                       mqtt::field_name(d.field), info.message);
    }
    if (p.diagnostics.dropped())
        fmt::format_to(std::back_inserter(out), "mqtt-craft: packet {} {}: {} more findings not shown\n",
                       number, type, p.diagnostics.dropped());
    std::fwrite(out.data(), 1, out.size(), stderr);
    return p.diagnostics.error_count();
}

}  // namespace mqttlens::craft
