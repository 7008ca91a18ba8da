// The progress line on stderr while a big capture file is read: bytes, packets, rate.
#pragma once

#include <cstdint>
#include <cstdio>

namespace mqttlens::dissect {

class Progress {
public:
    static constexpr std::uint64_t min_file_size = 10'000'000;  ///< smaller files show none

    /// Shows progress on `out` only when `enabled` (a terminal, not -q) and the file is big.
    Progress(std::FILE* out, std::uint64_t file_size, bool enabled);
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    ~Progress() { clear(); }

    /// Called per record with the bytes it took in the file (about: header + captured bytes).
    /// Cheap: looks at the clock every 1024 records, redraws at most 4 times a second.
    void record(std::uint64_t bytes, std::uint64_t packets) {
        bytes_ += bytes;
        if (on_ && (++records_ & 1023) == 0) tick(packets);
    }
    /// Erases the line (idempotent).
    void clear();

private:
    void tick(std::uint64_t packets);

    std::FILE* out_;
    std::uint64_t total_;
    bool on_;
    bool shown_ = false;
    std::uint64_t bytes_ = 24;  // the file header
    std::uint64_t records_ = 0;
    double start_ = 0;
    double last_ = 0;
};

}  // namespace mqttlens::dissect
