// The conversation engine over captured traffic: one Conversation per MQTT connection the capture
// layer reports, fed its packets and stream events in capture order; what it makes of each goes
// to a Listener. Every program that reads captures (mqtt-dissect, fuzz_pcap, the tests) goes
// through here, so each protocol rule is applied in one place.
//
//   struct Lines : engine::Listener {
//       void on_packet(const engine::Delivery& d, const engine::PacketSeen& p) override {
//           print(d.connection.stream, d.frame, *p.packet, p.stream);  // decode and session findings
//       }
//   };
//   Lines lines;
//   engine::Engine engine(lines);
//   capture::Dissector dissector(engine);
//   dissector.run(source);
#pragma once

#include "capture/consumer.hpp"
#include "engine/conversation.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>

namespace mqttlens::engine {

/// `ts` in microseconds since the epoch, saturated at half the int64 range in seconds, so that
/// the difference of any two results cannot overflow (a pcapng record may claim any time).
std::int64_t micros(capture::Timestamp ts) noexcept;

/// The session checker's name for a capture direction.
mqtt::Direction session_direction(capture::Direction d) noexcept;

/// What the packets of one delivery share: one connection, one direction, one capture record.
/// Valid during the Listener call only.
struct Delivery {
    const capture::ConnectionInfo& connection;
    const Conversation& conversation;  ///< after the packet was observed
    capture::Direction direction;
    std::string_view src;              ///< "ip:port" of the sender
    std::string_view dst;
    std::uint64_t frame;               ///< record in which the packet's last byte arrived
    capture::Timestamp ts;             ///< that record's time
    std::int64_t time_us;              ///< micros(ts)
};

/// One packet and all that was found about it. Views valid during the Listener call only.
struct PacketSeen {
    mqtt::Bytes bytes;                         ///< the whole packet
    std::uint64_t stream_offset;               ///< of its first byte in the direction's stream
    mqtt::Version version;                     ///< the version it was decoded as
    const mqtt::Packet* packet;                ///< null: a clean QoS 0 PUBLISH not built (see
                                               ///< EngineOptions::build_clean_publish)
    std::span<const mqtt::Diagnostic> stream;  ///< session findings about it
    std::string_view note;                     ///< Observed::note
    bool error;                                ///< Observed::error()
};

/// How a connection ended, with the findings only its end shows.
struct Closing {
    capture::CloseReason reason;
    std::uint64_t frame;  ///< record being processed (0: capture end)
    capture::Timestamp ts;
    std::int64_t time_us;
    std::span<const mqtt::EndFinding> findings;
};

/// Receives what the engine makes of a capture. Calls arrive in capture order; for one
/// connection: open, then packets and events, then close.
class Listener {
public:
    virtual ~Listener() = default;
    /// Every capture record, before it is parsed.
    virtual void on_record(const capture::Record&) {}
    virtual void on_open(const capture::ConnectionInfo&) {}
    virtual void on_packet(const Delivery&, const PacketSeen&) = 0;
    /// A stream event (gap, resynchronisation, framing error, TLS). The conversation has already
    /// taken lost bytes into account.
    virtual void on_event(const capture::ConnectionInfo&, const Conversation&, const capture::StreamEvent&) {}
    virtual void on_close(const capture::ConnectionInfo&, const Conversation&, const Closing&) {}
};

struct EngineOptions {
    /// false: a QoS 0 PUBLISH that neither the decoder nor the session rules find anything to say
    /// about reaches the listener without a Packet (PacketSeen::packet null; mqtt::decode_clean
    /// reads it), which saves decoding it twice for a listener that only prints it.
    bool build_clean_publish = true;
};

/// The capture layer's consumer that runs one Conversation per connection.
class Engine final : public capture::Consumer {
public:
    explicit Engine(Listener& listener, EngineOptions options = {}) : listener_(listener), options_(options) {}

    void on_record(const capture::Record& record) override { listener_.on_record(record); }
    void on_connection_open(const capture::ConnectionInfo& info) override;
    void on_packet(const capture::PacketEvent& e) override;
    void on_packets(const capture::PacketRun& run) override;
    void on_stream_event(const capture::ConnectionInfo& info, const capture::StreamEvent& e) override;
    void on_connection_close(const capture::ConnectionInfo& info, capture::CloseReason reason, std::uint64_t frame,
                             capture::Timestamp ts) override;

    /// Packets observed so far, all connections.
    std::uint64_t packets() const noexcept { return packets_; }

private:
    Conversation& conversation(const capture::ConnectionInfo& info);
    void observe(Conversation& c, const Delivery& d, mqtt::Bytes bytes, std::uint64_t offset);

    Listener& listener_;
    EngineOptions options_;
    std::unordered_map<std::uint32_t, Conversation> conversations_;
    Conversation* last_ = nullptr;  // packets come in runs per connection (map nodes stay put)
    std::uint32_t last_stream_ = 0;
    std::uint64_t packets_ = 0;
};

}  // namespace mqttlens::engine
