#include "byte_input.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"
#include "undecoded.hpp"

#include <algorithm>

namespace mqttlens::dissect {

void dissect_bytes(mqtt::Bytes input, output::Direction direction, Sink& sink) {
    constexpr std::size_t chunk = 64 * 1024;  // the framer copies what it is fed: keep it small
    mqtt::Framer framer;
    std::size_t fed = 0;
    mqtt::Version version = mqtt::Version::v3_1_1;
    for (;;) {
        const mqtt::Frame frame = framer.next();
        output::Context context;
        context.direction = direction;
        context.offset = frame.offset;
        if (frame.status == mqtt::Frame::Status::need_more) {
            if (fed == input.size()) return;
            const std::size_t n = std::min(chunk, input.size() - fed);
            framer.feed(input.subspan(fed, n));
            fed += n;
            if (fed == input.size()) framer.finish();
            continue;
        }
        if (frame.status == mqtt::Frame::Status::error) {
            const auto at = static_cast<std::size_t>(std::min<std::uint64_t>(frame.offset, input.size()));
            sink.framing_error({frame.error, frame.offset, input.subspan(at)}, context);
            return;
        }
        const mqtt::Packet packet = mqtt::decode(frame.packet, version);
        if (version == mqtt::Version::v5_0) context.note = mqtt5_note;
        if (const auto* connect = packet.get<mqtt::Connect>()) {
            if (const auto named = mqtt::version_of_level(connect->protocol_level)) version = *named;
            if (connect->protocol_level == 5) context.note = mqtt5_note;
        }
        sink.packet(packet, context);
    }
}

}  // namespace mqttlens::dissect
