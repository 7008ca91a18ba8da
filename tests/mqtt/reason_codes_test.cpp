// MQTT 5.0 reason codes (§2.4): each packet carries exactly the codes of its own table, with the
// names of Table 2-6, and the codes only one side may send are known by their side.
#include "mqtt/reason_codes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

namespace mqttlens::mqtt::test {
namespace {

using R = ReasonScope;

// "Allowed per packet" of the rules file's Reason codes section.
const std::map<ReasonScope, std::vector<std::uint8_t>>& allowed_per_packet() {
    static const std::map<ReasonScope, std::vector<std::uint8_t>> list = {
        {R::connack, {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95,
                      0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F}},
        {R::puback, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}},
        {R::pubrec, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}},
        {R::pubrel, {0x00, 0x92}},
        {R::pubcomp, {0x00, 0x92}},
        {R::suback, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2}},
        {R::unsuback, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91}},
        {R::disconnect, {0x00, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,  // either
                         0x04,                                                                        // client
                         0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1,
                         0xA2}},                                                                      // server
        {R::auth, {0x00, 0x18, 0x19}},
    };
    return list;
}

TEST(ReasonCodes, EachPacketCarriesExactlyTheCodesOfItsTable) {
    for (const auto& [scope, codes] : allowed_per_packet())
        for (unsigned code = 0; code < 256; ++code)
            EXPECT_EQ(reason_code_allowed(static_cast<std::uint8_t>(code), scope),
                      std::find(codes.begin(), codes.end(), code) != codes.end())
                << reason_scope_name(scope) << " " << std::hex << code;
}

TEST(ReasonCodes, OneSideOnly) {
    const auto sender = [](std::uint8_t code, R scope) { return reason_code_sender(code, scope); };
    EXPECT_EQ(sender(0x10, R::puback), ReasonSender::server);  // No matching subscribers
    EXPECT_EQ(sender(0x10, R::pubrec), ReasonSender::server);
    EXPECT_EQ(sender(0x04, R::disconnect), ReasonSender::client);  // Disconnect with Will Message
    for (std::uint8_t code : {0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2})
        EXPECT_EQ(sender(code, R::disconnect), ReasonSender::server) << std::hex << int(code);
    for (std::uint8_t code : {0x00, 0x80, 0x81, 0x82, 0x83, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99})
        EXPECT_EQ(sender(code, R::disconnect), ReasonSender::either) << std::hex << int(code);
    EXPECT_EQ(sender(0x00, R::auth), ReasonSender::server);  // Success
    EXPECT_EQ(sender(0x18, R::auth), ReasonSender::either);  // Continue authentication
    EXPECT_EQ(sender(0x19, R::auth), ReasonSender::client);  // Re-authenticate
    EXPECT_EQ(sender(0x87, R::connack), ReasonSender::either);  // only DISCONNECT restricts it
}

TEST(ReasonCodes, NamesOfTable26) {
    EXPECT_EQ(reason_code_name(0x00, R::connack), "Success");
    EXPECT_EQ(reason_code_name(0x00, R::disconnect), "Normal disconnection");
    EXPECT_EQ(reason_code_name(0x00, R::suback), "Granted QoS 0");
    EXPECT_EQ(reason_code_name(0x02, R::suback), "Granted QoS 2");
    EXPECT_EQ(reason_code_name(0x87, R::puback), "Not authorized");
    EXPECT_EQ(reason_code_name(0xA2, R::disconnect), "Wildcard Subscriptions not supported");
    EXPECT_EQ(reason_code_name(0x8B, R::puback), "Server shutting down");  // named, though not allowed there
    EXPECT_EQ(reason_code_name(0x03, R::connack), "");                   // not a 5.0 code
    EXPECT_EQ(reason_code_name(0xFF, R::auth), "");
    EXPECT_EQ(reason_scope_name(R::unsuback), "unsuback");
}

// 0x8C: Table 2-6 lists DISCONNECT, Table 3-10 does not; the packet's own table governs.
TEST(ReasonCodes, BadAuthenticationMethodOnlyInConnack) {
    EXPECT_TRUE(reason_code_allowed(0x8C, R::connack));
    EXPECT_FALSE(reason_code_allowed(0x8C, R::disconnect));
}

}  // namespace
}  // namespace mqttlens::mqtt::test
