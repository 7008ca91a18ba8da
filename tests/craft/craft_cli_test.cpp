// Every subcommand: what mqtt-craft writes decodes back to the fields it was given.
#include "craft_run.hpp"

#include "mqtt/decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace mqttlens::mqtt;
using namespace std::string_literals;
using craft_test::craft;
using craft_test::craft_raw;
using craft_test::split_packets;

std::string text(Bytes b) { return std::string(as_string(b)); }

/// Crafts one packet and decodes it; the packet must be valid.
struct Crafted {
    std::vector<std::uint8_t> bytes;
    Packet packet;
    explicit Crafted(std::vector<std::string> args) : bytes(craft_raw(std::move(args))) {
        packet = decode(bytes);
        EXPECT_TRUE(packet.valid()) << "first diagnostic: "
                                    << (packet.diagnostics.empty() ? "" : code_info(packet.diagnostics[0].code).rule);
        EXPECT_EQ(packet.header.size() + packet.header.remaining_length, bytes.size());
    }
};

TEST(CraftFields, ConnectWithEveryField) {
    Crafted c({"connect", "--client-id", "c1", "--username", "u", "--password", "p", "--will-topic", "t",
               "--will-message", "bye", "--will-qos", "1", "--will-retain", "--keep-alive", "30"});
    ASSERT_EQ(c.packet.type(), PacketType::connect);
    const auto* p = c.packet.get<Connect>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->protocol_name, "MQTT");
    EXPECT_EQ(p->protocol_level, 4);
    EXPECT_EQ(p->keep_alive, 30);
    EXPECT_EQ(p->client_id, "c1");
    EXPECT_TRUE(p->clean_session());
    ASSERT_TRUE(p->will);
    EXPECT_EQ(p->will->topic, "t");
    EXPECT_EQ(text(p->will->message), "bye");
    EXPECT_EQ(p->will_qos(), 1);
    EXPECT_TRUE(p->will_retain());
    EXPECT_EQ(p->username, "u");
    ASSERT_TRUE(p->password);
    EXPECT_EQ(text(*p->password), "p");
    EXPECT_EQ(p->flags, 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80);
}

TEST(CraftFields, ConnectDefaults) {
    Crafted c({"connect"});
    const auto* p = c.packet.get<Connect>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->client_id, "mqtt-craft");
    EXPECT_EQ(p->keep_alive, 60);
    EXPECT_EQ(p->flags, 0x02);
    EXPECT_FALSE(p->will);
    EXPECT_FALSE(p->username);
    EXPECT_FALSE(p->password);
}

TEST(CraftFields, ConnectMqtt31AndBinaryFields) {
    Crafted c({"connect", "--protocol-level", "3", "--no-clean-session", "--client-id", "x",
               "--will-topic", "w", "--will-message-hex", "00ff", "--username", "u", "--password-hex", "0102"});
    const auto* p = c.packet.get<Connect>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->protocol_name, "MQIsdp");
    EXPECT_EQ(p->protocol_level, 3);
    EXPECT_FALSE(p->clean_session());
    EXPECT_EQ(text(p->will->message), std::string("\x00\xff", 2));
    EXPECT_EQ(text(*p->password), "\x01\x02");
}

TEST(CraftFields, Connack) {
    Crafted c({"connack", "--session-present", "--return-code", "0"});
    ASSERT_EQ(c.packet.type(), PacketType::connack);
    const auto* p = c.packet.get<Connack>();
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->session_present());
    EXPECT_EQ(p->return_code, 0);
    Crafted refused({"connack", "--return-code", "5"});
    EXPECT_EQ(refused.packet.get<Connack>()->return_code, 5);
}

TEST(CraftFields, PublishQos1Retain) {
    Crafted c({"publish", "--topic", "a/b", "--payload", "hello", "--qos", "1", "--packet-id", "7", "--retain"});
    ASSERT_EQ(c.packet.type(), PacketType::publish);
    EXPECT_EQ(c.packet.header.qos(), 1);
    EXPECT_TRUE(c.packet.header.retain());
    EXPECT_FALSE(c.packet.header.dup());
    const auto* p = c.packet.get<Publish>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->topic, "a/b");
    EXPECT_EQ(p->packet_id, 7);
    EXPECT_EQ(text(p->payload), "hello");
}

TEST(CraftFields, PublishQos0HasNoPacketIdAndQos2Dup) {
    Crafted q0({"publish", "--topic", "t"});
    EXPECT_EQ(q0.packet.header.qos(), 0);
    EXPECT_FALSE(q0.packet.get<Publish>()->packet_id);
    Crafted q2({"publish", "--topic", "t", "--qos", "2", "--dup"});
    EXPECT_EQ(q2.packet.header.qos(), 2);
    EXPECT_TRUE(q2.packet.header.dup());
    EXPECT_EQ(q2.packet.get<Publish>()->packet_id, 1);
}

TEST(CraftFields, PublishPayloadSources) {
    Crafted hex({"publish", "--payload-hex", "00 01:fe,ff"});
    EXPECT_EQ(text(hex.packet.get<Publish>()->payload), std::string("\x00\x01\xfe\xff", 4));
    craft_test::TempFile file(std::string("file\0payload", 12));
    Crafted from_file({"publish", "--payload-file", file.path});
    EXPECT_EQ(text(from_file.packet.get<Publish>()->payload), std::string("file\0payload", 12));
    Crafted sized({"publish", "--payload", "ab", "--payload-size", "5"});
    EXPECT_EQ(text(sized.packet.get<Publish>()->payload), "ababa");
    Crafted escaped({"publish", "--payload", "a\\x00\\n\\\\b"});
    EXPECT_EQ(text(escaped.packet.get<Publish>()->payload), std::string("a\0\n\\b", 5));
}

TEST(CraftFields, Acknowledgements) {
    const std::pair<const char*, PacketType> acks[] = {
        {"puback", PacketType::puback},   {"pubrec", PacketType::pubrec},
        {"pubrel", PacketType::pubrel},   {"pubcomp", PacketType::pubcomp},
        {"unsuback", PacketType::unsuback}};
    for (auto [name, type] : acks) {
        Crafted c({name, "--packet-id", "513"});
        EXPECT_EQ(c.packet.type(), type) << name;
        EXPECT_EQ(c.packet.header.flags(), required_flags(type)) << name;
        ASSERT_NE(c.packet.get<Ack>(), nullptr) << name;
        EXPECT_EQ(c.packet.get<Ack>()->packet_id, 513) << name;
    }
}

TEST(CraftFields, Subscribe) {
    Crafted c({"subscribe", "--filter", "a/#:1", "--filter", "b:0", "--filter", "c/+/d:2", "--packet-id", "3"});
    ASSERT_EQ(c.packet.type(), PacketType::subscribe);
    const auto* p = c.packet.get<Subscribe>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->packet_id, 3);
    std::vector<Subscription> subs(p->subscriptions.begin(), p->subscriptions.end());
    ASSERT_EQ(subs.size(), 3u);
    EXPECT_EQ(subs[0], (Subscription{"a/#", 1}));
    EXPECT_EQ(subs[1], (Subscription{"b", 0}));
    EXPECT_EQ(subs[2], (Subscription{"c/+/d", 2}));
    Crafted defaults({"subscribe", "--qos", "1"});
    std::vector<Subscription> d(defaults.packet.get<Subscribe>()->subscriptions.begin(),
                                defaults.packet.get<Subscribe>()->subscriptions.end());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0], (Subscription{"#", 1}));
}

TEST(CraftFields, Suback) {
    Crafted c({"suback", "--packet-id", "3", "--return-code", "0", "--return-code", "2", "--return-code", "0x80"});
    ASSERT_EQ(c.packet.type(), PacketType::suback);
    const auto* p = c.packet.get<Suback>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->packet_id, 3);
    EXPECT_EQ(text(p->return_codes), "\x00\x02\x80"s);
}

TEST(CraftFields, Unsubscribe) {
    Crafted c({"unsubscribe", "--filter", "a/b", "--filter", "c/#", "--packet-id", "9"});
    ASSERT_EQ(c.packet.type(), PacketType::unsubscribe);
    const auto* p = c.packet.get<Unsubscribe>();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->packet_id, 9);
    std::vector<std::string_view> filters(p->filters.begin(), p->filters.end());
    EXPECT_EQ(filters, (std::vector<std::string_view>{"a/b", "c/#"}));
}

TEST(CraftFields, EmptyPackets) {
    const std::pair<const char*, PacketType> empties[] = {{"pingreq", PacketType::pingreq},
                                                         {"pingresp", PacketType::pingresp},
                                                         {"disconnect", PacketType::disconnect}};
    for (auto [name, type] : empties) {
        Crafted c({name});
        EXPECT_EQ(c.packet.type(), type) << name;
        EXPECT_EQ(c.bytes.size(), 2u) << name;
        EXPECT_NE(c.packet.get<Empty>(), nullptr) << name;
    }
}

TEST(CraftSequence, ChainedPacketsComeOutInOrder) {
    auto bytes = craft_raw({"connect", "--client-id", "a", "+", "subscribe", "--filter", "x:0", "+",
                            "publish", "--topic", "x", "--payload", "p", "+", "disconnect"});
    auto packets = split_packets(bytes);
    ASSERT_EQ(packets.size(), 4u);
    const PacketType expected[] = {PacketType::connect, PacketType::subscribe, PacketType::publish,
                                   PacketType::disconnect};
    for (std::size_t i = 0; i < 4; ++i) {
        Packet p = decode(packets[i]);
        EXPECT_EQ(p.type(), expected[i]);
        EXPECT_TRUE(p.valid());
    }
}

TEST(CraftSequence, AttachedPlusIsAValueNotASeparator) {
    auto packets = split_packets(craft_raw({"subscribe", "--filter=+", "+", "unsubscribe", "--filter=+"}));
    ASSERT_EQ(packets.size(), 2u);
    Packet sub = decode(packets[0]);
    ASSERT_NE(sub.get<Subscribe>(), nullptr);
    EXPECT_EQ((*sub.get<Subscribe>()->subscriptions.begin()).filter, "+");
    Packet unsub = decode(packets[1]);
    ASSERT_NE(unsub.get<Unsubscribe>(), nullptr);
    EXPECT_EQ(*unsub.get<Unsubscribe>()->filters.begin(), "+");
}

TEST(CraftSequence, ScriptWritesWhatTheCommandLineWrites) {
    craft_test::TempFile script(
        "# a whole session\n"
        "connect --client-id 'a b' --keep-alive 5\n"
        "\n"
        "subscribe --filter \"x/#:1\"   # trailing comment\n"
        "publish --topic x/y --payload 'a\\x00b' --qos 1 --packet-id 4 + disconnect\n");
    auto from_script = craft_raw({"script", script.path});
    auto from_args = craft_raw({"connect", "--client-id", "a b", "--keep-alive", "5", "+", "subscribe",
                                "--filter", "x/#:1", "+", "publish", "--topic", "x/y", "--payload",
                                "a\\x00b", "--qos", "1", "--packet-id", "4", "+", "disconnect"});
    EXPECT_EQ(from_script, from_args);
    EXPECT_EQ(split_packets(from_script).size(), 4u);
}

TEST(CraftSequence, ScriptFromStdinAndPayloadFromStdin) {
    craft_test::TempFile script("pingreq\npingresp\n");
    auto r = craft({"script", "-", "--out", "raw"}, script.path);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, (std::vector<std::uint8_t>{0xC0, 0x00, 0xD0, 0x00}));
    craft_test::TempFile payload("from stdin");
    auto p = craft({"publish", "--topic", "t", "--payload-file", "-", "--out", "raw"}, payload.path);
    EXPECT_EQ(p.exit_code, 0) << p.err;
    EXPECT_EQ(text(decode(p.out).get<Publish>()->payload), "from stdin");
}

TEST(CraftSequence, ScriptErrorsNameTheLine) {
    craft_test::TempFile script("pingreq\npublish --qos 9\n");
    auto r = craft({"script", script.path});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(script.path + ":2:"), std::string::npos) << r.err;
}

TEST(CraftSequence, CountRepeatsAndAdvancesThePacketId) {
    auto bytes = craft_raw({"publish", "--topic", "t", "--qos", "1", "--packet-id", "65534", "--count", "4"});
    auto packets = split_packets(bytes);
    ASSERT_EQ(packets.size(), 4u);
    const std::uint16_t ids[] = {65534, 65535, 1, 2};
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(decode(packets[i]).get<Publish>()->packet_id, ids[i]);
    auto zeros = split_packets(craft_raw({"puback", "--packet-id", "0", "--count", "2", "-q"}));
    ASSERT_EQ(zeros.size(), 2u);
    EXPECT_EQ(decode(zeros[1]).get<Ack>()->packet_id, 0);
}

TEST(CraftOutput, HexIsOneLinePerPacket) {
    auto r = craft({"connect", "--client-id", "c1", "+", "disconnect", "--out", "hex"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(std::string(r.out.begin(), r.out.end()),
              "10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31\ne0 00\n");
}

TEST(CraftOutput, CArray) {
    auto r = craft({"pingreq", "--out", "c"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(std::string(r.out.begin(), r.out.end()),
              "/* PINGREQ, client to server, 2 bytes */\n"
              "static const unsigned char mqtt_packet_1[2] = {\n    0xc0, 0x00\n};\n"
              "static const unsigned int mqtt_packet_1_len = 2;\n\n");
}

TEST(CraftOutput, RawToFile) {
    craft_test::TempFile out("");
    auto r = craft({"pingresp", "--out", "raw", "-o", out.path});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.out.empty());
    std::FILE* f = std::fopen(out.path.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    unsigned char buf[8];
    EXPECT_EQ(std::fread(buf, 1, sizeof buf, f), 2u);
    std::fclose(f);
    EXPECT_EQ(buf[0], 0xD0);
    EXPECT_EQ(buf[1], 0x00);
}

TEST(CraftUsage, MistakesExitTwo) {
    EXPECT_EQ(craft({"publish", "--topic", "a\\q"}).exit_code, 2);           // unknown escape
    EXPECT_EQ(craft({"publish", "--payload-hex", "abc"}).exit_code, 2);      // odd hex
    EXPECT_EQ(craft({"publish", "--no-such-option"}).exit_code, 2);
    EXPECT_EQ(craft({"nosuchpacket"}).exit_code, 2);
    EXPECT_EQ(craft({"connect", "+", "+", "disconnect"}).exit_code, 2);
    EXPECT_EQ(craft({"subscribe", "--length-prefix", "bogus=3"}).exit_code, 2);
    EXPECT_EQ(craft({"script", "/nonexistent/script"}).exit_code, 2);
    EXPECT_EQ(craft({"publish", "--qos", "4"}).exit_code, 2);
}

TEST(CraftUsage, HelpListsExitCodes) {
    auto r = craft({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    std::string out(r.out.begin(), r.out.end());
    EXPECT_NE(out.find("Exit codes:"), std::string::npos);
    EXPECT_NE(out.find("unsubscribe"), std::string::npos);
}

}  // namespace
