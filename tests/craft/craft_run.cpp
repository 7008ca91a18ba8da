// Runs the crafter as a child process: fork, exec, read stdout and stderr with poll.
#include "craft_run.hpp"

#include "mqtt/framer.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace craft_test {

Run craft(const std::vector<std::string>& args, const std::string& stdin_path) {
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) std::abort();
    pid_t pid = fork();
    if (pid == 0) {
        int in_fd = open(stdin_path.c_str(), O_RDONLY);
        if (in_fd < 0) _exit(126);
        dup2(in_fd, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(err_pipe[0]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(MQTT_CRAFT_BIN));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(MQTT_CRAFT_BIN, argv.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    Run r;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (poll(fds, 2, 30000) <= 0) break;  // bounded: a hung child fails the test below
        for (auto& f : fds) {
            if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(f.fd, buf, sizeof buf);
            if (n <= 0) {
                close(f.fd);
                f.fd = -1;
                --open_fds;
            } else if (&f == &fds[0]) {
                r.out.insert(r.out.end(), buf, buf + n);
            } else {
                r.err.append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    if (open_fds > 0) kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::vector<std::uint8_t> craft_raw(std::vector<std::string> args) {
    args.push_back("--out");
    args.push_back("raw");
    Run r = craft(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

void PrintTo(const BreakCase& c, std::ostream* os) {
    for (const auto& a : c.args) *os << a << ' ';
}

void expect_break(const BreakCase& c, mqttlens::mqtt::Version version) {
    using namespace mqttlens::mqtt;
    std::vector<std::string> args;
    if (version == Version::v5_0) args = {"--protocol-version", "5"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--out", "raw"});
    const Run r = craft(args);
    ASSERT_EQ(r.exit_code, 0) << "the crafter never refuses: " << r.err;
    const Packet p = decode(r.out, version);
    const Diagnostic* found = nullptr;
    for (const auto& d : p.diagnostics)
        if (d.code == c.code) found = &d;
    ASSERT_NE(found, nullptr) << "expected " << code_info(c.code).name << "; stderr: " << r.err;
    EXPECT_EQ(found->offset, c.offset) << code_info(c.code).name;
    const RuleId rule = found->rule(version);
    const std::string named = std::string(rule.id) + " (" + std::string(rule.version) + ") " +
                              std::string(code_info(c.code).name);
    EXPECT_NE(r.err.find(named), std::string::npos) << "the stderr report names " << named << ": " << r.err;
}

std::vector<std::vector<std::uint8_t>> split_packets(const std::vector<std::uint8_t>& bytes) {
    mqttlens::mqtt::Framer framer;
    framer.feed(bytes);
    framer.finish();
    std::vector<std::vector<std::uint8_t>> packets;
    for (;;) {
        auto f = framer.next();
        if (f.status == mqttlens::mqtt::Frame::Status::packet) {
            packets.emplace_back(f.packet.begin(), f.packet.end());
            continue;
        }
        EXPECT_EQ(f.status, mqttlens::mqtt::Frame::Status::need_more) << "framing error at " << f.offset;
        return packets;
    }
}

TempFile::TempFile(const std::string& content) {
    char name[] = "/tmp/craft_test_XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) std::abort();
    if (write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) std::abort();
    close(fd);
    path = name;
}

TempFile::~TempFile() { unlink(path.c_str()); }

}  // namespace craft_test
