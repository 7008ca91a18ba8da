// One case at a time per thread: connect (craft::open_link: TCP, TLS, WebSocket), preamble, steps;
// the broker's bytes go through the Framer and engine::Conversation, so its own violations are
// reported with rule IDs (findings.hpp).
#include "runner.hpp"

#include "engine/conversation.hpp"
#include "findings.hpp"
#include "mqtt/framer.hpp"
#include "mqtt/packet_v5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

namespace mqttlens::probe {

namespace {

using craft::Clock;
using mqtt::PacketType;

/// Payload bytes of a broker's PUBLISH kept for matching and words (a flood of big PUBLISH packets
/// costs no more than this each).
constexpr std::size_t max_payload_kept = 256;

/// One packet the broker sent, as far as a reaction looks at it.
struct Seen {
    PacketType type = PacketType::reserved0;
    std::uint8_t flags = 0;
    int code = -1;       ///< CONNACK return code (5.0: Reason Code); 5.0 acknowledgements, DISCONNECT, AUTH
    int packet_id = -1;  ///< acknowledgements, SUBACK, PUBLISH QoS > 0
    int count = -1;      ///< SUBACK return codes
    std::vector<std::uint8_t> codes = {};  ///< SUBACK codes
    std::string topic = {};           ///< PUBLISH (an alias resolved)
    std::string payload = {};         ///< PUBLISH: the first max_payload_kept bytes of its payload
    std::size_t payload_size = 0;     ///< PUBLISH: the whole payload's size
    int session_present = -1;         ///< CONNACK: its Session Present flag
};

/// "PUBLISH", with the fields a reader needs to tell it apart: "CONNACK 0x00", "PUBACK id 1",
/// "DISCONNECT 0x82", "PUBLISH QoS 1 to x/y \"q1\"".
std::string words(const Seen& s, mqtt::Version version) {
    std::string w(mqtt::type_name(s.type, version));
    if (s.type == PacketType::connack && s.code >= 0)
        return w + fmt::format(" 0x{:02X}{}", s.code, s.session_present == 1 ? " Session Present 1" : "");
    if ((s.type == PacketType::disconnect || s.type == PacketType::auth) && s.code >= 0)
        return w + fmt::format(" 0x{:02X}", s.code);
    if (s.type == PacketType::publish) {
        w += fmt::format(" QoS {}{} to {} \"{}\"", (s.flags >> 1) & 3, (s.flags & 1) ? " RETAIN" : "", s.topic,
                         s.payload.substr(0, 32));
        return w;
    }
    if (s.packet_id >= 0) w += fmt::format(" id {}", s.packet_id);
    if (s.code >= 0) w += fmt::format(" 0x{:02X}", s.code);
    for (std::size_t i = 0; i < s.codes.size() && i < 8; ++i) w += fmt::format("{}{:02X}", i ? " " : " codes ", s.codes[i]);
    return w;
}

/// What waiting on a connection came to: a packet, the end, the deadline, or the run stopping.
struct Event {
    enum class Kind { packet, closed, timeout, interrupted } kind;
    Seen packet;
    std::string how;  ///< closed: "closed", "reset", or "reset (why TLS or WebSocket broke)"
};

/// When a case gives up because the run is stopping: RunOptions::stop is set and stop_grace_ms have
/// passed since the case first saw it. Waits look at it at least every 100 ms.
class Cutoff {
public:
    explicit Cutoff(const RunOptions& o) : stop_(o.stop), grace_(o.stop_grace_ms) {}

    /// `deadline`, or sooner, so that a wait comes back to look at the stop flag.
    Clock::time_point slice(Clock::time_point deadline) const {
        return stop_ ? std::min(deadline, Clock::now() + std::chrono::milliseconds(100)) : deadline;
    }
    /// Whether the case must end now.
    bool reached() {
        if (!stop_ || !stop_->load()) return false;
        if (!seen_) seen_ = Clock::now();
        return Clock::now() >= *seen_ + grace_;
    }

private:
    const std::atomic<bool>* stop_;
    std::chrono::milliseconds grace_;
    std::optional<Clock::time_point> seen_;
};

/// A case's finding lines, at most max_findings; the rest only counted.
struct Findings {
    std::vector<std::string>& lines;
    std::size_t left_out = 0;

    void add(std::vector<std::string> more) {
        for (std::string& line : more) {
            if (lines.size() < max_findings) lines.push_back(std::move(line));
            else ++left_out;
        }
    }
};

/// Why opening a connection failed, in words.
std::string open_error(const craft::OpenedLink& c, unsigned ms) {
    if (c.failure == craft::OpenFailure::timeout) {
        if (c.stage.empty() || c.stage == "TCP") return fmt::format("timed out after {} ms", ms);
        return fmt::format("{} timed out after {} ms{}", c.stage, ms, c.error.empty() ? "" : " (" + c.error + ")");
    }
    if (c.failure == craft::OpenFailure::websocket) return "WebSocket upgrade failed: " + c.error;
    return c.error.empty() ? c.stage + " failed" : c.error;
}

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
    Connection(Findings& findings, Recorder& recorder, Cutoff& cutoff, std::uint8_t index)
        : findings_(findings), recorder_(recorder), cutoff_(cutoff), index_(index), start_(Clock::now()) {}
    ~Connection() {
        if (link_ && !ended_) recorder_.note(WireEvent::Kind::probe_closed, index_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Empty on success, else why the connection (TCP, TLS, WebSocket) did not open.
    std::string open(const RunOptions& o) {
        auto c = craft::open_link(o.target, o.link, Clock::now() + std::chrono::milliseconds(o.connect_ms));
        if (!c.link) return open_error(c, o.connect_ms);
        link_ = std::move(c.link);
        recorder_.note(WireEvent::Kind::opened, index_);
        return {};
    }
    bool is_open() const { return !ended_; }
    /// The version the connection's CONNECT named (3.1.1 before one was sent).
    mqtt::Version version() const { return conversation_.decoding_version(); }
    /// Packet Identifier of the last PUBLISH the broker sent (0: none yet).
    std::uint16_t received_id() const { return received_id_; }
    /// 5.0: the Topic Alias Maximum of the broker's CONNACK (0 absent or before it).
    std::uint16_t topic_alias_maximum() const { return topic_alias_maximum_; }
    /// 5.0: the Receive Maximum of the broker's CONNACK (65,535 absent or before it).
    std::uint16_t receive_maximum() const { return receive_maximum_; }

    /// Sends `bytes` whole (one packet, or several back to back); false when the connection ended.
    bool send(const std::vector<std::uint8_t>& bytes) {
        observe_sent(mqtt::Bytes(bytes));
        recorder_.note(WireEvent::Kind::sent, index_, mqtt::Bytes(bytes));
        const craft::Io r = link_->send(mqtt::Bytes(bytes));
        if (r.status != craft::IoStatus::ok) end("reset");
        return !ended_;
    }

    /// The probe closes the connection itself: no DISCONNECT, nothing more read.
    void hang_up() {
        if (ended_) return;
        recorder_.note(WireEvent::Kind::probe_closed, index_);
        link_.reset();
        ended_ = true;
        how_ = "closed by the probe";
    }

    /// The broker's next packet, the connection's end, `deadline`, or the run's stop (Cutoff).
    Event next(Clock::time_point deadline) {
        for (;;) {
            if (!queue_.empty()) {
                Event e{Event::Kind::packet, std::move(queue_.front()), {}};
                queue_.erase(queue_.begin());
                return e;
            }
            if (ended_) return {Event::Kind::closed, {}, how_};
            if (cutoff_.reached()) return {Event::Kind::interrupted, {}, {}};
            // Checked before reading, not only on a timeout: a flood never lets a read time out.
            if (Clock::now() >= deadline) return {Event::Kind::timeout, {}, {}};
            std::vector<std::uint8_t> buf;
            const craft::Io r = link_->receive(buf, cutoff_.slice(deadline));
            if (!buf.empty()) {
                recorder_.note(WireEvent::Kind::received, index_, mqtt::Bytes(buf));
                take(buf);
            }
            if (r.status == craft::IoStatus::closed || r.status == craft::IoStatus::reset)
                end(r.status == craft::IoStatus::reset ? "reset" : "closed");
            else if (r.status == craft::IoStatus::tls_error || r.status == craft::IoStatus::ws_error)
                end(fmt::format("reset ({})", r.detail));
        }
    }

    /// Waits until `deadline` without reading; false when the run's stop cut it short.
    bool pause(Clock::time_point deadline) {
        while (Clock::now() < deadline) {
            if (cutoff_.reached()) return false;
            std::this_thread::sleep_until(cutoff_.slice(deadline));
        }
        return true;
    }

private:
    void end(std::string how) {
        ended_ = true;
        how_ = std::move(how);
        recorder_.note(how_.starts_with("reset") ? WireEvent::Kind::broker_reset : WireEvent::Kind::broker_closed,
                       index_);
    }

    /// Feeds the conversation what the probe sends, packet by packet; bytes the framer cannot cut
    /// (a malformed length on purpose) go in as they are, one run.
    void observe_sent(mqtt::Bytes bytes) {
        if (bytes.empty()) return;
        mqtt::Framer cut;
        cut.feed(bytes);
        cut.finish();
        std::size_t taken = 0;
        for (mqtt::Frame f = cut.next(); f.status == mqtt::Frame::Status::packet; f = cut.next()) {
            if (taken + f.packet.size() == bytes.size()) break;  // the last one: observed below
            conversation_.observe(mqtt::Direction::c2s, f.packet, elapsed_us(), ++observed_);
            taken += f.packet.size();
        }
        conversation_.observe(mqtt::Direction::c2s, bytes.subspan(taken), elapsed_us(), ++observed_);
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
                findings_.add({stream_finding(f.error, f.offset, version())});
                return;
            }
            queue_.push_back(observe(f.packet));
        }
    }

    /// What a reaction looks at in one decoded broker packet.
    Seen seen(const engine::Observed& o) {
        Seen s{o.packet.type(), o.packet.header.flags()};
        if (const auto code = mqtt::reason_code_of(o.packet)) s.code = *code;
        if (const auto* c = o.packet.get<mqtt::Connack>()) {
            s.code = c->return_code.value_or(-1);
            s.session_present = c->session_present() ? 1 : 0;
            const auto* props = mqtt::properties_of(o.packet);
            const auto alias = props ? props->find(mqtt::PropertyId::topic_alias_maximum) : std::nullopt;
            topic_alias_maximum_ = alias ? static_cast<std::uint16_t>(alias->number) : 0;
            const auto receive = props ? props->find(mqtt::PropertyId::receive_maximum) : std::nullopt;
            receive_maximum_ = receive && receive->number ? static_cast<std::uint16_t>(receive->number) : 65535;
        }
        if (const auto* a = o.packet.get<mqtt::Ack>()) s.packet_id = a->packet_id.value_or(-1);
        if (const auto* p = o.packet.get<mqtt::Publish>()) {
            s.packet_id = p->packet_id.value_or(-1);
            if (s.packet_id > 0) received_id_ = static_cast<std::uint16_t>(s.packet_id);
            s.topic = p->topic.empty() ? std::string(o.alias_topic) : std::string(p->topic);
            const std::string_view payload = mqtt::as_string(p->payload);
            s.payload = std::string(payload.substr(0, max_payload_kept));
            s.payload_size = payload.size();
        }
        if (const auto* k = o.packet.get<mqtt::Suback>()) {
            s.packet_id = k->packet_id.value_or(-1), s.count = static_cast<int>(k->return_codes.size());
            s.codes.assign(k->return_codes.begin(), k->return_codes.end());
        }
        return s;
    }

    /// Decodes and checks one broker packet; its findings (but a refusing CONNACK to a CONNECT the
    /// checker calls malformed: the case's reaction judges that) go to `findings_`.
    Seen observe(mqtt::Bytes bytes) {
        const engine::Observed o = conversation_.observe(mqtt::Direction::s2c, bytes, elapsed_us(), ++observed_);
        Seen s = seen(o);
        if (o.error()) {
            std::vector<std::string> lines;
            packet_findings(o, words(s, o.version), lines);
            findings_.add(std::move(lines));
        }
        return s;
    }

    Findings& findings_;
    Recorder& recorder_;
    Cutoff& cutoff_;
    std::uint8_t index_;
    std::unique_ptr<craft::Link> link_;
    mqtt::Framer framer_{mqtt::FramerOptions{1u << 20}};  // bounded: a reply above 1 MiB breaks the stream
    engine::Conversation conversation_;
    std::vector<Seen> queue_;
    Clock::time_point start_;
    std::uint64_t observed_ = 0;
    std::uint16_t received_id_ = 0, topic_alias_maximum_ = 0, receive_maximum_ = 65535;
    bool ended_ = false, framing_broken_ = false;
    std::string how_;
};

struct Outcome {
    Verdict verdict;
    std::string detail;
};

bool one_of(int code, const std::vector<std::uint8_t>& codes) {
    return codes.empty() || (code >= 0 && std::find(codes.begin(), codes.end(), code) != codes.end());
}

bool matches(const Seen& s, const Reaction& r) {
    if (s.type != r.type) return false;
    if (r.packet_id >= 0 && s.packet_id != r.packet_id) return false;
    if (r.count >= 0 && s.count != r.count) return false;
    if (r.code >= 0 && s.code != r.code) return false;
    if (r.qos >= 0 && ((s.flags >> 1) & 3) != r.qos) return false;
    if (!r.payload.empty() && (s.payload_size != r.payload.size() || s.payload != r.payload)) return false;
    if (!r.topic_end.empty() && !s.topic.ends_with(r.topic_end)) return false;
    if (r.session_present >= 0 && s.session_present != r.session_present) return false;
    if (!r.codes.empty() && s.type == PacketType::suback) {
        for (std::uint8_t c : s.codes)
            if (!one_of(c, r.codes)) return false;
    } else if (!r.codes.empty() && !one_of(s.code < 0 ? 0 : s.code, r.codes)) {
        return false;  // an acknowledgement's short form carries 0x00
    }
    return !r.retain || (s.flags & 0x01);
}

/// "PUBACK id 1, SUBACK id 2": the packets in words.
std::string list(const std::vector<Seen>& seen, mqtt::Version version) {
    std::string out;
    for (const Seen& s : seen) out += (out.empty() ? "" : ", ") + words(s, version);
    return out;
}

/// Packets a step may draw before it fails as a flood: a bound on time and memory per case.
constexpr std::size_t max_unexpected = 32;

/// The verdict on what came before the connection closed, for the reactions that end in a close.
Outcome judge_close(const Reaction& r, const std::vector<Seen>& seen, const std::string& got, const std::string& how) {
    const bool bare = seen.empty();
    switch (r.expect) {
    case Expect::close_without_reply:
    case Expect::close:
        if (bare) return {Verdict::pass, {}};
        break;
    case Expect::connack_then_close:
        if (seen.size() == 1 && matches(seen[0], r)) return {Verdict::pass, {}};
        break;
    case Expect::refuse:
    case Expect::disconnect: {
        const PacketType type = r.expect == Expect::refuse ? PacketType::connack : PacketType::disconnect;
        if (bare || (seen.size() == 1 && seen[0].type == type && one_of(seen[0].code, r.codes)))
            return {Verdict::pass, {}};
        break;
    }
    case Expect::reply:
        if (!r.or_disconnect.empty() && seen.size() == 1 && seen[0].type == PacketType::disconnect &&
            one_of(seen[0].code, r.or_disconnect))
            return {Verdict::pass, {}};
        break;
    default: break;
    }
    return {Verdict::fail, fmt::format("sent {}, then {} the connection", got, how)};
}

constexpr std::string_view interrupted_detail = "interrupted: cut short when the run was stopped";

/// Waits for the reaction `r` requires on `conn` until its bound (`r.within_ms`, else `ms`) passes.
Outcome await(Connection& conn, const Reaction& r, unsigned ms) {
    if (r.within_ms) ms = r.within_ms;
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    if (r.expect == Expect::pause) {
        if (!conn.pause(deadline)) return {Verdict::not_run, std::string(interrupted_detail)};
        return {Verdict::pass, {}};
    }
    std::vector<Seen> seen;
    for (;;) {
        Event e = conn.next(deadline);
        if (e.kind == Event::Kind::packet) {
            if ((r.expect == Expect::reply || r.expect == Expect::accepted) && matches(e.packet, r))
                return {Verdict::pass, {}};
            if (r.ignore != PacketType::reserved0 && e.packet.type == r.ignore && e.packet.code < 0x80) continue;
            if (r.expect == Expect::accepted && e.packet.type == PacketType::connack && e.packet.code == 0)
                return {Verdict::fail, fmt::format("sent {}", words(e.packet, conn.version()))};  // Session Present
            if (r.expect == Expect::silence && (r.type == PacketType::reserved0 || e.packet.type == r.type))
                return {Verdict::fail, fmt::format("sent {} within {} ms", words(e.packet, conn.version()), ms)};
            seen.push_back(std::move(e.packet));
            if (seen.size() == max_unexpected)
                return {Verdict::fail, fmt::format("sent {} packets that are not {}: {}", seen.size(), describe(r),
                                                   list(seen, conn.version()))};
            continue;
        }
        if (e.kind == Event::Kind::interrupted) return {Verdict::not_run, std::string(interrupted_detail)};
        const std::string got = seen.empty() ? std::string("nothing") : list(seen, conn.version());
        if (e.kind == Event::Kind::closed) {
            if (r.expect == Expect::accepted)
                return {Verdict::not_applicable, fmt::format("CONNECT not accepted: sent {}, then {} the connection", got, e.how)};
            return judge_close(r, seen, got, e.how);
        }
        if (r.expect == Expect::silence) return {Verdict::pass, {}};
        if (r.expect == Expect::accepted)
            return {Verdict::not_applicable, fmt::format("CONNECT not accepted: sent {} within {} ms", got, ms)};
        if (r.expect == Expect::reply)
            return {Verdict::fail, fmt::format("sent {}; no {} within {} ms", got, describe(r), ms)};
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
    w.session_id = fmt::format("{}{}", o.client_id_prefix, c.id);
    return w;
}

/// Opens connection `conn` of case `c` and runs its preamble; pass, or why the case cannot run.
Outcome open(Connection& conn, const Case& c, const RunOptions& o, std::uint8_t index) {
    if (std::string error = conn.open(o); !error.empty())
        return {Verdict::inconclusive, fmt::format("could not connect: {}", error)};
    if (c.preamble == Preamble::none) return {Verdict::pass, {}};
    const bool will = c.preamble == Preamble::will && index == 0;
    if (!conn.send(preamble_connect(identity(c, o, index), will, c.version == version_5)))
        return {Verdict::not_applicable, "preamble: reset"};
    Reaction want{Expect::reply, PacketType::connack, 0};
    const Outcome r = await(conn, want, o.step_ms);
    if (r.verdict != Verdict::pass) return {Verdict::not_applicable, "preamble CONNECT not accepted: " + r.detail};
    if (index == 0 && c.needs == Needs::topic_alias && conn.topic_alias_maximum() == 0)
        return {Verdict::not_applicable, "the broker's CONNACK allows no Topic Alias (Topic Alias Maximum 0)"};
    if (index == 0 && c.needs == Needs::receive_maximum && conn.receive_maximum() > max_receive_maximum_sent)
        return {Verdict::not_applicable, fmt::format("the broker's Receive Maximum is {}, above the {} the case sends",
                                                     conn.receive_maximum(), max_receive_maximum_sent)};
    return r;
}

Outcome run_steps(const Case& c, const RunOptions& o, Findings& findings, Recorder& recorder) {
    Cutoff cutoff(o);
    std::vector<std::unique_ptr<Connection>> conns;
    for (const Step& step : c.steps) {
        while (conns.size() <= step.connection) {
            if (cutoff.reached()) return {Verdict::not_run, std::string(interrupted_detail)};
            conns.push_back(
                std::make_unique<Connection>(findings, recorder, cutoff, static_cast<std::uint8_t>(conns.size())));
            const Outcome r = open(*conns.back(), c, o, static_cast<std::uint8_t>(conns.size() - 1));
            if (r.verdict != Verdict::pass) return r;
        }
        Connection& conn = *conns[step.connection];
        Identity who = identity(c, o, step.connection);
        who.received_id = conn.received_id();
        who.topic_alias_maximum = conn.topic_alias_maximum();
        who.receive_maximum = conn.receive_maximum();
        if (step.build && !conn.send(step.build(who)))
            return {Verdict::fail, fmt::format("the connection ended before {} was sent", describe(step.reaction))};
        if (step.hang_up) conn.hang_up();
        const Outcome r = await(conn, step.reaction, o.step_ms);
        if (r.verdict != Verdict::pass) return r;
    }
    for (auto& conn : conns)
        if (conn->is_open()) conn->send({0xE0, 0x00});  // DISCONNECT (5.0: Normal disconnection): no Will
    return {Verdict::pass, {}};
}

/// Why the broker does not speak MQTT 5.0 (a level-5 CONNECT answered otherwise than by CONNACK
/// 0x00), or nullopt when it does.
std::optional<std::string> refuses_v5(const RunOptions& o) {
    static const Case check{"v5-check", "", version_5, "", "", Preamble::none, false, {}};
    std::vector<std::string> lines;
    Findings findings{lines};
    Result ignored;
    Recorder recorder(ignored, false);
    Cutoff cutoff(o);
    Connection conn(findings, recorder, cutoff, 0);
    if (std::string error = conn.open(o); !error.empty())
        return fmt::format("no MQTT 5.0: could not connect to try a level-5 CONNECT: {}", error);
    conn.send(preamble_connect(identity(check, o, 0), false, true));
    const Outcome r = await(conn, Reaction{Expect::reply, PacketType::connack, 0}, o.step_ms);
    if (conn.is_open()) conn.send({0xE0, 0x00});
    if (r.verdict == Verdict::pass) return std::nullopt;
    return fmt::format("no MQTT 5.0: the broker did not accept a level-5 CONNECT: it {}", r.detail);
}

}  // namespace

std::string_view verdict_name(Verdict v) noexcept {
    switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::not_applicable: return "n/a";
    case Verdict::inconclusive: return "inconclusive";
    case Verdict::not_run: return "not run";
    }
    return "?";
}

Result run_case(const Case& c, const RunOptions& o) {
    const auto start = Clock::now();
    Result result;
    result.test = &c;
    Recorder recorder(result, o.record);
    Findings findings{result.findings};
    const Outcome r = run_steps(c, o, findings, recorder);
    result.verdict = r.verdict;
    result.detail = r.detail;
    if (findings.left_out)
        result.findings.push_back(fmt::format("... and {} more finding line(s) left out (at most {} per case)",
                                              findings.left_out, max_findings));
    if (result.verdict != Verdict::not_applicable && result.verdict != Verdict::not_run && !result.findings.empty()) {
        if (result.verdict == Verdict::pass) result.detail = "the broker broke a rule itself";
        result.verdict = Verdict::fail;
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

std::vector<Result> run_cases(const std::vector<const Case*>& cases, const RunOptions& o, unsigned jobs) {
    std::vector<Result> results(cases.size());
    const bool any_v5 = std::any_of(cases.begin(), cases.end(), [](const Case* c) { return c->version == version_5; });
    const std::optional<std::string> no_v5 = any_v5 ? refuses_v5(o) : std::nullopt;
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < cases.size();) {
            if (o.stop && o.stop->load()) {
                results[i].test = cases[i];
                results[i].verdict = Verdict::not_run;
                results[i].detail = "interrupted: not started";
                continue;
            }
            if (!no_v5 || cases[i]->version != version_5) {
                results[i] = run_case(*cases[i], o);
                continue;
            }
            results[i].test = cases[i];
            results[i].verdict = Verdict::not_applicable;
            results[i].detail = *no_v5;
        }
    };
    std::vector<std::thread> threads;
    for (unsigned j = 1; j < std::max(1u, jobs); ++j) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    return results;
}

std::optional<Unreachable> unreachable(const RunOptions& o) {
    auto c = craft::open_link(o.target, o.link, Clock::now() + std::chrono::milliseconds(o.connect_ms));
    if (c.link) {
        c.link->shutdown(Clock::now() + std::chrono::milliseconds(std::min(o.connect_ms, 500u)));
        return std::nullopt;
    }
    return Unreachable{c.failure == craft::OpenFailure::settings, open_error(c, o.connect_ms)};
}

}  // namespace mqttlens::probe
