#include "engine/engine.hpp"

#include <algorithm>
#include <limits>

namespace mqttlens::engine {

std::int64_t micros(Timestamp ts) noexcept {
    constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 2 / 1'000'000;
    const std::int64_t sec = std::clamp<std::int64_t>(ts.sec, -limit, limit);
    return sec * 1'000'000 + ts.nsec / 1000;
}

Conversation& Engine::conversation(const ConnectionInfo& info) {
    if (last_ != nullptr && last_stream_ == info.stream) return *last_;
    last_ = &conversations_.try_emplace(info.stream, mqtt::SessionOptions{.midstream = !info.syn_seen}).first->second;
    last_stream_ = info.stream;
    return *last_;
}

void Engine::connection_opened(const ConnectionInfo& info) {
    conversation(info);
    listener_.on_open(info);
}

void Engine::packets(const PacketRun& r) {
    Conversation& c = conversation(r.connection);
    const Delivery d{r.connection, c, r.direction, r.src, r.dst, r.frame, r.ts, micros(r.ts)};
    std::uint32_t begin = 0;
    std::uint32_t clean_begin = 0;  // the clean packets not yet handed over: [clean_begin, begin)
    // The run of clean packets before `begin`, in one call; the connection's version does not
    // change within it (only a CONNECT changes it).
    auto hand_over_clean = [&] {
        if (clean_begin == begin) return;
        listener_.on_packet(d, PacketSeen{r.bytes.subspan(clean_begin, begin - clean_begin), r.stream_offset + clean_begin,
                                          c.decoding_version(), nullptr, {}, {}, false});
    };
    for (const std::uint32_t end : r.ends) {
        const mqtt::Bytes bytes = r.bytes.subspan(begin, end - begin);
        if (!build_clean_publish_ && c.observe_clean_publish(d.direction, bytes, d.time_us, d.frame)) {
            begin = end;
            continue;
        }
        hand_over_clean();  // before observe(): the conversation as it was after them
        const Observed seen = c.observe(d.direction, bytes, d.time_us, d.frame);
        listener_.on_packet(d, PacketSeen{bytes, r.stream_offset + begin, seen.version, &seen.packet,
                                          {seen.stream.begin(), seen.stream.end()}, seen.alias_topic, seen.error()});
        begin = clean_begin = end;
    }
    hand_over_clean();
}

void Engine::stream_event(const ConnectionInfo& info, const StreamEvent& e) {
    Conversation& c = conversation(info);
    if (e.kind == StreamEventKind::gap || e.kind == StreamEventKind::resync ||
        e.kind == StreamEventKind::unsynchronised)
        c.lost_data();
    listener_.on_event(info, c, e);
}

void Engine::connection_closed(const ConnectionInfo& info, CloseReason reason, std::uint64_t frame,
                               Timestamp ts) {
    const auto found = conversations_.find(info.stream);
    if (found == conversations_.end()) return;
    const Conversation& c = found->second;
    const std::int64_t end_us = micros(ts);
    // An evicted connection, like one open at the capture's end, may still get its answers.
    const auto how = reason == CloseReason::capture_end || reason == CloseReason::evicted
                         ? mqtt::ConnectionEnd::capture_ended
                         : mqtt::ConnectionEnd::closed;
    const std::vector<mqtt::EndFinding> findings = c.finish(end_us, how);
    listener_.on_close(info, c, Closing{reason, frame, ts, end_us, findings});
    if (last_ == &found->second) last_ = nullptr;
    conversations_.erase(found);
}

}  // namespace mqttlens::engine
