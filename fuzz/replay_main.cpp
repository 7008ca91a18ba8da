// Replay driver: runs LLVMFuzzerTestOneInput over files, without libFuzzer, so any compiler can
// build the harnesses and ctest can replay the corpus in the normal build.
//
// Usage: <harness>_replay [--prefix=HEX] PATH...   (a directory means every regular file in it,
// recursively, in name order; --prefix puts bytes before every input, e.g. fuzz_decode's options
// byte in front of a raw packet). Exit 0 when every input ran; 2 when a path is missing or no input was found.
// A property violation aborts, as under the fuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace fs = std::filesystem;

namespace {

std::vector<char> prefix;

bool run_file(const fs::path& path, std::size_t& bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::vector<char> content(prefix);
    content.insert(content.end(), std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    // An exact-size heap block, as libFuzzer gives, so over-reads are caught under ASan.
    auto* data = new std::uint8_t[content.size() ? content.size() : 1];
    std::copy(content.begin(), content.end(), data);
    LLVMFuzzerTestOneInput(data, content.size());
    delete[] data;
    bytes += content.size();
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PATH...  (files or directories of inputs)\n", argv[0]);
        return 2;
    }
    std::size_t inputs = 0, bytes = 0;
    for (int i = 1; i < argc; ++i) {
        if (std::string_view arg(argv[i]); arg.starts_with("--prefix=")) {
            arg.remove_prefix(9);
            for (std::size_t k = 0; k + 1 < arg.size(); k += 2)
                prefix.push_back(static_cast<char>(std::stoi(std::string(arg.substr(k, 2)), nullptr, 16)));
            continue;
        }
        const fs::path root(argv[i]);
        std::error_code ec;
        if (fs::is_regular_file(root, ec)) {
            if (!run_file(root, bytes)) return std::fprintf(stderr, "cannot read %s\n", argv[i]), 2;
            ++inputs;
            continue;
        }
        if (!fs::is_directory(root, ec)) return std::fprintf(stderr, "no such file or directory: %s\n", argv[i]), 2;
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(root, ec))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (!run_file(f, bytes)) return std::fprintf(stderr, "cannot read %s\n", f.c_str()), 2;
            ++inputs;
        }
    }
    std::printf("%s: replayed %zu inputs (%zu bytes), no property violated\n", argv[0], inputs, bytes);
    if (inputs == 0) {
        std::fprintf(stderr, "no inputs found\n");
        return 2;
    }
    return 0;
}
