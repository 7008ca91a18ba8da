// Session checker: the stream rules of 3.1.1 and those 5.0 shares with it, one connection at a
// time (what only 5.0 has: session_checker_v5.cpp).
#include "mqtt/session_checker.hpp"

#include <algorithm>

namespace mqttlens::mqtt {

namespace {

/// §2.2.1, Table 2.1: true when `type` is one only the other side sends. In 5.0 DISCONNECT goes
/// both ways (and AUTH, type 15, too).
bool wrong_way(PacketType type, bool from_client, bool mqtt5) noexcept {
    switch (type) {
        case PacketType::connect:
        case PacketType::subscribe:
        case PacketType::unsubscribe:
        case PacketType::pingreq: return !from_client;
        case PacketType::disconnect: return !from_client && !mqtt5;
        case PacketType::connack:
        case PacketType::suback:
        case PacketType::unsuback:
        case PacketType::pingresp: return from_client;
        default: return false;
    }
}

Diagnostic make_diagnostic(Code code, Field field, std::uint32_t offset) noexcept {
    return Diagnostic{code, code_info(code).severity, field, offset};
}

}  // namespace

int SessionChecker::InFlight::find(std::uint16_t id) const noexcept {
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i].id == id) return static_cast<int>(i);
    return -1;
}

void SessionChecker::InFlight::insert(std::uint16_t id, Kind kind) noexcept {
    if (!ids.push_back({id, kind})) ++spare_acks;
}


Diagnostics SessionChecker::observe(Direction direction, const Packet& packet,
                                    std::int64_t time_us, std::uint64_t ref) noexcept {
    Diagnostics out;
    alias_topic_ = {};
    if (direction == Direction::unknown) {
        // Nothing here can be judged, and it may have been anything: a first packet, a request.
        first_rules_ = false;
        acks_uncertain_ = true;
        last_client_us_.reset();
        return out;
    }
    if (mode_ == Mode::foreign) return out;

    const PacketType type = packet.type();
    const bool from_client = direction == Direction::c2s;
    if (from_client ? !client_rules(packet, time_us, ref, out) : !server_rules(packet, out)) return out;

    if (wrong_way(type, from_client, mode_ == Mode::mqtt5)) {
        out.add(Code::wrong_direction, Field::fixed_header, 0);
        return out;
    }
    if (mode_ == Mode::mqtt5) observe_v5(from_client, packet, time_us, out);
    shared_rules(from_client, packet, time_us, ref, out);
    return out;
}

void SessionChecker::shared_rules(bool from_client, const Packet& packet, std::int64_t time_us, std::uint64_t ref,
                                  Diagnostics& out) noexcept {
    switch (packet.type()) {
        case PacketType::connack: check_connack(packet, out); break;
        case PacketType::pingreq:
            if (ping_count_ < max_tracked_pings) pings_[ping_count_++] = Ping{time_us, ref};
            else ++pings_untracked_;
            break;
        case PacketType::pingresp:
            if (ping_count_ > 0) {
                std::move(pings_.begin() + 1, pings_.begin() + ping_count_, pings_.begin());
                --ping_count_;
            } else if (pings_untracked_ > 0) {
                --pings_untracked_;
            }
            break;
        case PacketType::disconnect: disconnected_ = disconnected_ || from_client; break;
        case PacketType::publish:
            if (packet.header.qos() == 0) break;  // no identifier to follow (the usual case)
            [[fallthrough]];
        default:
            if (!options_.one_direction) check_ids(from_client, packet, time_us, ref, out);
            break;
    }
}

bool SessionChecker::client_rules(const Packet& packet, std::int64_t time_us, std::uint64_t ref,
                                  Diagnostics& out) noexcept {
    const PacketType type = packet.type();
    const bool first = !client_seen_;
    client_seen_ = true;
    // MQTT-3.1.0-1: "the first Packet sent from the Client to the Server MUST be a CONNECT"
    if (first && first_rules_ && type != PacketType::connect)
        out.add(Code::first_packet_not_connect, Field::fixed_header, 0);
    // MQTT-3.14.4-2: after DISCONNECT the Client "MUST NOT send any more Control Packets"
    if (disconnected_) {
        out.add(Code::data_after_disconnect, Field::fixed_header, 0);
        return false;
    }
    // MQTT-3.1.2-24: silence of more than 1.5 x Keep Alive and the Server did not disconnect
    if (keep_alive_ != 0 && last_client_us_ &&
        time_us - *last_client_us_ > keep_alive_limit_us(keep_alive_))
        out.add(Code::keep_alive_exceeded, Field::none, 0);
    last_client_us_ = time_us;
    last_client_ref_ = ref;
    if (!packet.valid()) client_broke_ = true;
    if (type == PacketType::connect) {
        // MQTT-3.1.0-2: a second CONNECT is a protocol violation. Before the capture started
        // (midstream) the connection had its first packet, so this cannot be it.
        if (connect_seen_ || (!first && options_.midstream)) {
            out.add(Code::second_connect, Field::fixed_header, 0);
            return false;
        }
        check_connect(packet);
        return false;
    }
    return true;
}

bool SessionChecker::server_rules(const Packet& packet, Diagnostics& out) noexcept {
    const PacketType type = packet.type();
    const bool first = !server_seen_;
    server_seen_ = true;
    // MQTT-3.2.0-1: "The first packet sent from the Server to the Client MUST be a CONNACK"
    // (5.0 lets AUTH come first)
    // and 5.0 a DISCONNECT only after a CONNACK below 0x80 (MQTT-3.14.0-1, reported by observe_v5)
    const bool v5_first = mode_ == Mode::mqtt5 && (type == PacketType::auth || type == PacketType::disconnect);
    if (first && first_rules_ && type != PacketType::connack && !v5_first)
        out.add(Code::first_packet_not_connack, Field::fixed_header, 0);
    // MQTT-3.2.2-5 (5.0: MQTT-3.2.2-7): after a refusing CONNACK the Server "MUST then close the
    // Network Connection"; 5.0: nor send anything after its own DISCONNECT (MQTT-3.14.4-1)
    if (connack_refused_ || server_disconnected_) {
        out.add(connack_refused_ ? Code::data_after_connack_error : Code::data_after_server_disconnect,
                Field::fixed_header, 0);
        return false;
    }
    return true;
}

bool SessionChecker::observe_plain_publish(Direction direction, std::int64_t time_us, std::uint64_t ref,
                                           std::size_t size, bool retain, std::uint64_t property_ids) noexcept {
    // observe() for this packet, the paths that report nothing and change no more than this
    // (SessionChecker.PlainPublishIsObserve and Conversation.TheCleanPublishShortWayIsObserve run
    // the two side by side on random sessions).
    if (mode_ == Mode::mqtt5) {
        if (direction == Direction::unknown || !plain_publish_v5(direction == Direction::c2s, size, retain, property_ids))
            return false;
        alias_topic_ = {};
    } else if (mode_ != Mode::mqtt3) {
        return false;
    }
    if (direction == Direction::s2c) return server_seen_ && !connack_refused_ && !server_disconnected_;
    if (direction != Direction::c2s || !client_seen_ || disconnected_) return false;
    if (keep_alive_ != 0 && last_client_us_ && time_us - *last_client_us_ > keep_alive_limit_us(keep_alive_))
        return false;
    last_client_us_ = time_us;
    last_client_ref_ = ref;
    return true;
}

void SessionChecker::check_connect(const Packet& packet) noexcept {
    connect_seen_ = true;
    // The decoder reads every CONNECT whose length it can read into a Connect, whatever its level.
    // MQTT-3.1.2-1: on another protocol the Server may go on "in accordance with some other
    // specification"; this checker has nothing to say then.
    mode_ = Mode::foreign;
    if (const auto* c = packet.get<Connect>()) {
        version_ = version_of_level(c->protocol_level);
        keep_alive_ = c->keep_alive;
        clean_session_ = c->clean_session();
        if ((c->protocol_name == "MQTT" && c->protocol_level == 4) ||
            (c->protocol_name == "MQIsdp" && c->protocol_level == 3))
            mode_ = Mode::mqtt3;
        else if (c->protocol_name == "MQTT" && c->protocol_level == 5)
            mode_ = Mode::mqtt5;
        if (mode_ == Mode::mqtt5) start_v5(c);
    }
    // MQTT-3.1.4-1: a CONNECT that does not conform gets no CONNACK. An empty Client Identifier
    // with Clean Session 0 is the exception: the Server answers 0x02 (MQTT-3.1.3-8); so is a 3.1
    // one outside 1 to 23 characters (3.1 §3.1: "CONNACK return code 2: Identifier Rejected").
    std::size_t excused = 0;
    for (const auto& d : packet.diagnostics)
        if (d.severity == Severity::error &&
            (d.code == Code::client_id_empty_persistent || d.code == Code::client_id_length_v3_1))
            ++excused;
    connect_malformed_ = packet.diagnostics.error_count() > excused;
    connect_empty_id_ = excused > 0;
}

void SessionChecker::check_connack(const Packet& packet, Diagnostics& out) noexcept {
    const auto* ack = packet.get<Connack>();
    if (!ack) return;
    if (connect_seen_) {
        const bool rejected_empty_id = connect_empty_id_ && ack->return_code == 2;
        // 5.0 answers a malformed CONNECT with a refusing CONNACK (0x80 and above) before closing
        const bool accepted = mode_ != Mode::mqtt5 || ack->return_code == 0;
        if (accepted && (connect_malformed_ || (connect_empty_id_ && !rejected_empty_id)))
            out.add(Code::connack_after_bad_connect, Field::fixed_header, 0);
        // MQTT-3.2.2-1 (5.0: MQTT-3.2.2-2): Clean Session 1 "MUST set Session Present to 0". 3.1
        // has no such flag.
        if (version_ != Version::v3_1 && clean_session_ && ack->session_present())
            out.add(Code::session_present_clean, Field::ack_flags,
                    static_cast<std::uint32_t>(packet.header.size()));
    }
    if (ack->return_code && *ack->return_code != 0) connack_refused_ = true;
}

void SessionChecker::check_ids(bool from_client, const Packet& packet, std::int64_t time_us,
                               std::uint64_t ref, Diagnostics& out) noexcept {
    InFlight& own = from_client ? client_ids_ : server_ids_;
    InFlight& peer = from_client ? server_ids_ : client_ids_;
    const auto id_offset = static_cast<std::uint32_t>(packet.header.size());

    switch (packet.type()) {
        case PacketType::publish: {
            const auto* p = packet.get<Publish>();
            const std::uint8_t qos = packet.header.qos();
            if (!p || !p->packet_id || qos == 0 || qos == 3) return;
            const auto offset = id_offset + 2 + static_cast<std::uint32_t>(p->topic.size());
            const std::size_t before = own.ids.size();
            new_request(own, *p->packet_id, qos == 1 ? Kind::qos1 : Kind::qos2_sent, packet.header.dup(), offset, out);
            if (v5_ && own.ids.size() != before) check_receive_maximum(from_client, own, offset, out);
            return;
        }
        case PacketType::puback:
        case PacketType::pubrec:
        case PacketType::pubrel:
        case PacketType::pubcomp:
        case PacketType::unsuback: break;
        case PacketType::subscribe:
        case PacketType::unsubscribe: {
            std::optional<std::uint16_t> id;
            std::uint32_t filters = 0;
            if (const auto* s = packet.get<Subscribe>()) {
                id = s->packet_id;
                filters = static_cast<std::uint32_t>(s->subscriptions.size());
            } else if (const auto* u = packet.get<Unsubscribe>()) {
                id = u->packet_id;
                filters = static_cast<std::uint32_t>(u->filters.size());
            }
            if (!id) return;
            const Kind kind = packet.type() == PacketType::subscribe ? Kind::subscribe : Kind::unsubscribe;
            const std::size_t before = own.ids.size();
            new_request(own, *id, kind, false, id_offset, out);
            if (own.ids.size() != before)
                requests_.push_back(Request{time_us, ref, filters, *id, static_cast<std::uint8_t>(id_offset), kind});
            return;
        }
        case PacketType::suback: {
            const auto* s = packet.get<Suback>();
            if (!s || !s->packet_id || !answered(peer, *s->packet_id, Kind::subscribe, id_offset, out)) return;
            // MQTT-3.9.3-1: "one return code for each Topic Filter in the SUBSCRIBE Packet"
            if (const auto r = take_request(*s->packet_id); r && r->filters != s->return_codes.size())
                out.add(Code::suback_count_mismatch, Field::return_codes, id_offset + 2);
            return;
        }
        default: return;
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK (a Suback in 5.0)
    if (const auto* u = packet.get<Suback>()) {
        if (!u->packet_id || !answered(peer, *u->packet_id, Kind::unsubscribe, id_offset, out)) return;
        // MQTT-3.11.3-1: "one Reason Code for each Topic Filter"
        if (const auto r = take_request(*u->packet_id); r && r->filters != u->return_codes.size())
            out.add(Code::unsuback_count_mismatch, Field::reason_codes, id_offset + 2);
        return;
    }
    const auto* a = packet.get<Ack>();
    if (!a || !a->packet_id) return;
    // 5.0: a PUBREC of 0x80 or above ends the QoS 2 flow (§4.3.3): the identifier is free again
    if (packet.type() == PacketType::pubrec && a->reason_code >= 0x80) {
        answered(peer, *a->packet_id, Kind::qos2_sent, id_offset, out);
        return;
    }
    check_ack(packet.type(), *a->packet_id, own, peer, id_offset, out);
}

void SessionChecker::check_ack(PacketType type, std::uint16_t id, InFlight& own, InFlight& peer,
                               std::uint32_t id_offset, Diagnostics& out) noexcept {
    switch (type) {
        case PacketType::puback: answered(peer, id, Kind::qos1, id_offset, out); return;
        case PacketType::pubcomp: answered(peer, id, Kind::qos2_released, id_offset, out); return;
        case PacketType::unsuback:
            if (answered(peer, id, Kind::unsubscribe, id_offset, out)) take_request(id);
            return;
        case PacketType::pubrec: {
            const int i = peer.find(id);
            if (i < 0 || peer.kind(i) == Kind::qos1 || peer.kind(i) == Kind::subscribe ||
                peer.kind(i) == Kind::unsubscribe)
                return unmatched_ack(peer, id_offset, out);
            if (peer.kind(i) == Kind::qos2_sent) peer.kind(i) = Kind::qos2_received;
            else ++peer.spare_acks;  // a repeated PUBREC draws another PUBREL
            return;
        }
        case PacketType::pubrel: {
            // The PUBLISH sender's answer to PUBREC: the identifier is in its own space.
            const int i = own.find(id);
            if (i >= 0 && own.kind(i) == Kind::qos2_received) {
                own.kind(i) = Kind::qos2_released;
            } else if (i >= 0 && own.kind(i) == Kind::qos2_released) {
                ++own.spare_acks;  // a repeated PUBREL draws another PUBCOMP
            } else if (i < 0 && connect_seen_ && !clean_session_) {
                // MQTT-4.4.0-1: on a resumed session PUBRELs of the last connection are re-sent
                own.insert(id, Kind::qos2_released);
            } else {
                unmatched_ack(own, id_offset, out);
            }
            return;
        }
        default: return;
    }
}

void SessionChecker::new_request(InFlight& space, std::uint16_t id, Kind kind, bool dup,
                                 std::uint32_t offset, Diagnostics& out) noexcept {
    const int i = space.find(id);
    if (i < 0) {
        space.insert(id, kind);
        return;
    }
    // A DUP=1 PUBLISH repeats the one in flight: not a reuse, but it may draw a second answer.
    // Once PUBREL is sent the PUBLISH must not be re-sent (MQTT-4.3.3-1).
    const bool retransmission =
        dup && ((kind == Kind::qos1 && space.kind(i) == Kind::qos1) ||
                (kind == Kind::qos2_sent && (space.kind(i) == Kind::qos2_sent ||
                                             space.kind(i) == Kind::qos2_received)));
    if (retransmission) {
        ++space.spare_acks;
        return;
    }
    // MQTT-2.3.1-2: a new request "MUST assign it a currently unused Packet Identifier"
    out.add(Code::packet_id_in_use, Field::packet_id, offset);
}

bool SessionChecker::answered(InFlight& space, std::uint16_t id, Kind kind, std::uint32_t offset,
                              Diagnostics& out) noexcept {
    const int i = space.find(id);
    if (i < 0 || space.kind(i) != kind) {
        unmatched_ack(space, offset, out);
        return false;
    }
    space.ids.erase(static_cast<std::size_t>(i));
    return true;
}

void SessionChecker::unmatched_ack(InFlight& space, std::uint32_t offset, Diagnostics& out) noexcept {
    if (space.spare_acks > 0) {
        --space.spare_acks;
        return;
    }
    // MQTT-2.3.1-6 / -7: an acknowledgement carries the identifier of its request
    if (!acks_uncertain_) out.add(Code::ack_unknown_packet_id, Field::packet_id, offset);
}

std::optional<SessionChecker::Request> SessionChecker::take_request(std::uint16_t id) noexcept {
    for (std::size_t i = 0; i < requests_.size(); ++i) {
        if (requests_[i].id == id) {
            const Request r = requests_[i];
            requests_.erase(i);
            return r;
        }
    }
    return std::nullopt;
}

void SessionChecker::lost_data() noexcept {
    first_rules_ = false;
    acks_uncertain_ = true;
    last_client_us_.reset();
    client_ids_.ids.clear();
    server_ids_.ids.clear();
    client_ids_.spare_acks = server_ids_.spare_acks = 0;
    requests_.clear();
    ping_count_ = 0;
    pings_untracked_ = 0;
    if (v5_) lost_data_v5();
}

std::vector<EndFinding> SessionChecker::finish(std::int64_t end_us, ConnectionEnd how) const {
    std::vector<EndFinding> found;
    if (mode_ == Mode::foreign) return found;
    const bool open = how == ConnectionEnd::capture_ended;
    const auto overdue = [&](std::int64_t sent_us) {
        return !open || end_us - sent_us >= options_.open_end_grace_us;
    };
    // After a client packet with errors the Server closes without answering (MQTT-4.8.0-1):
    // what was still unanswered then is not the Server's fault.
    // After the Server's own DISCONNECT (5.0) nothing more is owed either.
    if (!client_broke_ && !server_disconnected_) {
        for (std::size_t i = 0; i < requests_.size(); ++i) {
            const Request& r = requests_[i];
            if (!overdue(r.time_us)) continue;
            // MQTT-3.8.4-1 / MQTT-3.10.4-4: the Server MUST respond with SUBACK / UNSUBACK
            const Code code = r.kind == Kind::subscribe ? Code::subscribe_unanswered
                                                        : Code::unsubscribe_unanswered;
            found.push_back({make_diagnostic(code, Field::packet_id, r.id_offset), r.ref, r.id});
        }
        // MQTT-3.12.4-1: the Server MUST send a PINGRESP in response to a PINGREQ
        for (std::uint8_t i = 0; i < ping_count_; ++i)
            if (overdue(pings_[i].time_us))
                found.push_back({make_diagnostic(Code::pingreq_unanswered, Field::fixed_header, 0),
                                 pings_[i].ref, std::nullopt});
    }
    // The Server must disconnect once the silence passes 1.5 x Keep Alive. A connection still
    // open at the capture's end, or closed clearly later than that, shows it did not. A close
    // near the limit is the Server doing what it must.
    const std::int64_t slack = open ? 0 : options_.keep_alive_close_slack_us;
    if (keep_alive_ != 0 && !disconnected_ && !server_disconnected_ && last_client_us_ &&
        end_us - *last_client_us_ > keep_alive_limit_us(keep_alive_) + slack)
        found.push_back({make_diagnostic(Code::keep_alive_exceeded, Field::none, 0),
                         last_client_ref_, std::nullopt});
    std::stable_sort(found.begin(), found.end(),
                     [](const EndFinding& a, const EndFinding& b) { return a.ref < b.ref; });
    return found;
}

}  // namespace mqttlens::mqtt
