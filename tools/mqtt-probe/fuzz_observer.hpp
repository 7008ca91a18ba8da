// What the fuzz engines share about one session's connection: the broker's replies checked as they
// arrive (Observer), the bound on what is read, the wall clock of the recorded events, and the
// liveness check's request and the reading of its answer.
#pragma once

#include "findings.hpp"
#include "fuzz_net.hpp"

#include "engine/conversation.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt/framer.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mqttlens::probe {

/// Nanoseconds since the epoch: a WireEvent's stamp.
inline std::int64_t unix_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Received bytes taken per session at most; then the probe closes.
inline constexpr std::size_t max_received = 1u << 20;

/// The broker's side of one connection checked strictly; the client's side observed up to its
/// first broken packet, so the session rules know what the broker answers. The probe writes a
/// session at once, so the true order of the two directions is unknown: Packet Identifiers in
/// flight are not followed (SessionOptions::one_direction), or a PUBREL sent before the broker's
/// PUBREC, a request repeated after its answer, would count against the broker.
class Observer {
public:
    explicit Observer(std::vector<std::string>& out) : out_(out) {}

    void client(mqtt::Bytes stream) {
        mqtt::Framer framer;
        framer.feed(stream);
        for (;;) {
            const mqtt::Frame f = framer.next();
            if (f.status != mqtt::Frame::Status::packet) return;
            if (conversation_.observe(mqtt::Direction::c2s, f.packet, 0, ++ref_).error()) return;
        }
    }

    void server(mqtt::Bytes bytes) {
        if (broken_) return;
        framer_.feed(bytes);
        for (;;) {
            const mqtt::Frame f = framer_.next();
            if (f.status == mqtt::Frame::Status::need_more) return;
            if (f.status == mqtt::Frame::Status::error) {
                broken_ = true;
                if (out_.size() < max_findings) out_.push_back(stream_finding(f.error, f.offset, conversation_.decoding_version()));
                return;
            }
            observe(f.packet);
        }
    }

private:
    void observe(mqtt::Bytes bytes) {
        const engine::Observed o = conversation_.observe(mqtt::Direction::s2c, bytes, 0, ++ref_);
        if (!o.error() || out_.size() >= max_findings) return;
        packet_findings(o, mqtt::type_name(o.packet.type(), o.version), out_);
        if (out_.size() > max_findings) out_.resize(max_findings);
    }

    static constexpr std::size_t max_findings = 4;  ///< per session: the first says what the finding is

    std::vector<std::string>& out_;
    engine::Conversation conversation_{mqtt::SessionOptions{.one_direction = true}};
    mqtt::Framer framer_{mqtt::FramerOptions{1u << 20}};
    std::uint64_t ref_ = 0;
    bool broken_ = false;
};

/// The liveness check's bytes: CONNECT (3.1.1, Clean Session, `client_id`), then PINGREQ.
inline std::vector<std::uint8_t> liveness_request(const std::string& client_id) {
    mqtt::Connect c;
    c.client_id = client_id;
    std::vector<std::uint8_t> out;
    mqtt::encode(mqtt::make_packet(mqtt::PacketType::connect, c), out);
    mqtt::encode(mqtt::make_packet(mqtt::PacketType::pingreq, mqtt::Empty{}), out);
    return out;
}

/// The broker's answer to liveness_request, read as it arrives.
class LivenessReply {
public:
    /// Takes the broker's next bytes; true once CONNACK 0 and then PINGRESP have come.
    bool feed(mqtt::Bytes bytes) {
        framer_.feed(bytes);
        for (mqtt::Frame f = framer_.next(); f.status == mqtt::Frame::Status::packet; f = framer_.next()) {
            if (f.packet[0] == 0x20) connack_ = f.packet.size() >= 4 && f.packet[3] == 0;
            if (f.packet[0] == 0xD0 && connack_) return true;
        }
        return false;
    }
    /// What is still missing: "CONNACK" or "PINGRESP".
    const char* awaited() const noexcept { return connack_ ? "PINGRESP" : "CONNACK"; }

private:
    mqtt::Framer framer_;
    bool connack_ = false;
};

}  // namespace mqttlens::probe
