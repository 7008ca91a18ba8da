// Output writers: the crafted packets as hex lines, raw bytes, C arrays or a pcap conversation.
#pragma once

#include "options.hpp"

#include "mqtt/packet.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

namespace mqttlens::craft {

/// What a writer knows about one packet besides its bytes.
struct PacketMeta {
    std::uint64_t number;  ///< 1-based, counting every copy
    mqtt::PacketType type; ///< the subcommand's type (byte 0 may say otherwise)
    bool from_server;
    mqtt::Version version = mqtt::Version::v3_1_1;  ///< names type 15: AUTH in 5.0, else RESERVED
};

/// Buffers output and writes it to a FILE* in blocks of at least `block` bytes.
class Sink {
public:
    explicit Sink(std::FILE* file, std::size_t block = 1 << 20) : file_(file), block_(block) {
        buffer_.reserve(block + 4096);
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    std::vector<char>& buffer() noexcept { return buffer_; }
    void append(const void* data, std::size_t n) {
        auto p = static_cast<const char*>(data);
        buffer_.insert(buffer_.end(), p, p + n);
    }
    /// Writes out the buffer once it has reached the block size.
    void commit() {
        if (buffer_.size() >= block_) flush();
    }
    /// Writes everything; false once any write has failed.
    bool flush();

private:
    std::FILE* file_;
    std::size_t block_;
    std::vector<char> buffer_;
    bool failed_ = false;
};

class PacketWriter {
public:
    virtual ~PacketWriter() = default;
    /// Writes one packet (its bytes as crafted, possibly broken or truncated).
    virtual void write(mqtt::Bytes packet, const PacketMeta& meta) = 0;
    /// Writes what closes the output (pcap: the TCP close) and flushes; false on a write error.
    virtual bool finish() = 0;
};

/// Hex: one line per packet, bytes as two lowercase digits separated by spaces (what
/// `mqtt-dissect --hex` reads).
std::unique_ptr<PacketWriter> make_hex_writer(std::FILE* out);
/// Raw: the bytes, back to back.
std::unique_ptr<PacketWriter> make_raw_writer(std::FILE* out);
/// C: one `static const unsigned char mqtt_packet_N[]` array per packet, with a comment.
std::unique_ptr<PacketWriter> make_c_writer(std::FILE* out);

}  // namespace mqttlens::craft
