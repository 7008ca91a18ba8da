// mqtt-probe fuzz: the sessions it sends. Case K of seed S is a valid session (CONNECT, then a mix of
// SUBSCRIBE, PUBLISH QoS 0/1/2 with PUBREL, PINGREQ, UNSUBSCRIBE, DISCONNECT; 3.1.1 or 5.0) built
// with the codec's encoder, then mutated: packets dropped, duplicated, moved or inserted; fields
// changed; the encoder's EncodeOverrides applied (wrong lengths, reserved flags, non-minimal
// Remaining Length, cut packets); now and then the bytes of one packet given to the fuzz harnesses'
// structure-aware mutator (fuzz/mqtt_mutator.hpp) or flipped, inserted, cut. Pure: no socket here.
#pragma once

#include "mqtt/packet.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mqttlens::probe {

/// The mutation layers a case may use; the default all of them.
enum Layer : unsigned {
    layer_sequence = 1,   ///< drop, duplicate, move, insert whole packets (lengths stay consistent)
    layer_fields = 2,     ///< change fields: QoS 3, Packet Identifier 0, wildcards, bad UTF-8 (lengths stay consistent)
    layer_overrides = 4,  ///< EncodeOverrides: wrong Remaining Length, flags, length prefixes, cuts, extra bytes
    layer_bytes = 8,      ///< one packet's bytes through the fuzz mutator, or flipped, inserted, cut
    layer_all = 15,
};

struct SessionOptions {
    std::string client_id_prefix = "mqttlens-";  ///< Client Identifiers are PREFIX + "fz" + case number
    bool v5 = true;                              ///< about one session in four speaks MQTT 5.0
    unsigned layers = layer_all;
};

/// One case: the chunks sent in order (each one packet, or what a mutation left of it), and what
/// was done to the valid session, in words ("drop PUBLISH", "remaining_length 200 on SUBSCRIBE").
struct Session {
    std::uint64_t seed = 0, index = 0;
    mqtt::Version version = mqtt::Version::v3_1_1;
    std::vector<std::vector<std::uint8_t>> packets;
    std::vector<std::string> mutations;
};

/// Case `index` of `seed`: always the same bytes for the same seed, index and options.
Session make_session(std::uint64_t seed, std::uint64_t index, const SessionOptions& options = {});

/// Every chunk of `s` one after the other: the bytes the broker receives.
std::vector<std::uint8_t> wire_bytes(const Session& s);

}  // namespace mqttlens::probe
