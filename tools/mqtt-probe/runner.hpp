// Runs catalogue cases against one broker: each case on its own connections, every step bounded in
// time, every byte the broker sends decoded and checked by engine::Conversation.
#pragma once

#include "catalogue.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mqttlens::probe {

enum class Verdict : std::uint8_t {
    pass,            ///< the broker reacted as the standard requires and broke no rule itself
    fail,            ///< it reacted otherwise, or what it sent breaks a rule
    not_applicable,  ///< the broker refused the preamble (CONNACK not 0, closed): the case could not run
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
};

struct Result {
    const Case* test = nullptr;
    Verdict verdict = Verdict::inconclusive;
    std::string detail;                 ///< what happened instead (fail), or why not applicable / inconclusive
    std::vector<std::string> findings;  ///< the broker's own violations: "MQTT-3.2.2-5 data_after_connack_error ..."
    double seconds = 0;
};

/// Runs one case on fresh connections; never throws but std::bad_alloc.
Result run_case(const Case& c, const RunOptions& options);

/// Runs `cases` on `jobs` threads (at least 1); the results in the order of `cases`.
std::vector<Result> run_cases(const std::vector<const Case*>& cases, const RunOptions& options, unsigned jobs);

/// Whether a TCP connection to the target opens within options.connect_ms; the reason when not.
std::optional<std::string> unreachable(const RunOptions& options);

}  // namespace mqttlens::probe
