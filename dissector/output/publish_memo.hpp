// The text a printer last wrote for a PUBLISH between its start and its payload (internal to the
// output library): summary "PUBLISH topic=... qos=0 payload_len=20 <properties>", JSON from
// "type" to "properties". The messages of one capture record usually differ only in their
// payloads, so the text is copied instead of written again (on the 200,000-message 5.0 capture,
// a tenth of the print thread's instructions for summary lines, a fifth for JSON). A pure cache: the key holds every input of
// that text, compared by value; each printer keeps its own.
#pragma once

#include "mqtt/packet.hpp"
#include "output/text.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace mqttlens::output::detail {

class PublishMemo {
public:
    /// Appends the text stored for exactly this PUBLISH and returns true; else false. `extra`:
    /// what else the printer's text depends on (the summary's colour, JSON's "valid").
    [[gnu::always_inline]] bool append_to(Buffer& out, const mqtt::Packet& packet, const mqtt::Publish& p,
                                          mqtt::Version version, std::uint8_t extra) const {
        if (!matches(packet, p, version, extra)) return false;
        append(out, std::string_view(text_.data(), text_size_));
        return true;
    }
    /// Remembers what `out` holds from `start` on as the text of this PUBLISH (forgets it when
    /// something is too long).
    void store(const mqtt::Packet& packet, const mqtt::Publish& p, mqtt::Version version, std::uint8_t extra,
               const Buffer& out, std::size_t start) noexcept {
        const std::string_view text(out.data() + start, out.size() - start);
        const std::span<const std::uint8_t> list = list_of(p);
        valid_ = text.size() <= text_.size() && p.topic.size() <= topic_.size() && list.size() <= list_.size();
        if (!valid_) return;
        first_byte_ = packet.header.first_byte;
        version_ = version;
        extra_ = extra;
        has_list_ = p.properties.has_value();
        packet_id_ = p.packet_id;
        remaining_length_ = packet.header.remaining_length;
        raw_size_ = packet.raw.size();
        payload_size_ = p.payload.size();
        topic_size_ = p.topic.size();
        list_size_ = list.size();
        copy_short(topic_.data(), p.topic.data(), p.topic.size());
        copy_short(list_.data(), reinterpret_cast<const char*>(list.data()), list.size());
        copy_short(text_.data(), text.data(), text.size());
        text_size_ = text.size();
    }

private:
    static std::span<const std::uint8_t> list_of(const mqtt::Publish& p) noexcept {
        return p.properties ? p.properties->raw() : std::span<const std::uint8_t>{};
    }
    [[gnu::always_inline]] bool matches(const mqtt::Packet& packet, const mqtt::Publish& p, mqtt::Version version,
                                        std::uint8_t extra) const noexcept {
        const std::span<const std::uint8_t> list = list_of(p);
        return valid_ && packet.header.first_byte == first_byte_ && p.payload.size() == payload_size_ &&
               p.topic.size() == topic_size_ && list.size() == list_size_ && p.properties.has_value() == has_list_ &&
               p.packet_id == packet_id_ && version == version_ && extra == extra_ &&
               packet.header.remaining_length == remaining_length_ && packet.raw.size() == raw_size_ &&
               equal_short(p.topic.data(), topic_.data(), topic_size_) &&
               equal_short(reinterpret_cast<const char*>(list.data()), list_.data(), list_size_);
    }

    bool valid_ = false;
    std::uint8_t first_byte_ = 0;
    mqtt::Version version_ = mqtt::Version::v3_1_1;
    std::uint8_t extra_ = 0;
    bool has_list_ = false;
    std::optional<std::uint16_t> packet_id_;
    std::uint32_t remaining_length_ = 0;
    std::size_t raw_size_ = 0;
    std::size_t payload_size_ = 0;
    std::size_t topic_size_ = 0;
    std::size_t list_size_ = 0;
    std::size_t text_size_ = 0;
    std::array<char, 128> topic_{};
    std::array<char, 128> list_{};
    std::array<char, 640> text_{};
};

}  // namespace mqttlens::output::detail
