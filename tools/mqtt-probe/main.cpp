// mqtt-probe: tests a live broker against the standard. `conform TARGET` (HOST:PORT or an mqtt://,
// mqtts://, ws://, wss:// URL) runs the catalogue (catalogue.cpp) and reports a verdict per case;
// `fuzz TARGET` (the same forms) sends mutated sessions (fuzz.cpp).
// Exit codes: see README.md.
#include "catalogue.hpp"
#include "fuzz.hpp"
#include "report.hpp"
#include "runner.hpp"
#include "save.hpp"
#include "target.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <system_error>

using namespace mqttlens;
using namespace mqttlens::probe;

namespace {

enum Exit { exit_ok = 0, exit_failed = 1, exit_usage = 2, exit_unreachable = 3, exit_interrupted = 130 };

struct Args {
    std::string target;
    bool list = false, json = false;
    std::string junit;
    std::string save;
    std::vector<std::string> only;
    unsigned jobs = 8;
    RunOptions run;
    std::string tls_version;  ///< --tls-version as given: "1.2", "1.3"
    FuzzOptions fuzz;
    bool fuzz_json = false;
};

std::atomic<bool> interrupted{false};
extern "C" void on_signal(int) { interrupted = true; }

/// The first SIGINT or SIGTERM sets `interrupted`; a second one ends the process the default way.
void catch_stop_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

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

/// The TLS options of conform and fuzz, worded as mqtt-craft's.
void add_tls_options(CLI::App* cmd, Args& a) {
    const std::string group = "TLS (mqtts://, wss://)";
    cmd->add_option("--cafile", a.run.link.cafile,
                    "Verify the server's certificate against the CA certificates in FILE (PEM; default: the "
                    "system's store)")
        ->type_name("FILE")->group(group);
    cmd->add_flag("--insecure", a.run.link.insecure,
                  "RISK: verify neither the server's certificate nor its name; anyone on the path can read "
                  "and change the session")
        ->group(group);
    cmd->add_option("--tls-version", a.tls_version, "Only this TLS version, 1.2 or 1.3 (default: either)")
        ->check(CLI::IsMember({"1.2", "1.3"}))->type_name("VERSION")->group(group);
    cmd->add_option("--tls-keylog", a.run.link.tls_keylog,
                    "Append the sessions' TLS secrets to FILE in the NSS key log format (mqtt-dissect "
                    "--tls-keylog reads it). RISK: FILE decrypts the sessions")
        ->type_name("FILE")->group(group);
}

/// The WebSocket option of conform and fuzz, worded as mqtt-craft's.
void add_websocket_options(CLI::App* cmd, Args& a) {
    cmd->add_option("--ws-frame", a.run.link.ws_frame,
                    "At most N payload bytes per WebSocket frame: each packet is one binary message, cut into "
                    "a first frame and continuation frames (default: one frame per packet)")
        ->check(CLI::Range(1u, 0x7fffffffu))->type_name("N")->group("WebSocket (ws://, wss://)");
}

void add_conform_options(CLI::App* conform, Args& a) {
    conform->add_option("target", a.target,
                        "the broker: HOST:PORT, mqtt://HOST:PORT, mqtts://HOST:PORT, ws://HOST:PORT/PATH or "
                        "wss://HOST:PORT/PATH");
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
    conform->add_option("--connect-timeout", a.run.connect_ms,
                        "ms each connection may take to open: TCP, TLS handshake, WebSocket upgrade (default 2000)")
        ->check(CLI::Range(50, 60000));
    conform->add_option("--username", a.run.username, "User Name of every preamble CONNECT");
    conform->add_option("--password", a.run.password, "Password of every preamble CONNECT (needs --username)");
    conform->add_option("--client-id-prefix", a.run.client_id_prefix,
                        "Client Identifiers are PREFIX + case id (default mqttlens-)");
    add_tls_options(conform, a);
    add_websocket_options(conform, a);
}

/// The TLS and WebSocket options given, as a command line writes them (for the replay line of
/// --save); empty for none.
std::string link_flags(const Args& a) {
    std::string out;
    if (!a.run.link.cafile.empty()) out += " --cafile " + a.run.link.cafile;
    if (a.run.link.insecure) out += " --insecure";
    if (!a.tls_version.empty()) out += " --tls-version " + a.tls_version;
    if (a.run.link.ws_frame != 0) out += fmt::format(" --ws-frame {}", a.run.link.ws_frame);
    return out;
}

/// Whether the TLS and WebSocket options fit the target: exit_ok, or exit_usage after saying why.
int check_link_options(Args& a) {
    const craft::LinkSettings& l = a.run.link;
    const char* option = !l.cafile.empty() ? "--cafile" : l.insecure ? "--insecure"
                         : !a.tls_version.empty() ? "--tls-version" : !l.tls_keylog.empty() ? "--tls-keylog" : nullptr;
    if (option && !a.run.target.tls()) {
        say(fmt::format("{} is a TLS option: it needs an mqtts://HOST:PORT or wss://HOST:PORT/PATH target", option));
        return exit_usage;
    }
    if (l.ws_frame != 0 && !a.run.target.websocket()) {
        say("--ws-frame is a WebSocket option: it needs a ws://HOST:PORT/PATH or wss://HOST:PORT/PATH target");
        return exit_usage;
    }
    if (!l.cafile.empty() && l.insecure) {
        say("--cafile and --insecure exclude each other (verify against FILE, or do not verify at all)");
        return exit_usage;
    }
    if (!a.tls_version.empty())
        a.run.link.tls_version = a.tls_version == "1.2" ? craft::TlsVersion::v1_2 : craft::TlsVersion::v1_3;
    a.run.link.quiet = true;  // hundreds of connections: no line per WebSocket ping
    return exit_ok;
}

/// Parses the target into a.run; exit_ok or exit_usage after saying why.
int set_target(Args& a) {
    if (a.target.empty()) {
        say("the broker's HOST:PORT is missing (only conform --list needs none)");
        return exit_usage;
    }
    const craft::TargetParse t = craft::parse_target(a.target);
    if (!t.target) {
        say(t.error);
        return exit_usage;
    }
    if (a.run.password && !a.run.username) {
        say("--password needs --username (MQTT-3.1.2-22)");
        return exit_usage;
    }
    a.run.target = *t.target;
    return check_link_options(a);
}

/// --save: the failing and inconclusive cases to a.save; false (said on stderr) when a file failed.
bool save_all(const std::vector<Result>& results, const Args& a) {
    std::size_t saved = 0;
    for (const Result& r : results) {
        if (!worth_saving(r.verdict)) continue;
        if (std::string error = save_case(a.save, r, a.target + link_flags(a)); !error.empty()) {
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

/// Runs `print` (writing to stdout) and flushes; a reader of stdout that went away (EPIPE: `| head -1`)
/// is not an error, the rest of the run (--junit, --save, the exit code) goes on.
template <class Print>
void to_stdout(Print&& print) {
    try {
        print();
        std::fflush(stdout);
    } catch (const std::system_error& e) {
        if (e.code().value() != EPIPE) throw;
    }
}

/// Checks the target and --save before any case: exit_ok, or the exit code after saying why.
int prepare_run(Args& a) {
    if (int rc = set_target(a); rc != exit_ok) return rc;
    if (!a.save.empty()) {
        if (std::string error = prepare_save_dir(a.save); !error.empty()) {
            say(error);
            return exit_usage;
        }
        a.run.record = true;
    }
    if (auto u = unreachable(a.run)) {
        say(u->settings ? u->why : fmt::format("cannot connect to {}: {}", a.target, u->why));
        return u->settings ? exit_usage : exit_unreachable;
    }
    if (a.run.link.insecure) say("--insecure: the server's certificate and name are not checked (a risk)");
    return exit_ok;
}

int conform(Args& a) {
    const auto cases = select(a.only);
    if (!cases) return exit_usage;
    if (a.list) {
        to_stdout([&] { print_list(stdout, *cases); });
        return exit_ok;
    }
    catch_stop_signals();
    if (int rc = prepare_run(a); rc != exit_ok) return rc;
    a.run.stop = &interrupted;
    a.run.stop_grace_ms = std::min(a.run.step_ms, 1000u);
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Result> results = run_cases(*cases, a.run, a.jobs);
    const Summary s = summarise(results, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (s.interrupted)
        say(fmt::format("interrupted: {} of {} case(s) not run; the reports hold the {} that ended", s.not_run,
                        results.size(), results.size() - s.not_run));
    to_stdout([&] {
        if (a.json) print_json(stdout, results, s, a.target);
        else print_table(stdout, results, s);
    });
    if (!a.junit.empty()) {
        if (std::string error = write_junit(a.junit, results, s); !error.empty()) {
            say(error);
            return exit_usage;
        }
    }
    if (!a.save.empty() && !save_all(results, a)) return exit_usage;
    if (s.interrupted) return exit_interrupted;
    return s.fail ? exit_failed : exit_ok;
}

void add_fuzz_options(CLI::App* fuzz, Args& a) {
    FuzzOptions& f = a.fuzz;
    fuzz->add_option("target", a.target,
                     "the broker: HOST:PORT, mqtt://HOST:PORT, mqtts://HOST:PORT, ws://HOST:PORT/PATH or "
                     "wss://HOST:PORT/PATH");
    fuzz->add_option("--seed", f.seed, "the seed: case K of seed S is always the same bytes (default: from the clock)");
    fuzz->add_option("--first-case", f.first_case, "number of the first case run (default 0)");
    fuzz->add_option("--duration", f.duration_s, "stop after SECONDS (default 60 unless --max-cases)")->type_name("SECONDS");
    fuzz->add_option("--max-cases", f.max_cases, "stop after N cases");
    fuzz->add_option("-j,--jobs", f.jobs, "connections open at once (default 32)")->check(CLI::Range(1, 512));
    fuzz->add_option("--timeout", f.timeout_ms, "ms the liveness check's CONNACK and PINGRESP may take (default 2000)")
        ->check(CLI::Range(50, 60000));
    fuzz->add_option("--case-timeout", f.case_ms, "ms one session may take, connect to close (default 1000)")
        ->check(CLI::Range(10, 60000));
    fuzz->add_option("--batch", f.batch, "cases between two liveness checks (default 256)")->check(CLI::Range(1, 100000));
    fuzz->add_option("--broker-cmd", f.broker_cmd,
                     "start the broker with sh -c CMD (its own process group), watch it, keep its stderr, restart it")
        ->type_name("CMD");
    fuzz->add_option("--broker-start-timeout", f.broker_start_ms, "ms a (re)started broker has to accept (default 10000)")
        ->check(CLI::Range(100, 600000));
    fuzz->add_option("--save", f.save_dir, "write each finding to DIR as NNN-KIND.craft and .pcap (default mqtt-probe-findings)")
        ->type_name("DIR");
    fuzz->add_option("--minimise-runs", f.minimise_tries, "runs against the broker to minimise one finding (default 200)");
    fuzz->add_flag("!--no-v5", f.session.v5, "3.1.1 sessions only (default: about one in four is 5.0)");
    fuzz->add_option("--client-id-prefix", f.session.client_id_prefix,
                     "Client Identifiers are PREFIX + fz + case number (default mqttlens-)");
    fuzz->add_flag("--json", a.fuzz_json, "the summary as one JSON document on stdout");
    add_tls_options(fuzz, a);
    add_websocket_options(fuzz, a);
}

int fuzz(Args& a) {
    if (int rc = set_target(a); rc != exit_ok) return rc;
    FuzzOptions& f = a.fuzz;
    f.target = a.target;
    f.target_flags = link_flags(a);
    std::string error;
    const auto address = resolve(a.run.target.host, a.run.target.port, error);
    if (!address) {
        say(fmt::format("cannot resolve {}: {}", a.target, error));
        return exit_unreachable;
    }
    f.route = {*address, a.run.target, a.run.link};
    if (!f.route.plain() && f.broker_cmd.empty()) {  // the handshake and the upgrade said as conform says them
        a.run.connect_ms = f.timeout_ms;
        if (auto u = unreachable(a.run)) {
            say(u->settings ? u->why : fmt::format("cannot connect to {}: {}", a.target, u->why));
            return u->settings ? exit_usage : exit_unreachable;
        }
    }
    if (a.run.link.insecure) say("--insecure: the server's certificate and name are not checked (a risk)");
    if (f.duration_s <= 0 && f.max_cases == 0) f.duration_s = 60;
    std::error_code ec;
    const bool save_dir_existed = std::filesystem::exists(f.save_dir, ec);
    if (std::string e = prepare_save_dir(f.save_dir); !e.empty()) {
        say(e);
        return exit_usage;
    }
    f.progress = ::isatty(2);
    catch_stop_signals();
    const FuzzSummary s = run_fuzz(f, interrupted);
    if (!s.error.empty()) {
        say(fmt::format("cannot fuzz {}: {}", a.target, s.error));
        return exit_unreachable;
    }
    print_fuzz_summary(stdout, s, f, a.fuzz_json);
    if (!save_dir_existed && s.findings.empty()) std::filesystem::remove(f.save_dir, ec);  // only if still empty
    if (!s.findings.empty()) return exit_failed;
    return s.stopped.empty() ? exit_ok : exit_unreachable;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"mqtt-probe: test a live MQTT broker against the standard"};
    app.require_subcommand(1);
    Args a;
    CLI::App* conform_app = app.add_subcommand("conform", "run the conformance catalogue against HOST:PORT");
    add_conform_options(conform_app, a);
    CLI::App* fuzz_app = app.add_subcommand("fuzz", "send mutated sessions to the broker and report what breaks");
    a.fuzz.seed = static_cast<std::uint32_t>(std::chrono::system_clock::now().time_since_epoch().count() ^ ::getpid());
    add_fuzz_options(fuzz_app, a);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? exit_ok : exit_usage;
    }
    try {
        return fuzz_app->parsed() ? fuzz(a) : conform(a);
    } catch (const std::system_error& e) {
        if (e.code().value() != EPIPE) throw;
        return exit_ok;  // the reader of stdout went away (fuzz's summary; conform's output: to_stdout)
    }
}
