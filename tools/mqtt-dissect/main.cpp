// mqtt-dissect: decode MQTT 3.1.1 bytes and print a summary, a tree or JSON lines.
//
// Exit status: 0 every packet valid, 1 some packet broke a rule or the framing broke,
// 2 bad usage or unreadable input. Exceptions stop here: below main nothing throws but bad_alloc.
#include "byte_input.hpp"
#include "hex_input.hpp"
#include "output/printer.hpp"
#include "output/writer.hpp"
#include "sink.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace mqttlens;

constexpr int exit_ok = 0;
constexpr int exit_rule_broken = 1;
constexpr int exit_usage = 2;

struct Args {
    std::string hex;
    std::string hex_file;
    std::string raw;
    std::vector<std::string> captures;  // positional: not supported yet
    bool from_server = false;
    bool verbose = false;
    bool hex_dump = false;
    bool json = false;
    std::string color = "auto";
    std::int64_t payload_max = 64;
};

int fail(std::string_view message) {
    fmt::print(stderr, "mqtt-dissect: {}\n", message);
    return exit_usage;
}

/// Reads all of `path` ("-" = stdin); nullopt and a message on failure.
std::optional<std::vector<std::uint8_t>> read_all(const std::string& path, std::string& error) {
    const bool is_stdin = path == "-";
    std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        error = fmt::format("cannot open {}: {}", path, std::strerror(errno));
        return std::nullopt;
    }
    std::vector<std::uint8_t> data;
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        data.reserve(static_cast<std::size_t>(st.st_size) + 1);  // one allocation for a file
    std::size_t size = 0;
    for (;;) {
        if (data.size() - size < 65536) data.resize(std::max<std::size_t>(size + 65536, data.capacity()));
        const std::size_t want = data.size() - size;
        const std::size_t n = std::fread(data.data() + size, 1, want, f);
        size += n;
        if (n < want) break;  // end of input or an error (checked below)
    }
    data.resize(size);
    const bool failed = std::ferror(f) != 0;
    const int err = errno;
    if (!is_stdin) std::fclose(f);
    if (failed) {
        error = fmt::format("cannot read {}: {}", is_stdin ? "standard input" : path, std::strerror(err));
        return std::nullopt;
    }
    return data;
}

bool want_color(const std::string& mode) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && no_color[0] != '\0') return false;
    return isatty(fileno(stdout)) == 1;
}

int run(const Args& args) {
    std::vector<std::uint8_t> input;
    std::string error;
    if (!args.captures.empty())
        return fail(fmt::format("reading captures ({}) is not supported yet: use --hex, --hex-file or --raw",
                                args.captures.front()));
    if (!args.raw.empty()) {
        auto data = read_all(args.raw, error);
        if (!data) return fail(error);
        input = std::move(*data);
    } else {
        std::string text;
        if (!args.hex_file.empty()) {
            auto data = read_all(args.hex_file, error);
            if (!data) return fail(error);
            text.assign(data->begin(), data->end());
        } else {
            text = args.hex;
        }
        auto parsed = dissect::parse_hex(text, !args.hex_file.empty());
        if (!parsed.error.empty())
            return fail(fmt::format("{}: {}", args.hex_file.empty() ? "--hex" : args.hex_file, parsed.error));
        input = std::move(parsed.bytes);
    }

    output::PrintOptions options;
    options.format = args.json ? output::Format::json
                     : args.verbose ? output::Format::tree
                                    : output::Format::summary;
    options.hex_dump = args.hex_dump;
    options.color = !args.json && want_color(args.color);
    options.payload_max = static_cast<std::size_t>(args.payload_max);

    output::Writer writer(stdout);
    dissect::Sink sink(writer, options);
    dissect::dissect_bytes(input, args.from_server ? output::Direction::s2c : output::Direction::c2s, sink);
    if (!writer.flush()) return fail("cannot write the output");
    return sink.any_rule_broken() ? exit_rule_broken : exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Decode MQTT 3.1.1 packets strictly and show every field and every broken rule.",
                 "mqtt-dissect"};
    app.get_formatter()->column_width(26);
    app.footer(
        "Input is one direction of one connection, one or more packets back to back.\n"
        "Exit status: 0 all packets valid, 1 some packet breaks a rule or the framing breaks,\n"
        "2 bad usage or unreadable input.");
    Args args;
    auto* hex = app.add_option("--hex", args.hex,
                               "Bytes as hex; spaces, ':' ',' '-' and 0x prefixes are ignored")
                    ->type_name("HEX");
    auto* hex_file = app.add_option("--hex-file", args.hex_file,
                                    "Read hex text from FILE ('-' = stdin); '#' starts a comment")
                         ->type_name("FILE");
    auto* raw = app.add_option("--raw", args.raw, "Read raw bytes from FILE ('-' = stdin)")->type_name("FILE");
    app.add_option("FILE", args.captures, "Capture file (pcap/pcapng): not supported yet")->type_name("");
    hex->excludes(hex_file)->excludes(raw);
    hex_file->excludes(raw);
    app.add_flag("--from-server", args.from_server, "The bytes go server to client (default: client to server)");
    auto* verbose = app.add_flag("-V,--verbose", args.verbose,
                                 "Detailed tree: every field, its offset and bytes, flags bit by bit");
    app.add_flag("-x,--hex-dump", args.hex_dump, "Add a hex dump of each packet (JSON: \"raw_hex\")");
    auto* json = app.add_flag("--json", args.json, "One JSON object per packet (JSON lines)");
    json->excludes(verbose);
    app.add_option("--color", args.color, "Colour: auto (a terminal and NO_COLOR unset), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->type_name("WHEN")
        ->capture_default_str();
    app.add_option("--payload-max", args.payload_max, "Payload bytes shown, in every format; 0 = all")
        ->type_name("N")
        ->check([](const std::string& value) -> std::string {
            if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
                return "must be 0 (all) or a positive number of bytes, not " + value;
            if (value.size() > 15) return "too large: " + value;
            return {};
        })
        ->capture_default_str();
    app.set_version_flag("--version", "mqtt-dissect 0.1.0");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        fmt::print(stderr, "mqtt-dissect: {}\nRun 'mqtt-dissect --help' for the options.\n", e.what());
        return exit_usage;
    }
    if (args.hex.empty() && args.hex_file.empty() && args.raw.empty() && args.captures.empty() &&
        app.count("--hex") == 0) {
        fmt::print(stderr, "mqtt-dissect: no input: give --hex HEX, --hex-file FILE or --raw FILE\n"
                           "Run 'mqtt-dissect --help' for the options.\n");
        return exit_usage;
    }
    try {
        return run(args);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
