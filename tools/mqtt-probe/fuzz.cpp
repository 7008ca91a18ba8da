// The campaign loop: batches of cases, the oracles after each, and a finding's life (culprit found,
// minimised, saved, counted).
#include "fuzz.hpp"

#include "broker_process.hpp"
#include "minimise.hpp"
#include "save.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

namespace mqttlens::probe {

namespace {

using Clock = std::chrono::steady_clock;

/// What the broker did to one session, as a finding would name it; empty key when nothing wrong.
struct Reaction {
    std::string key, kind, detail, broker_stderr;
};

/// "MQTT-3.3.4-1 code_name": a violation's rule and code, its first two words.
std::string violation_key(const std::string& v) {
    const std::size_t colon = v.find(':');
    return v.substr(0, colon);
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return s;
}

class Campaign {
public:
    Campaign(const FuzzOptions& o, const std::atomic<bool>& stop) : o_(o), stop_(stop) {
        if (!o.broker_cmd.empty()) broker_ = std::make_unique<BrokerProcess>(o.broker_cmd, o.route.to);
    }

    FuzzSummary run() {
        s_.seed = o_.seed;
        if (broker_) {
            if (std::string e = broker_->start(o_.broker_start_ms); !e.empty()) return s_.error = e, std::move(s_);
        } else if (!accepts(o_.route.to, o_.timeout_ms)) {
            return s_.error = "connection refused or timed out", std::move(s_);
        }
        if (std::string e = link_opens(); !e.empty()) return s_.error = e, std::move(s_);
        start_ = Clock::now();
        std::uint64_t index = o_.first_case;
        while (!stop_ && s_.stopped.empty() && !over()) {
            std::uint64_t n = o_.batch;
            if (o_.max_cases) n = std::min<std::uint64_t>(n, o_.max_cases - s_.cases);
            index += batch(index, n);
            progress(false);
        }
        if (broker_) s_.restarts = broker_->restarts();
        s_.interrupted = stop_.load();
        s_.seconds = elapsed();
        progress(true);
        for (Finding& f : s_.findings) save(f);  // again, with the final counts
        return std::move(s_);
    }

private:
    /// Over TLS and WebSocket, whether one link opens (handshake, upgrade): empty when it does, else
    /// why not, as conform says it.
    std::string link_opens() const {
        if (o_.route.plain()) return {};
        RunOptions r;
        r.target = o_.route.target, r.link = o_.route.link, r.connect_ms = o_.timeout_ms;
        const auto u = unreachable(r);
        return u ? u->why : std::string();
    }

    double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    bool over() const {
        if (o_.max_cases && s_.cases >= o_.max_cases) return true;
        return o_.duration_s > 0 && elapsed() >= o_.duration_s;
    }

    /// Runs cases first..first+n (fewer when the pump stops early) and the oracles after them;
    /// returns the number of cases it took (0 only when the broker cannot be brought back).
    std::uint64_t batch(std::uint64_t first, std::uint64_t n) {
        if (broker_ && !broker_->running() && !ensure_broker()) return 0;
        std::vector<Session> sessions;
        std::vector<Packets> packets;
        for (std::uint64_t k = 0; k < n; ++k) {
            sessions.push_back(make_session(o_.seed, first + k, o_.session));
            packets.push_back(sessions.back().packets);
        }
        const std::vector<Exchange> ex = run_sessions(o_.route, packets, {o_.jobs, o_.case_ms, false}, stop_);
        std::vector<std::size_t> opened;
        for (std::size_t i = 0; i < ex.size(); ++i) {
            if (!ex[i].opened_order) {  // never reached the broker: not a case
                s_.ends[static_cast<int>(End::refused)] += ex[i].started && ex[i].end == End::refused;
                continue;
            }
            ++s_.cases;
            ++s_.ends[static_cast<int>(ex[i].end)];
            opened.push_back(i);
        }
        const auto taken = static_cast<std::uint64_t>(
            std::count_if(ex.begin(), ex.end(), [](const Exchange& e) { return e.started; }));
        if (!stop_) {
            if (opened.empty() && !ensure_broker() && s_.stopped.empty())
                s_.stopped = "the broker refuses connections and is not the probe's to restart";
            std::sort(opened.begin(), opened.end(),
                      [&](std::size_t a, std::size_t b) { return ex[a].opened_order > ex[b].opened_order; });
            // The broker's health first: minimising a violation replays sessions and would
            // restart a broker the batch left dead or hung without a word.
            if (Reaction r = health(); !r.key.empty()) unhealthy(r, sessions, opened);
        }
        // Interrupted or not: found() runs nothing more once stop_ is set.
        for (std::size_t i = 0; i < ex.size(); ++i)
            if (ex[i].opened_order && !ex[i].violations.empty())
                found({violation_key(ex[i].violations[0]), "violation", ex[i].violations[0], {}}, sessions[i]);
        return taken;
    }

    /// The liveness oracle and the process oracle; empty key when the broker is well.
    Reaction health() {
        if (broker_ && !broker_->running()) return {};
        std::string why = liveness(o_.route, o_.session.client_id_prefix + "fz-live", o_.timeout_ms);
        if (broker_) {
            auto e = why.empty() ? broker_->exited() : broker_->wait_exit(o_.timeout_ms);
            if (e)
                return {fmt::format("crash: {}: {}", e->how, e->signature), "crash",
                        fmt::format("the broker process ended: {}", e->how), e->stderr_text};
        }
        if (why.empty()) return {};
        return {why, "liveness", why + " (after the session)", {}};
    }

    /// Brings a stopped broker back (--broker-cmd), or a hung one: false when it cannot be.
    bool ensure_broker() {
        if (!broker_) return liveness(o_.route, o_.session.client_id_prefix + "fz-live", o_.timeout_ms).empty();
        if (broker_->running() && liveness(o_.route, o_.session.client_id_prefix + "fz-live", o_.timeout_ms).empty())
            return true;
        broker_->stop();
        if (std::string e = broker_->start(o_.broker_start_ms); !e.empty()) return s_.stopped = e, false;
        return true;
    }

    /// Runs `packets` alone and judges the broker's reaction by all three oracles.
    Reaction react(const Packets& packets, std::vector<WireEvent>* wire = nullptr) {
        if (!ensure_broker()) return {"unavailable", "", "", ""};
        ++s_.replays;
        std::atomic<bool> never{false};
        std::vector<Exchange> ex = run_sessions(o_.route, {packets}, {1, o_.case_ms, wire != nullptr}, never);
        if (wire) *wire = std::move(ex[0].wire);
        Reaction r = health();
        if (r.key.empty() && !ex[0].violations.empty())
            r = {violation_key(ex[0].violations[0]), "violation", ex[0].violations[0], {}};
        return r;
    }

    /// The batch left the broker dead or hung (`seen`): brings it back, replays the batch's
    /// sessions one at a time, newest connection first (64 and 60 s at most), until one draws the same
    /// kind of reaction, and makes that a finding; without one, the newest session stands for it.
    void unhealthy(const Reaction& seen, const std::vector<Session>& sessions, const std::vector<std::size_t>& opened) {
        if (!ensure_broker()) {
            if (s_.stopped.empty()) s_.stopped = "the broker stopped answering and is not the probe's to restart";
            if (!opened.empty()) found(seen, sessions[opened.front()], false);
            return;
        }
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        for (std::size_t k = 0; k < opened.size() && k < 64 && Clock::now() < deadline && !stop_; ++k) {
            const Reaction r = react(sessions[opened[k]].packets);
            if (r.kind == seen.kind) return found(r, sessions[opened[k]]);
            if (!s_.stopped.empty()) return;
        }
        if (!opened.empty()) found(seen, sessions[opened.front()], false);
        ensure_broker();
    }

    /// Counts `r` if its key is known; else minimises `s` against the broker (when `reproduced`),
    /// records the smallest session's exchange and saves the new finding. A known finding that no
    /// single session reproduced is made again, in its place and files, from the first occurrence
    /// that one session does reproduce (its count and first case kept, `saved_case` this one).
    /// Once the run is interrupted or the broker gone for good, nothing is run again: the
    /// session is saved as it was.
    void found(const Reaction& r, const Session& s, bool reproduced = true) {
        auto known = std::find_if(s_.findings.begin(), s_.findings.end(), [&](const Finding& f) { return f.key == r.key; });
        const bool replaces = known != s_.findings.end();
        if (replaces && (known->reproduced || !reproduced)) return void(++known->count);
        Finding f;
        f.key = r.key, f.kind = r.kind, f.detail = r.detail, f.broker_stderr = r.broker_stderr;
        f.first_case = replaces ? known->first_case : s.index;
        f.saved_case = s.index;
        f.count = replaces ? known->count + 1 : 1;
        const std::size_t number = replaces ? static_cast<std::size_t>(known - s_.findings.begin()) + 1 : s_.findings.size() + 1;
        f.mutations = s.mutations;
        f.packets_before = s.packets.size();
        f.reproduced = reproduced;
        const bool live = !stop_ && s_.stopped.empty();
        Packets small = s.packets;
        if (reproduced && live) {
            const auto deadline = Clock::now() + std::chrono::seconds(30);
            auto still = [&](const Packets& p) { return Clock::now() < deadline && !stop_ && react(p).key == r.key; };
            Minimised m = minimise(s.packets, still, o_.minimise_tries);
            small = std::move(m.packets);
            f.tries = m.tries;
        }
        f.packets_after = small.size();
        if (live) {
            const Reaction last = react(small, &f.wire);  // the exchange for the pcap, from the smallest session
            if (f.broker_stderr.empty()) f.broker_stderr = last.broker_stderr;
        }
        if (std::none_of(f.wire.begin(), f.wire.end(), [](const WireEvent& e) { return e.kind == WireEvent::Kind::sent; })) {
            f.wire = {{WireEvent::Kind::opened, 0, 0, {}}};  // the broker was gone: the packets alone
            for (const auto& p : small) f.wire.push_back({WireEvent::Kind::sent, 0, 0, p});
        }
        f.file = (std::filesystem::path(o_.save_dir) / fmt::format("{:03}-{}", number, f.kind)).string();
        save(f);
        if (replaces)
            s_.findings[number - 1] = std::move(f);
        else
            s_.findings.push_back(std::move(f));
        if (live) ensure_broker();
    }

    /// Writes f.file + .craft (the header comments, then the packets) and .pcap; says on stderr
    /// when a file could not be written (the run goes on).
    void save(const Finding& f) {
        std::string h = fmt::format("# mqtt-probe fuzz finding: {}\n", one_line(f.key));
        h += fmt::format("# kind: {}; seen {} time(s); first: case {}{} of seed {}\n", f.kind, f.count, f.first_case,
                         f.saved_case != f.first_case ? fmt::format(" (saved: case {})", f.saved_case) : std::string(),
                         o_.seed);
        h += fmt::format("# detail: {}\n", one_line(f.detail));
        for (const std::string& m : f.mutations) h += fmt::format("# mutation: {}\n", one_line(m));
        h += f.reproduced ? fmt::format("# minimised: {} packets to {} in {} runs\n", f.packets_before, f.packets_after, f.tries)
                          : std::string("# not reproduced by one session alone: the batch's last session, as it was\n");
        const std::string target = one_line(o_.target + o_.target_flags);
        h += fmt::format("# broker: {}\n# replay: mqtt-craft script {}.craft --send {}\n", one_line(o_.target),
                         std::filesystem::path(f.file).filename().string(), target);
        h += fmt::format("# the case again: mqtt-probe fuzz {} --seed {} --first-case {} --max-cases 1\n", target,
                         o_.seed, f.saved_case);
        std::size_t lines = 0;
        for (std::size_t at = 0; at < f.broker_stderr.size() && lines < 40; ++lines) {
            std::size_t end = f.broker_stderr.find('\n', at);
            if (end == std::string::npos) end = f.broker_stderr.size();
            h += "# stderr: " + one_line(f.broker_stderr.substr(at, end - at)) + "\n";
            at = end + 1;
        }
        if (std::string e = save_exchange(f.file, h, f.wire); !e.empty()) fmt::print(stderr, "mqtt-probe: {}\n", e);
    }

    void progress(bool last) {
        if (!o_.progress) return;
        const double t = std::max(elapsed(), 1e-6);
        if (!last && t < shown_ + 0.25) return;
        shown_ = t;
        fmt::print(stderr, "\r{} cases  {:.0f}/s  {} finding(s)  {:.0f} s{}", s_.cases, s_.cases / t,
                   s_.findings.size(), t, last ? "\n" : "   ");
        std::fflush(stderr);
    }

    const FuzzOptions& o_;
    const std::atomic<bool>& stop_;
    std::unique_ptr<BrokerProcess> broker_;
    FuzzSummary s_;
    Clock::time_point start_ = Clock::now();
    double shown_ = 0;  ///< elapsed() at the last progress line
};

}  // namespace

FuzzSummary run_fuzz(const FuzzOptions& options, const std::atomic<bool>& stop) {
    return Campaign(options, stop).run();
}

void print_fuzz_summary(std::FILE* out, const FuzzSummary& s, const FuzzOptions& o, bool json) {
    const double rate = s.seconds > 0 ? s.cases / s.seconds : 0;
    if (!json) {
        fmt::print(out, "mqtt-probe fuzz {}: seed {}, {} cases in {:.1f} s ({:.0f}/s), {} replays, {} finding(s)\n",
                   o.target, s.seed, s.cases, s.seconds, rate, s.replays, s.findings.size());
        fmt::print(out, "connections: {} closed by the broker, {} reset, {} at the bound, {} refused; broker restarts: {}\n",
                   s.ends[0], s.ends[1], s.ends[2], s.ends[3], s.restarts);
        for (const Finding& f : s.findings)
            fmt::print(out, "  {} x{}: {} ({} packets, was {}) -> {}.craft\n", f.kind, f.count, f.key, f.packets_after,
                       f.packets_before, f.file);
        if (s.interrupted) fmt::print(out, "interrupted: the findings so far are saved\n");
        if (!s.stopped.empty()) fmt::print(out, "stopped early: {}\n", s.stopped);
        return;
    }
    auto q = [](std::string_view v) {
        std::string r = "\"";
        for (unsigned char c : v) {
            if (c == '"' || c == '\\') r += '\\', r += static_cast<char>(c);
            else if (c < 0x20) r += fmt::format("\\u{:04x}", c);
            else r += static_cast<char>(c);
        }
        return r + "\"";
    };
    fmt::print(out, "{{\"target\":{},\"seed\":{},\"cases\":{},\"replays\":{},\"seconds\":{:.3f},\"rate\":{:.1f},", q(o.target),
               s.seed, s.cases, s.replays, s.seconds, rate);
    fmt::print(out, "\"ends\":{{\"closed\":{},\"reset\":{},\"bound\":{},\"refused\":{}}},\"broker_restarts\":{},",
               s.ends[0], s.ends[1], s.ends[2], s.ends[3], s.restarts);
    fmt::print(out, "\"interrupted\":{},\"stopped\":{},\"findings\":[", s.interrupted, q(s.stopped));
    for (std::size_t i = 0; i < s.findings.size(); ++i) {
        const Finding& f = s.findings[i];
        fmt::print(out, "{}{{\"kind\":{},\"key\":{},\"count\":{},\"first_case\":{},\"saved_case\":{},\"packets\":{},"
                        "\"packets_before\":{},\"minimise_runs\":{},\"reproduced\":{},\"file\":{},\"detail\":{}}}",
                   i ? "," : "", q(f.kind), q(f.key), f.count, f.first_case, f.saved_case, f.packets_after,
                   f.packets_before, f.tries, f.reproduced, q(f.file), q(f.detail));
    }
    fmt::print(out, "]}}\n");
}

}  // namespace mqttlens::probe
