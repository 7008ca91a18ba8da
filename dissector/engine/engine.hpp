// The conversation engine over captured traffic. It takes each connection's byte streams from the
// capture layer (a capture::ByteStreamSink), finds which are MQTT, frames their bytes into packets
// (MqttStreams: detection, roles, framing, resynchronisation), and runs one Conversation per MQTT
// connection over its packets and stream events in capture order; what it makes of each goes to a
// Listener. Every program that reads captures (mqtt-dissect, fuzz_pcap, the tests) goes through
// here, so each protocol rule is applied in one place.
//
//   struct Lines : engine::Listener {
//       void on_packet(const engine::Delivery& d, const engine::PacketSeen& p) override {
//           print(d.connection.stream, d.frame, *p.packet, p.stream);  // decode and session findings
//       }
//   };
//   Lines lines;
//   engine::Engine engine(lines);                 // EngineOptions: ports, auto-detection, framing
//   capture::Dissector dissector(engine);          // link, IP, TCP: byte streams to the engine
//   dissector.run(source);
#pragma once

#include "capture/byte_stream.hpp"
#include "engine/conversation.hpp"
#include "engine/mqtt_streams.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>

namespace mqttlens::engine {

/// `ts` in microseconds since the epoch, saturated at half the int64 range in seconds, so that
/// the difference of any two results cannot overflow (a pcapng record may claim any time).
std::int64_t micros(Timestamp ts) noexcept;

/// What the packets of one delivery share: one connection, one direction, one capture record.
/// Valid during the Listener call only.
struct Delivery {
    const ConnectionInfo& connection;
    const Conversation& conversation;  ///< after the packet (of a run: its last) was observed
    Direction direction;
    std::string_view src;              ///< "ip:port" of the sender
    std::string_view dst;
    std::uint64_t frame;               ///< record in which the packet's last byte arrived
    Timestamp ts;             ///< that record's time
    std::int64_t time_us;              ///< micros(ts)
};

/// One packet and all that was found about it, or (`packet` null) a run of clean QoS 0
/// PUBLISHes. Views valid during the Listener call only.
struct PacketSeen {
    mqtt::Bytes bytes;                         ///< the whole packet; or the run's packets, back to
                                               ///< back (mqtt::packet_size() splits them)
    std::uint64_t stream_offset;               ///< of its first byte in the direction's stream
    mqtt::Version version;                     ///< the version it was decoded as
    const mqtt::Packet* packet;                ///< null: one or more QoS 0 PUBLISHes, not built,
                                               ///< that nothing was found about (see
                                               ///< EngineOptions::build_clean_publish)
    std::span<const mqtt::Diagnostic> stream;  ///< session findings about it
    std::string_view alias_topic;              ///< Observed::alias_topic
    bool error;                                ///< Observed::error()
};

/// How a connection ended, with the findings only its end shows.
struct Closing {
    CloseReason reason;
    std::uint64_t frame;  ///< record being processed (0: capture end)
    Timestamp ts;
    std::int64_t time_us;
    std::span<const mqtt::EndFinding> findings;
};

/// Receives what the engine makes of a capture. Calls arrive in capture order; for one
/// connection: open, then packets and events, then close. Open comes with the connection's first
/// packet, event or close, not with its SYN, so that an idle connection costs nothing here.
/// Non-MQTT connections are never reported (they still take a stream number).
class Listener {
public:
    virtual ~Listener() = default;
    /// Every capture record, before it is parsed.
    virtual void on_record(const Record&) {}
    virtual void on_open(const ConnectionInfo&) {}
    virtual void on_packet(const Delivery&, const PacketSeen&) = 0;
    /// A stream event (gap, resynchronisation, framing error, TLS). The conversation has already
    /// taken lost bytes into account.
    virtual void on_event(const ConnectionInfo&, const Conversation&, const StreamEvent&) {}
    virtual void on_close(const ConnectionInfo&, const Conversation&, const Closing&) {}
};

struct EngineOptions {
    StreamOptions streams;  ///< MQTT and TLS ports, auto-detection, resync bound, framer
    /// false: a QoS 0 PUBLISH that neither the decoder nor the session rules find anything to say
    /// about reaches the listener without a Packet (PacketSeen::packet null; mqtt::decode_clean
    /// reads it), which saves decoding it twice for a listener that only prints it. Such
    /// packets that follow one another in one delivery reach it in one call, as one run: a
    /// capture record of ten PUBLISHes costs the listener one call, not ten.
    bool build_clean_publish = true;
};

/// Takes the capture layer's byte streams; runs the framing and one Conversation per connection.
class Engine final : public capture::ByteStreamSink {
public:
    explicit Engine(Listener& listener, EngineOptions options = {})
        : listener_(listener), build_clean_publish_(options.build_clean_publish),
          streams_(*this, std::move(options.streams)) {}

    void on_record(const Record& record) override { listener_.on_record(record); }
    void on_open(capture::ByteStream& s, std::uint64_t frame, Timestamp ts) override { streams_.on_open(s, frame, ts); }
    void on_data(capture::ByteStream& s, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                 Timestamp ts) override {
        streams_.on_data(s, d, bytes, offset, frame, ts);
    }
    void on_gap(capture::ByteStream& s, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame,
                Timestamp ts) override {
        streams_.on_gap(s, d, offset, size, frame, ts);
    }
    void on_close(capture::ByteStream& s, CloseReason reason, std::uint64_t frame, Timestamp ts) override {
        streams_.on_close(s, reason, frame, ts);
    }

    /// Packets observed so far, all connections.
    std::uint64_t packets() const noexcept { return streams_.stats().packets; }
    /// What the framing layer counted: MQTT and TLS connections, packets, framing errors, resyncs.
    const StreamStats& stream_stats() const noexcept { return streams_.stats(); }

private:
    friend class MqttStreams;  // what it finds goes to the four below
    void connection_opened(const ConnectionInfo& info);
    void packets(const PacketRun& run);
    void stream_event(const ConnectionInfo& info, const StreamEvent& e);
    void connection_closed(const ConnectionInfo& info, CloseReason reason, std::uint64_t frame, Timestamp ts);

    Conversation& conversation(const ConnectionInfo& info);

    Listener& listener_;
    bool build_clean_publish_;
    std::unordered_map<std::uint32_t, Conversation> conversations_;
    Conversation* last_ = nullptr;  // packets come in runs per connection (map nodes stay put)
    std::uint32_t last_stream_ = 0;
    MqttStreams streams_;  // last: it calls back into the members above
};

}  // namespace mqttlens::engine
