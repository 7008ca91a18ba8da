// MQTT over byte streams: which connections are MQTT, roles, framing, resynchronisation.
#pragma once

#include "engine/consumer.hpp"
#include "capture/byte_stream.hpp"
#include "mqtt/framer.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace mqttlens::engine {

struct StreamOptions {
    std::vector<std::uint16_t> mqtt_ports{1883};  ///< plain MQTT by port
    std::vector<std::uint16_t> tls_ports{8883};   ///< MQTT over TLS: reported, not framed
    bool auto_detect = true;  ///< any other port: MQTT when the client's bytes open with a CONNECT
    /// Bytes examined past a boundary candidate before giving it up while resynchronising.
    std::size_t max_resync = 64 * 1024;
    mqtt::FramerOptions framer;
};

struct StreamStats {
    std::uint64_t mqtt_connections = 0;  ///< including auto-detected ones
    std::uint64_t auto_detected = 0;
    std::uint64_t tls_connections = 0;
    std::uint64_t packets = 0;
    std::uint64_t framing_errors = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t skipped_bytes = 0;
};

/// The byte-stream sink that turns each connection's bytes into MQTT packets and events for a
/// Consumer: detection by port or by CONNECT, roles, framing, resynchronisation after gaps.
class MqttStreams final : public capture::ByteStreamSink {
public:
    MqttStreams(Consumer& consumer, StreamOptions options);

    void on_record(const Record& record) override { consumer_.on_record(record); }
    void on_open(capture::ByteStream&, std::uint64_t frame, Timestamp ts) override;
    void on_data(capture::ByteStream&, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                 Timestamp ts) override;
    void on_gap(capture::ByteStream&, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame,
                Timestamp ts) override;
    void on_close(capture::ByteStream&, CloseReason, std::uint64_t frame, Timestamp ts) override;

    const StreamStats& stats() const noexcept { return stats_; }

    struct State;  // per connection

private:
    struct Held;
    struct Early;
    struct Half;
    /// The connection's State, made (and fed what its Early held) on first use.
    State& state(capture::ByteStream& c);
    State& make_state(capture::ByteStream& c);
    /// Keeps `bytes` in the connection's Early when they leave nothing to report.
    bool hold_early(capture::ByteStream& c, int d, Bytes bytes, std::uint64_t offset);
    void open_as_mqtt(State& st, std::uint64_t frame, Timestamp ts);
    void detect(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    void feed(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    void frame_bytes(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                     Timestamp ts);
    bool try_resync(State& st, int d, std::uint64_t frame, Timestamp ts, bool at_end);
    void start_resync(State& st, int d, StreamEventKind kind, std::uint64_t offset);
    void framing_error(State& st, int d, mqtt::Code code, std::uint64_t offset, std::uint64_t frame,
                       Timestamp ts);
    void emit_packet(State& st, int d, Bytes packet, std::uint64_t offset, std::uint64_t frame,
                     Timestamp ts);
    /// Hands the `run_size_` packets noted in run_ends_ to the consumer, from bytes[from].
    void emit_run(State& st, int d, Bytes bytes, std::size_t from, std::uint64_t offset, std::uint64_t frame,
                  Timestamp ts);
    void emit_event(State& st, int d, StreamEventKind kind, std::uint64_t offset, std::uint64_t size,
                    mqtt::Code code, std::uint64_t frame, Timestamp ts);
    void set_client(State& st, int d);
    bool is_mqtt_port(std::uint16_t port) const noexcept;
    bool is_tls_port(std::uint16_t port) const noexcept;

    Consumer& consumer_;
    StreamOptions options_;
    StreamStats stats_;
    // The run of whole packets frame_bytes() is collecting: where each ends, from its first.
    std::array<std::uint32_t, 64> run_ends_;
    std::size_t run_size_ = 0;
};

}  // namespace mqttlens::engine
