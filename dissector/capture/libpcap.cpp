#include "capture/libpcap.hpp"

namespace mqttlens::capture {

const Libpcap* libpcap(std::string* why) {
    // Debian's soname first (libpcap0.8), then everyone else's.
    static const auto loaded =
        load_functions<Libpcap>({"libpcap.so.0.8", "libpcap.so.1"}, [](SharedLibrary& library, Libpcap& f) {
            return true MQTTLENS_LIBPCAP_FUNCTIONS(MQTTLENS_FIND_FUNCTION);
        });
    return loaded.get(why);
}

}  // namespace mqttlens::capture
