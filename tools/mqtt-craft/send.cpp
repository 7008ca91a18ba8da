// --send: the link (TCP, TLS, WebSocket) up within --connect-timeout, then the packets out and the
// replies in. Replies go through the Framer and the conversation engine to the shared printer.
#include "send.hpp"

#include "engine/conversation.hpp"
#include "mqtt/framer.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"
#include "open_link.hpp"

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>

namespace mqttlens::craft {

namespace {

/// The connection's state as seen from our side.
enum class PeerState { open, closed, reset, failed };

class Session {
public:
    /// `transport`: "TLS", "WebSocket", "TLS+WebSocket", or empty for plain TCP (the printer's mark).
    Session(Link& link, std::string local, std::string remote, std::string_view transport, const GlobalOptions& g,
            const SendPlan& plan)
        : link_(link), plan_(plan), out_(stdout, 64 * 1024), start_(Clock::now()), local_(std::move(local)),
          remote_(std::move(remote)), transport_(transport) {
        options_.format = g.json ? output::Format::json : g.verbose ? output::Format::tree : output::Format::summary;
        options_.color = false;
    }

    PeerState state() const { return state_; }
    std::size_t replies() const { return replies_; }
    /// How the connection ended, beyond closed or reset: a WebSocket close code, a TLS error.
    const std::string& end_detail() const { return end_detail_; }
    /// The exit code of a failed link: exit_tls or exit_upgrade.
    int failure_exit() const { return failure_exit_; }

    /// Sends one packet whole; false when the connection ended.
    bool send(const SendPlan::Entry& e) {
        const mqtt::Bytes bytes(plan_.bytes.data() + e.begin, e.end - e.begin);
        print(bytes, output::Direction::c2s);
        const Io r = link_.send(bytes);
        if (r.status == IoStatus::ok) return true;
        ended(r);
        return false;
    }

    /// Reads and prints replies for `ms` milliseconds, or until the connection ends.
    void receive_for(unsigned ms) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        std::vector<std::uint8_t> buf;
        while (state_ == PeerState::open) {
            buf.clear();
            const Io r = link_.receive(buf, deadline);
            if (!buf.empty()) {
                framer_.feed(mqtt::Bytes(buf.data(), buf.size()));
                drain();
            }
            if (r.status == IoStatus::timeout) return;
            if (r.status != IoStatus::ok) ended(r);
        }
        framer_.finish();
        drain();
    }

    /// The rules only the connection's end shows (requests never answered, a silent client),
    /// one stderr line each; `closed`: the server closed it, else we did.
    void report_end(bool closed) const {
        const auto how = closed ? mqtt::ConnectionEnd::closed : mqtt::ConnectionEnd::capture_ended;
        for (const mqtt::EndFinding& f : conversation_.finish(elapsed_us(), how)) {
            const auto& info = mqtt::code_info(f.diagnostic.code);
            const mqtt::RuleId rule = f.diagnostic.rule(conversation_.version().value_or(mqtt::Version::v3_1_1));
            say(fmt::format("at the end: {} {} ({}) {} about packet {}: {}", mqtt::severity_name(f.diagnostic.severity),
                            rule.id, rule.version, info.name, f.ref, info.message));
        }
    }

private:
    void ended(const Io& r) {
        end_detail_ = r.detail;
        switch (r.status) {
        case IoStatus::reset: state_ = PeerState::reset; break;
        case IoStatus::tls_error: state_ = PeerState::failed, failure_exit_ = exit_tls; break;
        case IoStatus::ws_error: state_ = PeerState::failed, failure_exit_ = exit_upgrade; break;
        default: state_ = PeerState::closed; break;
        }
    }

    void drain() {
        if (framing_broken_) return;
        for (;;) {
            mqtt::Frame f = framer_.next();
            if (f.status == mqtt::Frame::Status::need_more) return;
            if (f.status == mqtt::Frame::Status::error) {
                framing_broken_ = true;
                output::FramingError err{f.error, f.offset, {}};
                output::Context c = context(output::Direction::s2c);
                c.offset = f.offset;
                output::print_framing_error(out_.buffer(), err, c, options_);
                out_.flush();
                return;
            }
            ++replies_;
            print(f.packet, output::Direction::s2c, f.offset);
        }
    }

    output::Context context(output::Direction d) const {
        output::Context c;
        auto since = Clock::now() - start_;
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count();
        c.rel_time = output::Timestamp{ns / 1'000'000'000, static_cast<std::uint32_t>(ns % 1'000'000'000)};
        c.direction = d;
        c.version = conversation_.version().value_or(mqtt::Version::v3_1_1);
        c.src = d == output::Direction::c2s ? local_ : remote_;
        c.dst = d == output::Direction::c2s ? remote_ : local_;
        c.transport = transport_;
        return c;
    }

    std::int64_t elapsed_us() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    }

    /// Prints one packet each way as the conversation engine sees it: decoded by the version the
    /// CONNECT sent named, with the session rules' findings (a CONNACK to a broken CONNECT, ...).
    void print(mqtt::Bytes bytes, output::Direction d, std::optional<std::uint64_t> offset = {}) {
        const engine::Observed seen = conversation_.observe(d, bytes, elapsed_us(), ++observed_);
        output::Context c = context(d);
        if (offset) c.offset = offset;
        c.extra = {seen.stream.begin(), seen.stream.end()};
        c.alias_topic = seen.alias_topic;
        c.version = seen.version;
        output::print_packet(out_.buffer(), seen.packet, c, options_);
        out_.flush();
    }

    Link& link_;
    const SendPlan& plan_;
    output::Writer out_;
    output::PrintOptions options_;
    mqtt::Framer framer_;
    engine::Conversation conversation_;
    std::uint64_t observed_ = 0;  // packets either way: the number an end finding names
    Clock::time_point start_;
    std::string local_, remote_;
    std::string_view transport_;
    PeerState state_ = PeerState::open;
    std::string end_detail_;
    int failure_exit_ = exit_ok;
    std::size_t replies_ = 0;
    bool framing_broken_ = false;
};

/// Says how opening `o` went (the notes, or why it failed); the exit code: exit_ok when open.
int opened(const OpenedLink& o, const Target& target, const GlobalOptions& g) {
    if (!o.remote.empty()) say(fmt::format("connected to {} from {}", o.remote, o.local));
    for (const std::string& note : o.notes) say(note);
    switch (o.failure) {
        case OpenFailure::none: return exit_ok;
        case OpenFailure::settings: say(o.error); return exit_usage;
        case OpenFailure::unresolved: say(fmt::format("cannot resolve {}: {}", target.host, o.error)); return exit_unreachable;
        case OpenFailure::refused: say(fmt::format("cannot connect to {}: {}", g.send, o.error)); return exit_unreachable;
        case OpenFailure::timeout:
            if (o.stage == "TCP")
                say(fmt::format("connection to {} timed out after {} ms ({})", g.send, g.connect_timeout_ms, o.error));
            else
                say(fmt::format("{} with {} timed out after {} ms ({})", o.stage, g.send, g.connect_timeout_ms, o.error));
            return exit_timeout;
        case OpenFailure::tls: say(o.error); return exit_tls;
        case OpenFailure::websocket: say(o.error); return exit_upgrade;
    }
    return exit_ok;
}

/// Sends the plan's packets in order, reading replies for --delay after each and --wait after the
/// last, until the connection ends; returns how many packets were sent whole.
std::size_t send_packets(Session& s, const SendPlan& plan, const GlobalOptions& g) {
    std::size_t sent = 0;
    for (std::size_t i = 0; i < plan.packets.size(); ++i) {
        if (!s.send(plan.packets[i])) break;
        ++sent;
        bool last = i + 1 == plan.packets.size();
        s.receive_for(last ? g.wait_ms : g.delay_ms);
        if (s.state() != PeerState::open) break;
    }
    return sent;
}

/// Says on stderr how the session ended after `sent` packets and returns its exit code: ok when the
/// connection was still open or the server closed it after our last packet, a DISCONNECT.
int report_outcome(const Session& s, std::size_t sent, const SendPlan& plan, const GlobalOptions& g) {
    const std::string detail = s.end_detail().empty() ? std::string() : fmt::format(" ({})", s.end_detail());
    if (s.state() == PeerState::open) {
        say(fmt::format("sent {} packet{}, received {}; connection still open after {} ms, closed by us",
                        sent, sent == 1 ? "" : "s", s.replies(), g.wait_ms));
        return exit_ok;
    }
    if (s.state() == PeerState::failed) {
        const std::string where = sent == 0 ? std::string("before the first packet was sent")
                                            : fmt::format("after packet {} {} ({})", sent,
                                                          mqtt::type_name(plan.packets[sent - 1].type),
                                                          plan.packets[sent - 1].origin);
        say(fmt::format("{}; {}, {} of {} packets sent, {} repl{} received", s.end_detail(), where, sent,
                        plan.packets.size(), s.replies(), s.replies() == 1 ? "y" : "ies"));
        return s.failure_exit();
    }
    const char* how = s.state() == PeerState::reset ? "reset" : "closed";
    if (sent == 0) {
        say(fmt::format("the server {} the connection before the first packet was sent{}", how, detail));
        return exit_closed;
    }
    const auto& last = plan.packets[sent - 1];
    bool all_sent = sent == plan.packets.size();
    if (all_sent && last.type == mqtt::PacketType::disconnect) {
        say(fmt::format("sent {} packets, received {}; the server {} the connection after our DISCONNECT{}",
                        sent, s.replies(), how, detail));
        return exit_ok;
    }
    say(fmt::format("the server {} the connection after packet {} {} ({}); {} of {} packets sent, "
                    "{} repl{} received{}",
                    how, sent, mqtt::type_name(last.type), last.origin, sent, plan.packets.size(),
                    s.replies(), s.replies() == 1 ? "y" : "ies",
                    s.end_detail().empty() ? std::string() : "; " + s.end_detail()));
    return exit_closed;
}

}  // namespace

int send_plan(const GlobalOptions& g, const SendPlan& plan) {
    const TargetParse parsed = parse_target(g.send);
    if (!parsed.target) {
        say(parsed.error);
        return exit_usage;
    }
    const Target& target = *parsed.target;
    std::signal(SIGPIPE, SIG_IGN);  // a peer gone while TLS writes: an error value, not a signal

    if (target.tls() && g.insecure)
        say("--insecure: the server's certificate and name are not checked; anyone on the path can read and "
            "change this session");
    const auto deadline = Clock::now() + std::chrono::milliseconds(g.connect_timeout_ms);
    OpenedLink o = open_link(target, link_settings(g), deadline);
    if (int rc = opened(o, target, g); rc != exit_ok) return rc;
    std::unique_ptr<Link> link = std::move(o.link);

    Session s(*link, o.local, o.remote, transport_mark(target.scheme), g, plan);
    const std::size_t sent = send_packets(s, plan, g);
    link->shutdown(Clock::now() + std::chrono::milliseconds(500));
    s.report_end(s.state() != PeerState::open);
    return report_outcome(s, sent, plan, g);
}

}  // namespace mqttlens::craft
