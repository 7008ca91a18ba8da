// Counts heap allocations made through the global operator new of a test binary that links
// tests/support/counting_new.cpp, so tests can assert that a path allocates nothing.
#pragma once

#include <cstddef>

namespace mqttlens::test {

/// Allocations made so far by any thread of this process.
std::size_t allocation_count() noexcept;

}  // namespace mqttlens::test
