// Runs catalogue cases against one broker: each case on its own connections, every step bounded in
// time, every byte the broker sends decoded and checked by engine::Conversation.
#pragma once

#include "catalogue.hpp"

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
};

/// "pass", "fail", "n/a", "inconclusive".
std::string_view verdict_name(Verdict v) noexcept;

struct RunOptions {
    std::string host, port;          ///< the only address connected to
    std::string client_id_prefix = "mqttlens-";
    std::optional<std::string> username, password;
    unsigned step_ms = 2000;         ///< bound on the reaction to one step (and on the preamble's CONNACK)
    unsigned connect_ms = 2000;      ///< bound on each TCP connect
    bool record = false;             ///< keep every byte of each case's connections in Result::wire (--save)
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

/// Received bytes kept per case at most; beyond, received bytes are dropped (sent ones are kept).
inline constexpr std::size_t max_recorded_bytes = 1u << 20;

struct Result {
    const Case* test = nullptr;
    Verdict verdict = Verdict::inconclusive;
    std::string detail;                 ///< what happened instead (fail), or why not applicable / inconclusive
    std::vector<std::string> findings;  ///< the broker's own violations: "MQTT-3.2.2-5 data_after_connack_error ..."
    double seconds = 0;
    std::vector<WireEvent> wire;  ///< RunOptions::record: the case's connections, in order
    bool wire_truncated = false;  ///< more than max_recorded_bytes were received; the rest is not in `wire`
};

/// Runs one case on fresh connections, whatever versions the broker speaks; never throws but
/// std::bad_alloc.
Result run_case(const Case& c, const RunOptions& options);

/// Runs `cases` on `jobs` threads (at least 1); the results in the order of `cases`. When some case
/// is 5.0, first asks the broker once whether it accepts a level-5 CONNECT (CONNACK 0x00); if not,
/// every 5.0 case is not applicable, the detail saying what the broker answered.
std::vector<Result> run_cases(const std::vector<const Case*>& cases, const RunOptions& options, unsigned jobs);

/// Whether a TCP connection to the target opens within options.connect_ms; the reason when not.
std::optional<std::string> unreachable(const RunOptions& options);

}  // namespace mqttlens::probe
