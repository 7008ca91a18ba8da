// --send over plain TCP: getaddrinfo, a non-blocking connect bounded by the deadline, then send()
// and recv() with poll().
#include "tcp_link.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mqttlens::craft {

namespace {

std::string address_text(const sockaddr* sa) {
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return fmt::format("{}:{}", host, ntohs(in->sin_port));
    }
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(in6->sin6_port));
}

/// Tries each address until one connects before `deadline`; the socket, or -1 with `result` set.
int connect_any(addrinfo* list, Clock::time_point deadline, TcpConnect& result) {
    result.failure = ConnectFailure::refused;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            result.error = std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            rc = ::poll(&p, 1, remaining_ms(deadline));
            if (rc == 0) {
                result.failure = ConnectFailure::timeout;
                result.error = fmt::format("no answer from {}", address_text(ai->ai_addr));
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
            result.failure = ConnectFailure::none;
            return fd;
        }
        result.error = std::strerror(errno);
        ::close(fd);
    }
    return -1;
}

}  // namespace

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

bool wait_ready(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc < 0 && errno == EINTR) continue;
        return rc != 0;
    }
}

void say(const std::string& text) { std::fprintf(stderr, "mqtt-craft: %s\n", text.c_str()); }

TcpLink::TcpLink(int fd) : fd_(fd) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    local_ = address_text(reinterpret_cast<sockaddr*>(&a));
    len = sizeof a;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
    remote_ = address_text(reinterpret_cast<sockaddr*>(&a));
}

TcpLink::~TcpLink() { ::close(fd_); }

Io TcpLink::send(mqtt::Bytes bytes) {
    if (end_) return *end_;
    const std::uint8_t* p = bytes.data();
    std::size_t left = bytes.size();
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
        end_ = Io{errno == ECONNRESET ? IoStatus::reset : IoStatus::closed, std::strerror(errno)};
        return *end_;
    }
    return {};
}

Io TcpLink::receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) {
    if (end_) return *end_;
    std::uint8_t buf[65536];
    for (;;) {
        if (!wait_ready(fd_, POLLIN, deadline)) return {IoStatus::timeout, {}};
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            out.insert(out.end(), buf, buf + n);
            return {};
        }
        if (n == 0) {
            end_ = Io{IoStatus::closed, {}};
            return *end_;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        end_ = Io{errno == ECONNRESET ? IoStatus::reset : IoStatus::closed, std::strerror(errno)};
        return *end_;
    }
}

TcpConnect tcp_connect(const std::string& host, const std::string& port, Clock::time_point deadline) {
    TcpConnect result;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list); rc != 0) {
        result.failure = ConnectFailure::unresolved;
        result.error = ::gai_strerror(rc);
        return result;
    }
    int fd = connect_any(list, deadline, result);
    ::freeaddrinfo(list);
    if (fd >= 0) result.link = std::make_unique<TcpLink>(fd);
    return result;
}

}  // namespace mqttlens::craft
