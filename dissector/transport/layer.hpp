// A transport layer of one connection: TLS records or WebSocket frames in, the bytes they carry
// out. The capture layer hands up each connection as two ordered byte streams (byte_stream.hpp);
// a Layer reads them and hands up the same shape again, so the MQTT engine above never knows
// whether its bytes came over plain TCP, TLS, WebSocket, or WebSocket inside TLS.
//
//   struct Up : transport::Output { ... };          // the next layer, or the engine's stream
//   transport::WebSocketLayer ws(client_side, {});  // one per connection
//   ws.data(d, bytes, up);                         // side d's bytes, in order, in any chunking
//   ws.gap(d, lost, up);                           // side d lost `lost` bytes here
//   ws.close(up);                                  // the connection ended
//
// Contract, for every layer:
// - Sides are 0 and 1 as in capture::ByteStream; the client side is given at construction.
// - data() takes bytes in any chunking and gives the same output for every chunking: a layer
//   keeps what it needs of an unfinished record or frame, bounded by its options, never more.
// - Output::data() gets the carried bytes of side d in order, never bytes the layer has reason to
//   distrust (a TLS record is handed up only once it is whole and authenticated; a WebSocket
//   payload streams up as it arrives, and a frame cut short is reported by close()).
// - Output::gap() says carried bytes of side d were lost (the layer lost its input, or could not
//   decrypt or inflate): `size` bytes when the layer knows how many, 0 when it cannot know.
//   After a gap the layer goes on from the first place it can read again.
// - Findings name a rule (MQTT's chapter 6, RFC 6455, TLS) or say something a user must know
//   (no key for this connection; a record that failed authentication). A layer never stops on
//   bad input: it reports it and goes on where it can; it never throws.
// - A layer allocates per connection only what its options bound (a partial frame or record, an
//   inflate or cipher context), never per byte.
#pragma once
#include "capture/capture_source.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace mqttlens::transport {

using capture::Bytes;

enum class Severity : std::uint8_t { error, warning, note };

/// "error", "warning" or "note".
std::string_view severity_name(Severity s) noexcept;

/// Something a layer found on side `d` of its input.
struct Finding {
    /// The rule broken: "MQTT-6.0.0-1" (MQTT's chapter 6, the same statement in 3.1.1 and 5.0),
    /// "RFC6455-5.2", "RFC8446-5.2"...; empty for a note that is not a rule (no key, a close
    /// frame's code). Static storage.
    std::string_view rule;
    Severity severity = Severity::error;
    std::uint64_t offset = 0;  ///< in side d's input bytes of this layer, from its first byte
    std::string message;       ///< one line, no trailing period
    /// The layer's one line about the whole connection (TLS: what its handshake showed and
    /// whether it is decrypted), given at most once; the engine lists the connection with it.
    bool summary = false;
};

/// What a layer hands up: to the next layer, or to the stream the engine reads.
class Output {
public:
    virtual ~Output() = default;
    /// Carried bytes of side `d`, in order. Valid during the call only.
    virtual void data(int d, Bytes bytes) = 0;
    /// Carried bytes of side `d` that will never come: `size` of them, or 0 when unknown.
    virtual void gap(int d, std::uint64_t size) = 0;
    virtual void finding(int d, const Finding& f) = 0;
};

/// One transport layer of one connection (see the contract above).
class Layer {
public:
    virtual ~Layer() = default;
    /// Side `d`'s next bytes, in order. `bytes` is valid during the call only.
    virtual void data(int d, Bytes bytes, Output& out) = 0;
    /// Side `d` lost `size` bytes of input here (a capture gap).
    virtual void gap(int d, std::uint64_t size, Output& out) = 0;
    /// The connection ended: report what is left unfinished (a frame or record cut short).
    virtual void close(Output& out) = 0;
};

}  // namespace mqttlens::transport
