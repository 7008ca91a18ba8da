// MQTT control packets (3.1, 3.1.1 and 5.0) as plain data. A 5.0 packet fills the same structs;
// what only 5.0 has is optional: `properties` is present exactly when the packet carries a Property
// Length (a 5.0 packet that has one), so one body says which layout it is written in.
//
// Lifetime: every std::string_view and Bytes inside a Packet points into the bytes the packet was
// decoded from (or, for a packet built by hand, into whatever the caller pointed it at). They are
// valid exactly as long as those bytes are. Strings hold the raw bytes of the field: they may be
// invalid UTF-8 or contain U+0000; the diagnostics say so.
#pragma once

#include "mqtt/diagnostic.hpp"
#include "mqtt/properties.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace mqttlens::mqtt {

using Bytes = std::span<const std::uint8_t>;

/// Views `s` as bytes.
inline Bytes as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
/// Views `b` as a string (raw bytes, not checked).
inline std::string_view as_string(Bytes b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
/// Byte-wise equality of two views.
inline bool same_bytes(Bytes a, Bytes b) noexcept { return as_string(a) == as_string(b); }

/// The control packet types, valued as on the wire (byte 0's high nibble).
enum class PacketType : std::uint8_t {
    reserved0 = 0, connect = 1, connack = 2, publish = 3, puback = 4, pubrec = 5, pubrel = 6, pubcomp = 7,
    subscribe = 8, suback = 9, unsubscribe = 10, unsuback = 11, pingreq = 12, pingresp = 13, disconnect = 14,
    reserved15 = 15,  ///< AUTH in MQTT 5.0
    auth = 15,
};

/// Upper-case name: "PUBLISH"; "RESERVED" for type 0, and for 15 but in 5.0 ("AUTH").
std::string_view type_name(PacketType type, Version version = Version::v3_1_1) noexcept;
/// The type for an upper- or lower-case name ("publish", "PUBACK", "auth": 15); nullopt if unknown.
std::optional<PacketType> type_from_name(std::string_view name) noexcept;
/// The flags Table 2.2 requires for `type` (PUBLISH: 0, its flags are free).
std::uint8_t required_flags(PacketType type) noexcept;

/// Which peer sent a packet. `unknown`: the sender cannot be told (a capture that starts inside a
/// connection, before a CONNECT shows the roles; bytes of either side given together).
enum class Direction : std::uint8_t {
    c2s,      ///< client to server
    s2c,      ///< server to client
    unknown,
};
/// "c2s", "s2c" or "unknown".
std::string_view direction_name(Direction direction) noexcept;

/// "3.1", "3.1.1" or "5.0".
std::string_view version_name(Version version) noexcept;
/// The version a Protocol Level byte names (3, 4, 5); nullopt for any other level. The Protocol
/// Name is the decoder's to judge (protocol_name_invalid), not the version's.
std::optional<Version> version_of_level(std::uint8_t level) noexcept;

/// The fixed header exactly as it was on the wire.
struct FixedHeader {
    std::uint8_t first_byte = 0;        ///< type << 4 | flags
    std::uint32_t remaining_length = 0; ///< decoded value
    std::uint8_t length_size = 1;       ///< bytes the Remaining Length used (1..4)

    PacketType type() const noexcept { return static_cast<PacketType>(first_byte >> 4); }
    std::uint8_t flags() const noexcept { return first_byte & 0x0F; }
    bool dup() const noexcept { return first_byte & 0x08; }
    std::uint8_t qos() const noexcept { return (first_byte >> 1) & 0x03; }
    bool retain() const noexcept { return first_byte & 0x01; }
    /// Bytes before the variable header.
    std::size_t size() const noexcept { return 1u + length_size; }
    friend bool operator==(const FixedHeader&, const FixedHeader&) = default;
};

struct Will {
    std::string_view topic;
    Bytes message;
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0: the Will Properties
    friend bool operator==(const Will& a, const Will& b) noexcept {
        return a.topic == b.topic && same_bytes(a.message, b.message) && a.properties == b.properties;
    }
};

/// CONNECT. The flag bits stay raw in `flags`; the optional fields are present when they were
/// on the wire (decode) or are to be written (encode), whatever the flags say.
struct Connect {
    std::string_view protocol_name = "MQTT";
    std::uint8_t protocol_level = 4;
    std::uint8_t flags = 0x02;  ///< Connect Flags byte as sent
    std::uint16_t keep_alive = 60;
    std::string_view client_id;
    std::optional<Will> will;
    std::optional<std::string_view> username;
    std::optional<Bytes> password;
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0 (Protocol Level 5)

    bool reserved_flag() const noexcept { return flags & 0x01; }
    bool clean_session() const noexcept { return flags & 0x02; }  ///< Clean Start in 5.0
    bool will_flag() const noexcept { return flags & 0x04; }
    std::uint8_t will_qos() const noexcept { return (flags >> 3) & 0x03; }
    bool will_retain() const noexcept { return flags & 0x20; }
    bool password_flag() const noexcept { return flags & 0x40; }
    bool username_flag() const noexcept { return flags & 0x80; }

    /// The Connect Flags byte that matches the present fields.
    static std::uint8_t make_flags(bool clean_session, bool will, std::uint8_t will_qos,
                                   bool will_retain, bool username, bool password) noexcept {
        return static_cast<std::uint8_t>((clean_session ? 0x02 : 0) | (will ? 0x04 : 0) |
                                         ((will_qos & 3) << 3) | (will_retain ? 0x20 : 0) |
                                         (password ? 0x40 : 0) | (username ? 0x80 : 0));
    }
    friend bool operator==(const Connect& a, const Connect& b) noexcept {
        auto pw_eq = a.password.has_value() == b.password.has_value() &&
                     (!a.password || same_bytes(*a.password, *b.password));
        return a.protocol_name == b.protocol_name && a.protocol_level == b.protocol_level &&
               a.flags == b.flags && a.keep_alive == b.keep_alive && a.client_id == b.client_id &&
               a.will == b.will && a.username == b.username && pw_eq && a.properties == b.properties;
    }
};

/// CONNACK. A field is nullopt when the packet was too short to hold it.
struct Connack {
    std::optional<std::uint8_t> ack_flags = 0;
    std::optional<std::uint8_t> return_code = 0;  ///< the Connect Reason Code in 5.0
    std::optional<PropertyList> properties = {};       ///< MQTT 5.0

    bool session_present() const noexcept { return ack_flags && (*ack_flags & 0x01); }
    friend bool operator==(const Connack&, const Connack&) = default;
};

/// PUBLISH. DUP, QoS and RETAIN live in the fixed header.
struct Publish {
    std::string_view topic;
    std::optional<std::uint16_t> packet_id;  ///< present for QoS 1 and 2 (and whenever encoded)
    Bytes payload;
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0: between the Packet Identifier and the payload
    friend bool operator==(const Publish& a, const Publish& b) noexcept {
        return a.topic == b.topic && a.packet_id == b.packet_id && same_bytes(a.payload, b.payload) &&
               a.properties == b.properties;
    }
};

/// PUBACK, PUBREC, PUBREL, PUBCOMP, and the 3.1.1 UNSUBACK: a Packet Identifier; in 5.0 then a
/// Reason Code and properties, each absent in the short forms (Remaining Length 2 or 3).
struct Ack {
    std::optional<std::uint16_t> packet_id;  ///< nullopt when the packet is too short
    std::optional<std::uint8_t> reason_code = {};  ///< MQTT 5.0
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0
    friend bool operator==(const Ack&, const Ack&) = default;
};

/// One SUBSCRIBE entry.
struct Subscription {
    std::string_view filter;
    std::uint8_t options = 0;  ///< the Requested QoS byte as sent (bits 7..2 reserved)
    std::uint8_t qos() const noexcept { return options & 0x03; }
    friend bool operator==(const Subscription&, const Subscription&) = default;
};

/// A read-only list over length-prefixed entries laid out as on the wire; allocates nothing.
/// `raw` holds only whole entries (the decoder stops the view before a truncated tail).
/// With `with_qos`, each entry is followed by one Requested QoS byte (SUBSCRIBE).
template <class Entry, bool with_qos>
class EntryList {
public:
    EntryList() = default;
    explicit EntryList(Bytes raw) noexcept : raw_(raw) {}

    class iterator {
    public:
        using value_type = Entry;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;
        iterator() = default;
        iterator(Bytes rest) noexcept : rest_(rest) {}
        Entry operator*() const noexcept {
            std::size_t n = (std::size_t(rest_[0]) << 8) | rest_[1];
            std::string_view s(reinterpret_cast<const char*>(rest_.data()) + 2, n);
            if constexpr (with_qos) return Entry{s, rest_[2 + n]};
            else return s;
        }
        iterator& operator++() noexcept {
            std::size_t n = (std::size_t(rest_[0]) << 8) | rest_[1];
            rest_ = rest_.subspan(2 + n + (with_qos ? 1 : 0));
            return *this;
        }
        iterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.rest_.size() == b.rest_.size();
        }
    private:
        Bytes rest_;
    };

    iterator begin() const noexcept { return iterator(raw_); }
    iterator end() const noexcept { return iterator(raw_.subspan(raw_.size())); }
    bool empty() const noexcept { return raw_.empty(); }
    std::size_t size() const noexcept { return static_cast<std::size_t>(std::distance(begin(), end())); }
    Bytes raw() const noexcept { return raw_; }
    friend bool operator==(const EntryList& a, const EntryList& b) noexcept {
        return same_bytes(a.raw_, b.raw_);
    }

private:
    Bytes raw_;
};

using SubscriptionList = EntryList<Subscription, true>;
using FilterList = EntryList<std::string_view, false>;

/// Lays `subs` out in wire form into `storage` and returns a list viewing it.
/// `storage` must outlive the list and not be modified while the list is in use.
SubscriptionList build_subscriptions(std::vector<std::uint8_t>& storage,
                                     std::span<const Subscription> subs);
/// Lays `filters` out in wire form into `storage` and returns a list viewing it.
FilterList build_filters(std::vector<std::uint8_t>& storage, std::span<const std::string_view> filters);

/// SUBSCRIBE. In 5.0 each entry's byte is the Subscription Options (bits 1..0 Maximum QoS, 2 No
/// Local, 3 Retain As Published, 5..4 Retain Handling, 7..6 reserved).
struct Subscribe {
    std::optional<std::uint16_t> packet_id;
    SubscriptionList subscriptions;
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0
    friend bool operator==(const Subscribe&, const Subscribe&) = default;
};

/// SUBACK, and the 5.0 UNSUBACK (the same layout): one code per Topic Filter.
struct Suback {
    std::optional<std::uint16_t> packet_id;
    Bytes return_codes;  ///< Reason Codes in 5.0
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0
    friend bool operator==(const Suback& a, const Suback& b) noexcept {
        return a.packet_id == b.packet_id && same_bytes(a.return_codes, b.return_codes) &&
               a.properties == b.properties;
    }
};

struct Unsubscribe {
    std::optional<std::uint16_t> packet_id;
    FilterList filters;
    std::optional<PropertyList> properties = {};  ///< MQTT 5.0
    friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

/// PINGREQ, PINGRESP, and the 3.1.1 DISCONNECT: no variable header, no payload.
struct Empty {
    friend bool operator==(const Empty&, const Empty&) = default;
};

/// The 5.0 DISCONNECT and AUTH: a Reason Code and properties, each absent in the short forms
/// (Remaining Length 0: Success / Normal disconnection; 1: a code without properties).
struct Reason {
    std::optional<std::uint8_t> reason_code = {};
    std::optional<PropertyList> properties = {};
    friend bool operator==(const Reason&, const Reason&) = default;
};

/// Type 0, type 15 outside 5.0, and a body cut before any field: raw bytes after the fixed header.
struct Opaque {
    Bytes bytes;
    friend bool operator==(const Opaque& a, const Opaque& b) noexcept {
        return same_bytes(a.bytes, b.bytes);
    }
};

using Body = std::variant<Opaque, Connect, Connack, Publish, Ack, Subscribe, Suback, Unsubscribe, Empty, Reason>;

/// Where one field lies in a packet's bytes: offset from the first byte, and length.
struct FieldSpan {
    std::uint32_t offset;
    std::uint32_t length;
    friend bool operator==(const FieldSpan&, const FieldSpan&) = default;
};

/// Where the decoder found each field it read, keyed by Field; allocates nothing, and an empty
/// table costs one store. A string or binary field's span covers its two-byte length prefix; a
/// list has one span for all its whole entries (topic_filter: SUBSCRIBE's pairs or UNSUBSCRIBE's
/// filters; return_codes: SUBACK's codes); fixed_header and remaining_length are always there.
/// A field has a span exactly when the decoder set it in the body; a packet built by hand has none.
class FieldTable {
public:
    static constexpr std::size_t size = static_cast<std::size_t>(Field::trailing) + 1;

    /// Records `field` at [offset, offset + length).
    void set(Field field, std::size_t offset, std::size_t length) noexcept {
        const auto i = static_cast<std::size_t>(field);
        spans_[i] = {static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(length)};
        present_ |= 1u << i;
    }
    /// The span of `field`, or nullopt when the decoder did not read it.
    std::optional<FieldSpan> find(Field field) const noexcept {
        const auto i = static_cast<std::size_t>(field);
        if (!(present_ & (1u << i))) return std::nullopt;
        return spans_[i];
    }
    bool has(Field field) const noexcept { return present_ & (1u << static_cast<std::size_t>(field)); }
    /// Forgets every span.
    void clear() noexcept { present_ = 0; }
    /// Every recorded field, in Field order, for `f(Field, FieldSpan)`.
    template <class F> void for_each(F&& f) const {
        for (std::size_t i = 0; i < size; ++i)
            if (present_ & (1u << i)) f(static_cast<Field>(i), spans_[i]);
    }

private:
    static_assert(size <= 32, "one presence bit per Field");
    std::array<FieldSpan, size> spans_;  // left uninitialised where present_ has no bit
    std::uint32_t present_ = 0;
};

/// One control packet: the raw fixed header, the decoded body, where its fields were, and every
/// finding.
struct Packet {
    FixedHeader header;
    Body body;
    Bytes raw;  ///< the whole packet, fixed header included (decode only)
    FieldTable fields;  ///< offsets into `raw` (decode only)
    Diagnostics diagnostics;

    PacketType type() const noexcept { return header.type(); }
    /// True when no error-severity diagnostic was found.
    bool valid() const noexcept { return diagnostics.error_count() == 0; }
    template <class T> const T* get() const noexcept { return std::get_if<T>(&body); }
};

/// A packet ready to encode: the first byte carries the type and the canonical flags of `body`
/// (`publish_flags` for PUBLISH: DUP << 3 | QoS << 1 | RETAIN).
Packet make_packet(PacketType type, Body body, std::uint8_t publish_flags = 0);

}  // namespace mqttlens::mqtt
