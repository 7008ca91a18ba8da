#include "capture/dissector.hpp"

#include "capture/link_layer.hpp"
#include "capture/ip_header.hpp"
#include "capture/tcp_segment.hpp"

namespace mqttlens::capture {

Dissector::Dissector(ByteStreamSink& sink, DissectorOptions options)
    : sink_(sink),
      tcp_(sink, options.reassembly),
      defrag_(options.defrag) {}

void Dissector::process(const Record& record) {
    ++stats_.records;
    stats_.bytes += record.caplen;
    sink_.on_record(record);
    const NetworkPacket packet = strip_link_layer(record.link_type, record.bytes);
    if (packet.protocol == NetworkProtocol::none) {
        ++stats_.not_ip;
        return;
    }
    process_ip(packet, record);
}

void Dissector::process_ip(const NetworkPacket& packet, const Record& record) {
    TcpSegment segment;
    SegmentStatus status = parse_tcp_segment(packet, segment);
    if (status == SegmentStatus::fragment) {
        // The fragment that completes a datagram delivers it, with its own frame and time. A
        // datagram whose reassembly is still a fragment (a fragment header inside one) is malformed.
        ++stats_.ip_fragments;
        const auto protocol = IpDefragmenter::fragment_protocol(packet);
        if (!protocol || !ip::fragment_may_hold_tcp(packet.protocol == NetworkProtocol::ipv6, *protocol)) {
            ++stats_.not_tcp;  // UDP and the rest: nothing to reassemble for
            return;
        }
        const auto whole = defrag_.add(packet, record.ts);
        if (!whole) return;
        status = parse_tcp_segment(*whole, segment);
        if (status == SegmentStatus::fragment) status = SegmentStatus::malformed;
    }
    switch (status) {
        case SegmentStatus::tcp: tcp_.process(segment, record.frame, record.ts); break;
        case SegmentStatus::not_tcp: ++stats_.not_tcp; break;
        case SegmentStatus::malformed: ++stats_.malformed; break;
        case SegmentStatus::fragment: break;
    }
}

void Dissector::finish() {
    if (finished_) return;
    finished_ = true;
    tcp_.finish();
}

RunResult Dissector::run(CaptureSource& source) {
    if (!link_type_supported(source.link_type())) {
        return {RunResult::Status::unsupported_link_type,
                "unsupported link type " + link_type_name(source.link_type())};
    }
    Record record;
    for (;;) {
        switch (source.next(record)) {
            case CaptureSource::Status::record:
                process(record);
                continue;
            case CaptureSource::Status::end:
                finish();
                return {RunResult::Status::end, {}};
            case CaptureSource::Status::error:
                finish();
                return {RunResult::Status::error, source.error()};
            case CaptureSource::Status::stopped:
                finish();
                return {RunResult::Status::stopped, {}};
        }
    }
}

const DissectorStats& Dissector::stats() const noexcept {
    stats_.ip = defrag_.stats();
    stats_.tcp = tcp_.stats();
    return stats_;
}

}  // namespace mqttlens::capture
