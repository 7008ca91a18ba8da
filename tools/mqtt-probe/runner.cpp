// One case at a time per thread: connect, preamble, steps; the broker's bytes go through the
// Framer and engine::Conversation, so its own violations are reported with rule IDs.
#include "runner.hpp"

#include "engine/conversation.hpp"
#include "mqtt/framer.hpp"
#include "tcp_link.hpp"

#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <thread>

namespace mqttlens::probe {

namespace {

using craft::Clock;
using mqtt::PacketType;

/// One packet the broker sent, as far as a reaction looks at it.
struct Seen {
    PacketType type = PacketType::reserved0;
    std::uint8_t flags = 0;
    int code = -1;       ///< CONNACK return code
    int packet_id = -1;  ///< acknowledgements, SUBACK, PUBLISH QoS > 0
    int count = -1;      ///< SUBACK return codes
};

std::string words(const Seen& s) {
    std::string w(mqtt::type_name(s.type));
    if (s.type == PacketType::connack && s.code >= 0) w += fmt::format(" 0x{:02X}", s.code);
    else if (s.packet_id >= 0) w += fmt::format(" id {}", s.packet_id);
    return w;
}

/// What waiting on a connection came to: a packet, the end, or the deadline.
struct Event {
    enum class Kind { packet, closed, timeout } kind;
    Seen packet;
    std::string how;  ///< closed: "closed", "reset", or the framing error
};

/// Keeps a case's wire events in its Result when RunOptions::record asks; received bytes beyond
/// max_recorded_bytes are dropped and the Result says so.
class Recorder {
public:
    Recorder(Result& result, bool on) : result_(result), on_(on) {}

    void note(WireEvent::Kind kind, std::uint8_t connection, mqtt::Bytes bytes = {}) {
        if (!on_) return;
        if (kind == WireEvent::Kind::received) {
            if (bytes.size() > max_recorded_bytes - received_) {
                result_.wire_truncated = true;
                bytes = bytes.first(max_recorded_bytes - received_);
            }
            received_ += bytes.size();
            if (bytes.empty()) return;
        }
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        result_.wire.push_back({kind, connection, std::chrono::duration_cast<std::chrono::nanoseconds>(now).count(),
                                std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    }

private:
    Result& result_;
    bool on_;
    std::size_t received_ = 0;
};

class Connection {
public:
    Connection(std::vector<std::string>& findings, Recorder& recorder, std::uint8_t index)
        : findings_(findings), recorder_(recorder), index_(index), start_(Clock::now()) {}
    ~Connection() {
        if (link_ && !ended_) recorder_.note(WireEvent::Kind::probe_closed, index_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Empty on success, else why the TCP connection did not open.
    std::string open(const RunOptions& o) {
        auto c = craft::tcp_connect(o.host, o.port, Clock::now() + std::chrono::milliseconds(o.connect_ms));
        if (!c.link) return c.error.empty() ? std::string("connection failed") : c.error;
        link_ = std::move(c.link);
        recorder_.note(WireEvent::Kind::opened, index_);
        return {};
    }
    bool is_open() const { return !ended_; }

    /// Sends `bytes` whole; false when the connection ended.
    bool send(const std::vector<std::uint8_t>& bytes) {
        conversation_.observe(mqtt::Direction::c2s, mqtt::Bytes(bytes), elapsed_us(), ++observed_);
        recorder_.note(WireEvent::Kind::sent, index_, mqtt::Bytes(bytes));
        const craft::Io r = link_->send(mqtt::Bytes(bytes));
        if (r.status != craft::IoStatus::ok) end("reset");
        return !ended_;
    }

    /// The broker's next packet, the connection's end, or `deadline`.
    Event next(Clock::time_point deadline) {
        for (;;) {
            if (!queue_.empty()) {
                Event e{Event::Kind::packet, queue_.front(), {}};
                queue_.erase(queue_.begin());
                return e;
            }
            if (ended_) return {Event::Kind::closed, {}, how_};
            std::vector<std::uint8_t> buf;
            const craft::Io r = link_->receive(buf, deadline);
            if (!buf.empty()) {
                recorder_.note(WireEvent::Kind::received, index_, mqtt::Bytes(buf));
                take(buf);
            }
            if (r.status == craft::IoStatus::timeout && queue_.empty()) return {Event::Kind::timeout, {}, {}};
            if (r.status != craft::IoStatus::ok && r.status != craft::IoStatus::timeout)
                end(r.status == craft::IoStatus::reset ? "reset" : "closed");
        }
    }

private:
    void end(std::string how) {
        ended_ = true;
        how_ = std::move(how);
        recorder_.note(how_ == "reset" ? WireEvent::Kind::broker_reset : WireEvent::Kind::broker_closed, index_);
    }

    std::int64_t elapsed_us() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    }

    void take(const std::vector<std::uint8_t>& buf) {
        if (framing_broken_) return;
        framer_.feed(mqtt::Bytes(buf));
        for (;;) {
            mqtt::Frame f = framer_.next();
            if (f.status == mqtt::Frame::Status::need_more) return;
            if (f.status == mqtt::Frame::Status::error) {
                framing_broken_ = true;
                const mqtt::RuleId rule = mqtt::rule_id(f.error, mqtt::Version::v3_1_1);
                findings_.push_back(fmt::format("{} {}: the broker's stream at byte {}: {}", rule.id,
                                                mqtt::code_info(f.error).name, f.offset,
                                                mqtt::code_info(f.error).message));
                return;
            }
            queue_.push_back(observe(f.packet));
        }
    }

    /// Decodes and checks one broker packet; its findings (but a refusing CONNACK to a CONNECT the
    /// checker calls malformed: the case's reaction judges that) go to `findings_`.
    Seen observe(mqtt::Bytes bytes) {
        const engine::Observed o = conversation_.observe(mqtt::Direction::s2c, bytes, elapsed_us(), ++observed_);
        Seen s{o.packet.type(), o.packet.header.flags()};
        if (const auto* c = o.packet.get<mqtt::Connack>()) s.code = c->return_code.value_or(-1);
        if (const auto* a = o.packet.get<mqtt::Ack>()) s.packet_id = a->packet_id.value_or(-1);
        if (const auto* p = o.packet.get<mqtt::Publish>()) s.packet_id = p->packet_id.value_or(-1);
        if (const auto* k = o.packet.get<mqtt::Suback>())
            s.packet_id = k->packet_id.value_or(-1), s.count = static_cast<int>(k->return_codes.size());
        auto note = [&](const mqtt::Diagnostic& d) {
            if (d.severity != mqtt::Severity::error) return;
            if (d.code == mqtt::Code::connack_after_bad_connect && s.code > 0) return;
            const mqtt::RuleId rule = d.rule(o.version);
            findings_.push_back(fmt::format("{} {}: the broker's {} at byte {}: {}", rule.id,
                                            mqtt::code_info(d.code).name, words(s), d.offset, d.message()));
        };
        for (const auto& d : o.packet.diagnostics) note(d);
        for (const auto& d : o.stream) note(d);
        return s;
    }

    std::vector<std::string>& findings_;
    Recorder& recorder_;
    std::uint8_t index_;
    std::unique_ptr<craft::TcpLink> link_;
    mqtt::Framer framer_{mqtt::FramerOptions{1u << 20}};  // bounded: a reply above 1 MiB breaks the stream
    engine::Conversation conversation_;
    std::vector<Seen> queue_;
    Clock::time_point start_;
    std::uint64_t observed_ = 0;
    bool ended_ = false, framing_broken_ = false;
    std::string how_;
};

struct Outcome {
    Verdict verdict;
    std::string detail;
};

bool matches(const Seen& s, const Reaction& r) {
    if (s.type != r.type) return false;
    if (r.packet_id >= 0 && s.packet_id != r.packet_id) return false;
    if (r.count >= 0 && s.count != r.count) return false;
    if (r.code >= 0 && s.code != r.code) return false;
    return !r.retain || (s.flags & 0x01);
}

/// "PUBACK id 1, SUBACK id 2": the packets in words.
std::string list(const std::vector<Seen>& seen) {
    std::string out;
    for (const Seen& s : seen) out += (out.empty() ? "" : ", ") + words(s);
    return out;
}

/// Packets a step may draw before it fails as a flood: a bound on time and memory per case.
constexpr std::size_t max_unexpected = 32;

/// Waits for the reaction `r` requires on `conn` until `ms` pass.
Outcome await(Connection& conn, const Reaction& r, unsigned ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    std::vector<Seen> seen;
    for (;;) {
        const Event e = conn.next(deadline);
        if (e.kind == Event::Kind::packet) {
            if (r.expect == Expect::reply && matches(e.packet, r)) return {Verdict::pass, {}};
            seen.push_back(e.packet);
            if (seen.size() == max_unexpected)
                return {Verdict::fail, fmt::format("sent {} packets that are not {}: {}", seen.size(), describe(r),
                                                   list(seen))};
            continue;
        }
        const std::string got = seen.empty() ? std::string("nothing") : list(seen);
        const bool closed = e.kind == Event::Kind::closed;
        switch (r.expect) {
        case Expect::close_without_reply:
        case Expect::close:
            if (closed && seen.empty()) return {Verdict::pass, {}};
            if (closed) return {Verdict::fail, fmt::format("sent {}, then {} the connection", got, e.how)};
            break;
        case Expect::connack_then_close:
            if (closed && seen.size() == 1 && matches(seen[0], r)) return {Verdict::pass, {}};
            if (closed) return {Verdict::fail, fmt::format("sent {}, then {} the connection", got, e.how)};
            break;
        case Expect::reply:
            if (closed) return {Verdict::fail, fmt::format("sent {}, then {} the connection", got, e.how)};
            return {Verdict::fail, fmt::format("sent {}; no {} within {} ms", got, describe(r), ms)};
        }
        const std::string open = fmt::format("sent {}; the connection still open after {} ms", got, ms);
        if (r.timeout_inconclusive && seen.empty()) return {Verdict::inconclusive, open};
        return {Verdict::fail, open};
    }
}

Identity identity(const Case& c, const RunOptions& o, std::uint8_t connection) {
    Identity w;
    w.client_id = fmt::format("{}{}{}", o.client_id_prefix, c.id, connection ? fmt::format("-{}", connection) : "");
    w.username = o.username;
    w.password = o.password;
    w.topic = fmt::format("mqttlens-probe/{}{}", o.client_id_prefix, c.id);
    return w;
}

/// Opens connection `conn` of case `c` and runs its preamble; pass, or why the case cannot run.
Outcome open(Connection& conn, const Case& c, const RunOptions& o, std::uint8_t index) {
    if (std::string error = conn.open(o); !error.empty())
        return {Verdict::inconclusive, fmt::format("could not connect: {}", error)};
    if (c.preamble == Preamble::none) return {Verdict::pass, {}};
    const bool will = c.preamble == Preamble::will && index == 0;
    if (!conn.send(preamble_connect(identity(c, o, index), will))) return {Verdict::not_applicable, "preamble: reset"};
    Reaction want{Expect::reply, PacketType::connack, 0};
    const Outcome r = await(conn, want, o.step_ms);
    if (r.verdict == Verdict::pass) return r;
    return {Verdict::not_applicable, "preamble CONNECT not accepted: " + r.detail};
}

Outcome run_steps(const Case& c, const RunOptions& o, std::vector<std::string>& findings, Recorder& recorder) {
    std::vector<std::unique_ptr<Connection>> conns;
    for (const Step& step : c.steps) {
        while (conns.size() <= step.connection) {
            conns.push_back(
                std::make_unique<Connection>(findings, recorder, static_cast<std::uint8_t>(conns.size())));
            const Outcome r = open(*conns.back(), c, o, static_cast<std::uint8_t>(conns.size() - 1));
            if (r.verdict != Verdict::pass) return r;
        }
        Connection& conn = *conns[step.connection];
        if (step.build && !conn.send(step.build(identity(c, o, step.connection))))
            return {Verdict::fail, fmt::format("the connection ended before {} was sent", describe(step.reaction))};
        const Outcome r = await(conn, step.reaction, o.step_ms);
        if (r.verdict != Verdict::pass) return r;
    }
    for (auto& conn : conns)
        if (conn->is_open()) conn->send({0xE0, 0x00});  // DISCONNECT: no Will, a clean end
    return {Verdict::pass, {}};
}

}  // namespace

std::string_view verdict_name(Verdict v) noexcept {
    switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::not_applicable: return "n/a";
    case Verdict::inconclusive: return "inconclusive";
    }
    return "?";
}

Result run_case(const Case& c, const RunOptions& o) {
    const auto start = Clock::now();
    Result result;
    result.test = &c;
    Recorder recorder(result, o.record);
    const Outcome r = run_steps(c, o, result.findings, recorder);
    result.verdict = r.verdict;
    result.detail = r.detail;
    if (result.verdict != Verdict::not_applicable && !result.findings.empty()) {
        if (result.verdict == Verdict::pass) result.detail = "the broker broke a rule itself";
        result.verdict = Verdict::fail;
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

std::vector<Result> run_cases(const std::vector<const Case*>& cases, const RunOptions& o, unsigned jobs) {
    std::vector<Result> results(cases.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < cases.size();) results[i] = run_case(*cases[i], o);
    };
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < std::max(1u, jobs); ++j) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    return results;
}

std::optional<std::string> unreachable(const RunOptions& o) {
    auto c = craft::tcp_connect(o.host, o.port, Clock::now() + std::chrono::milliseconds(o.connect_ms));
    if (c.link) return std::nullopt;
    if (c.failure == craft::ConnectFailure::timeout) return fmt::format("timed out after {} ms", o.connect_ms);
    return c.error;
}

}  // namespace mqttlens::probe
