// One poll() loop over up to `jobs` sessions: connect, write, half-close, read until the broker
// closes or the bound passes; each session's replies checked as they arrive.
#include "fuzz_net.hpp"

#include "fuzz_link.hpp"
#include "fuzz_observer.hpp"


#include <fmt/format.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace mqttlens::probe {

namespace {

using Clock = std::chrono::steady_clock;

/// A non-blocking socket connecting to `to`; -1 when the system refused at once.
int open_socket(const Address& to) {
    const int fd = ::socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to.addr), to.size) == 0 || errno == EINPROGRESS) return fd;
    ::close(fd);
    return -1;
}

struct Slot {
    int fd = -1;
    std::size_t index = 0;
    std::vector<std::uint8_t> bytes;  ///< the session's whole stream
    std::size_t sent = 0, received = 0;
    bool connected = false, half_closed = false;
    Clock::time_point deadline;
    std::unique_ptr<Observer> observer;
};

class Pump {
public:
    Pump(const Address& to, const std::vector<Packets>& sessions, const PumpOptions& o)
        : to_(to), sessions_(sessions), o_(o), results_(sessions.size()) {
        for (Exchange& e : results_) e.end = End::refused;  // until started
    }

    std::vector<Exchange> run(const std::atomic<bool>& stop) {
        std::size_t next = 0;
        std::vector<pollfd> fds;
        while (next < sessions_.size() || !slots_.empty()) {
            while (slots_.size() < o_.jobs && next < sessions_.size() && !stop.load(std::memory_order_relaxed))
                start(next++);
            if (stop.load(std::memory_order_relaxed) || stuck_ >= std::max(4u, o_.jobs)) next = sessions_.size();
            if (slots_.empty()) continue;
            fds.clear();
            for (const Slot& s : slots_)
                fds.push_back({s.fd, static_cast<short>(POLLIN | (s.half_closed ? 0 : POLLOUT)), 0});
            ::poll(fds.data(), fds.size(), 20);
            const auto now = Clock::now();
            for (std::size_t i = slots_.size(); i-- > 0;) {
                if (fds[i].revents) serve(slots_[i], fds[i].revents);
                if (slots_[i].fd >= 0 && now >= slots_[i].deadline) finish(slots_[i], End::bound);
                if (slots_[i].fd < 0) slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(i));
            }
        }
        return std::move(results_);
    }

private:
    void note(Slot& s, WireEvent::Kind kind, mqtt::Bytes bytes = {}) {
        if (o_.record) results_[s.index].wire.push_back({kind, 0, unix_ns(), {bytes.begin(), bytes.end()}});
    }

    void start(std::size_t index) {
        Slot s;
        s.index = index;
        results_[index].started = true;
        for (const auto& p : sessions_[index]) s.bytes.insert(s.bytes.end(), p.begin(), p.end());
        s.observer = std::make_unique<Observer>(results_[index].violations);
        s.deadline = Clock::now() + std::chrono::milliseconds(o_.case_ms);
        s.fd = open_socket(to_);
        if (s.fd < 0) return;  // stays End::refused
        results_[index].end = End::bound;
        slots_.push_back(std::move(s));
    }

    void serve(Slot& s, short revents) {
        if (!s.connected) {
            int error = 0;
            socklen_t size = sizeof error;
            ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &size);
            if (error != 0) return finish(s, End::refused, false);
            if (!(revents & POLLOUT)) return;
            s.connected = true;
            results_[s.index].opened_order = ++opened_;
            note(s, WireEvent::Kind::opened);
            s.observer->client(mqtt::Bytes(s.bytes));
        }
        if ((revents & POLLOUT) && !s.half_closed) write(s);
        if (s.fd >= 0 && (revents & (POLLIN | POLLHUP | POLLERR))) read(s);
    }

    void write(Slot& s) {
        while (s.sent < s.bytes.size()) {
            const ssize_t n = ::send(s.fd, s.bytes.data() + s.sent, s.bytes.size() - s.sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) return;
            if (n <= 0) break;  // the broker closed or reset: read what it said
            s.sent += static_cast<std::size_t>(n);
        }
        if (o_.record) {  // the packets as far as they went out
            std::size_t left = s.sent;
            for (const auto& p : sessions_[s.index]) {
                if (left == 0) break;
                const std::size_t n = std::min(left, p.size());
                note(s, WireEvent::Kind::sent, mqtt::Bytes(p).first(n));
                left -= n;
            }
        }
        ::shutdown(s.fd, SHUT_WR);
        s.half_closed = true;
    }

    void read(Slot& s) {
        std::uint8_t buf[16384];
        for (;;) {
            const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
            if (n > 0) {
                const mqtt::Bytes got(buf, static_cast<std::size_t>(n));
                note(s, WireEvent::Kind::received, got);
                s.observer->server(got);
                if ((s.received += got.size()) > max_received) return finish(s, End::bound);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            return finish(s, n == 0 ? End::broker_closed : End::broker_reset);
        }
    }

    void finish(Slot& s, End end, bool opened = true) {
        Exchange& r = results_[s.index];
        r.end = end;
        stuck_ = end == End::bound ? stuck_ + 1 : 0;
        if (opened) {
            note(s, end == End::broker_closed   ? WireEvent::Kind::broker_closed
                    : end == End::broker_reset ? WireEvent::Kind::broker_reset
                                               : WireEvent::Kind::probe_closed);
        }
        ::close(s.fd);
        s.fd = -1;
    }

    const Address& to_;
    const std::vector<Packets>& sessions_;
    const PumpOptions& o_;
    std::vector<Exchange> results_;
    std::vector<Slot> slots_;
    std::uint64_t opened_ = 0;
    unsigned stuck_ = 0;  ///< sessions in a row that ended at the bound
};

/// Waits until `fd` is ready for `events` or `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) return false;
    }
}

/// A socket connected to `to` before `deadline`, or -1 and why not.
int connect_by(const Address& to, Clock::time_point deadline, std::string& why) {
    const int fd = open_socket(to);
    if (fd < 0) return why = "connection refused", -1;
    int error = 0;
    socklen_t size = sizeof error;
    if (!wait_for(fd, POLLOUT, deadline)) why = "connect timed out";
    else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size), error != 0) why = std::strerror(error);
    else return fd;
    ::close(fd);
    return -1;
}

}  // namespace

std::optional<Address> resolve(const std::string& host, const std::string& port, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list); rc != 0) {
        error = ::gai_strerror(rc);
        return std::nullopt;
    }
    Address a;
    std::memcpy(&a.addr, list->ai_addr, list->ai_addrlen);
    a.size = list->ai_addrlen;
    ::freeaddrinfo(list);
    return a;
}

std::string_view end_name(End e) noexcept {
    switch (e) {
    case End::broker_closed: return "closed";
    case End::broker_reset: return "reset";
    case End::bound: return "bound";
    case End::refused: return "refused";
    }
    return "?";
}

std::vector<Exchange> run_sessions(const Route& route, const std::vector<Packets>& sessions, const PumpOptions& options,
                                   const std::atomic<bool>& stop) {
    if (!route.plain()) return run_link_sessions(route, sessions, options, stop);
    return Pump(route.to, sessions, options).run(stop);
}

bool accepts(const Address& to, unsigned timeout_ms) {
    std::string why;
    const int fd = connect_by(to, Clock::now() + std::chrono::milliseconds(timeout_ms), why);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

std::string liveness(const Route& route, const std::string& client_id, unsigned timeout_ms) {
    if (!route.plain()) return link_liveness(route, client_id, timeout_ms);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string why;
    const int fd = connect_by(route.to, deadline, why);
    if (fd < 0) return fmt::format("liveness: {}", why);
    const std::vector<std::uint8_t> out = liveness_request(client_id);
    if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) why = "CONNECT not sent";
    LivenessReply reply;
    while (why.empty()) {
        std::uint8_t buf[4096];
        if (!wait_for(fd, POLLIN, deadline)) {
            why = fmt::format("no {} within {} ms", reply.awaited(), timeout_ms);
            break;
        }
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            why = n == 0 ? "the broker closed the connection" : "the connection was reset";
            break;
        }
        if (reply.feed(mqtt::Bytes(buf, static_cast<std::size_t>(n)))) {
            ::close(fd);
            return {};
        }
    }
    ::close(fd);
    return fmt::format("liveness: {}", why);
}

}  // namespace mqttlens::probe
