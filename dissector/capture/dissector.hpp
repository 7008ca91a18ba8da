// The capture dissector: capture records in; link, IP (fragments put together) and TCP (reassembled)
// taken off; each connection's two byte streams out, to a ByteStreamSink (the MQTT engine).
//
//   auto opened = capture::CaptureSource::open_file(path);  // "-" = stdin; or open_live(iface, bpf)
//   if (!opened) return fail(opened.error);                  // libpcap's message, exit 2
//   engine::Engine engine(listener, engine_options);         // ports, auto-detection, framing
//   capture::Dissector dissector(engine, options);           // reassembly and fragment bounds
//   const capture::RunResult r = dissector.run(*opened.source);
//   if (r.status == capture::RunResult::Status::error) warn(r.message);  // after every packet
//   if (r.status == capture::RunResult::Status::unsupported_link_type) return fail(r.message);
#pragma once

#include "capture/byte_stream.hpp"
#include "capture/capture_source.hpp"
#include "capture/ip_defrag.hpp"
#include "capture/tcp_reassembler.hpp"

#include <cstdint>
#include <string>

namespace mqttlens::capture {

struct DissectorOptions {
    ReassemblyOptions reassembly;   ///< out-of-order bounds
    DefragOptions defrag;           ///< IP fragment reassembly bounds
};

struct DissectorStats {
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;           ///< captured bytes of all records
    std::uint64_t not_ip = 0;          ///< records without IPv4/IPv6 (ARP, LLC, ...)
    std::uint64_t not_tcp = 0;         ///< IP but not TCP
    std::uint64_t ip_fragments = 0;    ///< IP fragments seen (reassembled into ip.reassembled datagrams)
    std::uint64_t malformed = 0;       ///< IP or TCP header inconsistent with the bytes captured
    DefragStats ip;
    ReassemblyStats tcp;
};

struct RunResult {
    enum class Status : std::uint8_t {
        end,                    ///< the whole capture was read
        error,                  ///< damaged capture: everything before the damage was delivered
        stopped,                ///< CaptureSource::stop() was called
        unsupported_link_type,  ///< nothing was read
    } status = Status::end;
    std::string message;  ///< for error and unsupported_link_type
};

class Dissector {
public:
    explicit Dissector(ByteStreamSink& sink, DissectorOptions options = {});
    Dissector(const Dissector&) = delete;
    Dissector& operator=(const Dissector&) = delete;

    /// Reads every record of `source` and then calls finish(). Refuses an unsupported link type
    /// before reading anything ("unsupported link type IEEE802_11 (802.11)").
    RunResult run(CaptureSource& source);
    /// Takes one record (for callers with their own read loop, e.g. to show progress).
    void process(const Record& record);
    /// End of capture: delivers what is buffered and closes every open connection.
    void finish();

    const DissectorStats& stats() const noexcept;

private:
    void process_ip(const NetworkPacket& packet, const Record& record);

    ByteStreamSink& sink_;
    TcpReassembler tcp_;
    IpDefragmenter defrag_;
    mutable DissectorStats stats_;
    bool finished_ = false;
};

}  // namespace mqttlens::capture
