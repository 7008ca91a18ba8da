#include "byte_input.hpp"

#include "engine/conversation.hpp"
#include "mqtt/framer.hpp"

#include <algorithm>

namespace mqttlens::dissect {

void dissect_bytes(mqtt::Bytes input, output::Direction direction, bool stated, std::optional<mqtt::Version> version,
                   Sink& sink) {
    constexpr std::size_t chunk = 64 * 1024;  // the framer copies what it is fed: keep it small
    const bool from_server = direction == output::Direction::s2c;
    // Bytes whose direction was not stated may hold both sides (a conversation pasted whole):
    // the session rules cannot judge them.
    const auto sender = !stated      ? mqtt::Direction::unknown
                        : from_server ? mqtt::Direction::s2c
                                      : mqtt::Direction::c2s;
    const auto first_type = from_server ? mqtt::PacketType::connack : mqtt::PacketType::connect;
    const bool from_start = !input.empty() && static_cast<mqtt::PacketType>(input[0] >> 4) == first_type;
    engine::Conversation conversation(mqtt::SessionOptions{.midstream = !from_start, .one_direction = true}, version);
    mqtt::Framer framer;
    std::size_t fed = 0;
    for (std::uint64_t index = 0;;) {
        const mqtt::Frame frame = framer.next();
        output::Context context;
        context.direction = direction;
        context.offset = frame.offset;
        context.version = conversation.version().value_or(mqtt::Version::v3_1_1);
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
        // No capture times: the rules about time (keep alive, unanswered requests) do not apply.
        const engine::Observed seen = conversation.observe(sender, frame.packet, 0, index++);
        context.extra = {seen.stream.begin(), seen.stream.end()};
        context.alias_topic = seen.alias_topic;
        context.version = seen.version;
        sink.packet(seen.packet, context);
    }
}

}  // namespace mqttlens::dissect
