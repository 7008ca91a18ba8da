// The allocation counter of the mqtt_tests binary (tests/support/counting_new.cpp) counts.
#include "alloc_count.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace mqttlens::mqtt::test {

TEST(AllocationCounter, CountsWhatTheProgramAllocates) {
    auto before = allocation_count();
    void* p = ::operator new(16);  // a direct call: never elided, unlike a new-expression
    auto after = allocation_count();
    ::operator delete(p);
    EXPECT_EQ(after - before, 1u);
}

}  // namespace mqttlens::mqtt::test
