// MQTT 5.0 properties: Table 2-4 of §2.2.2.2 and the reader of a property list.
#include "mqtt/properties.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"

#include <algorithm>
#include <array>

namespace mqttlens::mqtt {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::uint16_t bit(PropertyScope s) noexcept { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(s)); }

using S = PropertyScope;
using T = PropertyType;
// Where a message's properties go: PUBLISH and the Will.
constexpr std::uint16_t message = bit(S::publish) | bit(S::will);
// Reason String goes wherever a reason code can.
constexpr std::uint16_t acks = bit(S::puback) | bit(S::pubrec) | bit(S::pubrel) | bit(S::pubcomp) | bit(S::suback) |
                               bit(S::unsuback);
constexpr std::uint16_t every = 0x3FFF;

// Table 2-4, in identifier order.
constexpr std::array<PropertyInfo, 27> table = {{
    {PropertyId::payload_format_indicator, "payload_format_indicator", "Payload Format Indicator", T::byte, message},
    {PropertyId::message_expiry_interval, "message_expiry_interval", "Message Expiry Interval", T::four_byte_integer, message},
    {PropertyId::content_type, "content_type", "Content Type", T::utf8_string, message},
    {PropertyId::response_topic, "response_topic", "Response Topic", T::utf8_string, message},
    {PropertyId::correlation_data, "correlation_data", "Correlation Data", T::binary_data, message},
    {PropertyId::subscription_identifier, "subscription_identifier", "Subscription Identifier",
     T::variable_byte_integer, bit(S::publish) | bit(S::subscribe)},
    {PropertyId::session_expiry_interval, "session_expiry_interval", "Session Expiry Interval", T::four_byte_integer,
     bit(S::connect) | bit(S::connack) | bit(S::disconnect)},
    {PropertyId::assigned_client_identifier, "assigned_client_identifier", "Assigned Client Identifier",
     T::utf8_string, bit(S::connack)},
    {PropertyId::server_keep_alive, "server_keep_alive", "Server Keep Alive", T::two_byte_integer, bit(S::connack)},
    {PropertyId::authentication_method, "authentication_method", "Authentication Method", T::utf8_string,
     bit(S::connect) | bit(S::connack) | bit(S::auth)},
    {PropertyId::authentication_data, "authentication_data", "Authentication Data", T::binary_data,
     bit(S::connect) | bit(S::connack) | bit(S::auth)},
    {PropertyId::request_problem_information, "request_problem_information", "Request Problem Information", T::byte,
     bit(S::connect)},
    {PropertyId::will_delay_interval, "will_delay_interval", "Will Delay Interval", T::four_byte_integer, bit(S::will)},
    {PropertyId::request_response_information, "request_response_information", "Request Response Information",
     T::byte, bit(S::connect)},
    {PropertyId::response_information, "response_information", "Response Information", T::utf8_string,
     bit(S::connack)},
    {PropertyId::server_reference, "server_reference", "Server Reference", T::utf8_string,
     bit(S::connack) | bit(S::disconnect)},
    {PropertyId::reason_string, "reason_string", "Reason String", T::utf8_string,
     bit(S::connack) | acks | bit(S::disconnect) | bit(S::auth)},
    {PropertyId::receive_maximum, "receive_maximum", "Receive Maximum", T::two_byte_integer,
     bit(S::connect) | bit(S::connack)},
    {PropertyId::topic_alias_maximum, "topic_alias_maximum", "Topic Alias Maximum", T::two_byte_integer,
     bit(S::connect) | bit(S::connack)},
    {PropertyId::topic_alias, "topic_alias", "Topic Alias", T::two_byte_integer, bit(S::publish)},
    {PropertyId::maximum_qos, "maximum_qos", "Maximum QoS", T::byte, bit(S::connack)},
    {PropertyId::retain_available, "retain_available", "Retain Available", T::byte, bit(S::connack)},
    {PropertyId::user_property, "user_property", "User Property", T::utf8_string_pair, every},
    {PropertyId::maximum_packet_size, "maximum_packet_size", "Maximum Packet Size", T::four_byte_integer,
     bit(S::connect) | bit(S::connack)},
    {PropertyId::wildcard_subscription_available, "wildcard_subscription_available",
     "Wildcard Subscription Available", T::byte, bit(S::connack)},
    {PropertyId::subscription_identifier_available, "subscription_identifier_available",
     "Subscription Identifier Available", T::byte, bit(S::connack)},
    {PropertyId::shared_subscription_available, "shared_subscription_available", "Shared Subscription Available",
     T::byte, bit(S::connack)},
}};

// Index into `table` by identifier; -1 where 5.0 defines none.
constexpr std::array<std::int8_t, 0x2B> index_by_id = [] {
    std::array<std::int8_t, 0x2B> index{};
    index.fill(-1);
    for (std::size_t i = 0; i < table.size(); ++i) index[static_cast<std::size_t>(table[i].id)] = static_cast<std::int8_t>(i);
    return index;
}();

// Bytes that must be 0 or 1 (§3.1.2.11.6, §3.1.2.11.7, §3.2.2.3.4, .5, .11, .12, .13; the Payload
// Format Indicator defines no other value, §3.3.2.3.2).
constexpr bool is_boolean(PropertyId id) noexcept {
    switch (id) {
        case PropertyId::payload_format_indicator: case PropertyId::request_problem_information:
        case PropertyId::request_response_information: case PropertyId::maximum_qos:
        case PropertyId::retain_available: case PropertyId::wildcard_subscription_available:
        case PropertyId::subscription_identifier_available: case PropertyId::shared_subscription_available:
            return true;
        default: return false;
    }
}

// Values 0 is a Protocol Error for (§3.1.2.11.3, §3.2.2.3.3, §3.1.2.11.4, §3.2.2.3.6, MQTT-3.3.2-8,
// §3.3.2.3.8, §3.8.2.1.2).
constexpr bool must_not_be_zero(PropertyId id) noexcept {
    return id == PropertyId::receive_maximum || id == PropertyId::maximum_packet_size ||
           id == PropertyId::topic_alias || id == PropertyId::subscription_identifier;
}

constexpr std::size_t minimal_varint_size(std::uint32_t v) noexcept {
    return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : 4;
}

std::uint32_t be(const std::uint8_t* p, std::size_t n) noexcept {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

// Bytes of a length-prefixed field (§1.5.6, §1.5.4) at the start of `b`; nullopt when it does not
// fit in `b`.
std::optional<std::size_t> prefixed(Bytes b) noexcept {
    if (b.size() < 2) return std::nullopt;
    const std::size_t n = 2 + be(b.data(), 2);
    if (n > b.size()) return std::nullopt;
    return n;
}

// Bytes of the value of a property of `type` at the start of `value`, for a list known to be well
// formed (the iterator).
std::size_t value_size(PropertyType type, Bytes value) noexcept {
    switch (type) {
        case T::byte: return 1;
        case T::two_byte_integer: return 2;
        case T::four_byte_integer: return 4;
        case T::variable_byte_integer: return read_remaining_length(value).size;
        case T::utf8_string: case T::binary_data: return 2 + be(value.data(), 2);
        case T::utf8_string_pair: {
            const std::size_t name = 2 + be(value.data(), 2);
            return name + 2 + be(value.data() + name, 2);
        }
    }
    return 0;
}

// Bytes of the value of a property of `type` at the start of `value` (`varint`: `value` read as a
// Variable Byte Integer), or more than value.size() when it does not fit there.
std::size_t checked_value_size(PropertyType type, Bytes value, const LengthResult& varint) noexcept {
    const std::size_t too_long = value.size() + 1;
    switch (type) {
        case T::byte: return 1;
        case T::two_byte_integer: return 2;
        case T::four_byte_integer: return 4;
        case T::variable_byte_integer: return varint.status == LengthResult::Status::ok ? varint.size : too_long;
        case T::utf8_string: case T::binary_data: return prefixed(value).value_or(too_long);
        case T::utf8_string_pair: {
            const auto name = prefixed(value);
            const auto text = name ? prefixed(value.subspan(*name)) : std::nullopt;
            return text ? *name + *text : too_long;
        }
    }
    return too_long;
}

}  // namespace

const PropertyInfo* property_info(std::uint8_t id) noexcept {
    if (id >= index_by_id.size() || index_by_id[id] < 0) return nullptr;
    return &table[static_cast<std::size_t>(index_by_id[id])];
}

std::string_view property_type_name(PropertyType type) noexcept {
    static constexpr std::array<std::string_view, 7> names = {
        "byte", "two_byte_integer", "four_byte_integer", "variable_byte_integer", "utf8_string", "binary_data",
        "utf8_string_pair"};
    return names[static_cast<std::size_t>(type) % names.size()];
}

std::string_view property_scope_name(PropertyScope scope) noexcept {
    static constexpr std::array<std::string_view, 14> names = {
        "connect", "will", "connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback",
        "unsubscribe", "unsuback", "disconnect", "auth"};
    return names[static_cast<std::size_t>(scope) % names.size()];
}

bool allowed_in(PropertyId id, PropertyScope scope) noexcept {
    const PropertyInfo* info = property_info(static_cast<std::uint8_t>(id));
    return info != nullptr && (info->scopes & bit(scope)) != 0;
}

bool may_repeat(PropertyId id, PropertyScope scope) noexcept {
    return id == PropertyId::user_property || (id == PropertyId::subscription_identifier && scope == S::publish);
}

Property PropertyList::iterator::operator*() const noexcept {
    const auto id = static_cast<PropertyId>(rest_[0]);
    const PropertyType type = property_info(rest_[0])->type;
    const Bytes value = rest_.subspan(1);
    Property p{id, rest_.first(1 + value_size(type, value)), 0, {}, {}, {}};
    switch (type) {
        case T::byte: p.number = value[0]; break;
        case T::two_byte_integer: p.number = be(value.data(), 2); break;
        case T::four_byte_integer: p.number = be(value.data(), 4); break;
        case T::variable_byte_integer: p.number = read_remaining_length(value).value; break;
        case T::utf8_string:
            p.text = std::string_view(reinterpret_cast<const char*>(value.data()) + 2, be(value.data(), 2));
            break;
        case T::binary_data: p.binary = value.subspan(2, be(value.data(), 2)); break;
        case T::utf8_string_pair: {
            const std::size_t name = be(value.data(), 2);
            p.text = std::string_view(reinterpret_cast<const char*>(value.data()) + 2, name);
            p.value = std::string_view(reinterpret_cast<const char*>(value.data()) + 4 + name,
                                       be(value.data() + 2 + name, 2));
            break;
        }
    }
    return p;
}

PropertyList::iterator& PropertyList::iterator::operator++() noexcept {
    rest_ = rest_.subspan(1 + value_size(property_info(rest_[0])->type, rest_.subspan(1)));
    return *this;
}

std::optional<Property> PropertyList::find(PropertyId id) const noexcept {
    if (!may_hold(id)) return std::nullopt;
    for (const Property& p : *this)
        if (p.id == id) return p;
    return std::nullopt;
}

std::size_t PropertyList::count(PropertyId id) const noexcept {
    return static_cast<std::size_t>(std::count_if(begin(), end(), [id](const Property& p) { return p.id == id; }));
}

bool operator==(const PropertyList& a, const PropertyList& b) noexcept {
    return std::equal(a.raw_.begin(), a.raw_.end(), b.raw_.begin(), b.raw_.end());
}

// §2.2.2.1: Property Length, a Variable Byte Integer, then the properties, each an identifier (a
// Variable Byte Integer; every defined one fits in a byte) followed by a value of its type.
PropertyRead read_properties(Bytes bytes, PropertyScope scope, PropertySink sink) noexcept {
    const auto report = [&](PropertyIssue issue, std::uint8_t id, std::size_t at) {
        sink.report(sink.context, PropertyFinding{issue, id, static_cast<std::uint32_t>(at)});
    };
    PropertyRead r;
    if (bytes.empty()) return r;
    r.present = true;
    const LengthResult length = read_remaining_length(bytes);
    if (length.status != LengthResult::Status::ok) {
        const bool cut = length.status == LengthResult::Status::need_more;
        report(cut ? PropertyIssue::length_past_end : PropertyIssue::varint_malformed, 0, 0);
        r.end = bytes.size();
        return r;
    }
    r.length_read = true;
    if (length.size > minimal_varint_size(length.value)) report(PropertyIssue::varint_non_minimal, 0, 0);
    const std::size_t start = length.size;
    std::size_t list_end = start + length.value;
    if (length.value > bytes.size() - start) {
        report(PropertyIssue::length_past_end, 0, 0);
        list_end = bytes.size();
    }
    r.end = list_end;

    std::uint64_t seen = 0;  // one bit per identifier (all below 64)
    std::size_t pos = start;
    while (pos < list_end) {
        const std::uint8_t id_byte = bytes[pos];
        const PropertyInfo* info = property_info(id_byte);
        if (info == nullptr) {  // its length is unknown: nothing after it can be read
            report(PropertyIssue::unknown, id_byte, pos);
            break;
        }
        const Bytes value = bytes.subspan(pos + 1, list_end - pos - 1);
        const LengthResult varint = read_remaining_length(value);  // meaningful for that type only
        if (info->type == T::variable_byte_integer && varint.status == LengthResult::Status::malformed) {
            report(PropertyIssue::varint_malformed, id_byte, pos + 1);
            break;
        }
        const std::size_t n = checked_value_size(info->type, value, varint);
        if (n > value.size()) {
            report(PropertyIssue::truncated, id_byte, pos);
            break;
        }
        const auto id = static_cast<PropertyId>(id_byte);
        if (!(info->scopes & bit(scope))) report(PropertyIssue::not_allowed, id_byte, pos);
        const std::uint64_t mask = std::uint64_t{1} << id_byte;
        if ((seen & mask) && !may_repeat(id, scope)) report(PropertyIssue::repeated, id_byte, pos);
        seen |= mask;
        if (info->type == T::variable_byte_integer && varint.size > minimal_varint_size(varint.value))
            report(PropertyIssue::varint_non_minimal, id_byte, pos + 1);
        std::uint32_t number = 0;
        switch (info->type) {
            case T::byte: case T::two_byte_integer: case T::four_byte_integer: number = be(value.data(), n); break;
            case T::variable_byte_integer: number = varint.value; break;
            default: break;
        }
        if (is_boolean(id) && number > 1) report(PropertyIssue::not_boolean, id_byte, pos + 1);
        if (must_not_be_zero(id) && number == 0) report(PropertyIssue::zero, id_byte, pos + 1);
        pos += 1 + n;
    }
    r.list = PropertyList(bytes.subspan(start, pos - start), seen);
    return r;
}

namespace {

void put16(std::size_t v, std::vector<std::uint8_t>& out) {
    out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void put_prefixed(std::span<const std::uint8_t> b, std::vector<std::uint8_t>& out) {
    put16(b.size(), out);
    out.insert(out.end(), b.begin(), b.end());
}

std::span<const std::uint8_t> bytes_of(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

std::size_t write_property(const Property& p, std::vector<std::uint8_t>& out) {
    const std::size_t before = out.size();
    if (!p.raw.empty()) {
        out.insert(out.end(), p.raw.begin(), p.raw.end());
        return out.size() - before;
    }
    out.push_back(static_cast<std::uint8_t>(p.id));
    const PropertyInfo* info = property_info(static_cast<std::uint8_t>(p.id));
    if (info == nullptr) return out.size() - before;
    switch (info->type) {
        case T::byte: out.push_back(static_cast<std::uint8_t>(p.number)); break;
        case T::two_byte_integer: put16(p.number & 0xFFFF, out); break;
        case T::four_byte_integer:
            put16(p.number >> 16, out);
            put16(p.number & 0xFFFF, out);
            break;
        case T::variable_byte_integer: write_remaining_length(p.number, out); break;
        case T::utf8_string: put_prefixed(bytes_of(p.text), out); break;
        case T::binary_data: put_prefixed(p.binary, out); break;
        case T::utf8_string_pair:
            put_prefixed(bytes_of(p.text), out);
            put_prefixed(bytes_of(p.value), out);
            break;
    }
    return out.size() - before;
}

std::size_t write_properties(std::span<const Property> properties, std::vector<std::uint8_t>& out,
                             const PropertyWriting& how) {
    std::vector<std::uint8_t> list;
    for (const Property& p : properties) write_property(p, list);
    const std::size_t before = out.size();
    write_remaining_length(how.length.value_or(static_cast<std::uint32_t>(list.size())), out, how.length_width);
    out.insert(out.end(), list.begin(), list.end());
    return out.size() - before;
}

}  // namespace mqttlens::mqtt
