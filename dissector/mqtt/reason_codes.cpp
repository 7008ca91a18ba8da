// MQTT 5.0 reason codes: Table 2-6 with each packet's own table (3-1, 3-4 to 3-11).
#include "mqtt/reason_codes.hpp"

#include <array>

namespace mqttlens::mqtt {
namespace {

using R = ReasonScope;

constexpr std::uint16_t bit(R s) noexcept { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(s)); }

struct Row {
    std::uint8_t code;
    std::string_view name;
    std::uint16_t scopes;       // packets whose table lists it
    std::uint16_t client_only;  // ... where only the client may send it
    std::uint16_t server_only;  // ... where only the server may send it
};

constexpr std::uint16_t pub = bit(R::puback) | bit(R::pubrec);
constexpr std::uint16_t subs = bit(R::suback) | bit(R::unsuback);
constexpr std::uint16_t ca = bit(R::connack);
constexpr std::uint16_t d = bit(R::disconnect);

// Table 2-6. 0x00 is allowed in every packet; its name depends on the packet (reason_code_name).
constexpr std::array<Row, 43> rows = {{
    {0x00, "Success", 0x1FF, 0, bit(R::auth)},
    {0x01, "Granted QoS 1", bit(R::suback), 0, 0},
    {0x02, "Granted QoS 2", bit(R::suback), 0, 0},
    {0x04, "Disconnect with Will Message", d, d, 0},
    {0x10, "No matching subscribers", pub, 0, pub},
    {0x11, "No subscription existed", bit(R::unsuback), 0, 0},
    {0x18, "Continue authentication", bit(R::auth), 0, 0},
    {0x19, "Re-authenticate", bit(R::auth), bit(R::auth), 0},
    {0x80, "Unspecified error", ca | pub | subs | d, 0, 0},
    {0x81, "Malformed Packet", ca | d, 0, 0},
    {0x82, "Protocol Error", ca | d, 0, 0},
    {0x83, "Implementation specific error", ca | pub | subs | d, 0, 0},
    {0x84, "Unsupported Protocol Version", ca, 0, 0},
    {0x85, "Client Identifier not valid", ca, 0, 0},
    {0x86, "Bad User Name or Password", ca, 0, 0},
    {0x87, "Not authorized", ca | pub | subs | d, 0, d},
    {0x88, "Server unavailable", ca, 0, 0},
    {0x89, "Server busy", ca | d, 0, d},
    {0x8A, "Banned", ca, 0, 0},
    {0x8B, "Server shutting down", d, 0, d},
    {0x8C, "Bad authentication method", ca, 0, 0},  // Table 2-6 adds DISCONNECT; Table 3-10 does not
    {0x8D, "Keep Alive timeout", d, 0, d},
    {0x8E, "Session taken over", d, 0, d},
    {0x8F, "Topic Filter invalid", subs | d, 0, d},
    {0x90, "Topic Name invalid", ca | pub | d, 0, 0},
    {0x91, "Packet Identifier in use", pub | subs, 0, 0},
    {0x92, "Packet Identifier not found", bit(R::pubrel) | bit(R::pubcomp), 0, 0},
    {0x93, "Receive Maximum exceeded", d, 0, 0},
    {0x94, "Topic Alias invalid", d, 0, 0},
    {0x95, "Packet too large", ca | d, 0, 0},
    {0x96, "Message rate too high", d, 0, 0},
    {0x97, "Quota exceeded", ca | pub | bit(R::suback) | d, 0, 0},
    {0x98, "Administrative action", d, 0, 0},
    {0x99, "Payload format invalid", ca | pub | d, 0, 0},
    {0x9A, "Retain not supported", ca | d, 0, d},
    {0x9B, "QoS not supported", ca | d, 0, d},
    {0x9C, "Use another server", ca | d, 0, d},
    {0x9D, "Server moved", ca | d, 0, d},
    {0x9E, "Shared Subscriptions not supported", bit(R::suback) | d, 0, d},
    {0x9F, "Connection rate exceeded", ca | d, 0, d},
    {0xA0, "Maximum connect time", d, 0, d},
    {0xA1, "Subscription Identifiers not supported", bit(R::suback) | d, 0, d},
    {0xA2, "Wildcard Subscriptions not supported", bit(R::suback) | d, 0, d},
}};

const Row* row_of(std::uint8_t code) noexcept {
    for (const Row& r : rows)
        if (r.code == code) return &r;
    return nullptr;
}

}  // namespace

std::string_view reason_code_name(std::uint8_t code, ReasonScope scope) noexcept {
    if (code == 0x00 && scope == R::disconnect) return "Normal disconnection";
    if (code == 0x00 && scope == R::suback) return "Granted QoS 0";
    const Row* r = row_of(code);
    return r ? r->name : std::string_view();
}

bool reason_code_allowed(std::uint8_t code, ReasonScope scope) noexcept {
    const Row* r = row_of(code);
    return r && (r->scopes & bit(scope));
}

ReasonSender reason_code_sender(std::uint8_t code, ReasonScope scope) noexcept {
    const Row* r = row_of(code);
    if (!r) return ReasonSender::either;
    if (r->client_only & bit(scope)) return ReasonSender::client;
    if (r->server_only & bit(scope)) return ReasonSender::server;
    return ReasonSender::either;
}

std::string_view reason_scope_name(ReasonScope scope) noexcept {
    static constexpr std::array<std::string_view, 9> names = {"connack", "puback", "pubrec", "pubrel", "pubcomp",
                                                               "suback", "unsuback", "disconnect", "auth"};
    return names[static_cast<std::size_t>(scope) % names.size()];
}

std::optional<ReasonScope> reason_scope_of_type(std::uint8_t type) noexcept {
    using R = ReasonScope;
    switch (type) {
        case 2: return R::connack;
        case 4: return R::puback;
        case 5: return R::pubrec;
        case 6: return R::pubrel;
        case 7: return R::pubcomp;
        case 9: return R::suback;
        case 11: return R::unsuback;
        case 14: return R::disconnect;
        case 15: return R::auth;
        default: return std::nullopt;
    }
}

}  // namespace mqttlens::mqtt
