// Helpers of the WebSocket layer's tests: byte vectors, a recording Output, the standard opening
// handshake, and the harness that feeds a conversation in every chunking and demands the same
// output and findings from each.
#pragma once

#include "transport/websocket.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace mqttlens::transport::wstest {

using ByteVec = std::vector<std::uint8_t>;

/// Bytes from hex pairs; spaces, newlines and '|' (field separators) are skipped.
inline ByteVec hex(std::string_view text) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    ByteVec out;
    int high = -1;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '|') continue;
        const int v = nibble(c);
        if (v < 0) {
            ADD_FAILURE() << "not a hex digit in a test vector: '" << c << "'";
            continue;
        }
        if (high < 0) high = v;
        else out.push_back(std::uint8_t(high << 4 | v)), high = -1;
    }
    EXPECT_LT(high, 0) << "odd number of hex digits";
    return out;
}

inline ByteVec text(std::string_view s) { return ByteVec(s.begin(), s.end()); }

inline ByteVec cat(std::initializer_list<ByteVec> parts) {
    ByteVec out;
    for (const ByteVec& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// `plain` XORed with `key` (RFC 6455 §5.3), as a client sends it.
inline ByteVec masked(const ByteVec& key, const ByteVec& plain) {
    ByteVec out(plain);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] ^= key[i % 4];
    return out;
}

/// A frame header: first byte (FIN, RSV, opcode), the length in its shortest form, the key.
inline ByteVec frame_header(std::uint8_t first, std::uint64_t length, const ByteVec& key = {}) {
    const std::uint8_t mask_bit = key.empty() ? 0 : 0x80;
    ByteVec h = {first};
    if (length < 126) {
        h.push_back(std::uint8_t(mask_bit | length));
    } else if (length <= 0xffff) {
        h.push_back(std::uint8_t(mask_bit | 126));
        h.push_back(std::uint8_t(length >> 8));
        h.push_back(std::uint8_t(length));
    } else {
        h.push_back(std::uint8_t(mask_bit | 127));
        for (int i = 7; i >= 0; --i) h.push_back(std::uint8_t(length >> (8 * i)));
    }
    h.insert(h.end(), key.begin(), key.end());
    return h;
}

/// A whole frame: header, then the payload (masked with `key` when given).
inline ByteVec frame(std::uint8_t first, const ByteVec& payload, const ByteVec& key = {}) {
    return cat({frame_header(first, payload.size(), key), key.empty() ? payload : masked(key, payload)});
}

constexpr int C = 0;  // the client's side in these tests
constexpr int S = 1;  // the server's

/// The standard opening handshake: RFC 6455's sample key and its accept value, subprotocol mqtt.
inline const std::string kRequest =
    "GET /mqtt HTTP/1.1\r\n"
    "Host: broker.example\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n"
    "\r\n";
inline const std::string kResponse =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n"
    "\r\n";

/// A peer's compressor: one DEFLATE stream over its messages (context takeover) unless reset.
class Compressor {
public:
    explicit Compressor(int window_bits = 15) {
        EXPECT_EQ(deflateInit2(&z_, Z_BEST_COMPRESSION, Z_DEFLATED, -window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
    }
    ~Compressor() { deflateEnd(&z_); }
    Compressor(const Compressor&) = delete;
    Compressor& operator=(const Compressor&) = delete;

    /// One message's payload (RFC 7692 §7.2.1): compressed, flushed, without the 00 00 FF FF tail.
    /// With `final_block`, ended by a block with BFINAL set instead (§7.2.3.4), nothing stripped.
    ByteVec message(const ByteVec& plain, bool final_block = false) {
        // An empty message: one empty stored block, its tail stripped (RFC 7692 §7.2.3.6). zlib
        // makes nothing of a second flush in a row.
        if (plain.empty() && !final_block) return {0x00};
        ByteVec out(deflateBound(&z_, uLong(plain.size())) + 64);
        z_.next_in = const_cast<Bytef*>(plain.data());
        z_.avail_in = uInt(plain.size());
        z_.next_out = out.data();
        z_.avail_out = uInt(out.size());
        EXPECT_EQ(deflate(&z_, final_block ? Z_FINISH : Z_SYNC_FLUSH), final_block ? Z_STREAM_END : Z_OK);
        out.resize(out.size() - z_.avail_out);
        if (final_block) return out;
        EXPECT_GE(out.size(), 4u);
        EXPECT_EQ(ByteVec(out.end() - 4, out.end()), hex("00 00 ff ff"));
        out.resize(out.size() - 4);
        return out;
    }
    void reset() { EXPECT_EQ(deflateReset(&z_), Z_OK); }
    void set_dictionary(const ByteVec& d) { EXPECT_EQ(deflateSetDictionary(&z_, d.data(), uInt(d.size())), Z_OK); }

private:
    z_stream z_{};
};

/// What a layer handed up, in order; consecutive data of one side is one event.
struct Event {
    enum class Kind : std::uint8_t { data, gap, finding } kind = Kind::data;
    int side = 0;
    std::string bytes;        // data
    std::uint64_t size = 0;   // gap
    std::string rule;         // finding
    Severity severity = Severity::error;
    std::uint64_t offset = 0;
    std::string message;
    friend bool operator==(const Event&, const Event&) = default;
};

inline Event data_event(int side, std::string bytes) {
    Event e;
    e.side = side;
    e.bytes = std::move(bytes);
    return e;
}

class Recorder final : public Output {
public:
    std::vector<Event> events;
    void data(int d, Bytes bytes) override {
        if (bytes.empty()) {
            ADD_FAILURE() << "empty data handed up";
            return;
        }
        if (events.empty() || events.back().kind != Event::Kind::data || events.back().side != d)
            events.push_back(data_event(d, {}));
        events.back().bytes.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    void gap(int d, std::uint64_t size) override {
        Event e;
        e.kind = Event::Kind::gap;
        e.side = d;
        e.size = size;
        events.push_back(e);
    }
    void finding(int d, const Finding& f) override {
        EXPECT_TRUE(f.severity == Severity::note || f.severity == Severity::warning || !f.rule.empty())
            << "an error names its rule: " << f.message;
        EXPECT_EQ(f.message.find('\n'), std::string::npos);
        Event e;
        e.kind = Event::Kind::finding;
        e.side = d;
        e.rule = f.rule;
        e.severity = f.severity;
        e.offset = f.offset;
        e.message = f.message;
        events.push_back(e);
    }
};

/// One step of a conversation: side `side`'s bytes, or a gap of `gap` bytes on it.
struct Step {
    int side = C;
    ByteVec bytes;
    bool is_gap = false;
    std::uint64_t gap = 0;
};
inline Step client(ByteVec bytes) { return {C, std::move(bytes)}; }
inline Step server(ByteVec bytes) { return {S, std::move(bytes)}; }
inline Step client(std::string_view s) { return {C, text(s)}; }
inline Step server(std::string_view s) { return {S, text(s)}; }
inline Step lost(int side, std::uint64_t size) { return {side, {}, true, size}; }
using Script = std::vector<Step>;

/// Feeds `script` to a fresh layer (client side C), step i cut at the positions cuts[i], then
/// closes it when `close`.
inline std::vector<Event> run(const Script& script, const std::vector<std::vector<std::size_t>>& cuts,
                              const WebSocketOptions& options = {}, bool close = true, WebSocketInfo* info = nullptr) {
    WebSocketLayer layer(C, options);
    Recorder rec;
    for (std::size_t i = 0; i < script.size(); ++i) {
        const Step& step = script[i];
        if (step.is_gap) {
            layer.gap(step.side, step.gap, rec);
            continue;
        }
        std::size_t from = 0;
        std::vector<std::size_t> at = i < cuts.size() ? cuts[i] : std::vector<std::size_t>{};
        at.push_back(step.bytes.size());
        for (std::size_t to : at) {
            // Each piece in an allocation of its own, so reading past it is caught by ASan.
            const ByteVec piece(step.bytes.begin() + std::ptrdiff_t(from), step.bytes.begin() + std::ptrdiff_t(to));
            layer.data(step.side, piece, rec);
            from = to;
        }
    }
    if (close) layer.close(rec);
    if (info != nullptr) *info = layer.info();
    return rec.events;
}

std::string describe(const std::vector<Event>& events);

/// Runs `script` whole, each step byte by byte, each step split at every position (and at every
/// pair of positions when it is short); all must give the same events, which are returned. Steps
/// over 4 KiB are split at the first and last 40 positions and every 997th.
inline std::vector<Event> run_every_chunking(const Script& script, const WebSocketOptions& options = {},
                                             bool close = true, WebSocketInfo* info = nullptr) {
    const std::vector<Event> whole = run(script, {}, options, close, info);
    std::vector<std::vector<std::size_t>> cuts(script.size());
    for (std::size_t i = 0; i < script.size(); ++i)
        for (std::size_t p = 1; p < script[i].bytes.size(); ++p) cuts[i].push_back(p);
    EXPECT_EQ(describe(run(script, cuts, options, close)), describe(whole)) << "byte by byte";
    for (std::size_t i = 0; i < script.size(); ++i) {
        const std::size_t n = script[i].bytes.size();
        for (std::size_t p = 1; p < n; ++p) {
            if (n > 4096 && p > 40 && p + 40 < n && p % 997 != 0) continue;
            std::vector<std::vector<std::size_t>> one(script.size());
            one[i] = {p};
            const std::vector<Event> got = run(script, one, options, close);
            if (got != whole) {
                ADD_FAILURE() << "step " << i << " split at " << p << ":\n"
                              << describe(got) << "\ninstead of\n" << describe(whole);
                return whole;
            }
            for (std::size_t q = p + 1; n <= 48 && q < n; ++q) {
                one[i] = {p, q};
                if (run(script, one, options, close) != whole) {
                    ADD_FAILURE() << "step " << i << " split at " << p << " and " << q;
                    return whole;
                }
            }
        }
    }
    return whole;
}

/// One line per event. Data as 'text' when printable ASCII, else hex; findings as
/// "<side> <rule> @<offset>" (the message left out) or, without a rule,
/// "<side> <severity> @<offset> <message>". Sides are C and S; offsets are relative to
/// base[side] (the handshake head's length, in frame tests).
inline std::vector<std::string> log(const std::vector<Event>& events, std::uint64_t base_c = 0,
                                    std::uint64_t base_s = 0) {
    static constexpr char digits[] = "0123456789abcdef";
    std::vector<std::string> lines;
    for (const Event& e : events) {
        std::string line = e.side == C ? "C " : "S ";
        const std::uint64_t base = e.side == C ? base_c : base_s;
        if (e.kind == Event::Kind::data) {
            const bool printable = std::all_of(e.bytes.begin(), e.bytes.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
            line += "data ";
            if (printable) {
                line += "'" + e.bytes + "'";
            } else {
                for (std::size_t i = 0; i < e.bytes.size(); ++i) {
                    if (i > 0) line += ' ';
                    line += {digits[std::uint8_t(e.bytes[i]) >> 4], digits[std::uint8_t(e.bytes[i]) & 15]};
                }
            }
        } else if (e.kind == Event::Kind::gap) {
            line += "gap " + std::to_string(e.size);
        } else {
            line += e.rule.empty() ? std::string(severity_name(e.severity)) : e.rule;
            line += " @" + (e.offset >= base ? std::to_string(e.offset - base) : "-" + std::to_string(base - e.offset));
            if (e.rule.empty()) line += " " + e.message;
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

inline std::string describe(const std::vector<Event>& events) {
    std::string s;
    for (const std::string& line : log(events)) s += line + "\n";
    for (const Event& e : events)
        if (e.kind == Event::Kind::finding && !e.rule.empty()) s += "  (" + e.rule + ": " + e.message + ")\n";
    return s;
}

/// The events after the handshake's note (the note that ends a completed handshake).
inline std::vector<Event> after_handshake(const std::vector<Event>& events) {
    const auto note = std::find_if(events.begin(), events.end(), [](const Event& e) {
        return e.kind == Event::Kind::finding && e.severity == Severity::note && e.message.rfind("WebSocket ", 0) == 0;
    });
    EXPECT_NE(note, events.end()) << "the handshake did not complete:\n" << describe(events);
    return note == events.end() ? events : std::vector<Event>(note + 1, events.end());
}

/// Frames after a handshake (`request`, `response`), in every chunking: the log of what follows the
/// handshake, offsets from the first byte after each head.
inline std::vector<std::string> frames_log(const Script& frames, const std::string& request = kRequest,
                                           const std::string& response = kResponse,
                                           const WebSocketOptions& options = {}) {
    Script script = {client(request), server(response)};
    script.insert(script.end(), frames.begin(), frames.end());
    return log(after_handshake(run_every_chunking(script, options)), request.size(), response.size());
}

}  // namespace mqttlens::transport::wstest
