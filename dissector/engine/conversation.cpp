#include "engine/conversation.hpp"

namespace mqttlens::engine {

Conversation::Conversation(const mqtt::SessionOptions& session, std::optional<mqtt::Version> version) noexcept
    : checker_(session, version), version_(version) {}

Observed Conversation::observe(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us,
                               std::uint64_t ref) noexcept {
    last_plain_.reset();
    const mqtt::Version version = decoding_version();
    Observed seen([&] { return mqtt::decode(bytes, version); }, version);
    if (const auto* connect = seen.packet.get<mqtt::Connect>()) {
        // The client's CONNECT names the version of everything after it (a CONNECT whose sender
        // is not known can only be the client's).
        if (direction != mqtt::Direction::s2c && !version_)
            version_ = mqtt::version_of_level(connect->protocol_level);
        // A CONNECT is judged by the version it declares: its rules are numbered by that one.
        seen.version = mqtt::judged_version(bytes, version);
        if (!client_id_) client_id_.emplace(connect->client_id);
    } else if (const auto* ack = seen.packet.get<mqtt::Connack>();
               ack && ack->properties && client_id_ && client_id_->empty() && direction != mqtt::Direction::c2s) {
        // MQTT 5.0: a zero-length Client Identifier is the one the server assigns (MQTT-3.2.2-16)
        if (const auto assigned = ack->properties->find(mqtt::PropertyId::assigned_client_identifier))
            client_id_->assign(assigned->text);
    }
    seen.stream = checker_.observe(direction, seen.packet, time_us, ref);
    seen.alias_topic = checker_.alias_topic();
    ++packets_;
    return seen;
}

bool Conversation::observe_clean_publish(mqtt::Direction direction, mqtt::Bytes bytes, std::int64_t time_us,
                                         std::uint64_t ref) noexcept {
    std::uint64_t ids = 0;
    if (!mqtt::is_plain_qos0_publish(bytes, decoding_version(), &ids)) return false;
    const PlainQuestion question{direction, time_us, ref, bytes.size(), static_cast<bool>(bytes[0] & 0x01), ids};
    if (last_plain_ != question) {
        if (!checker_.observe_plain_publish(direction, time_us, ref, bytes.size(), question.retain, ids)) return false;
        last_plain_ = question;
    }
    ++packets_;
    return true;
}

}  // namespace mqttlens::engine
