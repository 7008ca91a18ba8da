// The broker's own rule violations as finding lines, "RULE (VERSION) code: the broker's WHAT at byte
// N: message", from the framer's error or from a packet engine::Conversation observed: conform's
// runner and fuzz's reply checks both write them here.
#pragma once

#include "engine/conversation.hpp"
#include "mqtt/diagnostic.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::probe {

/// A framing error of the broker's stream at stream offset `offset`, as a finding line.
std::string stream_finding(mqtt::Code error, std::uint64_t offset, mqtt::Version version);

/// Appends the error-severity findings about the broker's packet `o` (decoder and session rules), one
/// line each; `what` names the packet in the line ("CONNACK 0x00", "PUBACK id 3"). A refusing
/// CONNACK (return code above 0) is not reported as connack_after_bad_connect: answering a malformed
/// CONNECT with a refusal is what the standard allows; nor is a PUBLISH whose payload is not the
/// UTF-8 its Payload Format Indicator promises: the server forwards what a publisher sent.
void packet_findings(const engine::Observed& o, std::string_view what, std::vector<std::string>& out);

}  // namespace mqttlens::probe
