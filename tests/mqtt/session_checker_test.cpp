// Session checker: the stream rules of one TCP connection, one test per rule, each asserting the
// code, its rule ID and the packet (and offset) it is reported on.
#include "mqtt/session_checker.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "framer_util.hpp"
#include "xorshift.hpp"

namespace mqttlens::mqtt {
namespace {

using test::hex;

constexpr auto c2s = Direction::c2s;
constexpr auto s2c = Direction::s2c;

/// Seconds as the checker's microseconds.
constexpr std::int64_t sec(double s) { return static_cast<std::int64_t>(s * 1'000'000); }

/// Packet Identifier `id` as two hex bytes.
std::string id_hex(std::uint16_t id) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (int shift : {12, 8, 4, 0}) {
        out += digits[(id >> shift) & 0xF];
        if (shift == 8) out += ' ';
    }
    return out;
}

// CONNECT: 10 len | 00 04 "MQTT" | level 04 | flags | keep alive (2) | client id "c" (00 01 63)
std::string connect(std::uint8_t flags = 0x02, std::uint16_t keep_alive = 60) {
    std::string out = "10 0D 00 04 4D 51 54 54 04 ";
    static constexpr char digits[] = "0123456789ABCDEF";
    out += digits[flags >> 4];
    out += digits[flags & 0xF];
    return out + " " + id_hex(keep_alive) + " 00 01 63";
}
// CONNACK: 20 02 | ack flags | return code
const std::string connack = "20 02 00 00";
// PUBLISH topic "a/b", payload "hi"; QoS 1/2 put the id between them. First byte 3X: DUP<<3|QoS<<1
const std::string publish_qos0 = "30 07 00 03 61 2F 62 68 69";
std::string publish(std::uint8_t qos, std::uint16_t id, bool dup = false) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out = "3";
    out += digits[(dup ? 8 : 0) | qos << 1];
    return out + " 09 00 03 61 2F 62 " + id_hex(id) + " 68 69";
}
std::string puback(std::uint16_t id) { return "40 02 " + id_hex(id); }
std::string pubrec(std::uint16_t id) { return "50 02 " + id_hex(id); }
std::string pubrel(std::uint16_t id) { return "62 02 " + id_hex(id); }
std::string pubcomp(std::uint16_t id) { return "70 02 " + id_hex(id); }
// SUBSCRIBE: 82 len | id | "a/#" QoS 1
std::string subscribe(std::uint16_t id) { return "82 08 " + id_hex(id) + " 00 03 61 2F 23 01"; }
// SUBSCRIBE with two filters: "a/#" QoS 1, "b" QoS 0
std::string subscribe2(std::uint16_t id) {
    return "82 0C " + id_hex(id) + " 00 03 61 2F 23 01 00 01 62 00";
}
// SUBACK: 90 len | id | one return code per filter
std::string suback(std::uint16_t id) { return "90 03 " + id_hex(id) + " 01"; }
std::string suback2(std::uint16_t id) { return "90 04 " + id_hex(id) + " 01 00"; }
// UNSUBSCRIBE: A2 len | id | "a/#"
std::string unsubscribe(std::uint16_t id) { return "A2 07 " + id_hex(id) + " 00 03 61 2F 23"; }
std::string unsuback(std::uint16_t id) { return "B0 02 " + id_hex(id); }
const std::string pingreq = "C0 00";
const std::string pingresp = "D0 00";
const std::string disconnect = "E0 00";

/// One connection replayed packet by packet. Packet n (1-based) is observed with ref n; every
/// packet's bytes stay alive as long as the session.
class Session {
public:
    Session() = default;
    explicit Session(bool midstream) : checker_(SessionOptions{.midstream = midstream}) {}
    explicit Session(const SessionOptions& options) : checker_(options) {}

    /// Decodes `text` and feeds it to the checker at `time_us`; the codes reported on it.
    std::vector<Code> send(Direction direction, std::string_view text, std::int64_t time_us = 0) {
        return codes(send_full(direction, text, time_us));
    }
    /// Same, with the whole diagnostics.
    Diagnostics send_full(Direction direction, std::string_view text, std::int64_t time_us = 0) {
        bytes_.push_back(hex(text));
        const Packet packet = decode(bytes_.back());
        return checker_.observe(direction, packet, time_us, ++count_);
    }
    /// Feeds an already decoded packet.
    Diagnostics send_packet(Direction direction, const Packet& packet, std::int64_t time_us = 0) {
        return checker_.observe(direction, packet, time_us, ++count_);
    }
    std::vector<EndFinding> finish(std::int64_t end_us = 0,
                                   ConnectionEnd how = ConnectionEnd::closed) const {
        return checker_.finish(end_us, how);
    }
    SessionChecker& checker() { return checker_; }
    std::uint64_t count() const { return count_; }

    static std::vector<Code> codes(const Diagnostics& d) {
        std::vector<Code> out;
        for (const auto& x : d) out.push_back(x.code);
        return out;
    }

private:
    SessionChecker checker_;
    std::deque<std::vector<std::uint8_t>> bytes_;
    std::uint64_t count_ = 0;
};

using Codes = std::vector<Code>;
const Codes none;

/// {code, ref} of each end finding.
std::vector<std::pair<Code, std::uint64_t>> where(const std::vector<EndFinding>& found) {
    std::vector<std::pair<Code, std::uint64_t>> out;
    for (const auto& f : found) out.emplace_back(f.diagnostic.code, f.ref);
    return out;
}

std::string rule(Code code) { return std::string(code_info(code).rule); }

// ---------------------------------------------------------------------------------------------
// A clean session breaks nothing

TEST(SessionChecker, CleanFullSessionHasNoFindings) {
    struct Step {
        Direction direction;
        std::string bytes;
        const char* what;
    };
    const std::vector<Step> steps = {
        {c2s, connect(), "CONNECT clean session, keep alive 60"},
        {s2c, connack, "CONNACK accepted"},
        {c2s, subscribe(1), "SUBSCRIBE 1 a/# QoS 1"},
        {s2c, suback(1), "SUBACK 1 [1]"},
        {c2s, subscribe2(2), "SUBSCRIBE 2, two filters"},
        {s2c, suback2(2), "SUBACK 2 [1, 0]"},
        {c2s, publish_qos0, "PUBLISH QoS 0"},
        {s2c, publish_qos0, "PUBLISH QoS 0 to the client"},
        {c2s, publish(1, 3), "PUBLISH QoS 1 id 3"},
        {s2c, puback(3), "PUBACK 3"},
        {c2s, publish(2, 4), "PUBLISH QoS 2 id 4"},
        {s2c, pubrec(4), "PUBREC 4"},
        {c2s, pubrel(4), "PUBREL 4"},
        {s2c, pubcomp(4), "PUBCOMP 4"},
        {s2c, publish(1, 3), "server PUBLISH QoS 1 id 3: its own identifier space"},
        {c2s, puback(3), "PUBACK 3 from the client"},
        {s2c, publish(2, 5), "server PUBLISH QoS 2 id 5"},
        {c2s, pubrec(5), "PUBREC 5 from the client"},
        {s2c, pubrel(5), "PUBREL 5 from the server"},
        {c2s, pubcomp(5), "PUBCOMP 5 from the client"},
        {c2s, publish(1, 3), "id 3 is free again after its PUBACK"},
        {s2c, puback(3), "PUBACK 3"},
        {c2s, pingreq, "PINGREQ"},
        {s2c, pingresp, "PINGRESP"},
        {c2s, unsubscribe(6), "UNSUBSCRIBE 6"},
        {s2c, unsuback(6), "UNSUBACK 6"},
        {c2s, disconnect, "DISCONNECT"},
    };
    for (const ConnectionEnd how : {ConnectionEnd::closed, ConnectionEnd::capture_ended}) {
        Session s;
        std::int64_t t = 0;
        for (const auto& step : steps) {
            EXPECT_EQ(s.send(step.direction, step.bytes, t), none) << step.what;
            t += sec(1);
        }
        EXPECT_TRUE(s.finish(t + sec(3600), how).empty());
    }
}

TEST(SessionChecker, InterleavedFlowsOfBothSidesHaveNoFindings) {
    Session s;
    EXPECT_EQ(s.send(c2s, connect()), none);
    EXPECT_EQ(s.send(c2s, subscribe(1)), none) << "the client need not wait for CONNACK";
    EXPECT_EQ(s.send(s2c, connack), none);
    EXPECT_EQ(s.send(c2s, publish(2, 2)), none);
    EXPECT_EQ(s.send(s2c, publish(1, 1)), none) << "publications may precede the SUBACK";
    EXPECT_EQ(s.send(s2c, suback(1)), none);
    EXPECT_EQ(s.send(s2c, pubrec(2)), none);
    EXPECT_EQ(s.send(c2s, puback(1)), none);
    EXPECT_EQ(s.send(c2s, pubrel(2)), none);
    EXPECT_EQ(s.send(s2c, pubcomp(2)), none);
    EXPECT_TRUE(s.finish().empty());
}

// ---------------------------------------------------------------------------------------------
// MQTT-3.1.0-1, MQTT-3.1.0-2, MQTT-3.2.0-1: the first packets

TEST(SessionChecker, FirstClientPacketNotConnect) {
    EXPECT_EQ(rule(Code::first_packet_not_connect), "MQTT-3.1.0-1");
    Session s;
    EXPECT_EQ(s.send(c2s, publish_qos0), Codes{Code::first_packet_not_connect});
    EXPECT_EQ(s.send(c2s, publish_qos0), none) << "reported once, on the first packet";
    EXPECT_EQ(s.send(c2s, connect()), none) << "a late CONNECT is not a second one";
}

TEST(SessionChecker, MidstreamCaptureDoesNotExpectConnect) {
    Session s(SessionOptions{.midstream = true});
    EXPECT_EQ(s.send(s2c, publish_qos0), none);
    EXPECT_EQ(s.send(c2s, publish_qos0), none);
    EXPECT_EQ(s.send(s2c, puback(9)), none) << "its PUBLISH may predate the capture";
    Session bare(true);
    EXPECT_EQ(bare.send(c2s, connect()), none) << "the first packet seen may be the CONNECT";
}

// CVE-2023-0809 (mosquitto < 2.0.16): a first packet that is not CONNECT, claiming a huge length.
// Only its fixed header is needed: a capture that ends inside it still gets the finding.
TEST(SessionChecker, Cve2023_0809FirstPacketNotConnectWithHugeClaim) {
    Session s;
    const auto d = s.send_full(c2s, "30 FF FF FF 7F 00 03 61 2F 62 00");  // PUBLISH, 268,435,455
    EXPECT_EQ(Session::codes(d), Codes{Code::first_packet_not_connect});
    EXPECT_EQ(d[0].offset, 0u);
    EXPECT_EQ(d[0].field, Field::fixed_header);
}

TEST(SessionChecker, SecondConnect) {
    EXPECT_EQ(rule(Code::second_connect), "MQTT-3.1.0-2");
    Session s;
    EXPECT_EQ(s.send(c2s, connect()), none);
    EXPECT_EQ(s.send(s2c, connack), none);
    EXPECT_EQ(s.send(c2s, connect()), Codes{Code::second_connect});
    EXPECT_EQ(s.send(c2s, connect()), Codes{Code::second_connect});
}

TEST(SessionChecker, ConnectAfterOtherClientPacketsOfAMidstreamCaptureIsASecondOne) {
    Session s(true);
    EXPECT_EQ(s.send(c2s, publish_qos0), none);
    EXPECT_EQ(s.send(c2s, connect()), Codes{Code::second_connect});
}

TEST(SessionChecker, FirstServerPacketNotConnack) {
    EXPECT_EQ(rule(Code::first_packet_not_connack), "MQTT-3.2.0-1");
    Session s;
    EXPECT_EQ(s.send(c2s, connect()), none);
    EXPECT_EQ(s.send(s2c, publish_qos0), Codes{Code::first_packet_not_connack});
    EXPECT_EQ(s.send(s2c, connack), none);
    EXPECT_EQ(s.send(s2c, publish_qos0), none);
}

// ---------------------------------------------------------------------------------------------
// §2.2.1, Table 2.1: direction

TEST(SessionChecker, WrongDirection) {
    EXPECT_EQ(rule(Code::wrong_direction), "MQTT-§2.2.1");
    const std::vector<std::string> client_only = {connect(), subscribe(1), unsubscribe(2), pingreq,
                                                  disconnect};
    const std::vector<std::string> server_only = {connack, suback(1), unsuback(2), pingresp};
    for (const auto& bytes : client_only) {
        Session s;
        s.send(c2s, connect());
        s.send(s2c, connack);
        EXPECT_EQ(s.send(s2c, bytes), Codes{Code::wrong_direction}) << bytes << " from the server";
    }
    for (const auto& bytes : server_only) {
        Session s;
        s.send(c2s, connect());
        s.send(s2c, connack);
        EXPECT_EQ(s.send(c2s, bytes), Codes{Code::wrong_direction}) << bytes << " from the client";
    }
    Session s;
    s.send(c2s, connect());
    s.send(s2c, connack);
    for (const auto& [from, other] : {std::pair{c2s, s2c}, std::pair{s2c, c2s}}) {
        EXPECT_EQ(s.send(from, publish_qos0), none);
        EXPECT_EQ(s.send(from, publish(1, 1)), none);
        EXPECT_EQ(s.send(other, puback(1)), none);
        EXPECT_EQ(s.send(from, publish(2, 2)), none);
        EXPECT_EQ(s.send(other, pubrec(2)), none);
        EXPECT_EQ(s.send(from, pubrel(2)), none);
        EXPECT_EQ(s.send(other, pubcomp(2)), none);
    }
}

// CVE-2021-28166 (mosquitto 2.0.0-2.0.9): a CONNACK sent client->server. The public reproducer is
// MQTT 5.0: CONNECT (level 5, Receive Maximum 20), CONNACK with flags 1001, DISCONNECT.
TEST(SessionChecker, Cve2021_28166ConnackFromTheClient) {
    const auto stream = hex("101000044d5154540502003c03210014000029020001e000");
    const Bytes all(stream);
    const Packet connect5 = decode(all.subspan(0, 18));
    const Packet connack_c2s = decode(all.subspan(18, 4));
    const Packet disconnect_c2s = decode(all.subspan(22, 2));
    ASSERT_EQ(connect5.type(), PacketType::connect);
    ASSERT_EQ(connack_c2s.type(), PacketType::connack);
    ASSERT_EQ(disconnect_c2s.type(), PacketType::disconnect);

    Session s;
    EXPECT_EQ(Session::codes(s.send_packet(c2s, connect5)), none);
    EXPECT_EQ(s.checker().version(), Version::v5_0);
    const auto d = s.send_packet(c2s, connack_c2s);
    EXPECT_EQ(Session::codes(d), Codes{Code::wrong_direction});
    EXPECT_EQ(d[0].offset, 0u);
    EXPECT_EQ(Session::codes(s.send_packet(c2s, disconnect_c2s)), none);

    Session v311;  // the same attack in 3.1.1
    EXPECT_EQ(v311.send(c2s, connect()), none);
    EXPECT_EQ(v311.send(c2s, "20 02 00 00"), Codes{Code::wrong_direction});
}

TEST(SessionChecker, Mqtt5SharesTheRulesBothVersionsHave) {
    // CONNECT "MQTT" level 5, clean start, keep alive 10, no properties, client id "c"
    const std::string connect5 = "10 0E 00 04 4D 51 54 54 05 02 00 0A 00 00 01 63";
    Session s;
    EXPECT_EQ(s.send(c2s, connect5, 0), none);
    EXPECT_EQ(s.send(s2c, "20 03 00 00 00", 0), none);  // CONNACK with empty properties
    EXPECT_EQ(s.send(c2s, "20 03 00 00 00", sec(100)), (Codes{Code::keep_alive_exceeded, Code::wrong_direction}))
        << "the keep alive of 10 s holds in 5.0 too";
    EXPECT_EQ(s.send(c2s, connect5, sec(101)), Codes{Code::second_connect});
    EXPECT_EQ(s.send(s2c, disconnect, sec(101)), none) << "a 5.0 server may send DISCONNECT";
    EXPECT_EQ(s.send(s2c, pingresp, sec(101)), Codes{Code::data_after_server_disconnect});
    EXPECT_TRUE(s.finish(sec(101)).empty()) << "after its DISCONNECT the server owes nothing";
    // The rules 5.0 numbers otherwise name its IDs
    EXPECT_EQ(rule_id(Code::keep_alive_exceeded, Version::v5_0), (RuleId{"MQTT-3.1.2-22", "5.0"}));
    EXPECT_EQ(rule_id(Code::keep_alive_exceeded, Version::v3_1_1), (RuleId{"MQTT-3.1.2-24", "3.1.1"}));
}

TEST(SessionChecker, AnotherProtocolIsNotJudgedAfterItsConnect) {
    Session s;
    // Protocol Name "MQTX": the server may follow "some other specification" (MQTT-3.1.2-1)
    EXPECT_EQ(s.send(c2s, "10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 63"), none);
    EXPECT_EQ(s.send(s2c, pingreq), none);
    EXPECT_EQ(s.send(c2s, puback(4)), none);
    EXPECT_EQ(s.send(c2s, connect()), none);
}

// ---------------------------------------------------------------------------------------------
// CONNACK: MQTT-3.1.4-1, MQTT-3.2.2-1, MQTT-3.2.2-5

TEST(SessionChecker, ConnackAfterBadConnect) {
    EXPECT_EQ(rule(Code::connack_after_bad_connect), "MQTT-3.1.4-1");
    Session s;
    const auto bad = s.send_full(c2s, connect(0x03));  // reserved Connect Flags bit set
    EXPECT_EQ(Session::codes(bad), none) << "the decoder reports the CONNECT itself";
    EXPECT_EQ(s.send(s2c, connack), Codes{Code::connack_after_bad_connect});
}

TEST(SessionChecker, ConnackRejectingAnEmptyPersistentClientIdIsRight) {
    // CONNECT, Clean Session 0, zero-length Client Identifier: the server answers 0x02 (MQTT-3.1.3-8)
    const std::string empty_id = "10 0C 00 04 4D 51 54 54 04 00 00 3C 00 00";
    Session rejected;
    rejected.send(c2s, empty_id);
    EXPECT_EQ(rejected.send(s2c, "20 02 00 02"), none);
    Session accepted;
    accepted.send(c2s, empty_id);
    EXPECT_EQ(accepted.send(s2c, connack), Codes{Code::connack_after_bad_connect});
}

TEST(SessionChecker, ConnackRejectingA31ClientIdOutside1To23IsRight) {
    // CONNECT "MQIsdp" level 3, Client Identifier of 24 characters: 3.1 answers CONNACK 2
    const std::string long_id = "10 26 00 06 4D 51 49 73 64 70 03 02 00 3C 00 18"
                                " 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61";
    Session rejected;
    rejected.send(c2s, long_id);
    EXPECT_EQ(rejected.send(s2c, "20 02 00 02"), none);
    Session accepted;
    accepted.send(c2s, long_id);
    EXPECT_EQ(accepted.send(s2c, connack), Codes{Code::connack_after_bad_connect});
    // 3.1 states no rule for Connect Flags bit 0: a warning, and the CONNECT may be accepted
    Session reserved;
    reserved.send(c2s, "10 10 00 06 4D 51 49 73 64 70 03 03 00 3C 00 02 63 31");
    EXPECT_EQ(reserved.send(s2c, connack), none);
}

TEST(SessionChecker, SessionPresentAfterCleanSession) {
    EXPECT_EQ(rule(Code::session_present_clean), "MQTT-3.2.2-1");
    Session s;
    s.send(c2s, connect(0x02));
    const auto d = s.send_full(s2c, "20 02 01 00");
    EXPECT_EQ(Session::codes(d), Codes{Code::session_present_clean});
    EXPECT_EQ(d[0].offset, 2u);
    EXPECT_EQ(d[0].field, Field::ack_flags);

    Session persistent;
    persistent.send(c2s, connect(0x00));
    EXPECT_EQ(persistent.send(s2c, "20 02 01 00"), none) << "Clean Session 0 may resume";
}

TEST(SessionChecker, DataAfterRefusingConnack) {
    EXPECT_EQ(rule(Code::data_after_connack_error), "MQTT-3.2.2-5");
    Session s;
    s.send(c2s, connect());
    EXPECT_EQ(s.send(s2c, "20 02 00 05"), none);  // 5: not authorized
    EXPECT_EQ(s.send(c2s, publish_qos0), none) << "the client is not at fault";
    EXPECT_EQ(s.send(s2c, publish_qos0), Codes{Code::data_after_connack_error});
    EXPECT_EQ(s.send(s2c, pingresp), Codes{Code::data_after_connack_error});
}

// ---------------------------------------------------------------------------------------------
// Packet Identifiers: MQTT-2.3.1-2, MQTT-2.3.1-6/-7, MQTT-3.9.3-1

/// A session past CONNECT / CONNACK.
Session connected(std::uint8_t flags = 0x02) {
    Session s;
    s.send(c2s, connect(flags));
    s.send(s2c, connack);
    return s;
}

TEST(SessionChecker, PacketIdInUse) {
    EXPECT_EQ(rule(Code::packet_id_in_use), "MQTT-2.3.1-2");
    Session s = connected();
    EXPECT_EQ(s.send(c2s, publish(1, 7)), none);
    // PUBLISH: 32 09 | 00 03 "a/b" | id at offset 7
    const auto again = s.send_full(c2s, publish(1, 7));
    EXPECT_EQ(Session::codes(again), Codes{Code::packet_id_in_use});
    EXPECT_EQ(again[0].offset, 7u);
    EXPECT_EQ(again[0].field, Field::packet_id);
    // SUBSCRIBE: 82 08 | id at offset 2
    const auto sub = s.send_full(c2s, subscribe(7));
    EXPECT_EQ(Session::codes(sub), Codes{Code::packet_id_in_use}) << "one space for all requests";
    EXPECT_EQ(sub[0].offset, 2u);
    EXPECT_EQ(s.send(c2s, unsubscribe(7)), Codes{Code::packet_id_in_use});
    EXPECT_EQ(s.send(s2c, publish(1, 7)), none) << "the server's identifiers are its own";
    EXPECT_EQ(s.send(s2c, puback(7)), none);
    EXPECT_EQ(s.send(c2s, publish(1, 7)), none) << "free again after PUBACK";
}

TEST(SessionChecker, DupRetransmissionIsNotAReuse) {
    Session s = connected();
    EXPECT_EQ(s.send(c2s, publish(1, 7)), none);
    EXPECT_EQ(s.send(c2s, publish(1, 7, true)), none) << "DUP=1 repeats the one in flight";
    EXPECT_EQ(s.send(s2c, puback(7)), none);
    EXPECT_EQ(s.send(s2c, puback(7)), none) << "the receiver answers each copy";
    EXPECT_EQ(s.send(s2c, puback(7)), Codes{Code::ack_unknown_packet_id}) << "but not thrice";
    EXPECT_EQ(s.send(c2s, publish(2, 8)), none);
    EXPECT_EQ(s.send(c2s, publish(1, 8, true)), Codes{Code::packet_id_in_use})
        << "a DUP of another QoS is a new request";
}

TEST(SessionChecker, Qos2IdentifierStaysInUseUntilPubcomp) {
    Session s = connected();
    EXPECT_EQ(s.send(c2s, publish(2, 9)), none);
    EXPECT_EQ(s.send(c2s, publish(2, 9, true)), none) << "re-sent before PUBREC";
    EXPECT_EQ(s.send(s2c, pubrec(9)), none);
    EXPECT_EQ(s.send(c2s, publish(1, 9)), Codes{Code::packet_id_in_use}) << "after PUBREC";
    EXPECT_EQ(s.send(c2s, pubrel(9)), none);
    EXPECT_EQ(s.send(c2s, publish(2, 9, true)), Codes{Code::packet_id_in_use})
        << "no PUBLISH again once PUBREL is sent (MQTT-4.3.3-1)";
    EXPECT_EQ(s.send(s2c, pubcomp(9)), none);
    EXPECT_EQ(s.send(c2s, publish(2, 9)), none) << "free after PUBCOMP";
}

TEST(SessionChecker, AckWithUnknownPacketId) {
    EXPECT_EQ(rule(Code::ack_unknown_packet_id), "MQTT-2.3.1-6");
    Session s = connected();
    const auto d = s.send_full(s2c, puback(5));
    EXPECT_EQ(Session::codes(d), Codes{Code::ack_unknown_packet_id}) << "nothing sent with id 5";
    EXPECT_EQ(d[0].offset, 2u);
    EXPECT_EQ(d[0].field, Field::packet_id);

    EXPECT_EQ(s.send(c2s, publish(2, 1)), none);
    EXPECT_EQ(s.send(s2c, puback(1)), Codes{Code::ack_unknown_packet_id}) << "QoS 2 takes PUBREC";
    EXPECT_EQ(s.send(s2c, pubcomp(1)), Codes{Code::ack_unknown_packet_id}) << "PUBCOMP answers PUBREL";
    EXPECT_EQ(s.send(c2s, pubrel(1)), Codes{Code::ack_unknown_packet_id}) << "PUBREL answers PUBREC";
    EXPECT_EQ(s.send(s2c, pubrec(1)), none);
    EXPECT_EQ(s.send(c2s, pubrel(1)), none);
    EXPECT_EQ(s.send(s2c, pubcomp(1)), none);
    EXPECT_EQ(s.send(s2c, pubcomp(1)), Codes{Code::ack_unknown_packet_id}) << "flow finished";

    EXPECT_EQ(s.send(c2s, unsubscribe(2)), none);
    EXPECT_EQ(s.send(s2c, suback(2)), Codes{Code::ack_unknown_packet_id}) << "2 is an UNSUBSCRIBE";
    EXPECT_EQ(s.send(s2c, unsuback(2)), none);
    EXPECT_EQ(s.send(s2c, unsuback(2)), Codes{Code::ack_unknown_packet_id});
    EXPECT_EQ(s.send(s2c, pubrec(3)), Codes{Code::ack_unknown_packet_id});
    EXPECT_EQ(s.send(c2s, puback(3)), Codes{Code::ack_unknown_packet_id}) << "server sent no 3";
}

TEST(SessionChecker, ResumedSessionMayRepeatPubrel) {
    // MQTT-4.4.0-1: with Clean Session 0 the PUBRELs of the last connection are re-sent
    Session s = connected(0x00);
    EXPECT_EQ(s.send(c2s, pubrel(4)), none);
    EXPECT_EQ(s.send(s2c, pubcomp(4)), none);
    EXPECT_EQ(s.send(s2c, pubcomp(4)), Codes{Code::ack_unknown_packet_id});
}

TEST(SessionChecker, SubackCountMismatch) {
    EXPECT_EQ(rule(Code::suback_count_mismatch), "MQTT-3.9.3-1");
    Session s = connected();
    EXPECT_EQ(s.send(c2s, subscribe2(3)), none);
    // SUBACK: 90 03 | 00 03 | return codes at offset 4: one code for two filters
    const auto d = s.send_full(s2c, suback(3));
    EXPECT_EQ(Session::codes(d), Codes{Code::suback_count_mismatch});
    EXPECT_EQ(d[0].offset, 4u);
    EXPECT_EQ(d[0].field, Field::return_codes);
    EXPECT_EQ(s.send(c2s, subscribe(3)), none) << "answered, even if wrongly";
    EXPECT_EQ(s.send(s2c, suback2(3)), Codes{Code::suback_count_mismatch}) << "two for one";
}

TEST(SessionChecker, ManyRequestsInFlightAreNotMisreported) {
    Session s = connected();
    const int n = static_cast<int>(SessionChecker::max_in_flight) + 72;
    for (int id = 1; id <= n; ++id) ASSERT_EQ(s.send(c2s, publish(1, id)), none) << id;
    for (int id = n; id >= 1; --id) ASSERT_EQ(s.send(s2c, puback(id)), none) << id;
    EXPECT_EQ(s.send(s2c, puback(1)), Codes{Code::ack_unknown_packet_id});
}

// ---------------------------------------------------------------------------------------------
// Requests never answered: MQTT-3.8.4-1, MQTT-3.10.4-4, MQTT-3.12.4-1 (at the end)

TEST(SessionChecker, SubscribeUnanswered) {
    EXPECT_EQ(rule(Code::subscribe_unanswered), "MQTT-3.8.4-1");
    Session s = connected();
    s.send(c2s, subscribe(1));  // packet 3
    s.send(c2s, subscribe(2));  // packet 4
    s.send(s2c, suback(1));
    const auto found = s.finish(sec(1), ConnectionEnd::closed);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].diagnostic.code, Code::subscribe_unanswered);
    EXPECT_EQ(found[0].ref, 4u);
    EXPECT_EQ(found[0].packet_id, 2);
    EXPECT_EQ(found[0].diagnostic.offset, 2u);
    EXPECT_EQ(found[0].diagnostic.field, Field::packet_id);
}

TEST(SessionChecker, UnsubscribeUnanswered) {
    EXPECT_EQ(rule(Code::unsubscribe_unanswered), "MQTT-3.10.4-4");
    Session s = connected();
    s.send(c2s, unsubscribe(1));  // packet 3
    s.send(c2s, subscribe(2));    // packet 4
    s.send(s2c, suback(2));
    EXPECT_EQ(where(s.finish()), (std::vector<std::pair<Code, std::uint64_t>>{
                                     {Code::unsubscribe_unanswered, 3}}));
}

TEST(SessionChecker, PingreqUnanswered) {
    EXPECT_EQ(rule(Code::pingreq_unanswered), "MQTT-3.12.4-1");
    Session s = connected();
    s.send(c2s, pingreq);   // 3: answered by the PINGRESP
    s.send(c2s, pingreq);   // 4: never answered
    s.send(s2c, pingresp);
    s.send(c2s, subscribe(1));  // 6: never answered either
    EXPECT_EQ(where(s.finish()), (std::vector<std::pair<Code, std::uint64_t>>{
                                     {Code::pingreq_unanswered, 4},
                                     {Code::subscribe_unanswered, 6}}));
}

TEST(SessionChecker, OpenConnectionGivesRecentRequestsTimeToBeAnswered) {
    Session s = connected();
    s.send(c2s, subscribe(1), sec(0));  // 3
    s.send(c2s, pingreq, sec(9));       // 4
    const SessionOptions defaults;
    const std::int64_t end = sec(10);
    ASSERT_LT(end - sec(9), defaults.open_end_grace_us);
    ASSERT_GE(end - sec(0), defaults.open_end_grace_us);
    EXPECT_EQ(where(s.finish(end, ConnectionEnd::capture_ended)),
              (std::vector<std::pair<Code, std::uint64_t>>{{Code::subscribe_unanswered, 3}}));
    EXPECT_EQ(where(s.finish(end, ConnectionEnd::closed)),
              (std::vector<std::pair<Code, std::uint64_t>>{{Code::subscribe_unanswered, 3},
                                                           {Code::pingreq_unanswered, 4}}));
}

TEST(SessionChecker, NoAnswerIsOwedAfterAMalformedClientPacket) {
    // MQTT-4.8.0-1: the server closes on a protocol violation, answering nothing more
    Session s = connected();
    s.send(c2s, subscribe(1));
    s.send(c2s, "36 09 00 03 61 2F 62 00 02 68 69");  // PUBLISH QoS 3
    EXPECT_TRUE(s.finish().empty());
}

// ---------------------------------------------------------------------------------------------
// MQTT-3.14.4-1: nothing after DISCONNECT

TEST(SessionChecker, DataAfterDisconnect) {
    EXPECT_EQ(rule(Code::data_after_disconnect), "MQTT-3.14.4-1");
    Session s = connected();
    EXPECT_EQ(s.send(c2s, disconnect), none);
    EXPECT_EQ(s.send(s2c, publish_qos0), none) << "the server may still be sending";
    EXPECT_EQ(s.send(c2s, publish_qos0), Codes{Code::data_after_disconnect});
    EXPECT_EQ(s.send(c2s, subscribe(1)), Codes{Code::data_after_disconnect});
    EXPECT_TRUE(s.finish().empty()) << "a SUBSCRIBE after DISCONNECT is owed no SUBACK";
}

// ---------------------------------------------------------------------------------------------
// MQTT-3.1.2-24: keep alive

TEST(SessionChecker, KeepAliveExceeded) {
    EXPECT_EQ(rule(Code::keep_alive_exceeded), "MQTT-3.1.2-24");
    Session s;
    EXPECT_EQ(s.send(c2s, connect(0x02, 10), sec(0)), none);  // keep alive 10 s: limit 15 s
    EXPECT_EQ(s.send(s2c, connack, sec(0.1)), none);
    EXPECT_EQ(s.send(s2c, publish_qos0, sec(14)), none) << "server packets do not count";
    EXPECT_EQ(s.send(c2s, pingreq, sec(15)), none) << "exactly 1.5 x is still in time";
    EXPECT_EQ(s.send(s2c, pingresp, sec(15.1)), none);
    const auto d = s.send_full(c2s, publish_qos0, sec(30) + 1);
    EXPECT_EQ(Session::codes(d), Codes{Code::keep_alive_exceeded});
    EXPECT_EQ(d[0].offset, 0u);
    EXPECT_EQ(s.send(c2s, publish_qos0, sec(31)), none);
}

TEST(SessionChecker, KeepAliveZeroIsNeverExceeded) {
    Session s;
    s.send(c2s, connect(0x02, 0), 0);
    s.send(s2c, connack, 0);
    EXPECT_EQ(s.send(c2s, publish_qos0, sec(100000)), none);
    EXPECT_TRUE(s.finish(sec(200000), ConnectionEnd::capture_ended).empty());
}

TEST(SessionChecker, KeepAliveSilenceAtTheEndOfAnOpenConnection) {
    Session s;
    s.send(c2s, connect(0x02, 10), sec(0));
    s.send(s2c, connack, sec(0));
    s.send(c2s, publish_qos0, sec(5));  // packet 3: the last client packet
    s.send(s2c, publish_qos0, sec(19));
    EXPECT_TRUE(s.finish(sec(20), ConnectionEnd::capture_ended).empty()) << "15 s: in time";
    const auto found = s.finish(sec(21), ConnectionEnd::capture_ended);
    EXPECT_EQ(where(found), (std::vector<std::pair<Code, std::uint64_t>>{
                                {Code::keep_alive_exceeded, 3}}));
    const SessionOptions defaults;
    ASSERT_EQ(defaults.keep_alive_close_slack_us, sec(1));
    EXPECT_TRUE(s.finish(sec(21), ConnectionEnd::closed).empty())
        << "a close near the limit is the server's keep-alive disconnect, which is right";
    EXPECT_EQ(where(s.finish(sec(21) + 1, ConnectionEnd::closed)),
              (std::vector<std::pair<Code, std::uint64_t>>{{Code::keep_alive_exceeded, 3}}))
        << "closed, but clearly later than it must";
}

TEST(SessionChecker, ServerClosingLongAfterTheKeepAliveLimit) {
    // Seen with mosquitto 2.0.11: Keep Alive 1 s, the client silent after CONNECT, the broker
    // closes after 4.86 s instead of within 1.5 s.
    Session s;
    s.send(c2s, connect(0x02, 1), 0);  // packet 1
    s.send(s2c, connack, sec(0.001));
    EXPECT_EQ(where(s.finish(sec(4.86), ConnectionEnd::closed)),
              (std::vector<std::pair<Code, std::uint64_t>>{{Code::keep_alive_exceeded, 1}}));
    EXPECT_TRUE(s.finish(sec(2.4), ConnectionEnd::closed).empty());
}

TEST(SessionChecker, NoKeepAliveAfterDisconnect) {
    Session s;
    s.send(c2s, connect(0x02, 10), sec(0));
    s.send(s2c, connack, sec(0));
    s.send(c2s, disconnect, sec(1));
    EXPECT_TRUE(s.finish(sec(100), ConnectionEnd::capture_ended).empty());
}

// ---------------------------------------------------------------------------------------------
// What the capture cannot tell: unknown direction, lost data; MQTT 3.1

TEST(SessionChecker, UnknownDirectionJudgesNothing) {
    Session s;
    EXPECT_EQ(s.send(Direction::unknown, connack), none);
    EXPECT_EQ(s.send(Direction::unknown, puback(3)), none);
    EXPECT_EQ(s.send(Direction::unknown, publish(1, 4)), none);
    // roles learnt: what went before may have been the first packets and the requests
    EXPECT_EQ(s.send(c2s, publish_qos0), none);
    EXPECT_EQ(s.send(s2c, puback(4)), none);
    EXPECT_EQ(s.send(s2c, pingresp), none);
    EXPECT_EQ(s.send(c2s, pingresp), Codes{Code::wrong_direction}) << "what needs no memory";
}

TEST(SessionChecker, LostDataForgetsWhatItCouldExplain) {
    Session s = connected();
    s.send(c2s, subscribe(1));
    s.send(c2s, publish(1, 2));
    s.send(c2s, pingreq);
    s.checker().lost_data();
    EXPECT_EQ(s.send(s2c, puback(9)), none) << "its PUBLISH may have been in the lost bytes";
    EXPECT_EQ(s.send(c2s, publish(1, 2)), none) << "the PUBACK for 2 may have been lost";
    EXPECT_EQ(s.send(c2s, subscribe(1)), none);
    EXPECT_EQ(s.send(s2c, suback(1)), none);
    EXPECT_EQ(s.send(c2s, connect()), Codes{Code::second_connect}) << "what needs no memory stays";
    EXPECT_TRUE(s.finish().empty());
}

TEST(SessionChecker, Mqtt31GetsTheSameRules) {
    // CONNECT "MQIsdp" level 3, clean session, keep alive 10, client id "c"
    const std::string connect31 = "10 0F 00 06 4D 51 49 73 64 70 03 02 00 0A 00 01 63";
    Session s;
    EXPECT_EQ(s.send(c2s, connect31, sec(0)), none);
    EXPECT_EQ(s.checker().version(), Version::v3_1);
    EXPECT_EQ(s.send(s2c, connack, sec(0)), none);
    EXPECT_EQ(s.send(c2s, publish(1, 1), sec(1)), none);
    EXPECT_EQ(s.send(c2s, subscribe(1), sec(2)), Codes{Code::packet_id_in_use});
    EXPECT_EQ(s.send(c2s, connack, sec(30)),
              (Codes{Code::keep_alive_exceeded, Code::wrong_direction}));
    EXPECT_EQ(s.send(c2s, connect31, sec(31)), Codes{Code::second_connect});
}

TEST(SessionChecker, MemoryIsSmallAndFixed) {
    EXPECT_LE(sizeof(SessionChecker), 2048u);
}

}  // namespace
}  // namespace mqttlens::mqtt
