// Counts heap allocations in the mqtt_tests binary (tests/support/counting_new.cpp).
#pragma once

#include "counting_new.hpp"

namespace mqttlens::mqtt::test {
using mqttlens::test::allocation_count;
}  // namespace mqttlens::mqtt::test
