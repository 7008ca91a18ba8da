#include "transport/layer.hpp"

namespace mqttlens::transport {

std::string_view severity_name(Severity s) noexcept {
    switch (s) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: return "note";
    }
    return "error";
}

}  // namespace mqttlens::transport
