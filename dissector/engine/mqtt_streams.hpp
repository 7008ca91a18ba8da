// MQTT over byte streams: which connections are MQTT, roles, framing, resynchronisation.
#pragma once

#include "engine/connection.hpp"
#include "capture/byte_stream.hpp"
#include "mqtt/framer.hpp"
#include "transport/stack.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mqttlens::engine {

struct StreamOptions {
    std::vector<std::uint16_t> mqtt_ports{1883};  ///< plain MQTT by port
    std::vector<std::uint16_t> tls_ports{8883};   ///< MQTT over TLS (decrypted with transport.tls.keys)
    /// WebSocket looked for first on these (on any other port with auto_detect, when the client
    /// offers the "mqtt" subprotocol).
    std::vector<std::uint16_t> ws_ports{80, 8080, 8083, 9001};
    transport::StackOptions transport;            ///< the key log, WebSocket bounds
    bool auto_detect = true;  ///< any other port: MQTT when the client's bytes open with a CONNECT
    /// Bytes examined past a boundary candidate before giving it up while resynchronising.
    std::size_t max_resync = 64 * 1024;
    mqtt::FramerOptions framer;
};

struct StreamStats {
    std::uint64_t mqtt_connections = 0;  ///< including auto-detected ones
    std::uint64_t auto_detected = 0;
    std::uint64_t tls_connections = 0;        ///< MQTT connections carried in TLS
    std::uint64_t tls_decrypted = 0;          ///< of them, decrypted (a protected record opened)
    std::uint64_t websocket_connections = 0;  ///< MQTT connections carried in WebSocket
    std::uint64_t packets = 0;
    std::uint64_t framing_errors = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t skipped_bytes = 0;
};

/// Whole MQTT packets that lie one after the other in one delivery of reassembled bytes (usually
/// one record's payload), in one direction of one connection; a CONNECT or a packet the framer
/// held comes alone. Every view is valid only during the Engine call.
struct PacketRun {
    const ConnectionInfo& connection;
    Direction direction;
    std::string_view src;           ///< "ip:port" of the sender
    std::string_view dst;
    std::uint64_t frame;            ///< record in which the last packet's last byte arrived
    Timestamp ts;                   ///< that record's time
    mqtt::Bytes bytes;              ///< the packets, back to back
    std::uint64_t stream_offset;    ///< of bytes[0] in this direction's byte stream
    std::span<const std::uint32_t> ends;  ///< where each packet ends in `bytes`, ascending
};

class Engine;

/// The Engine's framing: turns each connection's bytes into MQTT packets and stream events for it
/// (detection by port or by CONNECT, roles, framing, resynchronisation after gaps).
class MqttStreams {
public:
    MqttStreams(Engine& engine, StreamOptions options);

    void on_open(capture::ByteStream&, std::uint64_t frame, Timestamp ts);
    void on_data(capture::ByteStream&, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                 Timestamp ts);
    void on_gap(capture::ByteStream&, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame,
                Timestamp ts);
    void on_close(capture::ByteStream&, CloseReason, std::uint64_t frame, Timestamp ts);

    const StreamStats& stats() const noexcept { return stats_; }

private:
    struct Held;
    struct Early;
    struct Half;
    struct State;  // per connection
    struct Up;     // what a connection's transport Stack hands up
    /// The connection's State, made (and fed what its Early held) on first use.
    State& state(capture::ByteStream& c);
    State& make_state(capture::ByteStream& c);
    /// Keeps `bytes` in the connection's Early when they leave nothing to report.
    bool hold_early(capture::ByteStream& c, int d, Bytes bytes, std::uint64_t offset);
    void open_as_mqtt(State& st);
    void detect(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    void feed(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    void frame_bytes(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                     Timestamp ts);
    bool try_resync(State& st, int d, std::uint64_t frame, Timestamp ts, bool at_end);
    void start_resync(State& st, int d, StreamEventKind kind, std::uint64_t offset);
    void framing_error(State& st, int d, mqtt::Code code, std::uint64_t offset, std::uint64_t frame,
                       Timestamp ts);
    /// Hands the engine the `run_size_` packets noted in run_ends_, from run[0] at stream `offset`.
    void emit_run(State& st, int d, Bytes run, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    void emit_event(State& st, int d, StreamEventKind kind, std::uint64_t offset, std::uint64_t size,
                    mqtt::Code code, std::uint64_t frame, Timestamp ts);
    /// Side `d` is the client: `known`, or a guess (roles_known false, direction unknown).
    void set_client(State& st, int d, bool known);
    bool is_mqtt_port(std::uint16_t port) const noexcept;
    bool is_tls_port(std::uint16_t port) const noexcept;
    bool is_ws_port(std::uint16_t port) const noexcept;
    /// Auto-detection of TLS (ALPN mqtt) and WebSocket on the client's first bytes; true when
    /// these bytes were taken (the connection is decided, or more are needed).
    bool detect_transport(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame, Timestamp ts);
    /// Puts `bottom` under the connection's framing and opens it as MQTT.
    void open_with_stack(State& st, transport::Stack::Bottom bottom, int client);
    /// Side `d`'s bytes into the connection's Stack; what it hands up is framed.
    void through_stack(State& st, int d, Bytes bytes, std::uint64_t frame, Timestamp ts);
    /// `size` bytes of side d's (carried) stream lost at `offset`: events, resynchronisation.
    void lose(State& st, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame, Timestamp ts);

    Engine& engine_;
    StreamOptions options_;
    StreamStats stats_;
    // The run of whole packets frame_bytes() is collecting: where each ends, from its first.
    std::array<std::uint32_t, 64> run_ends_;
    std::size_t run_size_ = 0;
};

}  // namespace mqttlens::engine
