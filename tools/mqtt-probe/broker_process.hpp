// mqtt-probe fuzz --broker-cmd: the broker as a child process the probe starts (sh -c CMD in its own
// process group, stderr kept in a file), watches for an exit or a crash, and restarts.
#pragma once

#include "fuzz_net.hpp"

#include <sys/types.h>

#include <optional>
#include <string>

namespace mqttlens::probe {

/// How the broker process ended.
struct BrokerExit {
    std::string how;          ///< "exit status 1", "signal 6 (SIGABRT)"
    std::string stderr_text;  ///< its stderr since the last start (the last 64 KiB)
    /// The first line of stderr that says what went wrong (an ASan "ERROR:", a panic, ...), with
    /// process numbers taken out, so that two runs of one bug give the same line.
    std::string signature;
};

class BrokerProcess {
public:
    /// `command` for sh -c; `to` the address it listens on (the one the probe connects to).
    BrokerProcess(std::string command, const Address& to) : command_(std::move(command)), to_(to) {}
    ~BrokerProcess() { stop(); }
    BrokerProcess(const BrokerProcess&) = delete;
    BrokerProcess& operator=(const BrokerProcess&) = delete;

    /// Starts the command and waits up to `wait_ms` for the address to accept connections;
    /// empty when it does, else why not (the process's exit and stderr included).
    std::string start(unsigned wait_ms);
    /// The exit of the process if it has ended (not waiting); nullopt while it runs.
    std::optional<BrokerExit> exited();
    /// As exited(), waiting up to `ms` for the end.
    std::optional<BrokerExit> wait_exit(unsigned ms);
    /// Ends the process group (SIGTERM, then SIGKILL after 2 s) and reaps the process.
    void stop();
    /// Starts that followed the first.
    unsigned restarts() const noexcept { return starts_ ? starts_ - 1 : 0; }
    bool running() const noexcept { return pid_ > 0; }

private:
    std::string command_;
    Address to_;
    pid_t pid_ = -1;
    std::string stderr_path_;
    unsigned starts_ = 0;
};

}  // namespace mqttlens::probe
