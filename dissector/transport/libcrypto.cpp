#include "transport/libcrypto.hpp"

#include <openssl/opensslv.h>

namespace mqttlens::transport {

const Libcrypto* libcrypto(std::string* why) {
    static const auto loaded = capture::load_functions<Libcrypto>(
        {"libcrypto.so." OPENSSL_MSTR(OPENSSL_VERSION_MAJOR)}, [](capture::SharedLibrary& library, Libcrypto& f) {
            return true MQTTLENS_LIBCRYPTO_FUNCTIONS(MQTTLENS_FIND_FUNCTION);
        });
    return loaded.get(why);
}

}  // namespace mqttlens::transport
