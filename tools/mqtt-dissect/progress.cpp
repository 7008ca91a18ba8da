#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <time.h>

namespace mqttlens::dissect {

namespace {

double now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

}  // namespace

Progress::Progress(std::FILE* out, std::uint64_t file_size, bool enabled)
    : out_(out), total_(file_size), on_(enabled && file_size > min_file_size) {
    if (on_) {
        start_ = now();
        last_ = start_ - 1;  // the first tick draws at once
    }
}

void Progress::tick(std::uint64_t packets) {
    const double t = now();
    if (t - last_ < 0.25) return;
    last_ = t;
    const double mb = double(bytes_) / 1e6;
    const double percent = std::min(99.0, 100.0 * double(bytes_) / double(total_));
    const double rate = mb / std::max(t - start_, 1e-3);
    fmt::print(out_, "\r\x1b[K{:.1f} / {:.1f} MB ({:.0f}%)  {} MQTT packets  {:.1f} MB/s", mb,
               double(total_) / 1e6, percent, packets, rate);
    std::fflush(out_);
    shown_ = true;
}

void Progress::clear() {
    if (!shown_) return;
    fmt::print(out_, "\r\x1b[K");
    std::fflush(out_);
    shown_ = false;
}

}  // namespace mqttlens::dissect
