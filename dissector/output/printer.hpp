// Printers: one decoded packet (or one framing error) and its context, appended to a buffer.
//
// Every printer appends to a caller-owned fmt::memory_buffer and allocates nothing once the buffer
// has grown to its working size; the caller writes the buffer out in big blocks (see writer.hpp).
// Offsets inside a packet (tree lines, diagnostics) count from the packet's first byte; the
// packet's own offset in the input comes from the Context.
#pragma once

#include "mqtt/packet.hpp"
#include "output/context.hpp"
#include "output/text.hpp"

#include <cstddef>
#include <cstdint>

namespace mqttlens::output {

enum class Format : std::uint8_t {
    summary,  ///< one line per packet
    tree,     ///< every field with its offset and bytes (-V)
    json,     ///< one JSON object per line
};

struct PrintOptions {
    Format format = Format::summary;
    bool hex_dump = false;          ///< summary/tree: add a hex dump; JSON: add "raw_hex"
    bool color = false;             ///< ANSI colours (never in JSON)
    std::size_t payload_max = 64;   ///< payload bytes shown, in every format; 0 = all
};

/// Appends `packet` in the format of `options`, ending with a newline. `packet` is what
/// mqtt::decode() (or decode_clean()) made of `packet.raw`: the printers key what they keep on those bytes.
void print_packet(Buffer& out, const mqtt::Packet& packet, const Context& context,
                  const PrintOptions& options);
/// Appends the packet in `bytes`, one whole packet that mqtt::decode() finds nothing wrong with
/// as version `context.version`, as print_packet() does: the same text. A PUBLISH whose bytes up
/// to its payload (and size) are those of the last PUBLISH printed on this thread in the same
/// format is not decoded again: its text is copied (see publish_memo.hpp).
void print_clean(Buffer& out, mqtt::Bytes bytes, const Context& context, const PrintOptions& options);
/// Appends a framing error in the format of `options`, ending with a newline.
void print_framing_error(Buffer& out, const FramingError& error, const Context& context,
                         const PrintOptions& options);

/// One line: [frame rel-time src → dst] TYPE key fields [broken rules].
void print_summary(Buffer& out, const mqtt::Packet& packet, const Context& context,
                   const PrintOptions& options);
/// A tree: every field, its offset, its bytes; flags bit by bit; diagnostics under their field.
void print_tree(Buffer& out, const mqtt::Packet& packet, const Context& context,
                const PrintOptions& options);
/// One JSON object and a newline: the contract of issue 2 §5 plus the capture keys of issue 3.
void print_json(Buffer& out, const mqtt::Packet& packet, const Context& context,
                const PrintOptions& options);
/// A classic hex dump of `bytes`: offset, 16 bytes in hex, their printable ASCII.
void print_hex_dump(Buffer& out, mqtt::Bytes bytes);

/// The meaning of a CONNACK return code ("Connection Accepted" ...), "Reserved" above 5.
std::string_view connack_return_code_name(std::uint8_t code) noexcept;
/// The meaning of a SUBACK return code ("Success - Maximum QoS 0" ... "Failure"), or "Invalid".
std::string_view suback_return_code_name(std::uint8_t code) noexcept;

}  // namespace mqttlens::output
