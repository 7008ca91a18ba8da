// Everything the command line sets.
#pragma once

#include "capture/tcp_reassembler.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::dissect {

struct Args {
    // Byte input: one direction of one connection.
    std::string hex;
    std::string hex_file;
    std::string raw;
    bool from_server = false;
    bool from_client = false;
    std::string mqtt_version;           ///< --mqtt-version: "3.1", "3.1.1" or "5.0"; empty: from a CONNECT
    // Capture input.
    std::vector<std::string> captures;  ///< positional FILE (at most one)
    std::string read_file;              ///< -r FILE
    std::string interface;              ///< -i IFACE
    std::string bpf;                    ///< -f FILTER (live, or applied to a file's records)
    std::vector<std::uint16_t> ports;   ///< --port (default 1883)
    std::vector<std::uint16_t> tls_ports;  ///< --tls-port (default 8883)
    std::vector<std::uint16_t> ws_ports;   ///< --ws-port (default 80, 8080, 8083, 9001)
    std::vector<std::string> tls_keylogs;  ///< --tls-keylog FILE (repeatable)
    std::size_t max_connections = capture::ReassemblyOptions{}.max_connections;
    // Filters (capture input).
    std::vector<std::string> types;
    std::string topic;
    std::string client;
    bool errors_only = false;
    // Output.
    bool verbose = false;
    bool hex_dump = false;
    bool json = false;
    std::string color = "auto";
    std::int64_t payload_max = 64;
    bool stats = false;
    bool quiet = false;
    bool strict = false;
    int threads = 2;  ///< capture input: 2 prints on a second thread, 1 on the capture thread

    bool capture_input() const { return !captures.empty() || !read_file.empty() || !interface.empty(); }
};

inline constexpr int exit_ok = 0;
inline constexpr int exit_rule_broken = 1;
inline constexpr int exit_usage = 2;

/// Prints "mqtt-dissect: MESSAGE" on stderr; returns exit_usage.
inline int fail(std::string_view message) {
    std::fprintf(stderr, "mqtt-dissect: %.*s\n", static_cast<int>(message.size()), message.data());
    return exit_usage;
}

}  // namespace mqttlens::dissect
