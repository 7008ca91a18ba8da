// Session checker, the MQTT 5.0 part: what each side declared in CONNECT and CONNACK and the rules
// that hold the other side to it, the topic aliases of each direction, reason codes by sender, and
// the enhanced authentication exchange (shared/mqtt-5.0-rules.md, "Across one connection"). The
// rules 5.0 shares with 3.1.1 (first packets, identifiers, pings, keep alive) are
// session_checker.cpp's; observe() calls observe_v5() before them for a 5.0 connection.
#include "mqtt/packet_v5.hpp"
#include "mqtt/properties.hpp"
#include "mqtt/reason_codes.hpp"
#include "mqtt/session_checker.hpp"

#include <string>
#include <unordered_map>

namespace mqttlens::mqtt {

/// Everything a 5.0 connection adds to the checker. Lives on the heap (a 3.1.1 connection has
/// none); only the alias tables grow, up to max_alias_bytes per direction.
struct SessionChecker::V5 {
    /// What one side declared about the packets it accepts; absent properties take the
    /// standard's defaults.
    struct Limits {
        std::uint16_t topic_alias_maximum = 0;
        std::uint16_t receive_maximum = 65535;
        std::uint32_t maximum_packet_size = 0;  ///< 0: no limit
    };
    /// The topic aliases one side has mapped for the PUBLISH packets it sends.
    struct Aliases {
        std::unordered_map<std::uint16_t, std::string> topics;
        std::size_t bytes = 0;    ///< counted against max_alias_bytes (topic plus a fixed overhead)
        bool incomplete = false;  ///< a mapping may be missing: lost data, a capture begun inside
                                  ///< the connection, or max_alias_bytes reached
    };

    // From the CONNECT (connect_seen): bounds on the server's packets
    bool connect_seen = false;
    Limits client;
    bool problem_information = true;        ///< Request Problem Information (absent: 1)
    bool response_information_requested = false;
    std::uint32_t session_expiry = 0;       ///< absent: 0
    bool empty_client_id = false;
    std::uint8_t will_qos = 0;
    bool will_retain = false;
    std::optional<std::string> auth_method;  ///< the CONNECT's Authentication Method

    // From the CONNACK: bounds on the client's packets once it accepted (`accepted`)
    bool connack_seen = false;
    bool accepted = false;
    Limits server;
    std::uint8_t maximum_qos = 2;
    bool retain_available = true;
    bool wildcard_available = true;
    bool identifiers_available = true;
    bool shared_available = true;

    bool server_asked_to_continue = false;  ///< the last server AUTH carried 0x18
    Aliases aliases[2];                     ///< [0] the client's, [1] the server's
};

// Here, where V5 is complete (the constructor too: it destroys v5_ should it throw).
SessionChecker::SessionChecker(const SessionOptions& options, std::optional<Version> version) noexcept
    : options_(options), first_rules_(!options.midstream), acks_uncertain_(options.midstream) {
    if (version == Version::v5_0) {
        mode_ = Mode::mqtt5;
        start_v5(nullptr);
    }
}
SessionChecker::~SessionChecker() = default;
SessionChecker::SessionChecker(SessionChecker&&) noexcept = default;
SessionChecker& SessionChecker::operator=(SessionChecker&&) noexcept = default;

namespace {

constexpr std::size_t alias_overhead = 64;  // per mapping, beside its topic: table node and string

/// Where `p` lies in `packet`.
std::uint32_t offset_of(const Packet& packet, const Property& p) noexcept {
    return static_cast<std::uint32_t>(p.raw.data() - packet.raw.data());
}

std::optional<Property> find(const Packet& packet, PropertyId id) noexcept {
    const PropertyList* list = properties_of(packet);
    return list ? list->find(id) : std::nullopt;
}

bool sent_by_other_side(std::uint8_t code, ReasonScope scope, bool from_client) noexcept {
    const ReasonSender sender = reason_code_sender(code, scope);
    return from_client ? sender == ReasonSender::server : sender == ReasonSender::client;
}

bool has_wildcard(std::string_view filter) noexcept {
    return filter.find_first_of("+#") != std::string_view::npos;
}

}  // namespace

void SessionChecker::start_v5(const Connect* connect) noexcept {
    v5_.reset(new (std::nothrow) V5);
    if (!v5_) {
        mode_ = Mode::foreign;  // no memory for its state: the connection is not judged
        return;
    }
    V5& v = *v5_;
    if (!connect) {  // the version is known but the CONNECT was not seen
        for (auto& a : v.aliases) a.incomplete = true;
        return;
    }
    v.connect_seen = true;
    v.empty_client_id = connect->client_id.empty();
    if (connect->will_flag()) {
        v.will_qos = connect->will_qos();
        v.will_retain = connect->will_retain();
    }
    if (!connect->properties) return;
    for (const Property& p : *connect->properties) {
        switch (p.id) {
            case PropertyId::topic_alias_maximum: v.client.topic_alias_maximum = static_cast<std::uint16_t>(p.number); break;
            case PropertyId::receive_maximum:
                if (p.number != 0) v.client.receive_maximum = static_cast<std::uint16_t>(p.number);
                break;
            case PropertyId::maximum_packet_size: v.client.maximum_packet_size = p.number; break;
            case PropertyId::request_problem_information: v.problem_information = p.number != 0; break;
            case PropertyId::request_response_information: v.response_information_requested = p.number == 1; break;
            case PropertyId::session_expiry_interval: v.session_expiry = p.number; break;
            case PropertyId::authentication_method:
                try {
                    v.auth_method.emplace(p.text);
                } catch (...) {
                    mode_ = Mode::foreign;  // the exchange cannot be followed
                }
                break;
            default: break;
        }
    }
}

void SessionChecker::lost_data_v5() noexcept {
    for (auto& a : v5_->aliases) a.incomplete = true;
}

void SessionChecker::observe_v5(bool from_client, const Packet& packet, std::int64_t time_us,
                                Diagnostics& out) noexcept {
    V5& v = *v5_;
    const PacketType type = packet.type();
    // MQTT-3.2.2-15 / MQTT-3.1.2-24: the whole packet against the receiver's Maximum Packet Size
    const std::uint32_t maximum = from_client ? v.server.maximum_packet_size : v.client.maximum_packet_size;
    if (maximum != 0 && packet.raw.size() > maximum)
        out.add(from_client ? Code::client_packet_too_large : Code::server_packet_too_large, Field::fixed_header, 0);
    // MQTT-3.1.2-30: with an Authentication Method only AUTH and DISCONNECT until CONNACK
    if (from_client && v.auth_method && !v.connack_seen && type != PacketType::auth && type != PacketType::disconnect)
        out.add(Code::packet_before_authentication, Field::fixed_header, 0);
    // MQTT-3.1.2-29: Request Problem Information 0 forbids the server's Reason String and User
    // Property everywhere but PUBLISH, CONNACK and DISCONNECT
    if (!from_client && v.connect_seen && !v.problem_information && type != PacketType::publish &&
        type != PacketType::connack && type != PacketType::disconnect)
        if (const PropertyList* list = properties_of(packet))
            for (const Property& p : *list)
                if (p.id == PropertyId::reason_string || p.id == PropertyId::user_property) {
                    out.add(Code::problem_information_unrequested, Field::properties, offset_of(packet, p));
                    break;
                }

    switch (type) {
        case PacketType::connack: connack_v5(packet, out); break;
        case PacketType::publish: publish_v5(from_client, packet, out); break;
        case PacketType::subscribe: {
            const auto* s = packet.get<Subscribe>();
            if (!s || !v.accepted) break;
            bool wildcard = false, shared = false;
            for (const Subscription& sub : s->subscriptions) {
                const auto at = static_cast<std::uint32_t>(sub.filter.data() - reinterpret_cast<const char*>(packet.raw.data()));
                if (!v.wildcard_available && !wildcard && has_wildcard(sub.filter)) {
                    wildcard = true;
                    out.add(Code::subscribe_wildcard_unavailable, Field::topic_filter, at);
                }
                if (!v.shared_available && !shared && sub.filter.starts_with("$share/")) {
                    shared = true;
                    out.add(Code::subscribe_shared_unavailable, Field::topic_filter, at);
                }
            }
            if (const auto id = find(packet, PropertyId::subscription_identifier); id && !v.identifiers_available)
                out.add(Code::subscribe_identifier_unavailable, Field::properties, offset_of(packet, *id));
            break;
        }
        case PacketType::puback:
        case PacketType::pubrec: {
            const auto* a = packet.get<Ack>();
            const auto scope = type == PacketType::puback ? ReasonScope::puback : ReasonScope::pubrec;
            if (a && a->reason_code && sent_by_other_side(*a->reason_code, scope, from_client))
                out.add(Code::reason_code_wrong_sender, Field::reason_code,
                        static_cast<std::uint32_t>(packet.header.size() + 2));
            break;
        }
        case PacketType::disconnect: disconnect_v5(from_client, packet, time_us, out); break;
        case PacketType::auth: auth_v5(from_client, packet, out); break;
        default: break;
    }
}

bool SessionChecker::plain_publish_v5(bool from_client, std::size_t size, bool retain,
                                      std::uint64_t property_ids) const noexcept {
    // What observe_v5() and publish_v5() look at in a QoS 0 PUBLISH: nothing reported, nothing kept.
    const V5& v = *v5_;
    const auto has = [&](PropertyId id) { return (property_ids >> static_cast<unsigned>(id)) & 1; };
    const std::uint32_t maximum = from_client ? v.server.maximum_packet_size : v.client.maximum_packet_size;
    if (has(PropertyId::topic_alias) || (maximum != 0 && size > maximum)) return false;
    if (!from_client) return true;
    return !has(PropertyId::subscription_identifier) && !(v.auth_method && !v.connack_seen) &&
           !(v.accepted && retain && !v.retain_available);
}

void SessionChecker::connack_v5(const Packet& packet, Diagnostics& out) noexcept {
    V5& v = *v5_;
    // MQTT-3.2.0-2: "The Server MUST NOT send more than one CONNACK"
    if (v.connack_seen) out.add(Code::second_connack, Field::fixed_header, 0);
    v.connack_seen = true;
    const auto* ack = packet.get<Connack>();
    if (!ack || !ack->properties) return;  // `20 02 00 01`: a 3.1.1 server refusing 5.0
    const auto method = ack->properties->find(PropertyId::authentication_method);
    if (v.connect_seen && method && !v.auth_method)
        out.add(Code::server_auth_unrequested, Field::properties, offset_of(packet, *method));
    const auto response = ack->properties->find(PropertyId::response_information);
    if (v.connect_seen && response && !v.response_information_requested)
        out.add(Code::response_information_unrequested, Field::properties, offset_of(packet, *response));
    if (ack->return_code != 0) return;

    v.accepted = true;
    bool assigned = false;
    for (const Property& p : *ack->properties) {
        const auto n = p.number;
        switch (p.id) {
            case PropertyId::topic_alias_maximum: v.server.topic_alias_maximum = static_cast<std::uint16_t>(n); break;
            case PropertyId::receive_maximum:
                if (n != 0) v.server.receive_maximum = static_cast<std::uint16_t>(n);
                break;
            case PropertyId::maximum_packet_size: v.server.maximum_packet_size = n; break;
            case PropertyId::maximum_qos: v.maximum_qos = static_cast<std::uint8_t>(n); break;
            case PropertyId::retain_available: v.retain_available = n != 0; break;
            case PropertyId::wildcard_subscription_available: v.wildcard_available = n != 0; break;
            case PropertyId::subscription_identifier_available: v.identifiers_available = n != 0; break;
            case PropertyId::shared_subscription_available: v.shared_available = n != 0; break;
            case PropertyId::server_keep_alive: keep_alive_ = static_cast<std::uint16_t>(n); break;  // MQTT-3.2.2-21
            case PropertyId::assigned_client_identifier: assigned = true; break;
            default: break;
        }
    }
    if (!v.connect_seen) return;
    const auto properties_at = static_cast<std::uint32_t>(packet.header.size() + 2);
    // MQTT-3.1.3-7 (5.0), MQTT-3.2.2-16: a zero-length ClientID accepted gets one assigned
    if (v.empty_client_id && !assigned)
        out.add(Code::connack_without_assigned_client_id, Field::properties, properties_at);
    if (v.maximum_qos < v.will_qos)
        out.add(Code::connack_maximum_qos_below_will, Field::properties, properties_at);
    if (v.will_retain && !v.retain_available)
        out.add(Code::connack_retain_unavailable_will, Field::properties, properties_at);
    // MQTT-4.12.0-5: CONNACK 0x00 names the CONNECT's Authentication Method
    if (v.auth_method && (!method || method->text != *v.auth_method))
        out.add(Code::auth_method_mismatch, Field::properties, method ? offset_of(packet, *method) : properties_at);
}

void SessionChecker::publish_v5(bool from_client, const Packet& packet, Diagnostics& out) noexcept {
    V5& v = *v5_;
    const auto* p = packet.get<Publish>();
    if (!p || !p->properties) return;
    if (from_client) {
        const std::uint8_t qos = packet.header.qos();
        if (v.accepted && qos != 3 && qos > v.maximum_qos)
            out.add(Code::publish_qos_above_maximum, Field::fixed_header, 0);
        if (v.accepted && packet.header.retain() && !v.retain_available)
            out.add(Code::publish_retain_unavailable, Field::fixed_header, 0);
        if (const auto id = p->properties->find(PropertyId::subscription_identifier))
            out.add(Code::publish_subscription_identifier_from_client, Field::properties, offset_of(packet, *id));
    }
    const auto alias = p->properties->find(PropertyId::topic_alias);
    if (!alias || alias->number == 0) return;  // alias 0: the decoder's (MQTT-3.3.2-8)
    const auto key = static_cast<std::uint16_t>(alias->number);
    const std::uint32_t at = offset_of(packet, *alias);
    // MQTT-3.3.2-9 / -11: at most the receiver's Topic Alias Maximum (0 when absent). The client
    // learns the server's from CONNACK: before it, none is allowed.
    const std::uint16_t maximum = from_client ? v.server.topic_alias_maximum : v.client.topic_alias_maximum;
    const bool known = from_client ? v.connect_seen || v.connack_seen : v.connect_seen;
    if (known && key > maximum)
        out.add(from_client ? Code::client_topic_alias_invalid : Code::server_topic_alias_invalid, Field::properties, at);

    V5::Aliases& aliases = v.aliases[from_client ? 0 : 1];
    if (p->topic.empty()) {
        // MQTT5-§3.3.4: an empty Topic Name stands for the topic its alias was mapped to
        if (const auto it = aliases.topics.find(key); it != aliases.topics.end()) alias_topic_ = it->second;
        else if (!aliases.incomplete) out.add(Code::topic_alias_unmapped, Field::properties, at);
        return;
    }
    // A Topic Name with an alias sets (or replaces) the mapping. Many clients send the topic
    // with its alias every time: the same mapping again changes nothing and allocates nothing.
    const auto it = aliases.topics.find(key);
    const bool mapped = it != aliases.topics.end();
    if (mapped && it->second == p->topic) return;
    const std::size_t old = mapped ? it->second.size() + alias_overhead : 0;
    const std::size_t cost = p->topic.size() + alias_overhead;
    if (aliases.bytes - old + cost > max_alias_bytes) {
        if (mapped) {
            aliases.bytes -= old;
            aliases.topics.erase(it);
        }
        aliases.incomplete = true;
        return;
    }
    try {
        if (mapped) it->second.assign(p->topic);
        else aliases.topics.emplace(key, std::string(p->topic));
        aliases.bytes += cost - old;
    } catch (...) {
        aliases.incomplete = true;  // assign() and emplace() leave the table as it was
    }
}

void SessionChecker::disconnect_v5(bool from_client, const Packet& packet, std::int64_t time_us,
                                   Diagnostics& out) noexcept {
    V5& v = *v5_;
    const std::uint8_t code = reason_code_of(packet).value_or(0);
    const auto code_at = static_cast<std::uint32_t>(packet.header.size());
    // MQTT-3.14.2-1: Table 3-10 says who sends each code; 0x9B from a client by name only
    const bool lenient = from_client && code == 0x9B && options_.allow_client_disconnect_qos_not_supported;
    if (!lenient && sent_by_other_side(code, ReasonScope::disconnect, from_client))
        out.add(Code::disconnect_reason_wrong_sender, Field::reason_code, code_at);
    if (const auto expiry = find(packet, PropertyId::session_expiry_interval)) {
        if (!from_client)  // MQTT-3.14.2-2
            out.add(Code::server_disconnect_session_expiry, Field::properties, offset_of(packet, *expiry));
        else if (v.connect_seen && v.session_expiry == 0 && expiry->number != 0)  // MQTT5-§3.14.2.2.2
            out.add(Code::disconnect_session_expiry_after_zero, Field::properties, offset_of(packet, *expiry));
    }
    if (from_client) return;
    // MQTT-3.14.0-1: not before a CONNACK below 0x80 (after a refusing one the server sends nothing)
    if (v.connect_seen && !v.connack_seen) out.add(Code::disconnect_before_connack, Field::fixed_header, 0);
    // MQTT-3.2.2-22: a Keep Alive timeout only after 1.5 x Keep Alive of silence
    if (code == 0x8D && keep_alive_ != 0 && last_client_us_ &&
        time_us - *last_client_us_ < keep_alive_limit_us(keep_alive_))
        out.add(Code::keep_alive_disconnect_early, Field::reason_code, code_at);
    server_disconnected_ = true;
}

void SessionChecker::auth_v5(bool from_client, const Packet& packet, Diagnostics& out) noexcept {
    V5& v = *v5_;
    const auto* r = packet.get<Reason>();
    if (!r) return;
    const std::uint8_t code = r->reason_code.value_or(0);
    const auto code_at = static_cast<std::uint32_t>(packet.header.size());
    if (sent_by_other_side(code, ReasonScope::auth, from_client))
        out.add(Code::reason_code_wrong_sender, Field::reason_code, code_at);
    if (!v.connect_seen) return;
    // MQTT-4.12.0-6 / -7: no exchange without a method in CONNECT
    if (!v.auth_method) {
        out.add(from_client ? Code::client_auth_unrequested : Code::server_auth_unrequested, Field::fixed_header, 0);
        return;
    }
    // MQTT-4.12.0-5, MQTT-4.12.1-1: the CONNECT's method throughout (its absence is the decoder's)
    const auto method = r->properties ? r->properties->find(PropertyId::authentication_method) : std::nullopt;
    if (method && method->text != *v.auth_method)
        out.add(from_client && code == 0x19 && v.connack_seen ? Code::reauthentication_method_changed
                                                              : Code::auth_method_mismatch,
                Field::properties, offset_of(packet, *method));
    if (!from_client) {
        // MQTT-4.12.0-2: before CONNACK the server continues the exchange (0x18) or ends it with CONNACK
        if (!v.connack_seen && code != 0x18) out.add(Code::server_auth_not_continue, Field::reason_code, code_at);
        v.server_asked_to_continue = code == 0x18;
        return;
    }
    // MQTT-4.12.0-3: the client answers a server's 0x18 with 0x18
    if (v.server_asked_to_continue && code != 0x18) out.add(Code::client_auth_not_continue, Field::reason_code, code_at);
    v.server_asked_to_continue = false;
}

void SessionChecker::check_receive_maximum(bool from_client, const InFlight& space, std::uint32_t offset,
                                           Diagnostics& out) const noexcept {
    // MQTT-3.3.4-7 / -9: QoS 1 and 2 PUBLISH in flight, up to the receiver's Receive Maximum.
    // The table counts exactly up to max_in_flight; a larger maximum cannot be judged.
    if (acks_uncertain_) return;
    const V5& v = *v5_;
    if (!(from_client ? v.connack_seen || v.connect_seen : v.connect_seen)) return;
    const std::uint16_t maximum = from_client ? v.server.receive_maximum : v.client.receive_maximum;
    if (maximum >= max_in_flight) return;
    std::size_t publishes = 0;
    for (std::size_t i = 0; i < space.ids.size(); ++i)
        publishes += space.ids[i].kind != Kind::subscribe && space.ids[i].kind != Kind::unsubscribe;
    if (publishes > maximum)
        out.add(from_client ? Code::client_receive_maximum_exceeded : Code::server_receive_maximum_exceeded,
                Field::packet_id, offset);
}

}  // namespace mqttlens::mqtt
