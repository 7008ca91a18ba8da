// mqtt-probe fuzz: sessions sent to the broker. Plain TCP: many at once over non-blocking sockets
// in one poll() loop; each session's bytes are written whole, then the probe half-closes (shutdown
// of its write side), so a broker that has answered everything and closed ends the case at once; a
// bound ends it otherwise. TLS and WebSocket (fuzz_link.hpp): one connection per session opened by
// craft::open_link. Every byte the broker sends is framed, decoded and checked by
// engine::Conversation; the client's packets are observed up to the first one that breaks a rule
// (a conforming broker closes there, so what follows says nothing about it).
#pragma once

#include "minimise.hpp"
#include "open_link.hpp"
#include "runner.hpp"
#include "target.hpp"

#include <sys/socket.h>

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace mqttlens::probe {

/// The broker's address, resolved once: the only one connected to.
struct Address {
    sockaddr_storage addr{};
    socklen_t size = 0;
};

/// Where the sessions go, and through which layers: the transport is the engine's dispatch key.
struct Route {
    Address to;                ///< the broker's TCP address, resolved once (plain TCP connects only here)
    craft::Target target;      ///< mqtt: the poll() loop over `to`; mqtts, ws, wss: craft::open_link per connection
    craft::LinkSettings link;  ///< --cafile, --insecure, --tls-version, --tls-keylog (TLS only)
    bool plain() const noexcept { return target.scheme == craft::Scheme::mqtt; }
};

/// HOST and PORT resolved (numeric or by name); the resolver's words when not.
std::optional<Address> resolve(const std::string& host, const std::string& port, std::string& error);

/// How a session's connection ended.
enum class End : std::uint8_t {
    broker_closed,  ///< the broker closed (after the probe's half-close, or before)
    broker_reset,   ///< reset; over TLS or WebSocket also a handshake, upgrade or record that failed
    bound,          ///< still open when the case's bound passed
    refused,        ///< the TCP connection did not open: the session never reached the broker
};

/// "closed", "reset", "bound", "refused".
std::string_view end_name(End e) noexcept;

/// What became of one session.
struct Exchange {
    End end = End::bound;                 ///< how its connection ended
    bool started = false;                 ///< false: run_sessions stopped before it (`stop`, or a broker stuck)
    std::uint64_t opened_order = 0;       ///< order in which the connections opened (1 first); 0 refused
    std::vector<std::string> violations;  ///< the broker's own, "RULE code: what", at most a few
    std::vector<WireEvent> wire;          ///< with `record`: the exchange, for the pcap
};

struct PumpOptions {
    unsigned jobs = 32;        ///< connections open at once
    unsigned case_ms = 1000;   ///< bound on one session, connect to close
    bool record = false;       ///< keep each exchange's events in Exchange::wire
};

/// Runs the sessions of `sessions` in order (at most options.jobs at once) over `route`'s transport;
/// result i for session i. Stops starting sessions when `stop` is set, or when max(4, jobs) sessions
/// in a row ended at the bound (over TLS and WebSocket: at the bound with nothing received, as a
/// session there cannot half-close) — a broker that stopped answering: the rest would only wait;
/// those left are not started.
std::vector<Exchange> run_sessions(const Route& route, const std::vector<Packets>& sessions,
                                   const PumpOptions& options, const std::atomic<bool>& stop);

/// The liveness oracle: a fresh connection over `route`'s transport, CONNECT (Clean Session,
/// `client_id`) and PINGREQ; empty when CONNACK 0 and PINGRESP come within `timeout_ms`, else what
/// happened instead.
std::string liveness(const Route& route, const std::string& client_id, unsigned timeout_ms);

/// Whether a TCP connection to `to` opens within `timeout_ms`.
bool accepts(const Address& to, unsigned timeout_ms);

}  // namespace mqttlens::probe
