#include "undecoded.hpp"

#include "mqtt/decoder.hpp"

namespace mqttlens::dissect {

mqtt::Packet undecoded(mqtt::Bytes bytes) noexcept {
    mqtt::Packet p;
    p.raw = bytes;
    if (bytes.empty()) return p;
    p.header.first_byte = bytes[0];
    const auto length = mqtt::read_remaining_length(bytes.subspan(1));
    p.header.remaining_length = length.value;
    p.header.length_size = length.size;
    const std::size_t body = 1u + length.size;
    p.body = mqtt::Opaque{body <= bytes.size() ? bytes.subspan(body) : mqtt::Bytes{}};
    return p;
}

std::optional<std::string_view> mqtt5_client_id(mqtt::Bytes connect) noexcept {
    const auto length = mqtt::read_remaining_length(connect.subspan(connect.empty() ? 0 : 1));
    if (connect.empty() || length.status != mqtt::LengthResult::Status::ok) return std::nullopt;
    const mqtt::Bytes body = connect.subspan(1u + length.size);
    auto u16 = [&](std::size_t at) { return std::size_t(body[at]) << 8 | body[at + 1]; };
    if (body.size() < 2) return std::nullopt;
    std::size_t at = 2 + u16(0) + 1 + 1 + 2;  // protocol name, level, flags, keep alive
    if (body.size() <= at) return std::nullopt;
    // Properties Length: a variable byte integer, the same encoding as the Remaining Length.
    const auto properties = mqtt::read_remaining_length(body.subspan(at));
    if (properties.status != mqtt::LengthResult::Status::ok) return std::nullopt;
    at += properties.size + std::size_t(properties.value);
    if (body.size() < at + 2 || body.size() < at + 2 + u16(at)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(body.data() + at + 2), u16(at));
}

}  // namespace mqttlens::dissect
