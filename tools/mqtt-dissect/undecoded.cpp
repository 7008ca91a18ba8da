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

}  // namespace mqttlens::dissect
