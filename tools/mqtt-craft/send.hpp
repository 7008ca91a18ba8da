// --send: one connection to a broker (TCP, TLS, WebSocket: target.hpp), the crafted packets out,
// the replies decoded and printed.
#pragma once

#include "options.hpp"
#include "target.hpp"

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

/// Connects to globals.send (TCP, then TLS and the WebSocket upgrade as its scheme says, all within
/// globals.connect_timeout_ms), sends the plan (globals.delay_ms apart), reads replies until
/// globals.wait_ms after the last packet or until the peer closes, prints sent packets and replies
/// on stdout (summary, -V tree or --json) and what happened to the connection on stderr.
/// Returns an Exit code: ok, usage, unreachable, closed, timeout, tls or upgrade.
int send_plan(const GlobalOptions& globals, const SendPlan& plan);

}  // namespace mqttlens::craft
