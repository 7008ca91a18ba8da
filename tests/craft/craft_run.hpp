// Runs bin/mqtt-craft with arguments and collects its exit code, stdout bytes and stderr text.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <cstdint>
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

/// A temporary file removed at destruction.
struct TempFile {
    explicit TempFile(const std::string& content);
    ~TempFile();
    std::string path;
};

}  // namespace craft_test
