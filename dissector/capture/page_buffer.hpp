// Large buffers in whole pages, in 2 MiB huge pages where the kernel allows it.
//
// A buffer written from start to end costs the kernel one page fault for every page first
// touched: 512 of them for 2 MiB of 4 KiB pages, one with a transparent huge page. A fault is
// cheap on bare metal and expensive in a virtual machine (measured on a 2-CPU VM of the kind CI
// runs on: about 10 µs each, 21 ms to touch 8 MiB page by page, 0.7 ms in huge pages). The
// buffers that a capture run fills once and then recycles (the read-ahead blocks, the print
// thread's batches) are therefore asked for here: a buffer of at least one huge page is mapped
// on its own, aligned to 2 MiB and marked MADV_HUGEPAGE (honoured when
// /sys/kernel/mm/transparent_hugepage/enabled says "madvise" or "always"; otherwise it is plain
// pages, as before). A smaller one comes from operator new, so that tiny captures and the fuzz
// harnesses do not map 2 MiB for a few bytes.
//
// Memory: a huge page counts whole in the resident size once any byte of it is touched, so a
// buffer should be sized in whole huge pages when it is to be filled (PageBuffer::huge_page).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mqttlens::capture {

class PageBuffer {
public:
    static constexpr std::size_t huge_page = std::size_t{2} << 20;

    PageBuffer() noexcept = default;
    /// `size` bytes, uninitialised (the kernel's pages read as zero; operator new's need not).
    /// Throws std::bad_alloc when no memory is left, like new.
    explicit PageBuffer(std::size_t size);
    PageBuffer(PageBuffer&& other) noexcept;
    PageBuffer& operator=(PageBuffer&& other) noexcept;
    PageBuffer(const PageBuffer&) = delete;
    PageBuffer& operator=(const PageBuffer&) = delete;
    ~PageBuffer();

    std::uint8_t* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    /// Whether the buffer is a mapping of its own (at least one huge page asked for).
    bool mapped() const noexcept { return mapped_ != 0; }

private:
    void release() noexcept;

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t mapped_ = 0;  // bytes mapped at data_ (0: from operator new)
};

}  // namespace mqttlens::capture
