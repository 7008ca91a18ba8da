// fork + setpgid + exec of /bin/sh -c; stderr to a temporary file read back when the process ends.
#include "broker_process.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <thread>

namespace mqttlens::probe {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t max_stderr = 64 * 1024;

std::string read_tail(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    const long from = size > static_cast<long>(max_stderr) ? size - static_cast<long>(max_stderr) : 0;
    std::fseek(f, from, SEEK_SET);
    std::string text(static_cast<std::size_t>(size - from), '\0');
    text.resize(std::fread(text.data(), 1, text.size(), f));
    std::fclose(f);
    return text;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = sigabbrev_np(WTERMSIG(status));
        return fmt::format("signal {} (SIG{})", WTERMSIG(status), name ? name : "?");
    }
    return fmt::format("status {}", status);
}

/// The first telling line of `text`, "==1234==" and addresses masked; else its first line.
std::string signature_of(const std::string& text) {
    static const std::regex telling("ERROR|SUMMARY|panic|Segmentation|Assertion|abort|fatal", std::regex::icase);
    static const std::regex pid("==[0-9]+==");
    static const std::regex address("0x[0-9a-fA-F]+");
    std::string first;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(at, end - at);
        at = end + 1;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (first.empty()) first = line;
        if (std::regex_search(line, telling)) {
            first = line;
            break;
        }
    }
    first = std::regex_replace(std::regex_replace(first, pid, "==N=="), address, "0x?");
    return first.substr(0, 200);
}

}  // namespace

std::string BrokerProcess::start(unsigned wait_ms) {
    if (stderr_path_.empty()) {
        char path[] = "/tmp/mqtt-probe-broker-XXXXXX";
        const int fd = ::mkstemp(path);
        if (fd < 0) return fmt::format("--broker-cmd: cannot create a file for its stderr: {}", std::strerror(errno));
        ::close(fd);
        stderr_path_ = path;
    }
    const pid_t pid = ::fork();
    if (pid < 0) return fmt::format("--broker-cmd: fork: {}", std::strerror(errno));
    if (pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // the probe killed: the broker (with exec in CMD) follows
        const int err = ::open(stderr_path_.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        if (err >= 0) ::dup2(err, 2);
        if (null >= 0) ::dup2(null, 0), ::dup2(null, 1);
        ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    pid_ = pid;
    ++starts_;
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    while (Clock::now() < deadline) {
        if (auto e = exited())
            return fmt::format("--broker-cmd: the broker ended before accepting connections ({}): {}", e->how,
                               e->signature);
        if (accepts(to_, 200)) return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return fmt::format("--broker-cmd: the broker did not accept connections within {} ms", wait_ms);
}

std::optional<BrokerExit> BrokerProcess::exited() {
    if (pid_ <= 0) return std::nullopt;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    ::kill(-pid_, SIGKILL);  // what the shell left behind
    pid_ = -1;
    BrokerExit e{describe_status(status), read_tail(stderr_path_), {}};
    e.signature = signature_of(e.stderr_text);
    return e;
}

std::optional<BrokerExit> BrokerProcess::wait_exit(unsigned ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
        if (auto e = exited()) return e;
        if (pid_ <= 0 || Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void BrokerProcess::stop() {
    if (pid_ > 0) {
        ::kill(-pid_, SIGTERM);
        if (!wait_exit(2000) && pid_ > 0) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }
    if (!stderr_path_.empty()) ::unlink(stderr_path_.c_str()), stderr_path_.clear();
}

}  // namespace mqttlens::probe
