// What the capture layer hands up: for each connection it follows, each side's bytes in order,
// once each, with the places where bytes were lost. Nothing here is about segments, sequence
// numbers, retransmissions or flags: a layer that reads bytes (the MQTT engine; a TLS record or
// WebSocket frame layer between the two) sees only this, and can hand the same shape up again.
#pragma once

#include "capture/capture_source.hpp"
#include "capture/endpoint.hpp"

#include <cstdint>
#include <memory>
#include <string_view>

namespace mqttlens::capture {

enum class CloseReason : std::uint8_t {
    fin,          ///< both sides ended and everything up to the end was delivered
    rst,          ///< reset
    capture_end,  ///< the capture ended with the connection open
    reused,       ///< a new connection on the same addresses and ports started
    evicted,      ///< closed to make room for a new one (ReassemblyOptions::max_connections)
};
/// "FIN", "RST", "capture end", "reused" or "evicted".
std::string_view close_reason_name(CloseReason r) noexcept;

/// Per-connection state of the layer above, owned by the connection.
struct StreamUser {
    virtual ~StreamUser() = default;
};

/// One connection as a pair of byte streams: side d's bytes go from endpoint[d] to the other.
struct ByteStream {
    std::uint32_t stream = 0;      ///< numbered in order of appearance from 0, as tshark's tcp.stream
    std::int8_t client_side = -1;  ///< the side that opened the connection, once seen; -1 unknown
    /// The side that opened the connection as its first record showed it (the opening itself, or
    /// its answer); -1 when the capture starts inside the connection. Later records change nothing.
    std::int8_t first_client_side = -1;
    bool from_start[2] = {};       ///< side d is seen from its first byte (its opening was seen)
    /// Cleared by the layer above for connections it does not follow: their bytes are then
    /// neither buffered nor delivered; the end and the numbering still apply.
    bool wants_data = true;
    Endpoint endpoint[2];          ///< endpoint[d] sends side d; side 0 sent the first record seen
    std::uint64_t first_frame = 0;
    Timestamp first_ts;
    std::uint64_t last_frame = 0;  ///< the last record that carried something for it
    Timestamp last_ts;
    std::unique_ptr<StreamUser> user;
};

/// Receives the byte streams. Frames and timestamps are those of the record being processed;
/// for one connection: open, then bytes and gaps in stream order per side, then close.
class ByteStreamSink {
public:
    virtual ~ByteStreamSink() = default;
    /// Every capture record, before it is parsed (first timestamp, progress, record counts).
    virtual void on_record(const Record&) {}
    /// A new connection; its roles and openings as far as the first record shows them are set.
    virtual void on_open(ByteStream&, std::uint64_t frame, Timestamp ts) = 0;
    /// In-order bytes of side `d`, starting at `offset`. `bytes` is valid during the call only.
    virtual void on_data(ByteStream&, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                         Timestamp ts) = 0;
    /// `size` bytes at `offset` of side `d` will never come.
    virtual void on_gap(ByteStream&, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame,
                        Timestamp ts) = 0;
    /// The connection ends; no more calls for it.
    virtual void on_close(ByteStream&, CloseReason, std::uint64_t frame, Timestamp ts) = 0;
};

}  // namespace mqttlens::capture
