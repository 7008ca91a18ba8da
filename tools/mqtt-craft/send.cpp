// --send: getaddrinfo, a non-blocking connect bounded by --connect-timeout, then poll() for
// sending and receiving. Replies go through the Framer and the decoder to the shared printer.
#include "send.hpp"

#include "engine/conversation.hpp"
#include "mqtt/framer.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mqttlens::craft {

namespace {

using Clock = std::chrono::steady_clock;

void say(const std::string& text) { std::fprintf(stderr, "mqtt-craft: %s\n", text.c_str()); }

std::string address_text(const sockaddr* sa) {
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        return fmt::format("{}:{}", host, port);
    }
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return fmt::format("[{}]:{}", host, port);
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

/// Why a connection attempt failed.
enum class ConnectFailure { none, refused, timeout };

/// Tries each address until one connects before `deadline`; returns the socket or -1.
int connect_any(addrinfo* list, Clock::time_point deadline, ConnectFailure& failure, std::string& error) {
    failure = ConnectFailure::refused;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            error = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, remaining_ms(deadline));
            if (rc == 0) {
                failure = ConnectFailure::timeout;
                error = fmt::format("no answer from {}", address_text(ai->ai_addr));
                ::close(fd);
                return -1;  // the deadline is shared: no time left for other addresses
            }
            int so_error = 0;
            socklen_t len = sizeof so_error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            rc = so_error ? -1 : 0;
            errno = so_error;
        }
        if (rc == 0) {
            failure = ConnectFailure::none;
            return fd;
        }
        error = std::strerror(errno);
        ::close(fd);
    }
    return -1;
}

/// The connection's state as seen from our side.
enum class PeerState { open, closed, reset };

class Session {
public:
    Session(int fd, const GlobalOptions& g, const SendPlan& plan)
        : fd_(fd), plan_(plan), out_(stdout, 64 * 1024), start_(Clock::now()) {
        sockaddr_storage a{};
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        local_ = address_text(reinterpret_cast<sockaddr*>(&a));
        len = sizeof a;
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
        remote_ = address_text(reinterpret_cast<sockaddr*>(&a));
        options_.format = g.json ? output::Format::json : g.verbose ? output::Format::tree : output::Format::summary;
        options_.color = false;
    }

    const std::string& remote() const { return remote_; }
    const std::string& local() const { return local_; }
    PeerState state() const { return state_; }
    std::size_t replies() const { return replies_; }

    /// Sends one packet whole; false when the peer closed or reset the connection.
    bool send(const SendPlan::Entry& e) {
        const std::uint8_t* p = plan_.bytes.data() + e.begin;
        std::size_t left = e.end - e.begin;
        print(mqtt::Bytes(p, left), output::Direction::c2s);
        while (left > 0) {
            ssize_t n = ::send(fd_, p, left, MSG_NOSIGNAL);
            if (n > 0) {
                p += n;
                left -= static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                pollfd pf{fd_, POLLOUT, 0};
                ::poll(&pf, 1, 1000);
                continue;
            }
            state_ = errno == ECONNRESET ? PeerState::reset : PeerState::closed;
            send_error_ = std::strerror(errno);
            return false;
        }
        return true;
    }

    /// Reads and prints replies for `ms` milliseconds, or until the peer closes.
    void receive_for(unsigned ms) {
        auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        std::uint8_t buf[65536];
        while (state_ == PeerState::open) {
            pollfd p{fd_, POLLIN, 0};
            int rc = ::poll(&p, 1, remaining_ms(deadline));
            if (rc < 0 && errno == EINTR) continue;
            if (rc <= 0) return;
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) {
                framer_.feed(mqtt::Bytes(buf, static_cast<std::size_t>(n)));
                drain();
            } else if (n == 0) {
                state_ = PeerState::closed;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                state_ = errno == ECONNRESET ? PeerState::reset : PeerState::closed;
            }
        }
        framer_.finish();
        drain();
    }

    std::string send_error() const { return send_error_; }

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

    int fd_;
    const SendPlan& plan_;
    output::Writer out_;
    output::PrintOptions options_;
    mqtt::Framer framer_;
    engine::Conversation conversation_;
    std::uint64_t observed_ = 0;  // packets either way: the number an end finding names
    Clock::time_point start_;
    std::string local_, remote_;
    PeerState state_ = PeerState::open;
    std::string send_error_;
    std::size_t replies_ = 0;
    bool framing_broken_ = false;
};

}  // namespace

bool split_host_port(const std::string& text, std::string& host, std::string& port) {
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) return false;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    return !host.empty() && !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

int send_plan(const GlobalOptions& g, const SendPlan& plan) {
    std::string host, port;
    if (!split_host_port(g.send, host, port)) {
        say(fmt::format("--send: '{}' is not HOST:PORT (IPv6: [ADDR]:PORT)", g.send));
        return exit_usage;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list); rc != 0) {
        say(fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc)));
        return exit_unreachable;
    }
    ConnectFailure failure;
    std::string error;
    auto deadline = Clock::now() + std::chrono::milliseconds(g.connect_timeout_ms);
    int fd = connect_any(list, deadline, failure, error);
    ::freeaddrinfo(list);
    if (fd < 0) {
        if (failure == ConnectFailure::timeout) {
            say(fmt::format("connection to {} timed out after {} ms ({})", g.send, g.connect_timeout_ms, error));
            return exit_timeout;
        }
        say(fmt::format("cannot connect to {}: {}", g.send, error));
        return exit_unreachable;
    }

    Session s(fd, g, plan);
    say(fmt::format("connected to {} from {}", s.remote(), s.local()));
    std::size_t sent = 0;
    for (std::size_t i = 0; i < plan.packets.size(); ++i) {
        if (!s.send(plan.packets[i])) break;
        ++sent;
        bool last = i + 1 == plan.packets.size();
        s.receive_for(last ? g.wait_ms : g.delay_ms);
        if (s.state() != PeerState::open) break;
    }
    ::close(fd);
    s.report_end(s.state() != PeerState::open);

    if (s.state() == PeerState::open) {
        say(fmt::format("sent {} packet{}, received {}; connection still open after {} ms, closed by us",
                        sent, sent == 1 ? "" : "s", s.replies(), g.wait_ms));
        return exit_ok;
    }
    const char* how = s.state() == PeerState::reset ? "reset" : "closed";
    if (sent == 0) {
        say(fmt::format("the server {} the connection before the first packet was sent ({})", how, s.send_error()));
        return exit_closed;
    }
    const auto& last = plan.packets[sent - 1];
    bool all_sent = sent == plan.packets.size();
    if (all_sent && last.type == mqtt::PacketType::disconnect) {
        say(fmt::format("sent {} packets, received {}; the server {} the connection after our DISCONNECT",
                        sent, s.replies(), how));
        return exit_ok;
    }
    say(fmt::format("the server {} the connection after packet {} {} ({}); {} of {} packets sent, "
                    "{} repl{} received",
                    how, sent, mqtt::type_name(last.type), last.origin, sent, plan.packets.size(),
                    s.replies(), s.replies() == 1 ? "y" : "ies"));
    return exit_closed;
}

}  // namespace mqttlens::craft
