// --send's bottom layer: resolve, connect within the deadline, then a non-blocking TCP socket.
#pragma once

#include "link.hpp"

#include <memory>
#include <optional>
#include <string>

namespace mqttlens::craft {

class TcpLink final : public Link {
public:
    /// Takes over `fd`, a connected non-blocking socket (closed at destruction).
    explicit TcpLink(int fd);
    ~TcpLink() override;
    TcpLink(const TcpLink&) = delete;
    TcpLink& operator=(const TcpLink&) = delete;

    int fd() const noexcept { return fd_; }
    const std::string& local() const noexcept { return local_; }    ///< "127.0.0.1:50286", "[::1]:50286"
    const std::string& remote() const noexcept { return remote_; }

    Io send(mqtt::Bytes bytes) override;
    Io receive(std::vector<std::uint8_t>& out, Clock::time_point deadline) override;
    void shutdown(Clock::time_point) override {}

private:
    int fd_;
    std::string local_, remote_;
    std::optional<Io> end_;
};

enum class ConnectFailure { none, unresolved, refused, timeout };

struct TcpConnect {
    std::unique_ptr<TcpLink> link;  ///< set when connected
    ConnectFailure failure = ConnectFailure::none;
    std::string error;              ///< the resolver's or the system's words, or whose answer never came
};

/// Resolves `host` and connects to its addresses in turn until one accepts before `deadline`.
TcpConnect tcp_connect(const std::string& host, const std::string& port, Clock::time_point deadline);

}  // namespace mqttlens::craft
