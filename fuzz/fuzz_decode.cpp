// fuzz_decode: one packet through the decoder.
//
// Input: byte 0 chooses the options, the rest is the packet.
//   bit 0: protocol level 3 (MQTT 3.1) instead of 4; bit 1: warn_control_characters;
//   bit 2: warn_non_minimal_length; bit 3: allow_packet_id_zero; bit 4: MQTT 5.0 (over bit 0);
//   bit 5: allow_auth_short_form; bit 6: allow_disconnect_bad_authentication_method.
// The packet bytes sit in libFuzzer's exact-size buffer, so any read past them is caught.
#include "fuzz_common.hpp"
#ifdef MQTTLENS_FUZZ_MUTATOR
#include "mqtt_mutator.hpp"
#endif

#include "mqtt/decoder.hpp"

#include <cstddef>
#include <cstdint>

using namespace mqttlens;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    mqtt::DecodeOptions options;
    options.warn_control_characters = data[0] & 0x02;
    options.warn_non_minimal_length = data[0] & 0x04;
    options.allow_packet_id_zero = data[0] & 0x08;
    options.allow_auth_short_form = data[0] & 0x20;
    options.allow_disconnect_bad_authentication_method = data[0] & 0x40;

    const mqtt::Bytes bytes(data + 1, size - 1);
    const mqtt::Version version = (data[0] & 0x10) ? mqtt::Version::v5_0
                                  : (data[0] & 0x01) ? mqtt::Version::v3_1
                                                     : mqtt::Version::v3_1_1;
    const mqtt::Packet packet = mqtt::decode(bytes, version, options);
    volatile unsigned sink = fuzz::check_decoded(packet, bytes, version);
    (void)sink;
    return 0;
}

#ifdef MQTTLENS_FUZZ_MUTATOR
namespace {
constexpr fuzz::MutatorConfig mutator_config{.prefix = 1, .separators = false, .single_packet = true};
}
MQTTLENS_FUZZ_DEFINE_MUTATOR(mutator_config)
#endif
