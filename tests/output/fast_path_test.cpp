// The printers' fast paths give the text of their plain versions: strings scanned eight bytes at
// a time escape every byte wherever it sits, and numbers and times read as fmt writes them.
#include "mqtt/encoder.hpp"
#include "output/detail.hpp"
#include "output/digits.hpp"
#include "output/text.hpp"
#include "test_util.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace mqttlens;
using output::Buffer;

namespace {

std::string text(const Buffer& b) { return std::string(b.data(), b.size()); }

std::string display(std::string_view s) {
    Buffer b;
    output::append_display(b, s);
    return text(b);
}
std::string json(std::string_view s) {
    Buffer b;
    output::append_json_string(b, s);
    return text(b);
}
/// `s` without its surrounding quotes.
std::string inner(const std::string& s) { return s.substr(1, s.size() - 2); }

}  // namespace

TEST(FastPath, ShortCopiesWriteExactlyTheirBytes) {
    std::string from(200, '\0');
    for (std::size_t i = 0; i < from.size(); ++i) from[i] = static_cast<char>('A' + i % 50);
    for (std::size_t n = 0; n <= 150; ++n) {
        std::string to(n + 32, '#');
        output::detail::copy_short(to.data() + 16, from.data() + 7, n);
        EXPECT_EQ(to, std::string(16, '#') + from.substr(7, n) + std::string(16, '#')) << n;
        Buffer b;
        output::append(b, "<");
        output::append(b, std::string_view(from).substr(3, n));
        EXPECT_EQ(text(b), "<" + from.substr(3, n)) << n;
    }
}

TEST(FastPath, EveryByteEscapesTheSameAtEveryPositionOfAPlainRun) {
    // Lengths around the 8- and 16-byte blocks: padded, two halves, whole blocks and a tail.
    for (const std::size_t length : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 12u, 15u, 16u, 17u, 19u, 31u, 32u, 33u, 48u, 65u})
    for (int value = 0; value < 256; ++value) {
        const char c = static_cast<char>(value);
        const std::string alone(1, c);
        for (std::size_t at = 0; at < length; ++at) {
            std::string s(length, 'a');
            s[at] = c;
            const std::string before(at, 'a'), after(length - at - 1, 'a');
            EXPECT_EQ(display(s), "\"" + before + inner(display(alone)) + after + "\"")
                << "byte " << value << " at " << at << " of " << length;
            EXPECT_EQ(json(s), "\"" + before + inner(json(alone)) + after + "\"")
                << "byte " << value << " at " << at << " of " << length;
            const bool printable = (value >= 0x20 && value < 0x7F) || c == '\t' || c == '\n' || c == '\r';
            const auto shown = output::printable_prefix(mqtt::as_bytes(s), 0);
            if (printable) EXPECT_EQ(shown, length) << "byte " << value << " at " << at << " of " << length;
            else EXPECT_EQ(shown, std::nullopt) << "byte " << value << " at " << at << " of " << length;
            Buffer checked;
            EXPECT_EQ(output::append_json_string(checked, s), value < 0x80) << "byte " << value;
            EXPECT_EQ(text(checked), json(s));
        }
    }
}

TEST(FastPath, MultiByteCharactersAfterWholeWordsOfAscii) {
    const std::string s = "0123456789abcdef\xC3\xA9\xE2\x82\xAC\xC2\x85\xFF";
    EXPECT_EQ(display(s), "\"0123456789abcdef\xC3\xA9\xE2\x82\xAC\\u0085\\xff\"");
    EXPECT_EQ(json(s), "\"0123456789abcdef\xC3\xA9\xE2\x82\xAC\xC2\x85\\\\xff\"");
    Buffer checked;
    EXPECT_FALSE(output::append_json_string(checked, s));
    checked.clear();
    EXPECT_TRUE(output::append_json_string(checked, s.substr(0, s.size() - 1)));
    // Cut inside the euro sign: the text stops before it.
    EXPECT_EQ(output::printable_prefix(mqtt::as_bytes(s), 19), 18u);
}

TEST(FastPath, HexOfManyBytes) {
    const std::uint8_t bytes[] = {0x00, 0x0f, 0xf0, 0xff, 0x12, 0xab, 0x7f, 0x80, 0x01};
    Buffer b;
    output::append_hex(b, bytes);
    EXPECT_EQ(text(b), "000ff0ff12ab7f8001");
    b.clear();
    output::append_hex(b, bytes, ' ');
    EXPECT_EQ(text(b), "00 0f f0 ff 12 ab 7f 80 01");
    b.clear();
    output::append_hex(b, {}, ' ');
    EXPECT_EQ(text(b), "");
}

TEST(FastPath, NumbersReadAsFmtWritesThem) {
    std::uint64_t samples[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535, 99999, 100000,
                               4294967295u, 4294967296u, 10000000000000000000u,
                               std::numeric_limits<std::uint64_t>::max()};
    for (const std::uint64_t v : samples) {
        Buffer b;
        output::detail::append_uint(b, v);
        EXPECT_EQ(text(b), fmt::format("{}", v));
        char chars[64];
        EXPECT_EQ(std::string(chars, output::detail::put_uint_right(chars, v, 5)), fmt::format("{:>5}", v));
        EXPECT_EQ(std::string(chars, output::detail::put_uint_zeros(chars, v, 6)), fmt::format("{:06}", v));
        const auto s = static_cast<std::int64_t>(v);
        EXPECT_EQ(std::string(chars, output::detail::put_int(chars, s)), fmt::format("{}", s));
        EXPECT_EQ(std::string(chars, output::detail::put_int(chars, -s)), fmt::format("{}", -s));
    }
    char chars[64];
    const auto lowest = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(std::string(chars, output::detail::put_int(chars, lowest)), fmt::format("{}", lowest));
}

TEST(FastPath, TimesReadAsFmtWritesThem) {
    const output::Timestamp samples[] = {{0, 0},         {0, 1000},       {0, 999'999'000}, {0, 1},
                                         {1, 500'000},   {12, 123'456'789}, {-3, 250'000'000},
                                         {1795643238, 205417000}, {std::numeric_limits<std::int64_t>::min(), 999'999'999}};
    for (const auto& ts : samples) {
        const std::string expected = ts.nsec % 1000 == 0 ? fmt::format("{}.{:06}", ts.sec, ts.nsec / 1000)
                                                         : fmt::format("{}.{:09}", ts.sec, ts.nsec);
        char chars[output::detail::max_time_chars];
        EXPECT_EQ(std::string(chars, output::detail::put_time(chars, ts)), expected);
    }
}

// The line prefix (frame, time, addresses) is remembered from the previous packet: a context
// that differs in any one field, even an address rewritten in place, prints as if fresh.
TEST(FastPath, LinePrefixFollowsEveryContextField) {
    const test_util::Decoded publish("30 0a  00 03 61 2f 62  68 65 6c 6c 6f");
    char src[] = "10.0.0.1:50000";
    const output::Context base = [&] {
        output::Context c;
        c.frame = 7;
        c.ts = output::Timestamp{1700000000, 250'000'000};
        c.rel_time = output::Timestamp{3, 500'000};
        c.stream = 2;
        c.src = src;
        c.dst = "10.0.0.2:1883";
        c.direction = output::Direction::c2s;
        c.offset = 40;
        return c;
    }();
    output::Context unrelated;
    unrelated.frame = 99;
    unrelated.src = "x";

    using Change = void (*)(output::Context&, char*);
    const Change changes[] = {
        [](output::Context& c, char*) { c.frame = 8; },
        [](output::Context& c, char*) { c.frame.reset(); },
        [](output::Context& c, char*) { c.ts = output::Timestamp{1700000000, 250'000'001}; },
        [](output::Context& c, char*) { c.rel_time = output::Timestamp{4, 500'000}; },
        [](output::Context& c, char*) { c.rel_time.reset(); },
        [](output::Context& c, char*) { c.stream = 3; },
        [](output::Context& c, char*) { c.direction = output::Direction::s2c; },
        [](output::Context& c, char*) { c.dst = "10.0.0.2:1884"; },
        [](output::Context& c, char*) { c.dst = {}; },
        [](output::Context& c, char*) { c.offset = 41; },
        [](output::Context&, char* s) { s[13] = '1'; },  // same view, other bytes
    };
    for (auto format : {output::Format::summary, output::Format::json, output::Format::tree}) {
        for (std::size_t i = 0; i < std::size(changes); ++i) {
            std::strcpy(src, "10.0.0.1:50000");
            output::Context changed = base;
            changes[i](changed, src);
            test_util::print(publish.packet, format, unrelated);
            const std::string fresh = test_util::print(publish.packet, format, changed);
            std::strcpy(src, "10.0.0.1:50000");
            const std::string first = test_util::print(publish.packet, format, base);
            changes[i](changed, src);
            EXPECT_EQ(test_util::print(publish.packet, format, changed), fresh)
                << "format " << static_cast<int>(format) << ", change " << i;
            // Fields a format does not show: summary (time shown: rel_time), tree (rel_time), JSON (ts).
            const bool shown = format == output::Format::summary ? i != 2 && i != 5 && i != 6 && i != 9
                               : format == output::Format::tree  ? i != 2
                                                                 : i != 3 && i != 4;
            if (shown) EXPECT_NE(fresh, first) << "format " << static_cast<int>(format) << ", change " << i;
            else EXPECT_EQ(fresh, first) << "format " << static_cast<int>(format) << ", change " << i;
        }
    }
}

// The payload preview's shortcut for plain ASCII gives the text of the general rule: printable
// UTF-8 up to the cut as a quoted string (display form with "..." when cut), else hex.
TEST(FastPath, PayloadPreviewMatchesTheGeneralRule) {
    const auto reference = [](mqtt::Bytes payload, std::size_t max, bool json) {
        Buffer out;
        const std::size_t shown = (max == 0 || max > payload.size()) ? payload.size() : max;
        if (const auto n = output::printable_prefix(payload, max)) {
            const auto s = mqtt::as_string(payload.first(*n));
            if (json) {
                output::append(out, "\"payload\":");
                output::append_json_string(out, s);
            } else {
                output::append_display(out, s);
                if (*n < payload.size()) output::append(out, "...");
            }
        } else if (json) {
            output::append(out, "\"payload_hex\":\"");
            output::append_hex(out, payload.first(shown));
            output::append(out, "\"");
        } else {
            output::append(out, "0x");
            output::append_hex(out, payload.first(shown));
            if (shown < payload.size()) output::append(out, "...");
        }
        return text(out);
    };
    const std::string samples[] = {"", "a", "sensor-0 reading 94", "say \"hi\"", "back\\slash", "tab\there",
                                   "line\nbreak", "del\x7f", "caf\xC3\xA9 au lait", "\xE2\x82\xAC",
                                   std::string("nul\0byte", 8), "\xFF\xFE", std::string(100, 'x')};
    for (const auto& sample : samples) {
        const auto payload = mqtt::as_bytes(sample);
        for (const std::size_t max : {0u, 1u, 3u, 4u, 64u}) {
            for (const bool json : {false, true}) {
                Buffer out;
                output::detail::append_payload(out, payload, max, json);
                EXPECT_EQ(text(out), reference(payload, max, json)) << sample << " max " << max << " json " << json;
            }
        }
    }
}

namespace {

/// A PUBLISH (QoS 1 when `id`) of `topic` and `payload`, its bytes kept alive.
struct PublishBytes {
    std::vector<std::uint8_t> bytes;
    mqtt::Packet packet;
    PublishBytes(std::string_view topic, std::string_view payload, std::uint16_t id) {
        std::vector<std::uint8_t> body{std::uint8_t(topic.size() >> 8), std::uint8_t(topic.size())};
        body.insert(body.end(), topic.begin(), topic.end());
        if (id) body.insert(body.end(), {std::uint8_t(id >> 8), std::uint8_t(id)});
        body.insert(body.end(), payload.begin(), payload.end());
        bytes = {std::uint8_t(id ? 0x3B : 0x30)};  // QoS 1 with DUP and RETAIN, or QoS 0
        for (std::size_t n = body.size();; n >>= 7) {
            bytes.push_back(std::uint8_t((n & 0x7F) | (n >= 128 ? 0x80 : 0)));
            if (n < 128) break;
        }
        bytes.insert(bytes.end(), body.begin(), body.end());
        packet = mqtt::decode(bytes);
    }
};

std::string payload_preview(std::string_view payload, std::size_t max, bool json) {
    Buffer b;
    output::detail::append_payload(b, mqtt::as_bytes(payload), max, json);
    return text(b);
}

}  // namespace

TEST(FastPath, PublishLinesShowEveryFieldAsTheGeneralPrintersDo) {
    // The summary and JSON printers write a PUBLISH whose topic and payload need no escaping in
    // one run; any byte that needs escaping, anywhere, must give the general forms instead.
    const std::string_view odd[] = {"\"", "\\", "\x7f", "\x01", "\xc3\xa9", "\xff", "\t"};
    std::vector<std::string> texts;
    for (const std::size_t length : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 64u, 65u, 100u}) {
        texts.push_back(std::string(length, 'a'));
        if (length == 0) continue;
        for (const auto b : odd) {
            std::string s(length, 'a');
            s.replace(length / 2, 1, b);
            texts.push_back(s);
            texts.push_back(std::string(b) + std::string(length - 1, 'a'));
            texts.push_back(std::string(length - 1, 'a') + std::string(b));
        }
    }
    std::size_t checked = 0;
    std::vector<std::string> topics = {"a/b", "a\"b", std::string(20, 't'), "caf\xc3\xa9", "x\xff"};
    for (const auto& t : texts)
        if (!t.empty()) topics.push_back(t);  // every class of byte at every place in the topic too
    for (const auto& topic : topics) {
        const bool few = topic.size() > 0 && topics.size() > 5 && &topic >= &topics[5];
        for (const auto& payload : few ? std::vector<std::string>{"p", std::string(17, 'q')} : texts) {
            for (const std::uint16_t id : {0, 513}) {
                for (const std::size_t max : {0u, 5u, 16u, 64u}) {
                    const PublishBytes p(topic, payload, id);
                    output::PrintOptions options;
                    options.payload_max = max;
                    Buffer topic_text;
                    output::append_display(topic_text, topic);
                    std::string want = "PUBLISH topic=" + text(topic_text) + (id ? " qos=1 packet_id=513 retain dup" : " qos=0") +
                                       " payload_len=" + std::to_string(payload.size());
                    if (!payload.empty()) want += " payload=" + payload_preview(payload, max, false);
                    const std::string line = test_util::print(p.packet, output::Format::summary, {}, options);
                    EXPECT_EQ(line.substr(0, want.size()), want) << "topic " << topic << " payload " << payload;
                    EXPECT_TRUE(line.size() == want.size() + 1 || line[want.size()] == ' ') << line;

                    Buffer topic_json;
                    const bool utf8 = output::append_json_string(topic_json, topic);
                    want = ",\"dup\":" + std::string(id ? "true" : "false") + ",\"qos\":" + (id ? "1" : "0") +
                           ",\"retain\":" + (id ? "true" : "false") + ",\"topic\":" + text(topic_json);
                    if (!utf8) {
                        Buffer hex;
                        output::append_hex(hex, mqtt::as_bytes(topic));
                        want += ",\"topic_hex\":\"" + text(hex) + "\"";
                    }
                    want += ",\"packet_id\":" + (id ? std::string("513") : std::string("null")) +
                            ",\"payload_len\":" + std::to_string(payload.size()) + "," +
                            payload_preview(payload, max, true);
                    if (max != 0 && payload.size() > max) want += ",\"payload_truncated\":true";
                    const std::string json = test_util::print(p.packet, output::Format::json, {}, options);
                    EXPECT_NE(json.find(want + ",\"errors\":"), std::string::npos) << json << "\nwant " << want;
                    ++checked;
                    if (HasFailure()) return;
                }
            }
        }
    }
    EXPECT_GT(checked, 5000u);
}

namespace {

/// A 5.0 QoS 0 PUBLISH on topic "t" carrying `pairs` as User Properties and `payload`.
/// A 5.0 property list of User Properties.
std::vector<std::uint8_t> user_properties(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<std::uint8_t> list;
    const auto put_string = [&](std::string_view s) {
        list.push_back(static_cast<std::uint8_t>(s.size() >> 8));
        list.push_back(static_cast<std::uint8_t>(s.size()));
        list.insert(list.end(), s.begin(), s.end());
    };
    for (const auto& [name, value] : pairs) {
        list.push_back(0x26);
        put_string(name);
        put_string(value);
    }
    return list;
}

/// A PUBLISH of first byte `first`: the topic, the Packet Identifier when given, the property
/// list when given (5.0) and the payload.
std::vector<std::uint8_t> publish(std::uint8_t first, std::string_view topic, std::optional<std::uint16_t> id,
                                  const std::optional<std::vector<std::uint8_t>>& list, std::string_view payload) {
    std::vector<std::uint8_t> body{static_cast<std::uint8_t>(topic.size() >> 8), static_cast<std::uint8_t>(topic.size())};
    body.insert(body.end(), topic.begin(), topic.end());
    if (id) body.insert(body.end(), {static_cast<std::uint8_t>(*id >> 8), static_cast<std::uint8_t>(*id)});
    if (list) {
        mqtt::write_remaining_length(static_cast<std::uint32_t>(list->size()), body);  // Property Length
        body.insert(body.end(), list->begin(), list->end());
    }
    body.insert(body.end(), payload.begin(), payload.end());
    std::vector<std::uint8_t> packet{first};
    mqtt::write_remaining_length(static_cast<std::uint32_t>(body.size()), packet);
    packet.insert(packet.end(), body.begin(), body.end());
    return packet;
}

std::vector<std::uint8_t> publish_v5(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     std::string_view payload) {
    return publish(0x30, "t", std::nullopt, user_properties(pairs), payload);
}

}  // namespace

// The summary and JSON printers keep the text of the last property list they wrote and copy it
// for the same list bytes: every line reads as it does when printed first, on a thread of its own
// (whose memory of the last list is empty), whatever came before it.
TEST(FastPath, PropertyListTextIsTheSameWhateverTheLineBefore) {
    const std::string long_value(300, 'v');  // a list too long to be kept
    const std::vector<std::vector<std::uint8_t>> packets{
        publish_v5({{"unit", "C"}, {"site", "north"}}, "1"),
        publish_v5({{"unit", "C"}, {"site", "north"}}, "2"),
        publish_v5({{"unit", "C"}, {"site", "south"}}, "3"),   // same length, one byte differs
        publish_v5({{"unit", "C"}, {"site", "north"}}, "4"),
        publish_v5({{"unit", "K"}}, "5"),
        publish_v5({{"unit", "C"}, {"site", long_value}}, "6"),
        publish_v5({{"unit", "C"}, {"site", long_value}}, "7"),
        publish_v5({{"tab", "a\tb"}, {"quote", "\"q\""}}, "8"),  // escaped in both formats
        publish_v5({{"tab", "a\tb"}, {"quote", "\"q\""}}, "9"),
        publish_v5({{"unit", "C"}, {"site", "north"}}, "10"),
    };
    output::Context c;
    c.version = mqtt::Version::v5_0;
    for (const output::Format format : {output::Format::summary, output::Format::json}) {
        for (const auto& bytes : packets) {
            const mqtt::Packet packet = mqtt::decode(bytes, mqtt::Version::v5_0);
            std::string alone;
            std::thread([&] { alone = test_util::print(packet, format, c); }).join();
            EXPECT_EQ(test_util::print(packet, format, c), alone);
        }
    }
}

// The summary and JSON printers keep the text of the last PUBLISH from its type to its payload
// and copy it for a PUBLISH with the same bytes before its payload and the same size; given the
// bytes of a packet decode() finds nothing wrong with (print_clean), they then do not even decode
// it. Every line reads as it does when printed first, on a thread of its own, whatever came
// before it, however little differs, whether printed from the Packet or from the clean bytes.
TEST(FastPath, PublishLineIsTheSameWhateverTheLineBefore) {
    const auto north = user_properties({{"unit", "C"}, {"site", "north"}});
    const auto south = user_properties({{"unit", "C"}, {"site", "south"}});  // the same length
    const auto souti = user_properties({{"unit", "C"}, {"site", "souti"}});  // the last byte differs
    const std::vector<std::uint8_t> utf8_payload{0x01, 0x01};                // Payload Format Indicator 1
    const std::vector<std::uint8_t> alias{0x23, 0x00, 0x05};                 // Topic Alias 5
    const std::string long_topic(200, 't');  // too long to be kept
    struct Case {
        const char* what;
        std::vector<std::uint8_t> bytes;
        mqtt::Version version = mqtt::Version::v5_0;
        bool color = false;
        std::string_view alias_topic = {};
        bool stream_error = false;
        std::size_t payload_max = 64;
    };
    const auto v5 = [](const char* what, std::vector<std::uint8_t> bytes) { return Case{what, std::move(bytes)}; };
    const auto base = publish(0x30, "t", std::nullopt, north, "abc");
    std::vector<Case> cases{
        v5("the first", base),
        v5("the same again", base),
        v5("another payload of the same size", publish(0x30, "t", std::nullopt, north, "xyz")),
        v5("a longer payload", publish(0x30, "t", std::nullopt, north, "abcd")),
        v5("no payload", publish(0x30, "t", std::nullopt, north, "")),
        v5("RETAIN", publish(0x31, "t", std::nullopt, north, "abc")),
        v5("DUP on QoS 0 (broken)", publish(0x38, "t", std::nullopt, north, "abc")),
        v5("QoS 1, id 7", publish(0x32, "t", 7, north, "abc")),
        v5("QoS 1, id 8", publish(0x32, "t", 8, north, "abc")),
        v5("QoS 2, id 8", publish(0x34, "t", 8, north, "abc")),
        v5("a topic of the same length", publish(0x30, "u", std::nullopt, north, "abc")),
        v5("a topic to escape", publish(0x30, "\"", std::nullopt, north, "abc")),
        v5("a long topic", publish(0x30, long_topic, std::nullopt, north, "abc")),
        v5("a long topic again", publish(0x30, long_topic, std::nullopt, north, "abc")),
        v5("a list of the same length", publish(0x30, "t", std::nullopt, south, "abc")),
        v5("a list whose last byte differs", publish(0x30, "t", std::nullopt, souti, "abc")),
        v5("an empty list", publish(0x30, "t", std::nullopt, std::vector<std::uint8_t>{}, "abc")),
        {"no list (3.1.1)", publish(0x30, "t", std::nullopt, std::nullopt, "abc"), mqtt::Version::v3_1_1},
        v5("no list (read as 5.0)", publish(0x30, "t", std::nullopt, std::nullopt, "abc")),
        {"5.0 bytes read as 3.1.1", base, mqtt::Version::v3_1_1},
        v5("the 5.0 bytes again", base),
        {"colour", base, mqtt::Version::v5_0, true},
        v5("no colour", base),
        v5("a finding of the decoder", publish(0x30, "#", std::nullopt, north, "abc")),
        {"a finding of the session rules", base, mqtt::Version::v5_0, false, {}, true},
        v5("the same again", base),
        v5("fewer bytes", std::vector<std::uint8_t>(base.begin(), base.end() - 1)),
        v5("a UTF-8 payload", publish(0x30, "t", std::nullopt, utf8_payload, "abc")),
        v5("a payload that is not UTF-8", publish(0x30, "t", std::nullopt, utf8_payload, "a\xff" "c")),
        v5("a UTF-8 payload after it", publish(0x30, "t", std::nullopt, utf8_payload, "abc")),
        {"a resolved alias", publish(0x30, "", std::nullopt, alias, "abc"), mqtt::Version::v5_0, false, "a/b"},
        {"the same again", publish(0x30, "", std::nullopt, alias, "abc"), mqtt::Version::v5_0, false, "a/b"},
        v5("the same again, not resolved", publish(0x30, "", std::nullopt, alias, "abc")),
        {"a preview of two bytes", base, mqtt::Version::v5_0, false, {}, false, 2},
        {"the same again", base, mqtt::Version::v5_0, false, {}, false, 2},
    };
    auto longer = base;
    longer.push_back(0x00);
    cases.push_back(v5("a byte past the packet", longer));
    cases.push_back(v5("the same again, without it", base));
    ASSERT_TRUE(mqtt::decode(base, mqtt::Version::v5_0).valid());
    ASSERT_FALSE(mqtt::decode(cases[28].bytes, mqtt::Version::v5_0).valid()) << cases[28].what;
    const mqtt::Diagnostic session_error{mqtt::Code::wrong_direction, mqtt::Severity::error, mqtt::Field::fixed_header, 0};
    std::size_t clean = 0;
    for (const output::Format format : {output::Format::summary, output::Format::json}) {
        for (const bool from_bytes : {false, true}) {
            for (const Case& c : cases) {
                output::Context context;
                context.version = c.version;
                context.alias_topic = c.alias_topic;
                if (c.stream_error) context.extra = std::span(&session_error, 1);
                output::PrintOptions options;
                options.color = c.color;
                options.payload_max = c.payload_max;
                options.format = format;
                const mqtt::Packet packet = mqtt::decode(c.bytes, c.version);
                std::string alone;
                std::thread([&] { alone = test_util::print(packet, format, context, options); }).join();
                if (from_bytes && packet.diagnostics.empty() && packet.diagnostics.dropped() == 0) {
                    Buffer out;
                    output::print_clean(out, c.bytes, context, options);
                    EXPECT_EQ(text(out), alone) << c.what << " (clean bytes)";
                    ++clean;
                } else {
                    EXPECT_EQ(test_util::print(packet, format, context, options), alone) << c.what;
                }
            }
        }
    }
    EXPECT_EQ(cases.size(), 37u);
    // All but the six broken ones (DUP, no list read as 5.0, "#", fewer bytes, not UTF-8, a byte
    // past the packet), in both formats.
    EXPECT_EQ(clean, 2 * 31u);
}
