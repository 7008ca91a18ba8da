#include "output/writer.hpp"

namespace mqttlens::output {

bool Writer::flush() {
    if (buffer_.size() > 0 && !failed_) {
        if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
        if (std::fflush(file_) != 0) failed_ = true;
    }
    buffer_.clear();
    return !failed_;
}

}  // namespace mqttlens::output
