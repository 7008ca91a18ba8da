// Counts heap allocations made through the global operator new in the mqtt_tests binary
// (the replacement lives in alloc_count_test.cpp).
#pragma once

#include <cstddef>

namespace mqttlens::mqtt::test {

/// Allocations made so far by any thread of this process.
std::size_t allocation_count() noexcept;

}  // namespace mqttlens::mqtt::test
