// mqtt-probe fuzz over TLS and WebSocket (mqtts://, ws://, wss://): the sessions and the liveness
// check of fuzz_net.hpp, each connection opened by craft::open_link (TCP, TLS handshake, WebSocket
// upgrade by one deadline) and driven by `jobs` threads, one blocking link each. A session's bytes
// go out in one Link::send (over WebSocket: the whole session as one binary message); the probe
// cannot half-close under TLS or WebSocket and still read (Link::shutdown ends reading), so it then
// reads until the broker ends the connection or the case's bound passes. run_sessions and liveness
// (fuzz_net.hpp) dispatch here; call those.
#pragma once

#include "fuzz_net.hpp"

namespace mqttlens::probe {

/// run_sessions for a TLS or WebSocket route. A connection whose handshake or upgrade fails ends
/// as broker_reset (it reached the broker), one that times out opening as bound, one whose TCP
/// connection does not open as refused.
std::vector<Exchange> run_link_sessions(const Route& route, const std::vector<Packets>& sessions,
                                        const PumpOptions& options, const std::atomic<bool>& stop);

/// liveness for a TLS or WebSocket route: the link opened within `timeout_ms` too.
std::string link_liveness(const Route& route, const std::string& client_id, unsigned timeout_ms);

}  // namespace mqttlens::probe
