// mqtt-dissect: decode MQTT 3.1.1 from captures (files, stdin, live) or from bytes, and print a
// summary, a tree or JSON lines.
//
// Exit status: see the --help footer (capture and byte input differ on broken rules).
// Exceptions stop here: below main nothing throws but bad_alloc.
#include "byte_input.hpp"
#include "capture_input.hpp"
#include "hex_input.hpp"
#include "options.hpp"
#include "packet_filter.hpp"
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
#include <functional>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace mqttlens;

using dissect::Args;
using dissect::exit_ok;
using dissect::exit_rule_broken;
using dissect::exit_usage;
using dissect::fail;

/// CLI11 check for --port and --tls-port.
std::string port_number(const std::string& value) {
    if (value.empty() || value.size() > 5 || value.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(value) == 0 || std::stoul(value) > 65535)
        return "must be a TCP port number 1..65535, not " + value;
    return {};
}

/// CLI11 check: digits only, at most 15 of them, and not 0 unless `zero`; the message says the
/// value must be `what`.
std::function<std::string(const std::string&)> whole_number(bool zero, std::string what) {
    return [zero, what = std::move(what)](const std::string& value) -> std::string {
        if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
            (!zero && value.find_first_not_of('0') == std::string::npos))
            return "must be " + what + ", not " + value;
        if (value.size() > 15) return "too large: " + value;
        return {};
    };
}

int usage(std::string_view message) {
    fmt::print(stderr, "mqtt-dissect: {}\nRun 'mqtt-dissect --help' for the options.\n", message);
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

output::PrintOptions print_options(const Args& args) {
    output::PrintOptions options;
    options.format = args.json ? output::Format::json
                     : args.verbose ? output::Format::tree
                                    : output::Format::summary;
    options.hex_dump = args.hex_dump;
    options.color = !args.json && want_color(args.color);
    options.payload_max = static_cast<std::size_t>(args.payload_max);
    return options;
}

int run_capture(const Args& args) {
    dissect::PacketFilter filter;
    for (const auto& list : args.types) {
        const std::string unknown = dissect::add_types(filter, list);
        if (!unknown.empty())
            return fail(fmt::format("--type: unknown packet type '{}'; use {}", unknown, dissect::type_names()));
    }
    if (!args.topic.empty()) filter.topic = args.topic;
    if (!args.client.empty()) filter.client_id = args.client;
    filter.errors_only = args.errors_only;
    return dissect::run_capture(args, print_options(args), filter);
}

int run(const Args& args) {
    if (args.capture_input()) return run_capture(args);
    std::vector<std::uint8_t> input;  // --raw's bytes, or --hex-file's text
    if (const std::string& path = args.raw.empty() ? args.hex_file : args.raw; !path.empty()) {
        std::string error;
        auto data = read_all(path, error);
        if (!data) return fail(error);
        input = std::move(*data);
    }
    if (args.raw.empty()) {
        const bool file = !args.hex_file.empty();
        auto parsed = dissect::parse_hex(file ? std::string_view(reinterpret_cast<const char*>(input.data()), input.size())
                                              : std::string_view(args.hex),
                                         file);
        if (!parsed.error.empty()) return fail(fmt::format("{}: {}", file ? args.hex_file : "--hex", parsed.error));
        input = std::move(parsed.bytes);
    }

    const output::PrintOptions options = print_options(args);
    output::Writer writer(stdout);
    dissect::Sink sink(writer, options);
    std::optional<mqtt::Version> version;
    for (const mqtt::Version v : {mqtt::Version::v3_1, mqtt::Version::v3_1_1, mqtt::Version::v5_0})
        if (args.mqtt_version == mqtt::version_name(v)) version = v;
    dissect::dissect_bytes(input, args.from_server ? output::Direction::s2c : output::Direction::c2s,
                           args.from_server || args.from_client, version, sink);
    if (!writer.flush()) return fail("cannot write the output");
    return sink.any_rule_broken() ? exit_rule_broken : exit_ok;
}

/// The options whose combinations are checked after parsing.
struct CheckedOptions {
    std::vector<CLI::Option*> inputs;        ///< FILE, -r, -i, --hex, --hex-file, --raw: at most one
    CLI::Option* hex = nullptr;
    CLI::Option* hex_file = nullptr;
    CLI::Option* raw = nullptr;
    CLI::Option* from_server = nullptr;
    CLI::Option* from_client = nullptr;
    CLI::Option* mqtt_version = nullptr;
    std::vector<CLI::Option*> capture_only;  ///< only with a capture input
};

/// The --help column width and footer: the inputs and the exit statuses.
void describe(CLI::App& app) {
    app.get_formatter()->column_width(26);
    app.footer(
        "Input: a capture FILE (pcap or pcapng, '-' = stdin), -r FILE, or -i IFACE (live, Ctrl-C stops);\n"
        "or the bytes of one direction of one connection with --hex, --hex-file or --raw.\n"
        "MQTT is TCP port 1883 (--port), plus any connection whose client opens with a CONNECT;\n"
        "MQTT over TLS is port 8883 (--tls-port) and any TLS connection whose ClientHello offers ALPN\n"
        "\"mqtt\"; it is decrypted with --tls-keylog or the secrets a pcapng carries, else listed once.\n"
        "MQTT over WebSocket is found by its HTTP upgrade (ports 80, 8080, 8083, 9001 and --ws-port,\n"
        "any port when the client offers the \"mqtt\" subprotocol), also inside TLS. Filters choose\n"
        "what is printed: the per-connection checks and --stats see every packet.\n"
        "\n"
        "Exit status, capture input:\n"
        "  0  the capture was read to the end (or stopped by Ctrl-C); broken rules are shown, not fatal\n"
        "  1  with --strict: some packet or stream broke a rule (decode or per-connection error)\n"
        "  2  bad usage, unreadable input, unsupported link type, or a truncated or corrupt capture\n"
        "     (everything before the damage is printed first, then one message on stderr)\n"
        "Exit status, byte input (--hex, --hex-file, --raw):\n"
        "  0  every packet valid; 1 some packet breaks a rule or the framing breaks; 2 bad usage or\n"
        "     unreadable input");
}

/// The input options and the byte-input ones, with -f (capture only) where --help lists it.
CheckedOptions add_input_options(CLI::App& app, Args& args) {
    auto* file = app.add_option("FILE", args.captures, "Capture file (pcap or pcapng); '-' = stdin")
                     ->type_name("")
                     ->expected(0, 1);
    auto* read = app.add_option("-r,--read", args.read_file, "Capture file (pcap or pcapng); '-' = stdin")
                     ->type_name("FILE");
    auto* iface = app.add_option("-i,--interface", args.interface, "Capture live on IFACE (e.g. lo, any, eth0)")
                      ->type_name("IFACE");
    auto* bpf = app.add_option("-f,--filter", args.bpf, "BPF filter, live or on a file, e.g. \"tcp port 1883\"; frame numbers stay the file's")
                    ->type_name("BPF");
    auto* hex = app.add_option("--hex", args.hex,
                               "Bytes as hex; spaces, ':' ',' '-' and 0x prefixes are ignored")
                    ->type_name("HEX");
    auto* hex_file = app.add_option("--hex-file", args.hex_file,
                                    "Read hex text from FILE ('-' = stdin); '#' starts a comment")
                         ->type_name("FILE");
    auto* raw = app.add_option("--raw", args.raw, "Read raw bytes from FILE ('-' = stdin)")->type_name("FILE");
    auto* from_server =
        app.add_flag("--from-server", args.from_server,
                     "Byte input: the bytes are what a server sent, checked as such (session rules too)");
    auto* from_client =
        app.add_flag("--from-client", args.from_client,
                     "Byte input: the bytes are what a client sent, checked as such (session rules too); "
                     "without either flag they are shown as client to server and may hold both sides")
            ->excludes(from_server);
    auto* mqtt_version =
        app.add_option("--mqtt-version", args.mqtt_version,
                       "Byte input: the connection's MQTT version, 3.1, 3.1.1 or 5.0 (default: the one its CONNECT "
                       "names, 3.1.1 before it)")
            ->type_name("V")
            ->check(CLI::IsMember({"3.1", "3.1.1", "5.0"}));
    return {.inputs = {file, read, iface, hex, hex_file, raw},
            .hex = hex,
            .hex_file = hex_file,
            .raw = raw,
            .from_server = from_server,
            .from_client = from_client,
            .mqtt_version = mqtt_version,
            .capture_only = {bpf}};
}

/// The options only a capture input takes, appended to `capture_only` in --help order.
void add_capture_options(CLI::App& app, Args& args, std::vector<CLI::Option*>& capture_only) {
    auto* port = app.add_option("--port", args.ports, "MQTT on TCP port N (repeatable; default 1883)")
                     ->type_name("N")
                     ->check(port_number)
                     ->allow_extra_args(false);
    auto* tls_port = app.add_option("--tls-port", args.tls_ports, "MQTT over TLS on port N (repeatable; default 8883)")
                         ->type_name("N")
                         ->check(port_number)
                         ->allow_extra_args(false);
    auto* keylog = app.add_option("--tls-keylog", args.tls_keylogs,
                                  "TLS secrets in the NSS key log format SSLKEYLOGFILE writes (repeatable)")
                       ->type_name("FILE")
                       ->allow_extra_args(false);
    auto* ws_port = app.add_option("--ws-port", args.ws_ports,
                                   "Look for MQTT over WebSocket on port N first (repeatable; default 80, 8080, 8083, 9001)")
                        ->type_name("N")
                        ->check(port_number)
                        ->allow_extra_args(false);
    auto* type = app.add_option("--type", args.types, "Only these packet types, e.g. PUBLISH,SUBACK (repeatable)")
                     ->type_name("T[,T]")
                     ->allow_extra_args(false);
    auto* topic = app.add_option("--topic", args.topic,
                                 "Only PUBLISH to topics FILTER matches ('+', '#'),\nSUBSCRIBE / UNSUBSCRIBE with filters overlapping it")
                      ->type_name("FILTER");
    auto* client = app.add_option("--client", args.client, "Only packets of connections whose CONNECT has Client Identifier ID")
                       ->type_name("ID");
    auto* errors_only = app.add_flag("--errors-only", args.errors_only, "Only packets (and events) that break a rule");
    auto* stats = app.add_flag("--stats", args.stats, "After the packets: per type, per connection, per topic, per rule");
    auto* quiet = app.add_flag("-q,--quiet", args.quiet, "No packets and no progress line (with --stats: only the tables)");
    auto* strict = app.add_flag("--strict", args.strict, "Capture input: exit 1 when any rule was broken");
    auto* threads = app.add_option("--threads", args.threads,
                                   "Capture input: 2 = format the output on a second thread and read a classic pcap file "
                                   "ahead on a third (with 2+ CPUs, without -q; reading a file, the capture and print "
                                   "threads are kept on different CPUs), 1 = all on one thread")
                        ->check(CLI::IsMember({1, 2}))
                        ->type_name("N")
                        ->capture_default_str();
    auto* max_connections =
        app.add_option("--max-connections", args.max_connections,
                       "Capture input: at most N connections open at once; a new one beyond them closes the least "
                       "recently active, whose end says \"evicted\"")
            ->type_name("N")
            ->check(whole_number(false, "a positive number of connections"))
            ->capture_default_str();
    capture_only.insert(capture_only.end(), {port, tls_port, keylog, ws_port, type, topic, client, errors_only, stats, quiet, strict,
                                             threads, max_connections});
}

/// The output options (format, hex dump, colour, payload size) and --version.
void add_output_options(CLI::App& app, Args& args) {
    auto* verbose = app.add_flag("-V,--verbose", args.verbose,
                                 "Detailed tree: every field, its offset and bytes, flags bit by bit");
    app.add_flag("-x,--hex-dump", args.hex_dump, "Add a hex dump of each packet (JSON: \"raw_hex\")");
    auto* json = app.add_flag("--json", args.json, "One JSON object per packet or event (JSON lines)");
    json->excludes(verbose);
    app.add_option("--color", args.color, "Colour: auto (a terminal and NO_COLOR unset), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->type_name("WHEN")
        ->capture_default_str();
    app.add_option("--payload-max", args.payload_max, "Payload bytes shown, in every format; 0 = all")
        ->type_name("N")
        ->check(whole_number(true, "0 (all) or a positive number of bytes"))
        ->capture_default_str();
    app.set_version_flag("--version", "mqtt-dissect 0.1.0");
}

/// Once parsed: the usage exit status (its message printed) when the options given do not go
/// together or name no input; nullopt when they can run.
std::optional<int> check_combination(CLI::App& app, const Args& args, const CheckedOptions& o) {
    // One input; capture options only with a capture, byte options only with bytes.
    CLI::Option* input = nullptr;
    for (CLI::Option* option : o.inputs) {
        if (option->count() == 0) continue;
        if (input != nullptr) return usage(fmt::format("{} excludes {}", input->get_name(), option->get_name()));
        input = option;
    }
    const bool bytes_input = o.hex->count() + o.hex_file->count() + o.raw->count() > 0;
    for (CLI::Option* option : o.capture_only)
        if (bytes_input && option->count() > 0)
            return usage(fmt::format("{} needs a capture input (FILE, -r FILE or -i IFACE)", option->get_name()));
    for (const CLI::Option* option : {o.from_server, o.from_client})
        if (!bytes_input && input != nullptr && option->count() > 0)
            return usage(fmt::format("{} is for byte input (--hex, --hex-file, --raw)", option->get_name()));
    if (!bytes_input && input != nullptr && o.mqtt_version->count() > 0)
        return usage("--mqtt-version is for byte input (--hex, --hex-file, --raw)");
    if (args.hex.empty() && args.hex_file.empty() && args.raw.empty() && !args.capture_input() &&
        app.count("--hex") == 0)
        return usage("no input: give a capture FILE, -i IFACE, --hex HEX, --hex-file FILE or --raw FILE");
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Dissect MQTT 3.1.1 in captures, live traffic or raw bytes: every field, every broken rule.",
                 "mqtt-dissect"};
    describe(app);
    Args args;
    CheckedOptions checked = add_input_options(app, args);
    add_capture_options(app, args, checked.capture_only);
    add_output_options(app, args);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        return usage(e.what());
    }
    if (const auto status = check_combination(app, args, checked)) return *status;
    try {
        return run(args);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}
