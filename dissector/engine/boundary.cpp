#include "engine/boundary.hpp"

#include <cstring>

namespace mqttlens::engine {

namespace {

/// Smallest Remaining Length a type can have in 3.1.1 (5.0 in the second column) and whether
/// the length is fixed.
struct LengthRule {
    std::uint32_t min;
    bool exact;
};
constexpr LengthRule length_rule_v4[16] = {
    {0, false},  {12, false}, {2, true},  {3, false}, {2, true},  {2, true},  {2, true}, {2, true},
    {6, false},  {3, false},  {5, false}, {2, true},  {0, true},  {0, true},  {0, true}, {0, false}};
constexpr LengthRule length_rule_v5[16] = {
    {0, false},  {13, false}, {2, false}, {3, false}, {2, false}, {2, false}, {2, false}, {2, false},
    {7, false},  {3, false},  {6, false}, {3, false}, {0, true},  {0, true},  {0, false}, {0, false}};

constexpr std::uint32_t connect_max_probe = 1u << 20;

}  // namespace

Verdict plausible_packet_start(Bytes bytes, mqtt::Version version, std::size_t& total) noexcept {
    if (bytes.empty()) return Verdict::need_more;
    const bool v5 = version == mqtt::Version::v5_0;
    const unsigned type = bytes[0] >> 4;
    const unsigned flags = bytes[0] & 0x0F;
    if (type == 0 || (type == 15 && !v5)) return Verdict::no;
    if (type == 3) {
        const unsigned qos = (flags >> 1) & 3;
        if (qos == 3 || (qos == 0 && (flags & 0x08))) return Verdict::no;
    } else if (type != 15 && flags != mqtt::required_flags(static_cast<mqtt::PacketType>(type))) {
        return Verdict::no;
    } else if (type == 15 && flags != 0) {
        return Verdict::no;
    }
    const FixedHeaderScan h = scan_fixed_header(bytes);
    if (h.status == FixedHeaderScan::Status::need_more) return Verdict::need_more;
    if (h.status == FixedHeaderScan::Status::malformed || !h.minimal) return Verdict::no;

    const LengthRule rule = v5 ? length_rule_v5[type] : length_rule_v4[type];
    std::uint32_t min = rule.min;
    if (type == 3 && ((flags >> 1) & 3) != 0) min += 2;  // Packet Identifier
    if (rule.exact ? h.remaining_length != min : h.remaining_length < min) return Verdict::no;

    const Bytes body = bytes.subspan(h.size);
    if (type == 3 && body.size() >= 2) {
        // Topic Name: a non-empty length-prefixed string inside the packet.
        const std::uint32_t topic = std::uint32_t(body[0]) << 8 | body[1];
        if (topic == 0 || topic + 2 + (min - 3) > h.remaining_length) return Verdict::no;
    }
    if (type == 1) {
        // Protocol Name: 00 04 "MQTT" or 00 06 "MQIsdp"; compare what is there.
        static constexpr std::uint8_t mqtt[] = {0, 4, 'M', 'Q', 'T', 'T'};
        static constexpr std::uint8_t mqisdp[] = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'};
        const std::size_t n4 = body.size() < sizeof mqtt ? body.size() : sizeof mqtt;
        const std::size_t n6 = body.size() < sizeof mqisdp ? body.size() : sizeof mqisdp;
        if (std::memcmp(body.data(), mqtt, n4) != 0 && std::memcmp(body.data(), mqisdp, n6) != 0) {
            return Verdict::no;
        }
    }
    total = h.total();
    return Verdict::yes;
}

BoundarySearch find_boundary(Bytes bytes, std::size_t from, mqtt::Version version,
                             bool at_end) noexcept {
    const std::size_t n = bytes.size();
    for (std::size_t i = from; i < n; ++i) {
        std::size_t total = 0;
        const Verdict v = plausible_packet_start(bytes.subspan(i), version, total);
        if (v == Verdict::no) continue;
        if (v == Verdict::need_more) {
            if (at_end) continue;
            return {BoundarySearch::Result::undecided, i};
        }
        if (total == n - i) return {BoundarySearch::Result::found, i};
        if (total > n - i) {
            if (at_end) continue;
            return {BoundarySearch::Result::undecided, i};
        }
        std::size_t next_total = 0;
        const Verdict next = plausible_packet_start(bytes.subspan(i + total), version, next_total);
        if (next == Verdict::yes) return {BoundarySearch::Result::found, i};
        if (next == Verdict::need_more) {
            if (at_end) return {BoundarySearch::Result::found, i};
            return {BoundarySearch::Result::undecided, i};
        }
    }
    return {BoundarySearch::Result::none, n};
}

Verdict looks_like_connect(Bytes prefix) noexcept {
    if (prefix.empty()) return Verdict::need_more;
    if (prefix[0] != 0x10) return Verdict::no;
    const FixedHeaderScan h = scan_fixed_header(prefix);
    if (h.status == FixedHeaderScan::Status::need_more) return Verdict::need_more;
    if (h.status == FixedHeaderScan::Status::malformed) return Verdict::no;
    if (h.remaining_length < 10 || h.remaining_length > connect_max_probe) return Verdict::no;
    const Bytes body = prefix.subspan(h.size);
    if (body.size() < 2) return Verdict::need_more;
    if (body[0] != 0 || (body[1] != 4 && body[1] != 6)) return Verdict::no;
    const std::string_view name = body[1] == 4 ? "MQTT" : "MQIsdp";
    const std::size_t have = body.size() - 2 < name.size() ? body.size() - 2 : name.size();
    if (std::memcmp(body.data() + 2, name.data(), have) != 0) return Verdict::no;
    if (body.size() < 2 + name.size() + 1) return Verdict::need_more;
    const std::uint8_t level = body[2 + name.size()];
    const bool level_ok = name.size() == 4 ? (level == 4 || level == 5) : level == 3;
    return level_ok ? Verdict::yes : Verdict::no;
}

}  // namespace mqttlens::engine
