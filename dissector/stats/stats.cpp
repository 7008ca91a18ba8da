// Statistics: bounded accumulation, then text and JSON tables.
#include "stats/stats.hpp"

#include "mqtt/packet_v5.hpp"
#include "mqtt/reason_codes.hpp"
#include "output/text.hpp"

#include <algorithm>
#include <iterator>

namespace mqttlens::stats {

using mqtt::Code;
using mqtt::Direction;
using mqtt::PacketType;

Accumulator::Accumulator(Limits limits) : limits_(limits) {}

ConnectionStats* Accumulator::connection(std::uint64_t id, std::int64_t time_us) {
    if (auto it = connections_.find(id); it != connections_.end()) return &it->second;
    if (connections_.size() >= limits_.max_connections) return nullptr;
    ConnectionStats& c = connections_[id];
    c.id = id;
    c.first_us = c.last_us = time_us;
    return &c;
}

void Accumulator::open_connection(std::uint64_t id, std::string_view client,
                                  std::string_view server, std::int64_t time_us) {
    ConnectionStats* c = connection(id, time_us);
    if (!c) {
        ++connections_untracked_;
        return;
    }
    c->client = client;
    c->server = server;
}

void Accumulator::count_diagnostic(ConnectionStats* c, const mqtt::Diagnostic& d) noexcept {
    ++by_code_[c != nullptr && c->protocol_level == 5][static_cast<std::size_t>(d.severity)]
              [static_cast<std::size_t>(d.code)];
    if (!c) return;
    if (d.severity == mqtt::Severity::error) ++c->errors;
    else ++c->warnings;
}

void Accumulator::count_topic(std::string_view topic, std::size_t payload) {
    auto it = topics_.find(topic);
    if (it == topics_.end()) {
        if (topics_.size() >= limits_.max_topics ||
            topic_bytes_ + topic.size() > limits_.max_topic_bytes) {
            ++topics_untracked_.messages;
            topics_untracked_.payload_bytes += payload;
            return;
        }
        topic_bytes_ += topic.size();
        it = topics_.emplace(std::string(topic), TopicStats{}).first;
    }
    ++it->second.messages;
    it->second.payload_bytes += payload;
}

namespace {

/// The limits a CONNECT or CONNACK property list declares.
Declared declared(const std::optional<mqtt::PropertyList>& list) noexcept {
    Declared d;
    if (!list) return d;
    d.seen = true;
    for (const mqtt::Property& p : *list) {
        switch (p.id) {
            case mqtt::PropertyId::session_expiry_interval: d.session_expiry_interval = p.number; break;
            case mqtt::PropertyId::receive_maximum: d.receive_maximum = p.number; break;
            case mqtt::PropertyId::maximum_packet_size: d.maximum_packet_size = p.number; break;
            case mqtt::PropertyId::topic_alias_maximum: d.topic_alias_maximum = p.number; break;
            case mqtt::PropertyId::server_keep_alive: d.server_keep_alive = p.number; break;
            case mqtt::PropertyId::maximum_qos: d.maximum_qos = p.number; break;
            default: break;
        }
    }
    return d;
}


}  // namespace

void Accumulator::add_packet(std::uint64_t id, Direction direction, const mqtt::Packet& packet,
                             std::span<const mqtt::Diagnostic> stream, std::int64_t time_us, std::string_view alias_topic) {
    const Counter one{1, packet.raw.size()};
    // Type 15 decoded as a body (not Opaque) is a 5.0 AUTH.
    const std::size_t type = packet.type() == PacketType::auth && packet.get<mqtt::Reason>()
                                 ? 16
                                 : static_cast<std::size_t>(packet.type());
    by_type_[type] += one;
    if (const auto code = mqtt::reason_code_of(packet)) ++reasons_[type][*code];
    if (const auto* s = packet.get<mqtt::Suback>(); s && s->properties)
        for (const std::uint8_t code : s->return_codes) ++reasons_[type][code];
    ConnectionStats* c = connection(id, time_us);
    if (c) {
        (direction == Direction::c2s ? c->c2s : direction == Direction::s2c ? c->s2c : c->unknown) += one;
        c->last_us = std::max(c->last_us, time_us);
        const bool from_client = direction != Direction::s2c;
        if (packet.type() == PacketType::connect && from_client && !c->connect_seen) {
            c->connect_seen = true;
            if (const auto* con = packet.get<mqtt::Connect>()) {
                c->protocol_level = con->protocol_level;
                c->client_id_cut = con->client_id.size() > limits_.max_client_id;
                c->client_id = con->client_id.substr(0, limits_.max_client_id);
                c->client_limits = declared(con->properties);
            }
        }
        if (const auto* ack = packet.get<mqtt::Connack>(); ack && !from_client && !c->server_limits.seen)
            c->server_limits = declared(ack->properties);
        if (packet.type() == PacketType::disconnect && from_client) c->disconnect = true;
    } else {
        untracked_traffic_ += one;
    }

    for (const auto& d : packet.diagnostics) count_diagnostic(c, d);
    dropped_ += packet.diagnostics.dropped();
    for (const auto& d : stream) count_diagnostic(c, d);

    if (const auto* p = packet.get<mqtt::Publish>(); p && packet.type() == PacketType::publish)
        count_topic(p->topic.empty() && !alias_topic.empty() ? alias_topic : p->topic, p->payload.size());
}

void Accumulator::add_diagnostic(std::uint64_t id, const mqtt::Diagnostic& diagnostic) {
    auto it = connections_.find(id);
    count_diagnostic(it == connections_.end() ? nullptr : &it->second, diagnostic);
}

void Accumulator::close_connection(std::uint64_t id, std::int64_t time_us, std::string_view how) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ConnectionStats& c = it->second;
    c.closed = true;
    c.end = how;
    c.last_us = std::max(c.last_us, time_us);
}

Counter Accumulator::total() const noexcept {
    Counter t;
    for (const auto& c : by_type_) t += c;
    return t;
}

std::vector<const ConnectionStats*> Accumulator::connections() const {
    std::vector<const ConnectionStats*> out;
    out.reserve(connections_.size());
    for (const auto& [id, c] : connections_) out.push_back(&c);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
    return out;
}

std::vector<std::pair<std::string_view, TopicStats>> Accumulator::topics() const {
    std::vector<std::pair<std::string_view, TopicStats>> out;
    out.reserve(topics_.size());
    for (const auto& [name, t] : topics_) out.emplace_back(name, t);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second.messages != b.second.messages ? a.second.messages > b.second.messages
                                                      : a.first < b.first;
    });
    return out;
}

namespace {

using Buffer = fmt::memory_buffer;

template <class... Args>
void put(Buffer& out, fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

/// Microseconds as seconds with six decimals, exact.
std::string seconds(std::int64_t us) {
    const auto magnitude = us < 0 ? 0 - static_cast<std::uint64_t>(us) : static_cast<std::uint64_t>(us);
    return fmt::format("{}{}.{:06}", us < 0 ? "-" : "", magnitude / 1'000'000, magnitude % 1'000'000);
}

/// `s` quoted as the packet printers write it: display form, or a JSON string (`json`).
std::string quoted(std::string_view s, bool json) {
    Buffer b;
    if (json) output::append_json_string(b, s);
    else output::append_display(b, s);
    return fmt::to_string(b);
}

/// A row of the rule table: a code at the severity it was found with, and the rule it names on
/// connections of that version.
struct Finding {
    Code code;
    mqtt::Severity severity;
    mqtt::RuleId rule;
    std::uint64_t count;
};

/// Rows of the rule table: codes seen (at each severity and version seen), most frequent first.
std::vector<Finding> codes_seen(const Accumulator& stats) {
    std::vector<Finding> rows;
    for (std::size_t i = 0; i < mqtt::code_count; ++i) {
        const auto code = static_cast<Code>(i);
        // The code's own severity first: a row per version-lowered severity follows it.
        const mqtt::Severity usual = mqtt::code_info(code).severity;
        for (const mqtt::Version v : {mqtt::Version::v3_1_1, mqtt::Version::v5_0})
            for (const mqtt::Severity s : {usual, usual == mqtt::Severity::error ? mqtt::Severity::warning
                                                                                : mqtt::Severity::error})
                if (const std::uint64_t n = stats.count(code, s, v); n != 0)
                    rows.push_back({code, s, mqtt::rule_id(code, v), n});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Finding& a, const Finding& b) { return a.count > b.count; });
    return rows;
}

/// Type rows in type order; types 0 and 15 share the name "RESERVED" and one row; a 5.0 AUTH
/// has its own.
template <class F>
void for_each_type(const Accumulator& stats, F&& f) {
    const auto& t = stats.by_type();
    for (std::size_t i = 1; i <= 14; ++i) f(mqtt::type_name(static_cast<PacketType>(i)), t[i]);
    f(std::string_view("AUTH"), t[16]);
    f(mqtt::type_name(PacketType::reserved0), t[0] + t[15]);
}

/// The name a by_type() index prints as.
std::string_view type_row_name(std::size_t type) noexcept {
    return type == 16 ? std::string_view("AUTH") : mqtt::type_name(static_cast<PacketType>(type));
}

/// The MQTT 5.0 Reason Codes seen, for `f(type index, code, count)`, in type then code order.
template <class F>
void for_each_reason(const Accumulator& stats, F&& f) {
    for (std::size_t type = 0; type < 17; ++type)
        for (unsigned code = 0; code < 256; ++code)
            if (const auto n = stats.reason_count(type, static_cast<std::uint8_t>(code))) f(type, code, n);
}

std::string_view reason_name(std::size_t type, unsigned code) noexcept {
    const auto scope = mqtt::reason_scope_of_type(static_cast<std::uint8_t>(type == 16 ? 15 : type));
    return scope ? mqtt::reason_code_name(static_cast<std::uint8_t>(code), *scope) : std::string_view();
}

/// A connection's 5.0 limits as `k=v` pairs (the members a side declared; "-" when none).
std::string limits_text(const Declared& d) {
    if (!d.seen) return "-";
    std::string s;
    const auto add = [&](std::string_view k, std::uint32_t v, std::uint32_t absent) {
        if (v != absent) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v);
    };
    add("session_expiry", d.session_expiry_interval, 0);
    add("receive_max", d.receive_maximum, 0);
    add("max_packet", d.maximum_packet_size, 0);
    add("alias_max", d.topic_alias_maximum, 0);
    add("keep_alive", d.server_keep_alive, 0);
    add("max_qos", d.maximum_qos, 2);
    return s.empty() ? "(defaults)" : s;
}

std::string limits_json(const Declared& d) {
    return fmt::format("{{\"session_expiry_interval\":{},\"receive_maximum\":{},\"maximum_packet_size\":{},"
                       "\"topic_alias_maximum\":{},\"server_keep_alive\":{},\"maximum_qos\":{}}}",
                       d.session_expiry_interval, d.receive_maximum, d.maximum_packet_size, d.topic_alias_maximum,
                       d.server_keep_alive, d.maximum_qos);
}

}  // namespace

void print_text(const Accumulator& stats, Buffer& out, std::size_t max_rows) {
    const auto rows = [&](std::size_t n) { return max_rows == 0 ? n : std::min(n, max_rows); };

    put(out, "Packets by type\n  {:<12} {:>12} {:>14}\n", "type", "packets", "bytes");
    for_each_type(stats, [&](std::string_view name, const Counter& c) {
        if (c.packets != 0) put(out, "  {:<12} {:>12} {:>14}\n", name, c.packets, c.bytes);
    });
    const Counter total = stats.total();
    put(out, "  {:<12} {:>12} {:>14}\n", "total", total.packets, total.bytes);

    bool any_reason = false;
    for_each_reason(stats, [&](std::size_t type, unsigned code, std::uint64_t n) {
        if (!any_reason) put(out, "\nMQTT 5.0 reason codes\n  {:<12} {:>6} {:>12}  {}\n", "type", "code", "packets", "reason");
        any_reason = true;
        put(out, "  {:<12}   0x{:02x} {:>12}  {}\n", type_row_name(type), code, n, reason_name(type, code));
    });

    const auto connections = stats.connections();
    put(out, "\nConnections: {}\n", connections.size() + stats.connections_untracked());
    if (!connections.empty())
        put(out, "  {:>6}  {:<22} {:<22} {:<24} {:>5} {:>14} {:>9} {:>12} {:>6}  {}\n", "stream",
            "client", "server", "client id", "level", "duration (s)", "packets", "bytes", "errors",
            "end");
    for (std::size_t i = 0; i < rows(connections.size()); ++i) {
        const ConnectionStats& c = *connections[i];
        const Counter t = c.total();
        std::string id = c.connect_seen ? quoted(c.client_id, false) : "-";
        if (c.client_id_cut) id += "...";
        put(out, "  {:>6}  {:<22} {:<22} {:<24} {:>5} {:>14} {:>9} {:>12} {:>6}  {}{}\n", c.id,
            c.client.empty() ? "-" : c.client, c.server.empty() ? "-" : c.server, id, c.protocol_level,
            seconds(c.duration_us()), t.packets, t.bytes, c.errors, c.disconnect ? "DISCONNECT, " : "",
            c.closed ? std::string_view(c.end) : "open");
    }
    if (const std::size_t left = connections.size() - rows(connections.size()); left != 0)
        put(out, "  ... {} more connections\n", left);
    bool any_limits = false;
    for (std::size_t i = 0; i < rows(connections.size()); ++i) {
        const ConnectionStats& c = *connections[i];
        if (!c.client_limits.seen && !c.server_limits.seen) continue;
        if (!any_limits) put(out, "  MQTT 5.0 limits declared:\n");
        any_limits = true;
        put(out, "  {:>6}  client: {}; server: {}\n", c.id, limits_text(c.client_limits), limits_text(c.server_limits));
    }
    if (stats.connections_untracked() != 0) {
        const Counter u = stats.untracked_connection_traffic();
        put(out, "  ... {} connections past the table's limit: {} packets, {} bytes\n",
            stats.connections_untracked(), u.packets, u.bytes);
    }

    const auto topics = stats.topics();
    put(out, "\nTopics: {}\n", topics.size());
    if (!topics.empty()) put(out, "  {:>12} {:>14}  {}\n", "messages", "payload bytes", "topic");
    for (std::size_t i = 0; i < rows(topics.size()); ++i)
        put(out, "  {:>12} {:>14}  {}\n", topics[i].second.messages,
            topics[i].second.payload_bytes, quoted(topics[i].first, false));
    if (const std::size_t left = topics.size() - rows(topics.size()); left != 0) {
        TopicStats rest;
        for (std::size_t i = rows(topics.size()); i < topics.size(); ++i)
            rest = {rest.messages + topics[i].second.messages, rest.payload_bytes + topics[i].second.payload_bytes};
        put(out, "  {:>12} {:>14}  ({} more topics)\n", rest.messages, rest.payload_bytes, left);
    }
    if (const auto& u = stats.topics_untracked(); u.messages != 0)
        put(out, "  {:>12} {:>14}  (topics past the table's limit)\n", u.messages, u.payload_bytes);

    const auto codes = codes_seen(stats);
    put(out, "\nDiagnostics by rule: {}\n", codes.size());
    if (!codes.empty())
        put(out, "  {:>9}  {:<8} {:<24} {:<30} {}\n", "count", "severity", "rule", "code", "message");
    for (const Finding& row : codes) {
        const auto& info = mqtt::code_info(row.code);
        output::Buffer rule;
        output::append_rule(rule, row.rule);
        put(out, "  {:>9}  {:<8} {:<24} {:<30} {}\n", row.count, mqtt::severity_name(row.severity),
            std::string_view(rule.data(), rule.size()), info.name, info.message);
    }
    if (stats.diagnostics_dropped() != 0)
        put(out, "  {:>9}  more, dropped by packets holding too many\n", stats.diagnostics_dropped());
}

void print_json(const Accumulator& stats, Buffer& out) {
    const auto counter = [](const Counter& c) { return fmt::format("{{\"packets\":{},\"bytes\":{}}}", c.packets, c.bytes); };
    const auto string = [](std::string_view s) { return quoted(s, true); };
    bool first = true;
    const auto comma = [&] { if (!first) out.push_back(','); first = false; };

    put(out, "{{\"packets\":{{\"total\":{},\"by_type\":{{", counter(stats.total()));
    for_each_type(stats, [&](std::string_view name, const Counter& c) {
        comma();
        put(out, "{}:{}", string(name), counter(c));
    });
    output::append(out, "}},\"reason_codes\":[");
    first = true;
    for_each_reason(stats, [&](std::size_t type, unsigned code, std::uint64_t n) {
        comma();
        const std::string_view name = reason_name(type, code);
        put(out, "{{\"type\":{},\"reason_code\":{},\"reason\":{},\"count\":{}}}", string(type_row_name(type)), code,
            name.empty() ? "null" : string(name), n);
    });
    output::append(out, "],\"connections\":[");
    first = true;
    for (const ConnectionStats* c : stats.connections()) {
        comma();
        const Counter t = c->total();
        put(out, "{{\"stream\":{},\"client\":{},\"server\":{},\"client_id\":{},\"client_id_cut\":{},\"protocol_level\":{}",
            c->id, string(c->client), string(c->server), c->connect_seen ? string(c->client_id) : "null",
            c->client_id_cut, c->connect_seen ? std::to_string(c->protocol_level) : "null");
        put(out, ",\"start\":{},\"duration\":{},\"packets\":{},\"bytes\":{},\"c2s\":{},\"s2c\":{},\"unknown\":{}",
            seconds(c->first_us), seconds(c->duration_us()), t.packets, t.bytes, counter(c->c2s), counter(c->s2c),
            counter(c->unknown));
        put(out, ",\"errors\":{},\"warnings\":{},\"disconnect\":{},\"end\":{}", c->errors, c->warnings,
            c->disconnect, c->closed ? string(c->end) : "null");
        if (c->client_limits.seen || c->server_limits.seen)
            put(out, ",\"limits\":{{\"client\":{},\"server\":{}}}",
                c->client_limits.seen ? limits_json(c->client_limits) : "null",
                c->server_limits.seen ? limits_json(c->server_limits) : "null");
        out.push_back('}');
    }
    const Counter u = stats.untracked_connection_traffic();
    put(out, "],\"connections_untracked\":{{\"connections\":{},\"packets\":{},\"bytes\":{}}},\"topics\":[",
        stats.connections_untracked(), u.packets, u.bytes);
    first = true;
    for (const auto& [name, t] : stats.topics()) {
        comma();
        put(out, "{{\"topic\":{},\"messages\":{},\"payload_bytes\":{}}}", string(name), t.messages, t.payload_bytes);
    }
    const auto& tu = stats.topics_untracked();
    put(out, "],\"topics_untracked\":{{\"messages\":{},\"payload_bytes\":{}}},\"diagnostics\":[", tu.messages,
        tu.payload_bytes);
    first = true;
    for (const Finding& row : codes_seen(stats)) {
        comma();
        const auto& info = mqtt::code_info(row.code);
        out.push_back('{');
        output::append_json_rule(out, row.rule);
        put(out, ",\"code\":{},\"severity\":{},\"count\":{}}}", string(info.name),
            string(mqtt::severity_name(row.severity)), row.count);
    }
    put(out, "],\"diagnostics_dropped\":{}}}\n", stats.diagnostics_dropped());
}

}  // namespace mqttlens::stats
