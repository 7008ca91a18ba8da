#include "capture/byte_stream.hpp"

namespace mqttlens::capture {

std::string_view close_reason_name(CloseReason r) noexcept {
    switch (r) {
        case CloseReason::fin: return "FIN";
        case CloseReason::rst: return "RST";
        case CloseReason::capture_end: return "capture end";
        case CloseReason::evicted: return "evicted";
        case CloseReason::reused: break;
    }
    return "reused";
}

}  // namespace mqttlens::capture
