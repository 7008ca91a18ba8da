// PageBuffer: a large buffer is a mapping of its own, aligned to a huge page and writable from
// end to end; a small one comes from operator new; both move like unique_ptr.
#include "capture/page_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <utility>

namespace mqttlens::capture {
namespace {

TEST(PageBuffer, ASmallBufferComesFromNew) {
    PageBuffer b(4096);
    ASSERT_NE(b.data(), nullptr);
    EXPECT_EQ(b.size(), 4096u);
    EXPECT_FALSE(b.mapped());
    std::memset(b.data(), 0x5A, b.size());
    EXPECT_EQ(b.data()[4095], 0x5A);
}

TEST(PageBuffer, AHugePageOrMoreIsMappedAlignedAndWritable) {
    for (std::size_t size : {PageBuffer::huge_page, PageBuffer::huge_page + 1, 3 * PageBuffer::huge_page}) {
        PageBuffer b(size);
        ASSERT_NE(b.data(), nullptr) << size;
        EXPECT_EQ(b.size(), size);
        EXPECT_TRUE(b.mapped());
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % PageBuffer::huge_page, 0u) << size;
        EXPECT_EQ(b.data()[size - 1], 0) << "fresh pages read as zero";
        std::memset(b.data(), 0xA5, size);
        EXPECT_EQ(b.data()[0], 0xA5);
        EXPECT_EQ(b.data()[size - 1], 0xA5);
    }
}

TEST(PageBuffer, MovingHandsTheMemoryOver) {
    PageBuffer a(PageBuffer::huge_page);
    std::uint8_t* data = a.data();
    PageBuffer b(std::move(a));
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(a.size(), 0u);
    EXPECT_EQ(b.data(), data);
    PageBuffer c(16);
    c = std::move(b);  // c's own 16 bytes are freed
    EXPECT_EQ(c.data(), data);
    EXPECT_TRUE(c.mapped());
    EXPECT_EQ(b.data(), nullptr);
}

TEST(PageBuffer, EmptyIsNull) {
    PageBuffer b;
    EXPECT_EQ(b.data(), nullptr);
    EXPECT_EQ(b.size(), 0u);
    EXPECT_FALSE(b.mapped());
}

}  // namespace
}  // namespace mqttlens::capture
