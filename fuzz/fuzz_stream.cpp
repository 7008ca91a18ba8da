// fuzz_stream: the Framer and the decoder over a byte stream delivered in chunks.
//
// Input: a byte stream, cut into chunks at every "|SPLIT|" separator (the separators are not
// part of the stream). Without a separator the stream is cut at sizes drawn from a generator
// seeded by the input. Each chunk is fed from its own exact-size heap block and each framed
// packet is decoded from its own exact-size copy, so AddressSanitizer sees any over-read.
//
// Properties (abort on violation):
//   - chunking invariance: the stream framed whole, chunked, and (up to 128 bytes) byte by byte yields
//     the same packets at the same offsets and the same error at the same offset;
//   - bytes fed == position() + buffered() while the stream is not broken;
//   - a framed packet is exactly 1 + length bytes + Remaining Length, equal to the stream bytes
//     at its offset, and its decode never reports a framing problem;
//   - a broken framer repeats its error; reset() to the byte after the error resumes framing there
//     (up to 4 times per run), identically in every chunking;
//   - the same chunks given in place (Framer::next(input, taken), as the engine frames captures)
//     yield the same events up to the first error, packets equal to the stream bytes at their
//     offsets, nothing left untaken at need_more, and after the error the bytes held plus the
//     untaken rest are the stream from the broken packet to the chunk's end.
#include "fuzz_common.hpp"
#ifdef MQTTLENS_FUZZ_MUTATOR
#include "mqtt_mutator.hpp"
#endif

#include "mqtt/decoder.hpp"
#include "mqtt/framer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

using namespace mqttlens;
using mqtt::Bytes;
using mqtt::Frame;

namespace {

constexpr std::string_view separator = "|SPLIT|";

struct Event {
    Frame::Status status;
    std::uint64_t offset;
    std::size_t size;
    mqtt::Code error;
    friend bool operator==(const Event&, const Event&) = default;
};

/// FNV-1a over the input: seeds the chunk sizes and the size limit, deterministically.
std::uint64_t hash(Bytes b) noexcept {
    std::uint64_t h = 1469598103934665603ull;
    for (std::uint8_t c : b) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::vector<Bytes> split(Bytes input) {
    std::vector<Bytes> pieces;
    const auto text = mqtt::as_string(input);
    std::size_t start = 0;
    for (std::size_t at; (at = text.find(separator, start)) != std::string_view::npos;) {
        pieces.push_back(input.subspan(start, at - start));
        start = at + separator.size();
    }
    pieces.push_back(input.subspan(start));
    if (pieces.size() > 1) return pieces;

    pieces.clear();
    std::uint64_t state = hash(input) | 1;
    for (std::size_t at = 0; at < input.size();) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        const std::size_t n = std::min<std::size_t>(1 + state % 64, input.size() - at);
        pieces.push_back(input.subspan(at, n));
        at += n;
    }
    return pieces;
}

class Run {
public:
    Run(Bytes stream, std::uint32_t max, bool decode)
        : stream_(stream), framer_(mqtt::FramerOptions{max}), decode_(decode) {}

    void feed(Bytes chunk) {
        if (broken_) return;
        framer_.feed(chunk);
        fed_ += chunk.size();
        drain();
    }
    void finish() {
        finished_ = true;
        framer_.finish();
        drain();
    }
    const std::vector<Event>& events() const noexcept { return events_; }

private:
    void drain() {
        while (!broken_) {
            const Frame f = framer_.next();
            switch (f.status) {
                case Frame::Status::need_more:
                    MQTTLENS_FUZZ_CHECK(f.need >= 1, stream_);
                    MQTTLENS_FUZZ_CHECK(fed_ == framer_.position() + framer_.buffered(), stream_);
                    return;
                case Frame::Status::packet:
                    packet(f);
                    break;
                case Frame::Status::error: {
                    MQTTLENS_FUZZ_CHECK(f.offset >= framer_.position() && f.offset <= fed_, stream_);
                    events_.push_back({f.status, f.offset, 0, f.error});
                    const Frame again = framer_.next();
                    MQTTLENS_FUZZ_CHECK(again.status == Frame::Status::error &&
                                            again.offset == f.offset && again.error == f.error,
                                        stream_);
                    if (resyncs_ == 4) {
                        broken_ = true;
                        return;
                    }
                    // Resume one byte further on: forget everything, then feed again what was
                    // fed past that byte.
                    ++resyncs_;
                    expected_offset_ = f.offset + 1;
                    framer_.reset(expected_offset_);
                    MQTTLENS_FUZZ_CHECK(framer_.position() == expected_offset_ && framer_.buffered() == 0, stream_);
                    if (fed_ > expected_offset_)
                        framer_.feed(stream_.subspan(expected_offset_, fed_ - expected_offset_));
                    if (finished_) framer_.finish();
                    break;
                }
            }
        }
    }

    void packet(const Frame& f) {
        MQTTLENS_FUZZ_CHECK(f.offset == expected_offset_, stream_);
        MQTTLENS_FUZZ_CHECK(f.packet.size() >= 2 && f.offset + f.packet.size() <= stream_.size(), stream_);
        MQTTLENS_FUZZ_CHECK(std::memcmp(f.packet.data(), stream_.data() + f.offset, f.packet.size()) == 0,
                            f.packet);
        expected_offset_ = f.offset + f.packet.size();
        MQTTLENS_FUZZ_CHECK(framer_.position() == expected_offset_, f.packet);
        events_.push_back({f.status, f.offset, f.packet.size(), mqtt::Code::count_});
        if (!decode_) return;

        const fuzz::ExactCopy copy(f.packet);
        const mqtt::Packet p = mqtt::decode(copy.bytes(), version_);
        volatile unsigned sink = fuzz::check_decoded(p, copy.bytes(), version_);
        (void)sink;
        MQTTLENS_FUZZ_CHECK(p.header.size() + p.header.remaining_length == f.packet.size(), f.packet);
        MQTTLENS_FUZZ_CHECK(!p.diagnostics.has(mqtt::Code::packet_truncated), f.packet);
        MQTTLENS_FUZZ_CHECK(!p.diagnostics.has(mqtt::Code::packet_length_mismatch), f.packet);
        MQTTLENS_FUZZ_CHECK(!p.diagnostics.has(mqtt::Code::remaining_length_malformed), f.packet);
        if (const auto* c = p.get<mqtt::Connect>(); c && p.valid())
            version_ = mqtt::version_of_level(c->protocol_level).value_or(version_);
    }

    Bytes stream_;
    mqtt::Framer framer_;
    bool decode_;
    mqtt::Version version_ = mqtt::Version::v3_1_1;
    std::uint64_t fed_ = 0;
    std::uint64_t expected_offset_ = 0;
    bool broken_ = false;
    bool finished_ = false;
    int resyncs_ = 0;
    std::vector<Event> events_;
};

/// `pieces` (together `stream`) given to Framer::next(input, taken): the events up to the first
/// error, each chunk from its own exact-size heap block.
std::vector<Event> in_place(Bytes stream, const std::vector<Bytes>& pieces, std::uint32_t max) {
    mqtt::Framer framer(mqtt::FramerOptions{max});
    std::vector<Event> events;
    std::size_t at = 0;  // stream offset of the piece
    for (Bytes piece : pieces) {
        const fuzz::ExactCopy chunk(piece);
        Bytes input = chunk.bytes();
        for (;;) {
            std::size_t taken = 0;
            const Frame f = framer.next(input, taken);
            MQTTLENS_FUZZ_CHECK(taken <= input.size(), stream);
            input = input.subspan(taken);
            if (f.status == Frame::Status::need_more) {
                MQTTLENS_FUZZ_CHECK(input.empty(), stream);
                break;
            }
            if (f.status == Frame::Status::packet) {
                MQTTLENS_FUZZ_CHECK(f.offset + f.packet.size() <= stream.size() &&
                                        mqtt::same_bytes(f.packet, stream.subspan(f.offset, f.packet.size())),
                                    stream);
                events.push_back({f.status, f.offset, f.packet.size(), mqtt::Code::count_});
                continue;
            }
            events.push_back({f.status, f.offset, 0, f.error});
            const Bytes held = framer.held();
            const std::size_t end = at + piece.size();
            MQTTLENS_FUZZ_CHECK(f.offset + held.size() + input.size() == end, stream);
            MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(held, stream.subspan(f.offset, held.size())), stream);
            return events;
        }
        at += piece.size();
    }
    framer.finish();
    std::size_t taken = 0;
    const Frame last = framer.next(Bytes{}, taken);
    if (last.status == Frame::Status::error) events.push_back({last.status, last.offset, 0, last.error});
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    const std::vector<Bytes> pieces = split(input);

    std::vector<std::uint8_t> joined;
    joined.reserve(size);
    for (Bytes p : pieces) joined.insert(joined.end(), p.begin(), p.end());
    const fuzz::ExactCopy stream(joined);

    // Sometimes a small size limit, so packet_too_large is reached too.
    const std::uint64_t h = hash(input);
    const std::uint32_t max = (h & 3) == 0 ? static_cast<std::uint32_t>((h >> 8) % 300) : 268'435'455u;

    Run chunked(stream.bytes(), max, true);
    for (Bytes p : pieces) {
        const fuzz::ExactCopy chunk(p);
        chunked.feed(chunk.bytes());
    }
    chunked.finish();

    // In place, up to the first error (the Runs go on after resets).
    std::vector<Event> until_error = chunked.events();
    for (std::size_t i = 0; i < until_error.size(); ++i) {
        if (until_error[i].status == Frame::Status::error) {
            until_error.resize(i + 1);
            break;
        }
    }
    MQTTLENS_FUZZ_CHECK(in_place(stream.bytes(), pieces, max) == until_error, stream.bytes());

    Run whole(stream.bytes(), max, false);
    whole.feed(stream.bytes());
    whole.finish();
    MQTTLENS_FUZZ_CHECK(whole.events() == chunked.events(), stream.bytes());

    if (joined.size() <= 128) {
        Run bytewise(stream.bytes(), max, false);
        for (std::size_t i = 0; i < joined.size(); ++i) bytewise.feed(stream.bytes().subspan(i, 1));
        bytewise.finish();
        MQTTLENS_FUZZ_CHECK(bytewise.events() == chunked.events(), stream.bytes());
    }
    return 0;
}

#ifdef MQTTLENS_FUZZ_MUTATOR
namespace {
constexpr fuzz::MutatorConfig mutator_config{.prefix = 0, .separators = true, .single_packet = false};
}
MQTTLENS_FUZZ_DEFINE_MUTATOR(mutator_config)
#endif
