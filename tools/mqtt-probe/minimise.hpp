// mqtt-probe fuzz: a finding's session made small by delta debugging, first over whole packets,
// then over the bytes of each packet left, against any oracle (the live broker, or a test's function).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace mqttlens::probe {

using Packets = std::vector<std::vector<std::uint8_t>>;

/// Whether a candidate session still shows the finding being minimised.
using StillFails = std::function<bool(const Packets&)>;

struct Minimised {
    Packets packets;     ///< the smallest session found that still fails (the input when none smaller did)
    unsigned tries = 0;  ///< oracle calls made
};

/// Removes packets, then bytes inside the remaining packets, keeping every removal after which
/// `still_fails` holds (ddmin: chunks of halving size); calls it at most `max_tries` times. The
/// input is assumed to fail and is never passed to the oracle again.
Minimised minimise(Packets packets, const StillFails& still_fails, unsigned max_tries);

}  // namespace mqttlens::probe
