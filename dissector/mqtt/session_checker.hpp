// Session checker: the rules that span one TCP connection ("Across one TCP connection" in
// shared/mqtt-3.1.1-rules.md, "Across one connection" in shared/mqtt-5.0-rules.md). Decode errors
// stay with the decoder; what this reports are session events, kept apart, each attached to the
// packet where it is seen. The rules both versions share are written once here; what only 5.0
// has (negotiated limits, topic aliases, reason codes by sender, enhanced authentication) is in
// session_checker_v5.cpp, reached from observe() when the connection speaks 5.0.
#pragma once

#include "mqtt/diagnostic.hpp"
#include "mqtt/packet.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <new>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mqttlens::engine {
class Conversation;
}

namespace mqttlens::mqtt {


/// How the connection ended, as far as the capture saw.
enum class ConnectionEnd : std::uint8_t {
    closed,         ///< FIN or RST (or the addresses were reused): nothing more can come
    capture_ended,  ///< still open when the capture stopped: answers may still be on the way
};

/// Checker settings. The defaults are the standard.
struct SessionOptions {
    /// The capture starts inside the connection: its CONNECT and any earlier request were not
    /// seen. The first-packet rules are skipped and an acknowledgement is never reported as
    /// matching no request (its request may predate the capture).
    bool midstream = false;
    /// With ConnectionEnd::capture_ended, a request still unanswered is reported only when it was
    /// sent at least this long (microseconds) before the end: a younger one may be answered after
    /// the capture stopped.
    std::int64_t open_end_grace_us = 5'000'000;
    /// With ConnectionEnd::closed, the close may be the Server's keep-alive disconnect: it is
    /// taken as in time when it comes no later than this (microseconds) after 1.5 x Keep Alive,
    /// since server timers and capture timestamps are not exact.
    std::int64_t keep_alive_close_slack_us = 1'000'000;
    /// Only one direction of the connection is observed (byte input): the Packet Identifiers in
    /// flight are not followed, since the answers that free them cannot be seen.
    bool one_direction = false;
    /// MQTT 5.0, lenient by name: accept a client DISCONNECT with 0x9B (QoS not supported), which
    /// §3.3.4 suggests for a PUBLISH above a Maximum QoS although Table 3-10 lists 0x9B as the
    /// server's only (the rules file's note; strict: MQTT-3.14.2-1).
    bool allow_client_disconnect_qos_not_supported = false;
};

/// A finding made at the end of the connection, about an earlier packet.
struct EndFinding {
    Diagnostic diagnostic;                   ///< offset and field within that packet
    std::uint64_t ref = 0;                   ///< the `ref` observe() was given with that packet
    std::optional<std::uint16_t> packet_id;  ///< the unanswered request's identifier, if it has one
    friend bool operator==(const EndFinding&, const EndFinding&) = default;
};

/// The stream rules for one TCP connection. One instance per connection, fed every packet of both
/// directions in capture order, then finish(). Memory is fixed (about 1.3 KiB, nothing allocated
/// after construction); in-flight identifiers are tracked exactly up to `max_in_flight` per
/// direction, and counted beyond that so that their acknowledgements are not misreported.
///
/// Protocol version comes from the CONNECT: 3.1.1 ("MQTT", 4) and 3.1 ("MQIsdp", 3) get every
/// 3.1.1 rule; MQTT 5.0 ("MQTT", 5) gets every 5.0 rule, its state (what each side declared, the
/// topic aliases of each direction) on the heap, so that a 3.1.1 connection does not carry it;
/// any other protocol name or level is not judged after its CONNECT.
class SessionChecker {
public:
    static constexpr std::size_t max_in_flight = 128;  ///< per direction
    static constexpr std::size_t max_tracked_requests = 16;  ///< SUBSCRIBE / UNSUBSCRIBE in flight
    static constexpr std::size_t max_tracked_pings = 4;
    /// MQTT 5.0: topic bytes kept for the aliases of one direction. Past it new mappings are not
    /// kept, and an alias without a mapping is no longer reported (it may be one not kept).
    static constexpr std::size_t max_alias_bytes = 1 << 20;

    /// `version`: the version the connection is known to speak before any CONNECT is seen (byte
    /// input, a capture that starts inside the connection); what either side declared in the
    /// packets not seen is then unknown, and the rules that need it are not applied.
    explicit SessionChecker(const SessionOptions& options = {},
                            std::optional<Version> version = std::nullopt) noexcept;
    ~SessionChecker();
    SessionChecker(SessionChecker&&) noexcept;
    SessionChecker& operator=(SessionChecker&&) noexcept;

    /// Checks one packet. Call in capture order for both directions. `time_us`: capture time in
    /// microseconds (any origin, the same for the whole connection); `ref`: the caller's number
    /// for this packet (frame number, packet index), given back by finish(). Returns the stream
    /// findings about this packet, offsets within it.
    Diagnostics observe(Direction direction, const Packet& packet, std::int64_t time_us,
                        std::uint64_t ref = 0) noexcept;

    /// Bytes were lost in the capture (a TCP gap): forgets the requests in flight and the
    /// keep-alive timer, and from now on does not report what lost packets could explain.
    void lost_data() noexcept;

    /// The connection ended at `end_us`: requests never answered (SUBSCRIBE, UNSUBSCRIBE,
    /// PINGREQ), and a client silence of more than 1.5 x Keep Alive (plus the close slack when
    /// `closed`) before the end, attached to the last client packet. Ordered by `ref`. Does not
    /// change the checker.
    std::vector<EndFinding> finish(std::int64_t end_us, ConnectionEnd how) const;

    /// The version the CONNECT named; nullopt before it (or if it was never seen, or named none).
    std::optional<Version> version() const noexcept { return version_; }

    /// MQTT 5.0: the topic the PUBLISH last given to observe() stands for when its Topic Name was
    /// empty and its Topic Alias had a mapping in its direction; empty otherwise. Valid until the
    /// next call of a non-const member.
    std::string_view alias_topic() const noexcept { return alias_topic_; }

private:
    // The engine's short way for the usual packet is a private detail: observe() is the entry.
    friend class engine::Conversation;
    /// What observe() does with a QoS 0 PUBLISH that broke no decode rule, when it would report
    /// nothing about it: does that and returns true. Otherwise changes nothing and returns
    /// false; call observe() then. For the usual packet of a busy connection, without building
    /// its Packet (engine::Conversation::observe_clean_publish). 5.0: `size` (the whole packet),
    /// `retain` (its RETAIN flag) and `property_ids` (PropertyList::ids()) are what the 5.0 rules
    /// need of it.
    bool observe_plain_publish(Direction direction, std::int64_t time_us, std::uint64_t ref = 0, std::size_t size = 0,
                               bool retain = false, std::uint64_t property_ids = 0) noexcept;
    /// The 5.0 part of observe_plain_publish(): true when observe_v5() would report nothing about
    /// such a PUBLISH and change nothing (session_checker_v5.cpp).
    bool plain_publish_v5(bool from_client, std::size_t size, bool retain, std::uint64_t property_ids) const noexcept;

    /// MQTT-3.1.2-24 (5.0: MQTT-3.1.2-22): "within one and a half times the Keep Alive time period"
    static constexpr std::int64_t keep_alive_limit_us(std::uint16_t keep_alive) noexcept {
        return std::int64_t(keep_alive) * 1'500'000;
    }

    enum class Mode : std::uint8_t { mqtt3, mqtt5, foreign };
    struct V5;  // session_checker_v5.cpp
    /// What an identifier in flight waits for.
    enum class Kind : std::uint8_t {
        qos1,          ///< PUBLISH QoS 1: PUBACK
        qos2_sent,     ///< PUBLISH QoS 2: PUBREC
        qos2_received, ///< PUBREC seen: the sender's PUBREL
        qos2_released, ///< PUBREL seen: PUBCOMP
        subscribe,     ///< SUBACK
        unsubscribe,   ///< UNSUBACK
    };

    /// A table of up to `Max` entries that lives inside the checker while it holds at most
    /// `Inline` and moves to the heap beyond: a connection costs a few hundred bytes, not kilobytes,
    /// while it has little in flight (most do), and capture-wide memory is per open connection.
    /// When the heap is refused the table counts as full (callers already handle a full table).
    template <class T, std::size_t Inline, std::size_t Max>
    class Table {
    public:
        std::size_t size() const noexcept { return size_; }
        T& operator[](std::size_t i) noexcept { return data()[i]; }
        const T& operator[](std::size_t i) const noexcept { return data()[i]; }
        /// False when the table is full.
        bool push_back(const T& value) noexcept {
            if (size_ == Max) return false;
            if (size_ == Inline && !heap_) {
                heap_.reset(new (std::nothrow) T[Max]);
                if (!heap_) return false;
                std::copy(local_.begin(), local_.end(), heap_.get());
            }
            data()[size_++] = value;
            return true;
        }
        /// Removes entry i, keeping the order of the others.
        void erase(std::size_t i) noexcept {
            std::copy(data() + i + 1, data() + size_, data() + i);
            --size_;
        }
        void clear() noexcept { size_ = 0; }

    private:
        T* data() noexcept { return heap_ ? heap_.get() : local_.data(); }
        const T* data() const noexcept { return heap_ ? heap_.get() : local_.data(); }
        std::array<T, Inline> local_{};
        std::unique_ptr<T[]> heap_;  // kept once allocated: a busy connection stays busy
        std::uint16_t size_ = 0;
    };

    struct InFlightId {
        std::uint16_t id;
        Kind kind;
    };
    /// The identifiers in flight from one side (MQTT-2.3.1-2: one space per sender).
    struct InFlight {
        Table<InFlightId, 8, max_in_flight> ids;
        /// Requests not tracked (table full) plus retransmissions: acknowledgements that may match
        /// nothing here without anyone being at fault.
        std::uint32_t spare_acks = 0;

        int find(std::uint16_t id) const noexcept;
        void insert(std::uint16_t id, Kind kind) noexcept;
        Kind& kind(int index) noexcept { return ids[static_cast<std::size_t>(index)].kind; }
    };

    /// A SUBSCRIBE or UNSUBSCRIBE awaiting its answer, with what finish() and SUBACK need.
    struct Request {
        std::int64_t time_us;
        std::uint64_t ref;
        std::uint32_t filters;
        std::uint16_t id;
        std::uint8_t id_offset;
        Kind kind;
    };

    struct Ping {
        std::int64_t time_us;
        std::uint64_t ref;
    };

    void check_connect(const Packet& packet) noexcept;
    /// The rules both versions share that follow packet identifiers, pings and the end.
    void shared_rules(bool from_client, const Packet& packet, std::int64_t time_us, std::uint64_t ref,
                      Diagnostics& out) noexcept;
    // MQTT 5.0 (session_checker_v5.cpp)
    void start_v5(const Connect* connect) noexcept;
    void observe_v5(bool from_client, const Packet& packet, std::int64_t time_us, Diagnostics& out) noexcept;
    void connack_v5(const Packet& packet, Diagnostics& out) noexcept;
    void publish_v5(bool from_client, const Packet& packet, Diagnostics& out) noexcept;
    void disconnect_v5(bool from_client, const Packet& packet, std::int64_t time_us, Diagnostics& out) noexcept;
    void auth_v5(bool from_client, const Packet& packet, Diagnostics& out) noexcept;
    void lost_data_v5() noexcept;
    /// `space` has one more QoS 1 or 2 PUBLISH in flight: past the receiver's Receive Maximum?
    void check_receive_maximum(bool from_client, const InFlight& space, std::uint32_t offset,
                               Diagnostics& out) const noexcept;
    void check_connack(const Packet& packet, Diagnostics& out) noexcept;
    /// The first-packet and after-the-end rules of a client packet; false when the packet is
    /// judged no further (after DISCONNECT, a CONNECT).
    bool client_rules(const Packet& packet, std::int64_t time_us, std::uint64_t ref, Diagnostics& out) noexcept;
    /// The same for a server packet (after a refusing CONNACK).
    bool server_rules(const Packet& packet, Diagnostics& out) noexcept;
    void check_ids(bool from_client, const Packet& packet, std::int64_t time_us,
                   std::uint64_t ref, Diagnostics& out) noexcept;
    /// PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK with identifier `id` against what is in flight.
    void check_ack(PacketType type, std::uint16_t id, InFlight& own, InFlight& peer, std::uint32_t id_offset,
                   Diagnostics& out) noexcept;
    void new_request(InFlight& space, std::uint16_t id, Kind kind, bool dup, std::uint32_t offset,
                     Diagnostics& out) noexcept;
    /// Takes the request `id` of `kind` out of `space`: false, after unmatched_ack(), when the
    /// acknowledgement at `offset` answers none.
    bool answered(InFlight& space, std::uint16_t id, Kind kind, std::uint32_t offset, Diagnostics& out) noexcept;
    void unmatched_ack(InFlight& space, std::uint32_t offset, Diagnostics& out) noexcept;
    /// Removes the SUBSCRIBE or UNSUBSCRIBE `id` from requests_ and returns it, if it was there.
    std::optional<Request> take_request(std::uint16_t id) noexcept;

    SessionOptions options_;
    Mode mode_ = Mode::mqtt3;
    std::optional<Version> version_;

    bool client_seen_ = false;
    bool server_seen_ = false;
    bool first_rules_ = true;             // the first packets of both sides are the real first ones
    bool connect_seen_ = false;
    bool connect_malformed_ = false;      // a CONNACK must not answer it (MQTT-3.1.4-1)
    bool connect_empty_id_ = false;       // the only fault: CONNACK 0x02 is the right answer
    bool clean_session_ = true;
    bool connack_refused_ = false;        // non-zero CONNACK seen
    bool disconnected_ = false;           // client DISCONNECT seen
    bool server_disconnected_ = false;    // 5.0: server DISCONNECT seen
    bool client_broke_ = false;           // a client packet with errors: the server may just close
    bool acks_uncertain_ = false;         // midstream, unknown direction or lost data
    std::uint16_t keep_alive_ = 0;
    std::optional<std::int64_t> last_client_us_;
    std::uint64_t last_client_ref_ = 0;

    InFlight client_ids_;
    InFlight server_ids_;
    Table<Request, 2, max_tracked_requests> requests_;
    std::array<Ping, max_tracked_pings> pings_;  // oldest first
    std::uint8_t ping_count_ = 0;
    std::uint32_t pings_untracked_ = 0;
    std::unique_ptr<V5> v5_;  // MQTT 5.0 only
    std::string_view alias_topic_;  // into v5_'s alias table
};

}  // namespace mqttlens::mqtt
