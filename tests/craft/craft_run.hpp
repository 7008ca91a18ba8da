// Runs bin/mqtt-craft with arguments and collects its exit code, stdout bytes and stderr text.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace craft_test {

struct Run {
    int exit_code = -1;
    std::vector<std::uint8_t> out;
    std::string err;
};

/// Runs mqtt-craft with `args` (no shell involved), stdin from the file `stdin_path`.
Run craft(const std::vector<std::string>& args, const std::string& stdin_path = "/dev/null");

/// Runs mqtt-craft with `args` plus "--out raw" and expects exit 0.
std::vector<std::uint8_t> craft_raw(std::vector<std::string> args);

/// Cuts a byte stream into packets with the Framer; fails the test on a framing error.
std::vector<std::vector<std::uint8_t>> split_packets(const std::vector<std::uint8_t>& bytes);

/// One breaking command line and what it must break: `code`, at `offset` from the packet's first byte.
struct BreakCase {
    std::vector<std::string> args;
    mqttlens::mqtt::Code code;
    std::uint32_t offset;
};
void PrintTo(const BreakCase& c, std::ostream* os);

/// Crafts `c.args` as `version` (5.0: after --protocol-version 5), expects exit 0 (the crafter never
/// refuses), decodes the packet as `version` and expects `c.code` at `c.offset`, and the stderr report
/// naming the code's rule with its version: "MQTT-3.3.2-2 (3.1.1) publish_topic_wildcard".
void expect_break(const BreakCase& c, mqttlens::mqtt::Version version);

/// A temporary file removed at destruction.
struct TempFile {
    explicit TempFile(const std::string& content);
    ~TempFile();
    std::string path;
};

}  // namespace craft_test
