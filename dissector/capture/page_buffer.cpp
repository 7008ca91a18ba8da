#include "page_buffer.hpp"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace mqttlens::capture {

namespace {

/// `size` (a multiple of the huge page) mapped at an address aligned to a huge page: a larger
/// mapping is made and its unaligned ends are given back. nullptr when mmap fails.
std::uint8_t* map_aligned(std::size_t size) noexcept {
    const std::size_t extra = PageBuffer::huge_page;
    void* p = mmap(nullptr, size + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(p);
    const std::uintptr_t aligned = (start + extra - 1) & ~std::uintptr_t(extra - 1);
    if (aligned > start) munmap(p, aligned - start);
    const std::uintptr_t end = start + size + extra;
    if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
    auto* data = reinterpret_cast<std::uint8_t*>(aligned);
    madvise(data, size, MADV_HUGEPAGE);  // a hint: where it fails the pages are plain ones
    return data;
}

}  // namespace

PageBuffer::PageBuffer(std::size_t size) : size_(size) {
    if (size < huge_page) {
        data_ = static_cast<std::uint8_t*>(::operator new(size == 0 ? 1 : size));
        return;
    }
    if (size > SIZE_MAX - 2 * huge_page) throw std::bad_alloc();
    const std::size_t whole = (size + huge_page - 1) & ~(huge_page - 1);
    data_ = map_aligned(whole);
    if (data_ == nullptr) throw std::bad_alloc();
    mapped_ = whole;
}

PageBuffer::PageBuffer(PageBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

PageBuffer& PageBuffer::operator=(PageBuffer&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        mapped_ = std::exchange(other.mapped_, 0);
    }
    return *this;
}

PageBuffer::~PageBuffer() { release(); }

void PageBuffer::release() noexcept {
    if (data_ == nullptr) return;
    if (mapped_ != 0) {
        munmap(data_, mapped_);
    } else {
        ::operator delete(data_);
    }
    data_ = nullptr;
    size_ = mapped_ = 0;
}

}  // namespace mqttlens::capture
