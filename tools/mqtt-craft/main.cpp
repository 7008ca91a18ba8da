// mqtt-craft: parse the command line, build each packet, report the rules it breaks, then write
// the packets out (hex, raw, C, pcap) and/or send them to a broker.
#include "build.hpp"
#include "cli.hpp"
#include "escapes.hpp"
#include "pcap_out.hpp"
#include "report.hpp"
#include "send.hpp"
#include "target.hpp"
#include "writers.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unistd.h>
#include <vector>

using namespace mqttlens;
using namespace mqttlens::craft;

namespace {

OutFormat choose_format(const GlobalOptions& g) {
    if (g.out != OutFormat::automatic) return g.out;
    if (!g.output_file.empty()) return OutFormat::raw;
    return ::isatty(STDOUT_FILENO) ? OutFormat::hex : OutFormat::raw;
}

std::unique_ptr<PacketWriter> make_writer(OutFormat format, std::FILE* out, const GlobalOptions& g) {
    switch (format) {
    case OutFormat::hex: return make_hex_writer(out);
    case OutFormat::c: return make_c_writer(out);
    case OutFormat::pcap: {
        const bool ws = g.ws || g.ws_frame != 0;
        return make_pcap_writer(out, static_cast<std::uint16_t>(g.port.value_or(ws ? 8080 : 1883)), g.segment,
                                g.ip_fragment, PcapWebSocket{ws, g.ws_frame});
    }
    default: return make_raw_writer(out);
    }
}

/// Builds every requested packet in order; nullopt after a usage error is reported on stderr.
std::optional<std::vector<std::unique_ptr<PacketSpec>>> build_packets(const std::vector<PacketRequest>& requests,
                                                                      const GlobalOptions& g) {
    std::vector<std::unique_ptr<PacketSpec>> specs;
    for (const auto& r : requests) {
        try {
            specs.push_back(build_packet(r, g.protocol_version));
        } catch (const UsageError& e) {
            std::fprintf(stderr, "mqtt-craft: %s: %s\n", r.origin.c_str(), e.what());
            return std::nullopt;
        }
    }
    return specs;
}

/// Where the packets are written in `format`: stdout, or -o FILE opened for writing; nullptr
/// after the reason is reported on stderr (pcap to a terminal, a file that does not open).
std::FILE* open_output(OutFormat format, const GlobalOptions& g) {
    if (format == OutFormat::pcap && g.output_file.empty() && ::isatty(STDOUT_FILENO)) {
        std::fprintf(stderr, "mqtt-craft: --out pcap writes binary: give -o FILE or redirect stdout\n");
        return nullptr;
    }
    if (g.output_file.empty() || g.output_file == "-") return stdout;
    std::FILE* out = std::fopen(g.output_file.c_str(), "wb");
    if (!out) std::fprintf(stderr, "mqtt-craft: cannot open %s: %s\n", g.output_file.c_str(), std::strerror(errno));
    return out;
}

/// Finishes `writer` and closes `out` unless it is stdout; false after the error is reported on stderr.
bool finish_output(PacketWriter& writer, std::FILE* out, const GlobalOptions& g) {
    bool ok = writer.finish();
    if (out != stdout && std::fclose(out) != 0) ok = false;
    if (!ok) {
        std::fprintf(stderr, "mqtt-craft: cannot write %s: %s\n",
                     g.output_file.empty() ? "stdout" : g.output_file.c_str(), std::strerror(errno));
    }
    return ok;
}

/// Encodes every copy of every packet, reports the rules each packet's first copy breaks, writes
/// each copy to `writer` and appends it to `plan` (either may be null). Returns how many packets break a rule.
std::size_t craft_packets(std::vector<std::unique_ptr<PacketSpec>>& specs, const GlobalOptions& g,
                          PacketWriter* writer, SendPlan* plan) {
    // The version the rule report judges by: --protocol-version, then each CONNECT's level.
    mqtt::Version version = g.protocol_version.value_or(mqtt::Version::v3_1_1);
    std::size_t broken = 0;
    std::uint64_t number = 0;
    std::vector<std::uint8_t> scratch;
    for (auto& spec : specs) {
        if (const auto* c = spec->packet.get<mqtt::Connect>())
            version = mqtt::version_of_level(c->protocol_level).value_or(version);
        const mqtt::PacketType type = spec->packet.type();
        for (std::uint64_t copy = 0; copy < spec->count; ++copy) {
            scratch.clear();
            spec->encode_copy(copy, scratch);
            ++number;
            if (copy == 0) {
                std::string origin = spec->count > 1 ? fmt::format("{}, first of {}", spec->origin, spec->count)
                                                     : spec->origin;
                broken += report_packet(scratch, number, type, origin, version, g.quiet) ? 1 : 0;
            }
            if (writer) writer->write(scratch, PacketMeta{number, type, spec->from_server, version});
            if (plan) {
                std::size_t begin = plan->bytes.size();
                plan->bytes.insert(plan->bytes.end(), scratch.begin(), scratch.end());
                plan->packets.push_back({begin, plan->bytes.size(), type, spec->origin});
            }
        }
    }
    return broken;
}

}  // namespace

int main(int argc, char** argv) {
    GlobalOptions g;
    int code = exit_ok;
    auto requests = parse_command_line(argc, argv, g, code);
    if (!requests) return code;
    if (const std::string problem = check_transport_options(g); !problem.empty()) {
        std::fprintf(stderr, "mqtt-craft: %s\n", problem.c_str());
        return exit_usage;
    }
    auto specs = build_packets(*requests, g);
    if (!specs) return exit_usage;

    const bool sending = !g.send.empty();
    const bool writing = !sending || g.out != OutFormat::automatic || !g.output_file.empty();
    const OutFormat format = choose_format(g);
    std::FILE* out = writing ? open_output(format, g) : stdout;
    if (!out) return exit_usage;
    std::unique_ptr<PacketWriter> writer = writing ? make_writer(format, out, g) : nullptr;

    SendPlan plan;
    const std::size_t broken = craft_packets(*specs, g, writer.get(), sending ? &plan : nullptr);
    if (writer && !finish_output(*writer, out, g)) return exit_usage;
    if (sending) {
        int rc = send_plan(g, plan);
        if (rc != exit_ok) return rc;
    }
    return g.strict && broken ? exit_broken : exit_ok;
}
