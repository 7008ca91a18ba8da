#include "capture/shared_library.hpp"

#include <dlfcn.h>

namespace mqttlens::capture {

SharedLibrary::SharedLibrary(std::initializer_list<const char*> sonames) {
    std::string why;
    for (const char* soname : sonames) {
        handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
        if (handle_ != nullptr) {
            name_ = soname;
            return;
        }
        const char* text = dlerror();
        if (!why.empty()) why += "; ";
        why += text != nullptr ? text : soname;
        name_ += name_.empty() ? soname : std::string(" or ") + soname;
    }
    error_ = "cannot load " + name_ + ": " + why;
}

void* SharedLibrary::lookup(const char* name) {
    if (handle_ == nullptr) return nullptr;
    dlerror();  // clears an earlier error
    void* symbol = dlsym(handle_, name);
    if (symbol == nullptr) error_ = name_ + " has no function " + name;
    return symbol;
}

}  // namespace mqttlens::capture
