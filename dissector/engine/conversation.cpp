#include "engine/conversation.hpp"

namespace mqttlens::engine {

Conversation::Conversation(const mqtt::SessionOptions& session, std::optional<mqtt::Version> version) noexcept
    : checker_(session), version_(version) {}

Observed Conversation::observe(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us,
                               std::uint64_t ref) noexcept {
    const mqtt::Version version = decoding_version();
    Observed seen{mqtt::decode(bytes, version), {}, version, {}};
    if (const auto* connect = seen.packet.get<mqtt::Connect>()) {
        // The client's CONNECT names the version of everything after it (a CONNECT whose sender
        // is not known can only be the client's).
        if (direction != mqtt::Direction::s2c && !version_)
            version_ = mqtt::version_of_level(connect->protocol_level);
        if (connect->protocol_level == 5) seen.note = mqtt5_note;
        if (!client_id_) client_id_.emplace(connect->client_id);
    }
    if (seen.version == mqtt::Version::v5_0) seen.note = mqtt5_note;
    seen.stream = checker_.observe(direction, seen.packet, time_us, ref);
    ++packets_;
    return seen;
}

bool Conversation::observe_clean_publish(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us,
                                         std::uint64_t ref) noexcept {
    if (version_ == mqtt::Version::v5_0 || !mqtt::is_plain_qos0_publish(bytes) ||
        !checker_.observe_plain_publish(direction, time_us, ref))
        return false;
    ++packets_;
    return true;
}

}  // namespace mqttlens::engine
