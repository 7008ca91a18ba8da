// Shared by the harnesses: property checks that abort with a readable reason, and the invariants
// every decoded Packet must satisfy whatever bytes it came from.
#pragma once

#include "mqtt/decoder.hpp"
#include "mqtt/packet.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace mqttlens::fuzz {

using mqtt::Bytes;

/// Prints `what` with up to 64 bytes of each buffer in hex, then aborts (a crash for the fuzzer).
[[noreturn]] inline void fail(const char* what, Bytes a = {}, Bytes b = {}) {
    auto dump = [](const char* name, Bytes bytes) {
        if (bytes.empty()) return;
        std::fprintf(stderr, "  %s (%zu bytes):", name, bytes.size());
        for (std::size_t i = 0; i < bytes.size() && i < 64; ++i) std::fprintf(stderr, " %02x", bytes[i]);
        std::fprintf(stderr, bytes.size() > 64 ? " ...\n" : "\n");
    };
    std::fprintf(stderr, "property violated: %s\n", what);
    dump("a", a);
    dump("b", b);
    std::abort();
}

#define MQTTLENS_FUZZ_CHECK(cond, ...) \
    do { if (!(cond)) ::mqttlens::fuzz::fail(#cond __VA_OPT__(,) __VA_ARGS__); } while (0)

/// True when `view` is empty or lies inside `whole`.
inline bool inside(Bytes view, Bytes whole) noexcept {
    if (view.empty()) return true;
    auto lo = reinterpret_cast<std::uintptr_t>(whole.data());
    auto p = reinterpret_cast<std::uintptr_t>(view.data());
    return p >= lo && p + view.size() <= lo + whole.size();
}
inline bool inside(std::string_view view, Bytes whole) noexcept {
    return inside(mqtt::as_bytes(view), whole);
}

/// Sums every byte a view holds, so AddressSanitizer sees any view that overruns its buffer.
inline unsigned touch(Bytes b) noexcept {
    unsigned sum = 0;
    for (std::uint8_t c : b) sum += c;
    return sum;
}
inline unsigned touch(std::string_view s) noexcept { return touch(mqtt::as_bytes(s)); }

/// The body alternative that a packet type decodes into on a connection of `version` (Opaque for
/// type 0, and 15 before 5.0).
inline std::size_t expected_alternative(mqtt::PacketType type, mqtt::Version version) noexcept {
    using T = mqtt::PacketType;
    const bool v5 = version == mqtt::Version::v5_0;
    switch (type) {
        case T::connect: return 1;
        case T::connack: return 2;
        case T::publish: return 3;
        case T::puback: case T::pubrec: case T::pubrel: case T::pubcomp: return 4;
        case T::unsuback: return v5 ? 6 : 4;
        case T::subscribe: return 5;
        case T::suback: return 6;
        case T::unsubscribe: return 7;
        case T::pingreq: case T::pingresp: return 8;
        case T::disconnect: return v5 ? 9 : 8;
        case T::auth: return v5 ? 9 : 0;
        default: return 0;
    }
}

/// A property list's views lie inside `bytes`, and reading it again gives what it held.
inline unsigned check_properties(const std::optional<mqtt::PropertyList>& list, Bytes bytes) {
    if (!list) return 0;
    MQTTLENS_FUZZ_CHECK(inside(list->raw(), bytes), bytes);
    unsigned sum = 0;
    std::size_t n = 0, length = 0;
    for (const mqtt::Property& p : *list) {
        MQTTLENS_FUZZ_CHECK(inside(p.raw, bytes) && mqtt::property_info(static_cast<std::uint8_t>(p.id)), bytes);
        sum += touch(p.raw) + touch(p.text) + touch(p.value) + touch(p.binary) + p.number;
        length += p.raw.size();
        ++n;
    }
    MQTTLENS_FUZZ_CHECK(length == list->raw().size() && n == list->size(), bytes);
    return sum;
}

/// Invariants of decode(bytes, version) == p: views inside `bytes`, header read from the bytes, body shape
/// matching the type (or Opaque), diagnostics well-formed and counted. Returns a checksum of
/// everything touched so nothing is optimised away.
inline unsigned check_decoded(const mqtt::Packet& p, Bytes bytes, mqtt::Version version = mqtt::Version::v3_1_1) {
    using namespace mqtt;
    unsigned sum = 0;
    MQTTLENS_FUZZ_CHECK(inside(p.raw, bytes), bytes);
    if (!bytes.empty()) {
        MQTTLENS_FUZZ_CHECK(p.header.first_byte == bytes[0], bytes);
        if (p.type() == PacketType::reserved0 || (p.type() == PacketType::reserved15 && version != Version::v5_0))
            MQTTLENS_FUZZ_CHECK(p.diagnostics.has(Code::reserved_packet_type), bytes);
        // The type's name, as mqtt-dissect --type takes it in any letter case, names it back;
        // a reserved type has no name to take.
        const std::string_view upper = type_name(p.type());
        char name[16] = {};
        for (std::size_t i = 0; i < upper.size() && i < sizeof name; ++i)
            name[i] = (bytes[0] & 1) && upper[i] >= 'A' && upper[i] <= 'Z' ? static_cast<char>(upper[i] - 'A' + 'a') : upper[i];
        const bool reserved = p.type() == PacketType::reserved0 || p.type() == PacketType::reserved15;
        MQTTLENS_FUZZ_CHECK(type_from_name(std::string_view(name, upper.size())) ==
                                (reserved ? std::nullopt : std::optional(p.type())), bytes);
    }
    // So does the version's (mqtt-dissect --mqtt-version), through its protocol level.
    MQTTLENS_FUZZ_CHECK(version_of_level(static_cast<std::uint8_t>(version)) == version, bytes);
    MQTTLENS_FUZZ_CHECK(!version_name(version).empty() && version_name(version).size() <= 5, bytes);
    MQTTLENS_FUZZ_CHECK(p.header.length_size >= 1 && p.header.length_size <= 4, bytes);

    // Remaining Length as the standard reads it: the decoder must agree, and must not call a
    // packet valid when the bytes cannot hold it or its length is malformed.
    if (bytes.size() >= 1) {
        const LengthResult r = read_remaining_length(bytes.subspan(1));
        if (r.status == LengthResult::Status::ok) {
            MQTTLENS_FUZZ_CHECK(p.header.remaining_length == r.value, bytes);
            MQTTLENS_FUZZ_CHECK(p.header.length_size == r.size, bytes);
            if (std::size_t(1) + r.size + r.value > bytes.size())
                MQTTLENS_FUZZ_CHECK(!p.valid(), bytes);
        } else {
            MQTTLENS_FUZZ_CHECK(!p.valid(), bytes);
        }
    } else {
        MQTTLENS_FUZZ_CHECK(!p.valid(), bytes);
    }

    if (p.body.index() != 0)
        MQTTLENS_FUZZ_CHECK(p.body.index() == expected_alternative(p.type(), version), bytes);

    std::visit(
        [&](const auto& b) {
            using B = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<B, Opaque>) {
                MQTTLENS_FUZZ_CHECK(inside(b.bytes, bytes), bytes);
                sum += touch(b.bytes);
            } else if constexpr (std::is_same_v<B, Connect>) {
                MQTTLENS_FUZZ_CHECK(inside(b.protocol_name, bytes), bytes);
                MQTTLENS_FUZZ_CHECK(inside(b.client_id, bytes), bytes);
                sum += touch(b.protocol_name) + touch(b.client_id) + check_properties(b.properties, bytes);
                if (b.will) {
                    MQTTLENS_FUZZ_CHECK(inside(b.will->topic, bytes), bytes);
                    MQTTLENS_FUZZ_CHECK(inside(b.will->message, bytes), bytes);
                    sum += touch(b.will->topic) + touch(b.will->message) + check_properties(b.will->properties, bytes);
                }
                if (b.username) {
                    MQTTLENS_FUZZ_CHECK(inside(*b.username, bytes), bytes);
                    sum += touch(*b.username);
                }
                if (b.password) {
                    MQTTLENS_FUZZ_CHECK(inside(*b.password, bytes), bytes);
                    sum += touch(*b.password);
                }
            } else if constexpr (std::is_same_v<B, Publish>) {
                MQTTLENS_FUZZ_CHECK(inside(b.topic, bytes), bytes);
                MQTTLENS_FUZZ_CHECK(inside(b.payload, bytes), bytes);
                sum += touch(b.topic) + touch(b.payload) + check_properties(b.properties, bytes);
            } else if constexpr (std::is_same_v<B, Subscribe>) {
                MQTTLENS_FUZZ_CHECK(inside(b.subscriptions.raw(), bytes), bytes);
                sum += check_properties(b.properties, bytes);
                std::size_t n = 0;
                for (const Subscription& s : b.subscriptions) {
                    MQTTLENS_FUZZ_CHECK(inside(s.filter, bytes), bytes);
                    sum += touch(s.filter) + s.options;
                    ++n;
                }
                MQTTLENS_FUZZ_CHECK(n == b.subscriptions.size(), bytes);
            } else if constexpr (std::is_same_v<B, Suback>) {
                MQTTLENS_FUZZ_CHECK(inside(b.return_codes, bytes), bytes);
                sum += touch(b.return_codes) + check_properties(b.properties, bytes);
            } else if constexpr (std::is_same_v<B, Unsubscribe>) {
                MQTTLENS_FUZZ_CHECK(inside(b.filters.raw(), bytes), bytes);
                sum += check_properties(b.properties, bytes);
                for (std::string_view f : b.filters) {
                    MQTTLENS_FUZZ_CHECK(inside(f, bytes), bytes);
                    sum += touch(f);
                }
            } else if constexpr (std::is_same_v<B, Ack> || std::is_same_v<B, Reason>) {
                sum += check_properties(b.properties, bytes) + b.reason_code.value_or(0);
            }
        },
        p.body);

    std::size_t errors = 0;
    for (const Diagnostic& d : p.diagnostics) {
        MQTTLENS_FUZZ_CHECK(static_cast<std::size_t>(d.code) < code_count, bytes);
        MQTTLENS_FUZZ_CHECK(d.offset <= bytes.size(), bytes);
        const CodeInfo& info = code_info(d.code);
        MQTTLENS_FUZZ_CHECK(!info.name.empty() && !d.rule(version).id.empty() && !info.message.empty(), bytes);
        sum += static_cast<unsigned>(field_name(d.field).size() + severity_name(d.severity).size());
        if (d.severity == Severity::error) ++errors;
    }
    if (p.diagnostics.dropped() == 0) MQTTLENS_FUZZ_CHECK(errors == p.diagnostics.error_count(), bytes);
    else MQTTLENS_FUZZ_CHECK(errors <= p.diagnostics.error_count(), bytes);
    sum += static_cast<unsigned>(type_name(p.type()).size());
    return sum;
}

/// Copies `b` into its own heap block of exactly b.size() bytes, so reading past it is caught.
class ExactCopy {
public:
    explicit ExactCopy(Bytes b) : size_(b.size()), data_(new std::uint8_t[b.size() ? b.size() : 1]) {
        if (size_) std::copy(b.begin(), b.end(), data_);
    }
    ~ExactCopy() { delete[] data_; }
    ExactCopy(const ExactCopy&) = delete;
    ExactCopy& operator=(const ExactCopy&) = delete;
    Bytes bytes() const noexcept { return {data_, size_}; }

private:
    std::size_t size_;
    std::uint8_t* data_;
};

/// Reads bytes off the front of the input; past the end, every read yields zero.
class Reader {
public:
    explicit Reader(Bytes b) noexcept : rest_(b) {}
    std::uint8_t u8() noexcept {
        if (rest_.empty()) return 0;
        std::uint8_t v = rest_[0];
        rest_ = rest_.subspan(1);
        return v;
    }
    std::uint16_t u16() noexcept { return static_cast<std::uint16_t>((u8() << 8) | u8()); }
    std::uint32_t u32() noexcept { return (std::uint32_t(u16()) << 16) | u16(); }
    bool flag() noexcept { return u8() & 1; }
    /// A byte string of length chosen by the next byte (at most `max`).
    Bytes take(std::size_t max) noexcept {
        std::size_t n = u8();
        if (n > max) n %= (max + 1);
        if (n > rest_.size()) n = rest_.size();
        Bytes out = rest_.first(n);
        rest_ = rest_.subspan(n);
        return out;
    }
    Bytes rest() const noexcept { return rest_; }
    bool empty() const noexcept { return rest_.empty(); }

private:
    Bytes rest_;
};

}  // namespace mqttlens::fuzz
