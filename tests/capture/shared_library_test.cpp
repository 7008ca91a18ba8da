// SharedLibrary (capture/shared_library.hpp): the first soname that loads, its functions, and why
// a library or a function could not be found.
#include "capture/shared_library.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace mqttlens::capture::test {
namespace {

TEST(SharedLibrary, TheFirstSonameThatLoadsIsUsed) {
    SharedLibrary library({"libmqttlens-absent.so.9", "libc.so.6"});
    ASSERT_TRUE(library.loaded()) << library.error();
    EXPECT_EQ(library.error(), "");
    decltype(&std::strlen) length = nullptr;
    ASSERT_TRUE(library.find("strlen", length));
    EXPECT_EQ(length("mqtt"), 4u);
}

TEST(SharedLibrary, NoSonameLoadsAndTheErrorNamesThemAll) {
    SharedLibrary library({"libmqttlens-absent.so.9", "libmqttlens-absent.so.8"});
    EXPECT_FALSE(library.loaded());
    EXPECT_EQ(library.error().rfind("cannot load libmqttlens-absent.so.9 or libmqttlens-absent.so.8: ", 0), 0u)
        << library.error();
    decltype(&std::strlen) length = nullptr;
    EXPECT_FALSE(library.find("strlen", length));
    EXPECT_EQ(length, nullptr);
}

TEST(SharedLibrary, AMissingFunctionIsNamed) {
    SharedLibrary library({"libc.so.6"});
    ASSERT_TRUE(library.loaded());
    void (*absent)() = nullptr;
    EXPECT_FALSE(library.find("mqttlens_absent_function", absent));
    EXPECT_EQ(absent, nullptr);
    EXPECT_EQ(library.error(), "libc.so.6 has no function mqttlens_absent_function");
}

struct TwoFunctions {
    decltype(&std::strlen) length = nullptr;
    int (*compare)(const char*, const char*) = nullptr;
};

TEST(SharedLibrary, ATableIsFilledWholeOrNotAtAll) {
    const auto whole = load_functions<TwoFunctions>({"libc.so.6"}, [](SharedLibrary& library, TwoFunctions& f) {
        return library.find("strlen", f.length) && library.find("strcmp", f.compare);
    });
    std::string why = "untouched";
    const TwoFunctions* table = whole.get(&why);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(why, "untouched");
    EXPECT_EQ(table->length("abc"), 3u);
    const auto part = load_functions<TwoFunctions>({"libc.so.6"}, [](SharedLibrary& library, TwoFunctions& f) {
        return library.find("strlen", f.length) && library.find("mqttlens_absent_function", f.compare);
    });
    EXPECT_EQ(part.get(&why), nullptr);
    EXPECT_EQ(why, "libc.so.6 has no function mqttlens_absent_function");
    EXPECT_EQ(part.get(nullptr), nullptr);
}

}  // namespace
}  // namespace mqttlens::capture::test
