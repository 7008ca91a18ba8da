// The text a printer last wrote for a PUBLISH between its start and its payload (internal to the
// output library): summary "PUBLISH topic=... qos=0 payload_len=20 <properties>", JSON from
// "type" to "properties". The messages of one capture record usually differ only in their
// payloads, so the text is copied instead of written again (on the 200,000-message 5.0 capture,
// a tenth of the print thread's instructions for summary lines, a fifth for JSON), and a packet
// found clean is not even decoded (print_clean). A pure cache: the key holds every input of that
// text, compared by value: the packet's bytes before its payload (which name its type, flags,
// Remaining Length, topic, identifier and properties; the payload's size follows from the
// Remaining Length), its size, its version and what else the printer's text depends on.
#pragma once

#include "mqtt/packet.hpp"
#include "output/text.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace mqttlens::output::detail {

class PublishMemo {
public:
    /// When `raw` (a packet's bytes) begins with the bytes stored before a payload and has the
    /// stored packet's size, and `version` and `extra` (what else the printer's text depends on:
    /// the summary's colour, JSON's "valid") are the stored ones: `raw`'s payload (empty when it
    /// has none), whose text up to it append() writes. Else nullopt.
    [[gnu::always_inline]] std::optional<mqtt::Bytes> find(mqtt::Bytes raw, mqtt::Version version,
                                                           std::uint8_t extra) const noexcept {
        if (raw.size() == raw_size_ && version == version_ && extra == extra_ &&
            equal_short(reinterpret_cast<const char*>(raw.data()), head_.data(), head_size_))
            return raw.subspan(head_size_);
        return std::nullopt;
    }
    /// Appends the text stored (after find() found it).
    [[gnu::always_inline]] void append_to(Buffer& out) const { append(out, std::string_view(text_.data(), text_size_)); }
    /// Remembers what `out` holds from `start` on as the text of `packet`, a PUBLISH (`p`) as
    /// mqtt::decode() reads `packet.raw` (forgets it when something is too long, or the payload
    /// is not the end of `packet.raw`).
    void store(const mqtt::Packet& packet, const mqtt::Publish& p, mqtt::Version version, std::uint8_t extra,
               const Buffer& out, std::size_t start) noexcept {
        const std::string_view text(out.data() + start, out.size() - start);
        const mqtt::Bytes raw = packet.raw;
        const std::size_t head = raw.size() - p.payload.size();
        raw_size_ = invalid;
        if (text.size() > text_.size() || head > head_.size() ||
            (!p.payload.empty() && p.payload.data() + p.payload.size() != raw.data() + raw.size()))
            return;
        raw_size_ = raw.size();
        version_ = version;
        extra_ = extra;
        head_size_ = head;
        copy_short(head_.data(), reinterpret_cast<const char*>(raw.data()), head);
        copy_short(text_.data(), text.data(), text.size());
        text_size_ = text.size();
    }

private:
    static constexpr std::size_t invalid = ~std::size_t{0};
    std::size_t raw_size_ = invalid;  // of the packet stored; invalid: none
    mqtt::Version version_ = mqtt::Version::v3_1_1;
    std::uint8_t extra_ = 0;
    std::size_t head_size_ = 0;
    std::size_t text_size_ = 0;
    std::array<char, 256> head_{};
    std::array<char, 640> text_{};
};

}  // namespace mqttlens::output::detail
