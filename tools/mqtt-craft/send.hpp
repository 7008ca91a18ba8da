// --send: one TCP connection to a broker, the crafted packets out, the replies decoded and printed.
#pragma once

#include "options.hpp"

#include "mqtt/packet.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mqttlens::craft {

/// The packets to send, back to back in `bytes`.
struct SendPlan {
    struct Entry {
        std::size_t begin, end;  ///< range in `bytes`
        mqtt::PacketType type;   ///< the subcommand's type
        std::string origin;
    };
    std::vector<std::uint8_t> bytes;
    std::vector<Entry> packets;
};

/// HOST:PORT or [ADDR]:PORT split into host and port; false when malformed.
bool split_host_port(const std::string& text, std::string& host, std::string& port);

/// Connects to globals.send, sends the plan (globals.delay_ms apart), reads replies until
/// globals.wait_ms after the last packet or until the peer closes, prints sent packets and replies
/// on stdout (summary, -V tree or --json) and what happened to the connection on stderr.
/// Returns an Exit code: ok, usage, unreachable, closed or timeout.
int send_plan(const GlobalOptions& globals, const SendPlan& plan);

}  // namespace mqttlens::craft
