// fuzz_roundtrip: decode, encode, decode again; the encoder must give back the bytes it was read
// from whenever they were canonical.
//
// Input: a byte stream; the Framer cuts it into packets (it stops at the first framing error).
// For each packet P decoded as valid (a CONNECT only at protocol level 3 or 4):
//   - with no non-minimal Remaining Length warning: encode(P) == the packet's bytes;
//   - otherwise: encode(P) with remaining_length_width = P's length size == the packet's bytes;
//   - decode(encode(P)) has the same header, body and diagnostics as P.
//   - decode without its fast paths gives P, field table included; decode_clean(P's bytes) is P
//     whenever P has no diagnostic at all; is_plain_qos0_publish(P's bytes) only when P is a
//     QoS 0 PUBLISH with no diagnostic.
// Every other packet is still encoded (the encoder must write any value without crashing), and
// its encoding decoded and checked for the decoder's invariants.
#include "fuzz_common.hpp"

#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt/framer.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace mqttlens;
using mqtt::Bytes;

namespace {

/// The same span, or none, for every field.
bool same_fields(const mqtt::Packet& a, const mqtt::Packet& b) {
    for (std::size_t i = 0; i < mqtt::FieldTable::size; ++i)
        if (a.fields.find(static_cast<mqtt::Field>(i)) != b.fields.find(static_cast<mqtt::Field>(i))) return false;
    return true;
}

void same_diagnostics(const mqtt::Packet& a, const mqtt::Packet& b, Bytes bytes, Bytes out) {
    MQTTLENS_FUZZ_CHECK(a.diagnostics.size() == b.diagnostics.size(), bytes, out);
    MQTTLENS_FUZZ_CHECK(a.diagnostics.dropped() == b.diagnostics.dropped(), bytes, out);
    for (std::size_t i = 0; i < a.diagnostics.size(); ++i)
        MQTTLENS_FUZZ_CHECK(a.diagnostics[i] == b.diagnostics[i], bytes, out);
}

void roundtrip(Bytes bytes, mqtt::Version version) {
    const mqtt::DecodeOptions options;
    const fuzz::ExactCopy copy(bytes);
    const mqtt::Packet p = mqtt::decode(copy.bytes(), version, options);
    volatile unsigned sink = fuzz::check_decoded(p, copy.bytes(), version);

    // decode's fast paths give what its general path gives, in every detail.
    mqtt::DecodeOptions general_options = options;
    general_options.fast_paths = false;
    const mqtt::Packet general = mqtt::decode(copy.bytes(), version, general_options);
    MQTTLENS_FUZZ_CHECK(general.header == p.header && general.body == p.body, bytes, copy.bytes());
    MQTTLENS_FUZZ_CHECK(general.raw.data() == p.raw.data() && general.raw.size() == p.raw.size(), bytes, copy.bytes());
    MQTTLENS_FUZZ_CHECK(same_fields(general, p), bytes, copy.bytes());
    same_diagnostics(p, general, bytes, copy.bytes());

    // The verdict alone holds for what decode finds: a QoS 0 PUBLISH with no diagnostic at all
    // (a 3.1.1 verdict: a 5.0 PUBLISH has a Property Length where 3.1.1 has payload).
    if (version != mqtt::Version::v5_0 && mqtt::is_plain_qos0_publish(copy.bytes()))
        MQTTLENS_FUZZ_CHECK(general.type() == mqtt::PacketType::publish && general.header.qos() == 0 &&
                                general.diagnostics.empty() && general.diagnostics.dropped() == 0,
                            bytes, copy.bytes());

    // decode_clean (a second reading of bytes decoded once) must give decode's packet for clean
    // bytes, and must stay inside any bytes.
    const mqtt::Packet clean = mqtt::decode_clean(copy.bytes(), version, options);
    MQTTLENS_FUZZ_CHECK(fuzz::inside(clean.raw, copy.bytes()), bytes, copy.bytes());
    if (p.diagnostics.empty() && p.diagnostics.dropped() == 0) {
        sink = sink + fuzz::check_decoded(clean, copy.bytes(), version);
        MQTTLENS_FUZZ_CHECK(clean.diagnostics.empty(), bytes, copy.bytes());
        MQTTLENS_FUZZ_CHECK(clean.header == p.header && clean.body == p.body, bytes, copy.bytes());
        MQTTLENS_FUZZ_CHECK(clean.raw.data() == p.raw.data() && clean.raw.size() == p.raw.size(), bytes,
                            copy.bytes());
        MQTTLENS_FUZZ_CHECK(same_fields(clean, p), bytes, copy.bytes());
    }

    std::vector<std::uint8_t> out;
    mqtt::EncodeOverrides keep_width;
    const bool non_minimal = p.diagnostics.has(mqtt::Code::remaining_length_non_minimal);
    if (non_minimal) keep_width.remaining_length_width = p.header.length_size;
    mqtt::encode(p, out, keep_width);

    const fuzz::ExactCopy again(out);
    const mqtt::Packet q = mqtt::decode(again.bytes(), version, options);
    sink = sink + fuzz::check_decoded(q, again.bytes(), version);
    (void)sink;

    if (!p.valid() || p.diagnostics.dropped() != 0) return;
    // A CONNECT of a level no version has is read up to its level: its body does not hold what
    // follows, so it cannot give the bytes back.
    if (const auto* c = p.get<mqtt::Connect>(); c && (c->protocol_level < 3 || c->protocol_level > 5)) return;
    MQTTLENS_FUZZ_CHECK(out.size() == bytes.size(), bytes, out);
    MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(out, bytes), bytes, out);
    MQTTLENS_FUZZ_CHECK(q.header == p.header, bytes, out);
    MQTTLENS_FUZZ_CHECK(q.body == p.body, bytes, out);
    same_diagnostics(p, q, bytes, out);
    if (!non_minimal) {
        // A canonical packet re-encodes identically without any override.
        std::vector<std::uint8_t> out2;
        mqtt::encode(q, out2);
        MQTTLENS_FUZZ_CHECK(mqtt::same_bytes(out2, bytes), bytes, out2);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mqtt::Framer framer;
    framer.feed(Bytes(data, size));
    framer.finish();
    mqtt::Version version = mqtt::Version::v3_1_1;
    for (;;) {
        const mqtt::Frame f = framer.next();
        if (f.status != mqtt::Frame::Status::packet) break;
        roundtrip(f.packet, version);
        // Later packets of the connection use the level its CONNECT declared.
        const mqtt::Packet p = mqtt::decode(f.packet, version);
        if (const auto* c = p.get<mqtt::Connect>(); c && p.valid())
            version = mqtt::version_of_level(c->protocol_level).value_or(version);
    }
    // The whole input as one packet too: trailing bytes and truncation reach the decoder.
    if (size > 0) roundtrip(Bytes(data, size), version);
    return 0;
}
