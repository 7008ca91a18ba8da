// A reusable output buffer flushed to a FILE* in big blocks.
#pragma once

#include "output/text.hpp"

#include <cstddef>
#include <cstdio>

namespace mqttlens::output {

class Writer {
public:
    /// Writes to `file` (not owned) whenever the buffer holds `block` bytes or more.
    explicit Writer(std::FILE* file, std::size_t block = 256 * 1024) : file_(file), block_(block) {}
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    ~Writer() { flush(); }

    /// The buffer to print into; call commit() after each record.
    Buffer& buffer() noexcept { return buffer_; }
    /// Writes the buffer out if it has reached the block size.
    void commit() {
        if (buffer_.size() >= block_) flush();
    }
    /// Writes everything buffered; returns false once any write has failed.
    bool flush();
    bool failed() const noexcept { return failed_; }
    std::FILE* file() const noexcept { return file_; }

private:
    std::FILE* file_;
    std::size_t block_;
    Buffer buffer_;
    bool failed_ = false;
};

}  // namespace mqttlens::output
