#include "capture/dissector.hpp"

#include "capture/link_layer.hpp"
#include "capture/tcp_segment.hpp"

namespace mqttlens::capture {

Dissector::Dissector(Consumer& consumer, DissectorOptions options)
    : consumer_(consumer),
      streams_(std::make_unique<MqttStreams>(consumer, std::move(options.streams))),
      tcp_(std::make_unique<TcpReassembler>(*streams_, options.reassembly)) {}

Dissector::~Dissector() = default;

void Dissector::process(const Record& record) {
    ++stats_.records;
    stats_.bytes += record.caplen;
    consumer_.on_record(record);
    const NetworkPacket packet = strip_link_layer(record.link_type, record.bytes);
    if (packet.protocol == NetworkProtocol::none) {
        ++stats_.not_ip;
        return;
    }
    TcpSegment segment;
    switch (parse_tcp_segment(packet, segment)) {
        case SegmentStatus::tcp: tcp_->process(segment, record.frame, record.ts); break;
        case SegmentStatus::not_tcp: ++stats_.not_tcp; break;
        case SegmentStatus::fragment: ++stats_.ip_fragments; break;
        case SegmentStatus::malformed: ++stats_.malformed; break;
    }
}

void Dissector::finish() {
    if (finished_) return;
    finished_ = true;
    tcp_->finish();
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
    stats_.tcp = tcp_->stats();
    stats_.mqtt = streams_->stats();
    return stats_;
}

}  // namespace mqttlens::capture
