// mqtt-probe fuzz TARGET (HOST:PORT or an mqtt://, mqtts://, ws://, wss:// URL): sends mutated
// sessions (fuzz_session.hpp) in batches (fuzz_net.hpp, over TLS and WebSocket fuzz_link.hpp),
// judges them by three oracles (the broker's replies checked strictly, a liveness check after
// each batch, and with --broker-cmd the broker process itself), and turns each new reaction into a
// finding: its session found, minimised against the live broker, saved as an mqtt-craft script and
// a pcap; the same reaction again only counts.
#pragma once

#include "fuzz_net.hpp"
#include "fuzz_session.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mqttlens::probe {

struct FuzzOptions {
    std::string target;                   ///< as the user gave it (for the reproducers)
    std::string target_flags;             ///< the TLS options as a command line writes them (" --cafile ca.pem"), for the reproducers
    Route route;                          ///< the only address connected to, and the layers on TCP
    std::uint64_t seed = 0;
    std::uint64_t first_case = 0;         ///< the first case number run (cases go up from it)
    double duration_s = 0;                ///< stop after this long; 0 no bound
    std::uint64_t max_cases = 0;          ///< stop after this many cases; 0 no bound
    unsigned jobs = 32;                   ///< connections open at once
    unsigned case_ms = 1000;              ///< bound on one session
    unsigned timeout_ms = 2000;           ///< liveness: CONNACK and PINGRESP within this
    unsigned batch = 256;                 ///< cases between two liveness checks
    unsigned minimise_tries = 200;        ///< oracle runs per finding's minimisation at most
    std::string broker_cmd;               ///< empty: the broker is not the probe's to start
    unsigned broker_start_ms = 10000;     ///< bound on a (re)start until the port accepts
    std::string save_dir = "mqtt-probe-findings";
    SessionOptions session;
    bool progress = false;                ///< a progress line on stderr (a terminal)
};

struct Finding {
    std::string key;     ///< the reaction, the dedup key: "crash: signal 6 (SIGABRT): ...", "liveness: ...", a rule
    std::string kind;    ///< "crash", "liveness", "violation"
    std::string detail;  ///< what happened, in words
    std::string broker_stderr;
    std::uint64_t first_case = 0;  ///< the first case that drew it
    std::uint64_t saved_case = 0;  ///< the case whose session was saved (first_case, unless the first
                                   ///< was not reproduced and a later one was)
    unsigned count = 1;  ///< cases that drew this reaction
    std::size_t packets_before = 0, packets_after = 0;
    unsigned tries = 0;  ///< minimisation runs
    bool reproduced = true;  ///< false: the batch drew it, no single session did again
    std::string file;    ///< BASE of BASE.craft / BASE.pcap, empty when not saved
    std::vector<std::string> mutations;
    std::vector<WireEvent> wire;  ///< the minimised session's exchange
};

struct FuzzSummary {
    std::uint64_t seed = 0, cases = 0, replays = 0;
    double seconds = 0;
    std::uint64_t ends[4] = {};  ///< per End value
    std::vector<Finding> findings;
    unsigned restarts = 0;
    bool interrupted = false;
    std::string stopped;  ///< why the run ended early (the broker gone, a start failed), empty otherwise
    std::string error;    ///< set when it could not start at all (exit 3)
};

/// Runs the campaign until a bound, `stop`, or a broker that is gone for good; never throws but
/// std::bad_alloc. Findings are saved as they are found.
FuzzSummary run_fuzz(const FuzzOptions& options, const std::atomic<bool>& stop);

/// The summary: lines of text, or one JSON document with `json`.
void print_fuzz_summary(std::FILE* out, const FuzzSummary& s, const FuzzOptions& options, bool json);

}  // namespace mqttlens::probe
