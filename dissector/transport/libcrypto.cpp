#include "transport/libcrypto.hpp"

#include "capture/shared_library.hpp"

#include <openssl/opensslv.h>

namespace mqttlens::transport {

const Libcrypto* libcrypto(std::string* why) {
    static const auto loaded = capture::load_functions<Libcrypto>(
        {"libcrypto.so." OPENSSL_MSTR(OPENSSL_VERSION_MAJOR)}, [](capture::SharedLibrary& library, Libcrypto& f) {
#define MQTTLENS_LIBCRYPTO_FIND(name) &&library.find(#name, f.name)
            return true MQTTLENS_LIBCRYPTO_FUNCTIONS(MQTTLENS_LIBCRYPTO_FIND);
#undef MQTTLENS_LIBCRYPTO_FIND
        });
    return loaded.get(why);
}

}  // namespace mqttlens::transport
