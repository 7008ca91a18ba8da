// mqtt-probe: tests a live broker against the standard. `conform HOST:PORT` runs the catalogue
// (catalogue.cpp) and reports a verdict per case. Exit codes: see README.md.
#include "catalogue.hpp"
#include "report.hpp"
#include "runner.hpp"
#include "save.hpp"
#include "target.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <csignal>

using namespace mqttlens;
using namespace mqttlens::probe;

namespace {

enum Exit { exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_unreachable = 3 };

struct Args {
    std::string target;
    bool list = false, json = false;
    std::string junit;
    std::string save;
    std::vector<std::string> only;
    unsigned jobs = 8;
    RunOptions run;
};

void say(const std::string& text) { fmt::print(stderr, "mqtt-probe: {}\n", text); }

/// The cases --only picks (by rule ID or case id; all without --only); an unknown selector is a
/// usage error, said on stderr.
std::optional<std::vector<const Case*>> select(const std::vector<std::string>& only) {
    std::vector<const Case*> picked;
    for (const Case& c : catalogue()) {
        bool want = only.empty();
        for (const std::string& o : only) want = want || o == c.id || o == c.rule;
        if (want) picked.push_back(&c);
    }
    for (const std::string& o : only) {
        bool known = false;
        for (const Case& c : catalogue()) known = known || o == c.id || o == c.rule;
        if (!known) {
            say(fmt::format("--only {}: no case has that id or rule (see --list)", o));
            return std::nullopt;
        }
    }
    return picked;
}

void add_conform_options(CLI::App* conform, Args& a) {
    conform->add_option("target", a.target, "the broker: HOST:PORT or mqtt://HOST:PORT (plain TCP)");
    conform->add_flag("--list", a.list, "print the catalogue and exit; nothing is sent");
    conform->add_option("--only", a.only, "run only the cases with this rule ID or case id (repeatable)")
        ->allow_extra_args(false);
    conform->add_flag("--json", a.json, "one JSON document on stdout: the cases and a summary");
    conform->add_option("--junit", a.junit, "also write JUnit XML to FILE")->type_name("FILE");
    conform->add_option("--save", a.save,
                        "write each failing or inconclusive case to DIR as CASE.craft (an mqtt-craft script of "
                        "the packets sent) and CASE.pcap (the exchange); DIR is created if missing")
        ->type_name("DIR");
    conform->add_option("-j,--jobs", a.jobs, "cases run at once (default 8)")->check(CLI::Range(1, 64));
    conform->add_option("--timeout", a.run.step_ms, "ms the broker has to react to each step (default 2000)")
        ->check(CLI::Range(50, 60000));
    conform->add_option("--connect-timeout", a.run.connect_ms, "ms each TCP connect may take (default 2000)")
        ->check(CLI::Range(50, 60000));
    conform->add_option("--username", a.run.username, "User Name of every preamble CONNECT");
    conform->add_option("--password", a.run.password, "Password of every preamble CONNECT (needs --username)");
    conform->add_option("--client-id-prefix", a.run.client_id_prefix,
                        "Client Identifiers are PREFIX + case id (default mqttlens-)");
}

/// Parses the target into a.run; exit_ok or exit_usage after saying why.
int set_target(Args& a) {
    if (a.target.empty()) {
        say("conform needs the broker's HOST:PORT (or --list)");
        return exit_usage;
    }
    const craft::TargetParse t = craft::parse_target(a.target);
    if (!t.target) {
        say(t.error);
        return exit_usage;
    }
    if (t.target->scheme != craft::Scheme::mqtt) {
        say(fmt::format("{}: only plain TCP targets (HOST:PORT, mqtt://) are supported so far",
                        craft::scheme_name(t.target->scheme)));
        return exit_usage;
    }
    if (a.run.password && !a.run.username) {
        say("--password needs --username (MQTT-3.1.2-22)");
        return exit_usage;
    }
    a.run.host = t.target->host;
    a.run.port = t.target->port;
    return exit_ok;
}

/// --save: the failing and inconclusive cases to a.save; false (said on stderr) when a file failed.
bool save_all(const std::vector<Result>& results, const Args& a) {
    std::size_t saved = 0;
    for (const Result& r : results) {
        if (!worth_saving(r.verdict)) continue;
        if (std::string error = save_case(a.save, r, a.target); !error.empty()) {
            say(error);
            return false;
        }
        if (r.wire_truncated)
            say(fmt::format("--save: {}: the broker sent more than {} bytes; the pcap holds the first {}", r.test->id,
                            max_recorded_bytes, max_recorded_bytes));
        ++saved;
    }
    say(fmt::format("--save: {} case(s) written to {} (.craft and .pcap each)", saved, a.save));
    return true;
}

int conform(Args& a) {
    const auto cases = select(a.only);
    if (!cases) return exit_usage;
    if (a.list) {
        print_list(stdout, *cases);
        return exit_ok;
    }
    if (int rc = set_target(a); rc != exit_ok) return rc;
    if (!a.save.empty()) {
        if (std::string error = prepare_save_dir(a.save); !error.empty()) {
            say(error);
            return exit_usage;
        }
        a.run.record = true;
    }
    if (auto why = unreachable(a.run)) {
        say(fmt::format("cannot connect to {}: {}", a.target, *why));
        return exit_unreachable;
    }
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Result> results = run_cases(*cases, a.run, a.jobs);
    const Summary s = summarise(results, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (a.json) print_json(stdout, results, s, a.target);
    else print_table(stdout, results, s);
    std::fflush(stdout);
    if (!a.junit.empty()) {
        if (std::string error = write_junit(a.junit, results, s); !error.empty()) {
            say(error);
            return exit_usage;
        }
    }
    if (!a.save.empty() && !save_all(results, a)) return exit_usage;
    return s.fail ? exit_failed : exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"mqtt-probe: test a live MQTT broker against the standard"};
    app.require_subcommand(1);
    Args a;
    add_conform_options(app.add_subcommand("conform", "run the conformance catalogue against HOST:PORT"), a);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_ok : exit_usage;
    }
    return conform(a);
}
