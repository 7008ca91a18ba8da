// Runs catalogue cases against one broker: each case on its own connections, every step bounded in
// time, every byte the broker sends decoded and checked by engine::Conversation.
#pragma once

#include "catalogue.hpp"
#include "open_link.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mqttlens::probe {

enum class Verdict : std::uint8_t {
    pass,            ///< the broker reacted as the standard requires and broke no rule itself
    fail,            ///< it reacted otherwise, or what it sent breaks a rule
    not_applicable,  ///< the broker refused the preamble (CONNACK not 0, closed), does not speak the
                     ///< case's version (5.0), or lacks a feature the case needs: the case could not run
    inconclusive,    ///< the standard allows what happened, or the case could not connect
    not_run,         ///< the run was interrupted (RunOptions::stop) before the case started or ended
};

/// "pass", "fail", "n/a", "inconclusive", "not run".
std::string_view verdict_name(Verdict v) noexcept;

struct RunOptions {
    craft::Target target;            ///< the only address connected to, and the layers on TCP (TLS, WebSocket)
    craft::LinkSettings link;        ///< --cafile, --insecure, --tls-version, --tls-keylog
    std::string client_id_prefix = "mqttlens-";
    std::optional<std::string> username, password;
    unsigned step_ms = 2000;         ///< bound on the reaction to one step (and on the preamble's CONNACK)
    unsigned connect_ms = 2000;      ///< bound on each connection's opening: TCP, TLS handshake, upgrade
    bool record = false;             ///< keep every byte of each case's connections in Result::wire (--save)
    /// Set (SIGINT): no case starts any more; a running case may still end within stop_grace_ms of
    /// seeing it, else it is cut short as not_run. Null: never stops early.
    const std::atomic<bool>* stop = nullptr;
    unsigned stop_grace_ms = 1000;
};

/// One thing that happened on one of a case's connections, stamped with the wall clock.
struct WireEvent {
    enum class Kind : std::uint8_t {
        opened,         ///< the TCP connection opened
        sent,           ///< the probe sent `bytes` (one packet)
        received,       ///< the broker's `bytes`, as one read returned them
        broker_closed,  ///< the broker closed the connection
        broker_reset,   ///< the connection was reset
        probe_closed,   ///< the probe closed it at the end of the case
    } kind;
    std::uint8_t connection = 0;
    std::int64_t unix_ns = 0;
    std::vector<std::uint8_t> bytes;
};

/// Finding lines kept per case at most (a flooding broker breaking a rule in every packet).
inline constexpr std::size_t max_findings = 64;

/// Received bytes kept per case at most; beyond, received bytes are dropped (sent ones are kept).
inline constexpr std::size_t max_recorded_bytes = 1u << 20;

struct Result {
    const Case* test = nullptr;
    Verdict verdict = Verdict::inconclusive;
    std::string detail;                 ///< what happened instead (fail), or why not applicable / inconclusive
    std::vector<std::string> findings;  ///< the broker's own violations: "MQTT-3.2.2-5 data_after_connack_error ..."
                                        ///< (at most max_findings, then one line saying how many more)
    double seconds = 0;
    std::vector<WireEvent> wire;  ///< RunOptions::record: the case's connections, in order
    bool wire_truncated = false;  ///< more than max_recorded_bytes were received; the rest is not in `wire`
};

/// Runs one case on fresh connections, whatever versions the broker speaks; never throws but
/// std::bad_alloc.
Result run_case(const Case& c, const RunOptions& options);

/// Runs `cases` on `jobs` threads (at least 1); the results in the order of `cases`, not_run for
/// those RunOptions::stop kept from starting or cut short. When some case
/// is 5.0, first asks the broker once whether it accepts a level-5 CONNECT (CONNACK 0x00); if not,
/// every 5.0 case is not applicable, the detail saying what the broker answered.
std::vector<Result> run_cases(const std::vector<const Case*>& cases, const RunOptions& options, unsigned jobs);

/// Why the target could not be opened before any case ran.
struct Unreachable {
    bool settings = false;  ///< the TLS settings are unusable (an unreadable --cafile or key log): a usage error
    std::string why;        ///< "connection refused", "the TLS handshake timed out after 2000 ms", OpenSSL's words
};

/// Whether one connection to the target opens (TCP, then TLS and the WebSocket upgrade as the
/// scheme asks) within options.connect_ms; nullopt when it does, else why not.
std::optional<Unreachable> unreachable(const RunOptions& options);

}  // namespace mqttlens::probe
