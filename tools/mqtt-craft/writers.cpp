// Output writers for hex, raw and C; each formats into a Sink that writes in big blocks.
#include "writers.hpp"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

namespace mqttlens::craft {

bool Sink::flush() {
    if (!buffer_.empty() && !failed_ && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        failed_ = true;
    buffer_.clear();
    if (std::fflush(file_) != 0) failed_ = true;
    return !failed_;
}

namespace {

constexpr char digits[] = "0123456789abcdef";

class HexWriter final : public PacketWriter {
public:
    explicit HexWriter(std::FILE* out) : sink_(out) {}
    void write(mqtt::Bytes packet, const PacketMeta&) override {
        auto& b = sink_.buffer();
        for (std::size_t i = 0; i < packet.size(); ++i) {
            if (i) b.push_back(' ');
            b.push_back(digits[packet[i] >> 4]);
            b.push_back(digits[packet[i] & 15]);
        }
        b.push_back('\n');
        sink_.commit();
    }
    bool finish() override { return sink_.flush(); }

private:
    Sink sink_;
};

class RawWriter final : public PacketWriter {
public:
    explicit RawWriter(std::FILE* out) : sink_(out) {}
    void write(mqtt::Bytes packet, const PacketMeta&) override {
        sink_.append(packet.data(), packet.size());
        sink_.commit();
    }
    bool finish() override { return sink_.flush(); }

private:
    Sink sink_;
};

class CWriter final : public PacketWriter {
public:
    explicit CWriter(std::FILE* out) : sink_(out) {}
    void write(mqtt::Bytes packet, const PacketMeta& meta) override {
        auto& b = sink_.buffer();
        auto it = std::back_inserter(b);
        fmt::format_to(it, "/* {}, {}, {} bytes */\nstatic const unsigned char mqtt_packet_{}[{}] = {{",
                       mqtt::type_name(meta.type, meta.version), meta.from_server ? "server to client" : "client to server",
                       packet.size(), meta.number, packet.size() ? packet.size() : 1);
        for (std::size_t i = 0; i < packet.size(); ++i) {
            std::string_view sep = i % 12 ? " " : "\n    ";
            b.insert(b.end(), sep.begin(), sep.end());
            const char hex[] = {'0', 'x', digits[packet[i] >> 4], digits[packet[i] & 15], ','};
            b.insert(b.end(), hex, hex + (i + 1 < packet.size() ? 5 : 4));
        }
        if (packet.empty()) fmt::format_to(it, "0 /* empty */");
        fmt::format_to(it, "\n}};\nstatic const unsigned int mqtt_packet_{}_len = {};\n\n", meta.number,
                       packet.size());
        sink_.commit();
    }
    bool finish() override { return sink_.flush(); }

private:
    Sink sink_;
};

}  // namespace

std::unique_ptr<PacketWriter> make_hex_writer(std::FILE* out) { return std::make_unique<HexWriter>(out); }
std::unique_ptr<PacketWriter> make_raw_writer(std::FILE* out) { return std::make_unique<RawWriter>(out); }
std::unique_ptr<PacketWriter> make_c_writer(std::FILE* out) { return std::make_unique<CWriter>(out); }

}  // namespace mqttlens::craft
