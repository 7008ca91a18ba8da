// MQTT 5.0 properties (§2.2.2): the identifiers, their types, where each may appear, a view over a
// property list as it lies in the packet bytes, and the reader that checks one.
//
// Lifetime: a PropertyList and every Property it yields point into the bytes the list was read
// from; they are valid exactly as long as those bytes are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace mqttlens::mqtt {

/// The 27 property identifiers of MQTT 5.0, valued as on the wire (a Variable Byte Integer that
/// always fits in one byte).
enum class PropertyId : std::uint8_t {
    payload_format_indicator = 0x01,
    message_expiry_interval = 0x02,
    content_type = 0x03,
    response_topic = 0x08,
    correlation_data = 0x09,
    subscription_identifier = 0x0B,
    session_expiry_interval = 0x11,
    assigned_client_identifier = 0x12,
    server_keep_alive = 0x13,
    authentication_method = 0x15,
    authentication_data = 0x16,
    request_problem_information = 0x17,
    will_delay_interval = 0x18,
    request_response_information = 0x19,
    response_information = 0x1A,
    server_reference = 0x1C,
    reason_string = 0x1F,
    receive_maximum = 0x21,
    topic_alias_maximum = 0x22,
    topic_alias = 0x23,
    maximum_qos = 0x24,
    retain_available = 0x25,
    user_property = 0x26,
    maximum_packet_size = 0x27,
    wildcard_subscription_available = 0x28,
    subscription_identifier_available = 0x29,
    shared_subscription_available = 0x2A,
};

/// The data types of §1.5 a property value can have.
enum class PropertyType : std::uint8_t {
    byte,
    two_byte_integer,
    four_byte_integer,
    variable_byte_integer,
    utf8_string,
    binary_data,
    utf8_string_pair,
};

/// Where a property list lies: the variable header of a packet type, or CONNECT's Will Properties.
enum class PropertyScope : std::uint8_t {
    connect, will, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe,
    unsuback, disconnect, auth,
};

/// Static facts about one identifier.
struct PropertyInfo {
    PropertyId id;
    std::string_view name;   ///< snake_case, as JSON writes it: "session_expiry_interval"
    std::string_view title;  ///< as the standard writes it: "Session Expiry Interval"
    PropertyType type;
    std::uint16_t scopes;    ///< one bit per PropertyScope where it is allowed
};

/// The entry for identifier `id`; nullptr for a value MQTT 5.0 does not define.
const PropertyInfo* property_info(std::uint8_t id) noexcept;
/// "byte", "two_byte_integer", ... "utf8_string_pair".
std::string_view property_type_name(PropertyType type) noexcept;
/// "connect", "will", "connack", ... "auth".
std::string_view property_scope_name(PropertyScope scope) noexcept;
/// True when `id` may appear in a list of `scope` (Table 2-4 and each packet's section).
bool allowed_in(PropertyId id, PropertyScope scope) noexcept;
/// True when `id` may appear more than once in a list of `scope`: User Property anywhere,
/// Subscription Identifier in PUBLISH.
bool may_repeat(PropertyId id, PropertyScope scope) noexcept;

/// One property as it lies in the list. Which value member is set follows the type.
struct Property {
    PropertyId id;
    std::span<const std::uint8_t> raw;  ///< identifier and value bytes, inside the packet
    std::uint32_t number = 0;           ///< Byte, Two Byte, Four Byte and Variable Byte Integer
    std::string_view text;              ///< UTF-8 string; a pair's name (raw bytes, unchecked)
    std::string_view value;             ///< a UTF-8 string pair's value
    std::span<const std::uint8_t> binary;  ///< Binary Data
};

/// A read-only list over properties laid out as on the wire; allocates nothing. `raw` holds only
/// whole properties of known identifiers (read_properties() stops the view before the first it
/// cannot read), so the iterator reads them without checks.
class PropertyList {
public:
    PropertyList() = default;
    /// `ids`: one bit per identifier the list may hold (bit n: identifier n; all 27 are below 64),
    /// as read_properties() records them, so that find() need not walk a list that lacks one.
    explicit PropertyList(std::span<const std::uint8_t> raw, std::uint64_t ids = ~std::uint64_t{0}) noexcept
        : raw_(raw), ids_(ids) {}

    class iterator {
    public:
        using value_type = Property;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;
        iterator() = default;
        explicit iterator(std::span<const std::uint8_t> rest) noexcept : rest_(rest) {}
        Property operator*() const noexcept;
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.rest_.size() == b.rest_.size();
        }
    private:
        std::span<const std::uint8_t> rest_;
    };

    iterator begin() const noexcept { return iterator(raw_); }
    iterator end() const noexcept { return iterator(raw_.subspan(raw_.size())); }
    bool empty() const noexcept { return raw_.empty(); }
    std::size_t size() const noexcept { return static_cast<std::size_t>(std::distance(begin(), end())); }
    std::span<const std::uint8_t> raw() const noexcept { return raw_; }
    /// False when the list holds no property `id` (true: it may).
    bool may_hold(PropertyId id) const noexcept {
        const auto n = static_cast<unsigned>(id);
        return n < 64 && ((ids_ >> n) & 1);
    }
    /// The identifiers the list may hold, one bit each.
    std::uint64_t ids() const noexcept { return ids_; }
    /// The first property `id`, if any.
    std::optional<Property> find(PropertyId id) const noexcept;
    /// How many properties `id` holds.
    std::size_t count(PropertyId id) const noexcept;
    friend bool operator==(const PropertyList& a, const PropertyList& b) noexcept;

private:
    std::span<const std::uint8_t> raw_;
    std::uint64_t ids_ = 0;  // an empty list holds none
};

/// What read_properties() finds wrong with a property list. Rule IDs of
/// shared/mqtt-5.0-rules.md; which one a finding breaks also depends on the scope and the
/// identifier (the decoder maps them to codes).
enum class PropertyIssue : std::uint8_t {
    varint_malformed,    ///< the Property Length or a Variable Byte Integer value has a 5th byte (MQTT5-§1.5.5);
                         ///< reported at the integer's first byte
    varint_non_minimal,  ///< ... not in its shortest form (MQTT-1.5.5-1)
    length_past_end,     ///< the Property Length runs past the bytes given (MQTT5-§2.2.2.1)
    truncated,           ///< a property runs past the Property Length (MQTT5-§2.2.2.1)
    unknown,             ///< an identifier MQTT 5.0 does not define (MQTT5-§2.2.2.2)
    not_allowed,         ///< a defined identifier not allowed in this scope (MQTT5-§2.2.2.2)
    repeated,            ///< a second one where only one may be (each packet's property section)
    not_boolean,         ///< a Byte that must be 0 or 1 is not
    zero,                ///< 0 where the standard forbids it: Receive Maximum, Maximum Packet Size,
                         ///< Topic Alias, Subscription Identifier
};

/// One finding: the issue, the identifier concerned (0 for the Property Length itself) and the
/// offset of the offending byte from the start of the bytes given to read_properties().
struct PropertyFinding {
    PropertyIssue issue;
    std::uint8_t id;
    std::uint32_t offset;
    friend bool operator==(const PropertyFinding&, const PropertyFinding&) = default;
};

/// Receives findings in wire order (a function pointer, so the reader is compiled once).
struct PropertySink {
    void* context;
    void (*report)(void* context, const PropertyFinding& finding);
};

/// What read_properties() read.
struct PropertyRead {
    bool present = false;  ///< false when the bytes were empty: no Property Length at all
    bool length_read = false;  ///< the Property Length has a value (false: 5 bytes, or cut short)
    std::size_t end = 0;   ///< bytes the Property Length and the list take (what follows starts
                           ///< there); all the bytes when the length runs past them
    PropertyList list;     ///< the properties up to the first that cannot be read (unknown or cut)
};

/// Reads a Property Length and the property list after it from the start of `bytes`, a list of
/// `scope`, and reports every rule a single list can break (PropertyIssue), in wire order.
/// Checks that need other fields (Authentication Data without Method, Payload Format Indicator
/// against the payload, topics in string properties, UTF-8 of the strings) are the caller's, who
/// has them: strings are returned raw. Never reads outside `bytes`; allocates nothing.
PropertyRead read_properties(std::span<const std::uint8_t> bytes, PropertyScope scope, PropertySink sink) noexcept;

/// How write_properties() writes a list; the defaults write it canonically.
struct PropertyWriting {
    std::optional<std::uint32_t> length;  ///< Property Length written instead of the list's size
    /// Bytes of the Property Length: 0 the shortest form; wider gives a non-minimal form, 5 a
    /// malformed one (as write_remaining_length()).
    std::uint8_t length_width = 0;
};

/// Appends `p` in wire form: its `raw` bytes as they are when it has any (any identifier, any
/// value: breakage on purpose), else the identifier and the value its type takes (Variable Byte
/// Integers in their shortest form). An identifier MQTT 5.0 does not define, without `raw`, is
/// written alone. Returns the bytes appended.
std::size_t write_property(const Property& p, std::vector<std::uint8_t>& out);
/// Appends a Property Length and the properties, in order and as given (repeats and identifiers
/// not allowed in the packet included: the list is the caller's). With the default `how`, a list
/// read_properties() took whole is written back to the same bytes.
std::size_t write_properties(std::span<const Property> properties, std::vector<std::uint8_t>& out,
                             const PropertyWriting& how = {});

}  // namespace mqttlens::mqtt
