// Shared libraries opened when first needed (dlopen) rather than at start-up.
//
// A library linked the usual way is mapped and relocated before main(), whether the run calls it
// or not; on a virtual machine where a page fault costs ~10 µs that is most of a short run's time
// (libpcap with libdbus, libsystemd and libgcrypt, and libcrypto: ~5 ms of a 10 ms start).
// A classic pcap file read without a filter, decrypting nothing, needs neither: the layers that
// use them keep the libraries' headers and look their functions up through this, once, on the
// first call that needs one (capture/libpcap.hpp, transport/libcrypto.hpp).
#pragma once

#include <cstring>
#include <initializer_list>
#include <string>

// A table of functions keeps each function's own name and type: given an X-macro listing the
// names, `struct T { LIST(MQTTLENS_FUNCTION_MEMBER) };` declares the members, and
// `return true LIST(MQTTLENS_FIND_FUNCTION);` (in a find_all taking `library` and `f`) fills them.
#define MQTTLENS_FUNCTION_MEMBER(name) decltype(&::name) name = nullptr;
#define MQTTLENS_FIND_FUNCTION(name) &&library.find(#name, f.name)

namespace mqttlens::capture {

class SharedLibrary {
public:
    /// Opens the first of `sonames` that dlopen() loads; it stays loaded for the life of the
    /// process (the functions found are never invalidated). loaded() false, and error() says
    /// why, when none loads.
    explicit SharedLibrary(std::initializer_list<const char*> sonames);
    SharedLibrary(const SharedLibrary&) = delete;
    SharedLibrary& operator=(const SharedLibrary&) = delete;

    bool loaded() const noexcept { return handle_ != nullptr; }
    /// Sets `function` to the library's function `name`; false, and error() names it, when the
    /// library was not loaded or has no such symbol.
    template <class F>
    bool find(const char* name, F& function) {
        void* symbol = lookup(name);
        if (symbol == nullptr) return false;
        static_assert(sizeof function == sizeof symbol);
        std::memcpy(&function, &symbol, sizeof function);  // POSIX: a function's address as dlsym() gives it
        return true;
    }
    /// Why the library or the last function looked for could not be found (empty when all was).
    const std::string& error() const noexcept { return error_; }

private:
    void* lookup(const char* name);

    void* handle_ = nullptr;
    std::string name_;  // the soname loaded, or the ones tried
    std::string error_;
};

/// A table of a library's functions, or why it could not be filled.
template <class Table>
struct LoadedFunctions {
    Table functions{};
    std::string error;  // empty when every function was found

    /// The table; nullptr, with `why` set when given, when it could not be filled.
    const Table* get(std::string* why) const {
        if (error.empty()) return &functions;
        if (why != nullptr) *why = error;
        return nullptr;
    }
};

/// Opens the first of `sonames` that loads and fills a `Table` with `find_all(library, table)`,
/// which returns false at the first function missing. Meant to initialise a function-local static
/// (once per process, thread-safe).
template <class Table, class FindAll>
LoadedFunctions<Table> load_functions(std::initializer_list<const char*> sonames, FindAll find_all) {
    LoadedFunctions<Table> loaded;
    SharedLibrary library(sonames);
    if (!library.loaded() || !find_all(library, loaded.functions)) loaded.error = library.error();
    return loaded;
}

}  // namespace mqttlens::capture
