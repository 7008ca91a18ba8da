#include "capture_input.hpp"

#include "capture/dissector.hpp"
#include "capture/pcapng_secrets.hpp"
#include "capture/link_layer.hpp"
#include "event_printer.hpp"
#include "engine/engine.hpp"
#include "output/writer.hpp"
#include "print_pipeline.hpp"
#include "progress.hpp"
#include "stats/stats.hpp"
#include "transport/libcrypto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <limits>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sched.h>
#include <unistd.h>

namespace mqttlens::dissect {

namespace {

std::atomic<capture::CaptureSource*> running_source{nullptr};
std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
    stop_requested.store(true);
    if (capture::CaptureSource* s = running_source.load()) s->stop();
}

/// SIGINT and SIGTERM stop `source` while this object lives.
class StopOnSignal {
public:
    explicit StopOnSignal(capture::CaptureSource& source) {
        running_source.store(&source);
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &old_int_);
        sigaction(SIGTERM, &action, &old_term_);
    }
    ~StopOnSignal() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
        running_source.store(nullptr);
    }
    StopOnSignal(const StopOnSignal&) = delete;
    StopOnSignal& operator=(const StopOnSignal&) = delete;

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

/// What mqtt-dissect does with what the engine found: feeds the statistics, and prints what the
/// filter selects.
class Printer final : public engine::Listener {
public:
    Printer(PrintPipeline& out, const PacketFilter& filter, stats::Accumulator* stats, bool quiet)
        : out_(out), filter_(filter), stats_(stats), quiet_(quiet) {}

    /// The engine may hand over clean QoS 0 PUBLISHes unbuilt when nothing but the printer looks
    /// at them (no statistics, no filter).
    engine::EngineOptions engine_options() const noexcept {
        engine::EngineOptions options;
        options.build_clean_publish = stats_ != nullptr || !filter_.selects_all();
        return options;
    }
    void set_origin(capture::Timestamp ts) noexcept {
        origin_ = ts;
        out_.set_origin(ts);
    }
    /// A rule was broken: a decode or stream error, a framing error, an error found at the end.
    bool any_error() const noexcept { return any_error_; }

    void on_open(const engine::ConnectionInfo& info) override {
        if (stats_) stats_->open_connection(info.stream, info.client_text, info.server_text, engine::micros(info.first_ts));
    }

    void on_packet(const engine::Delivery& d, const engine::PacketSeen& p) override {
        any_error_ |= p.error;
        const Seen seen{d.frame, d.ts, d.connection.stream, d.direction, p.stream_offset,
                        d.src, d.dst, p.stream, p.alias_topic, d.connection.transport};
        if (p.packet == nullptr) {
            if (!quiet_) out_.clean_packet(p.bytes, Decoding{p.version}, seen, p.stream_offset);
            return;
        }
        if (stats_)
            stats_->add_packet(d.connection.stream, d.direction, *p.packet, p.stream, d.time_us, p.alias_topic);
        if (quiet_ || (!filter_.selects_all() && !filter_.selects(*p.packet, d.conversation.client_id(), p.error, p.alias_topic)))
            return;
        out_.packet(p.bytes, Decoding{p.version}, *p.packet, seen);
    }

    void on_event(const engine::ConnectionInfo& info, const engine::Conversation& c,
                  const engine::StreamEvent& e) override {
        Event event;
        event.kind = event_kind(e.kind);
        if (e.code != mqtt::Code::count_ && event.kind != EventKind::tls && event.kind != EventKind::transport)
            event.diagnostic = mqtt::Diagnostic{e.code, mqtt::code_info(e.code).severity, mqtt::Field::none, 0};
        if (stats_ && event.diagnostic && event.kind != EventKind::resync)
            stats_->add_diagnostic(info.stream, *event.diagnostic);
        any_error_ |= is_error(event);
        if (!shows_event(c, event)) return;
        event.context = context_at(info, e.frame, e.ts, e.src, e.dst, e.direction);
        event.context.version = c.version().value_or(mqtt::Version::v3_1_1);
        event.offset = e.stream_offset;
        event.size = e.size;
        event.port = info.server.port;
        event.version_known = c.version().has_value();
        event.rule = e.rule;
        event.severity = e.severity;
        event.message = e.message;
        out_.event(event);
    }

    void on_close(const engine::ConnectionInfo& info, const engine::Conversation& c,
                  const engine::Closing& end) override {
        for (const mqtt::EndFinding& f : end.findings) {
            if (stats_) stats_->add_diagnostic(info.stream, f.diagnostic);
            Event event;
            event.kind = EventKind::finding;
            event.diagnostic = f.diagnostic;
            event.packet_id = f.packet_id;
            event.request_frame = f.ref;
            any_error_ |= is_error(event);
            if (!shows_event(c, event)) continue;
            event.context = context_at(info, end.frame, end.ts, info.client_text, info.server_text,
                                       info.roles_known ? output::Direction::c2s : output::Direction::unknown);
            event.context.version = c.version().value_or(mqtt::Version::v3_1_1);
            out_.event(event);
        }
        if (stats_) stats_->close_connection(info.stream, end.time_us, capture::close_reason_name(end.reason));
        Event line;
        line.kind = EventKind::connection_end;
        if ((!info.tls || c.packets() > 0) && shows_event(c, line)) {  // an undecrypted TLS one: listed once
            line.context = context_at(info, end.frame, end.ts, info.client_text, info.server_text);
            line.reason = capture::close_reason_name(end.reason);
            line.packets = c.packets();
            out_.event(line);
        }
    }

private:
    /// Stream events are shown unless --type or --topic picks packets; --client and
    /// --errors-only apply to them as to packets.
    bool shows_event(const engine::Conversation& c, const Event& event) const noexcept {
        if (quiet_ || filter_.selects_packets()) return false;
        if (filter_.errors_only && !is_error(event)) return false;
        if (filter_.client_id && c.client_id() != std::string_view(*filter_.client_id)) return false;
        return true;
    }

    /// An event line's columns: `frame` (0: noticed at the capture's end, none), time,
    /// connection, sender, receiver, direction.
    output::Context context_at(const engine::ConnectionInfo& info, std::uint64_t frame, capture::Timestamp ts,
                               std::string_view src, std::string_view dst,
                               std::optional<output::Direction> direction = std::nullopt) const {
        output::Context context;
        if (frame != 0) context.frame = frame;
        context.ts = ts;
        context.rel_time = since(ts, origin_);
        context.stream = info.stream;
        context.src = src;
        context.dst = dst;
        context.direction = direction;
        context.transport = info.transport;
        return context;
    }

    PrintPipeline& out_;
    const PacketFilter& filter_;
    stats::Accumulator* stats_;
    bool quiet_;
    capture::Timestamp origin_;
    bool any_error_ = false;
};

/// CPUs this process may run on (its affinity mask): a second thread only helps with two.
int usable_cpus() noexcept {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    return CPU_COUNT(&set);
}

std::uint64_t file_size(const std::string& path) {
    struct stat st {};
    if (path == "-" || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    return static_cast<std::uint64_t>(st.st_size);
}

void print_stats(output::Buffer& out, const stats::Accumulator& acc, const capture::DissectorStats& d,
                 const engine::StreamStats& mqtt,
                 bool json, bool after_packets) {
    if (json) {
        // What the text mode's "Capture:" line says, and the TCP and IP layers' counts.
        fmt::format_to(fmt::appender(out),
                       "{{\"capture\":{{\"records\":{},\"captured_bytes\":{},\"not_ip\":{},\"not_tcp\":{},"
                       "\"malformed\":{},\"ip_fragments\":{},\"ip_reassembled\":{},\"ip_given_up\":{},"
                       "\"tcp_segments\":{},\"tcp_connections\":{},\"tcp_retransmitted\":{},\"tcp_out_of_order\":{},"
                       "\"tcp_gaps\":{},\"tcp_gap_bytes\":{},\"mqtt_connections\":{},\"mqtt_auto_detected\":{},"
                       "\"tls_connections\":{},\"tls_decrypted\":{},\"websocket_connections\":{},"
                       "\"mqtt_packets\":{},\"framing_errors\":{},\"resyncs\":{},\"skipped_bytes\":{}}},\"stats\":",
                       d.records, d.bytes, d.not_ip, d.not_tcp, d.malformed, d.ip_fragments, d.ip.reassembled,
                       d.ip.dropped, d.tcp.segments, d.tcp.connections, d.tcp.retransmitted_segments,
                       d.tcp.out_of_order_segments, d.tcp.gaps, d.tcp.gap_bytes, mqtt.mqtt_connections,
                       mqtt.auto_detected, mqtt.tls_connections, mqtt.tls_decrypted, mqtt.websocket_connections,
                       mqtt.packets, mqtt.framing_errors, mqtt.resyncs, mqtt.skipped_bytes);
        stats::print_json(acc, out);
        if (out.size() > 0 && out.data()[out.size() - 1] == '\n') out.resize(out.size() - 1);
        output::append(out, "}\n");
        return;
    }
    if (after_packets) out.push_back('\n');
    fmt::format_to(fmt::appender(out),
                   "Capture: {} records, {} captured bytes; {} MQTT connections ({} found by their CONNECT, {} TLS), "
                   "{} MQTT packets, {} framing errors\n\n",
                   d.records, d.bytes, mqtt.mqtt_connections, mqtt.auto_detected, mqtt.tls_connections,
                   mqtt.packets, mqtt.framing_errors);
    if (mqtt.tls_connections > 0 || mqtt.websocket_connections > 0) {  // before the blank line
        out.resize(out.size() - 2);
        fmt::format_to(fmt::appender(out), "; TLS: {} of {} decrypted; {} MQTT connections over WebSocket\n\n",
                       mqtt.tls_decrypted, mqtt.tls_connections, mqtt.websocket_connections);
    }
    if (d.ip_fragments > 0) {
        out.resize(out.size() - 2);  // before the blank line
        fmt::format_to(fmt::appender(out), "; {} IP fragments: {} datagrams reassembled, {} given up\n\n",
                       d.ip_fragments, d.ip.reassembled, d.ip.dropped);
    }
    stats::print_text(acc, out, 50);
}

}  // namespace

/// The TLS secrets of every --tls-keylog file and of the capture's pcapng Decryption Secrets Blocks
/// (`path` empty: live or stdin, none). A key log that cannot be read is an error (returned);
/// malformed lines are warnings, one per line, and the good lines are used.
std::optional<std::string> load_keys(const Args& args, const std::string& path, transport::KeyLog& keys) {
    const auto warn = [](const std::vector<std::string>& problems) {
        constexpr std::size_t shown = 5;
        for (std::size_t i = 0; i < std::min(shown, problems.size()); ++i)
            fmt::print(stderr, "mqtt-dissect: warning: {}\n", problems[i]);
        if (problems.size() > shown)
            fmt::print(stderr, "mqtt-dissect: warning: {} more lines like these skipped\n", problems.size() - shown);
    };
    for (const std::string& file : args.tls_keylogs) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return fmt::format("--tls-keylog {}: {}", file, std::strerror(errno));
        std::stringstream text;
        text << in.rdbuf();
        warn(keys.add(text.str(), file));
    }
    if (!path.empty() && path != "-") {
        const capture::SecretsResult embedded = capture::read_pcapng_secrets(path);
        for (const capture::DecryptionSecrets& s : embedded.secrets) {
            if (s.type == capture::secrets_tls_key_log) warn(keys.add(s.data, path + " (Decryption Secrets Block)"));
        }
        if (!embedded.error.empty())
            fmt::print(stderr, "mqtt-dissect: warning: {}; its secrets after that are not read\n", embedded.error);
    }
    // Keys that cannot be used stop the run, rather than leave every TLS connection unread.
    std::string why;
    if (!keys.empty() && !transport::libcrypto(&why)) return "decrypting TLS needs libcrypto: " + why;
    return std::nullopt;
}

int run_capture(const Args& args, const output::PrintOptions& options, const PacketFilter& filter) {
    const bool live = !args.interface.empty();
    const std::string path = !args.read_file.empty() ? args.read_file
                             : live                  ? std::string{}
                                                     : args.captures.front();
    const std::string name = live ? args.interface : path == "-" ? std::string("standard input") : path;
    auto opened = live ? capture::CaptureSource::open_live(args.interface, args.bpf)
                       : capture::CaptureSource::open_file(path, args.bpf);
    if (!opened) {
        const bool named = live || opened.error.rfind(path, 0) == 0;  // libpcap often names the file
        return fail(named ? opened.error : fmt::format("{}: {}", name, opened.error));
    }
    capture::CaptureSource& source = *opened.source;
    if (!capture::link_type_supported(source.link_type()))
        return fail(fmt::format("{}: unsupported link type {}; mqtt-dissect reads Ethernet (with VLAN tags), "
                                "Linux cooked v1 and v2, BSD loopback and raw IP",
                                name, capture::link_type_name(source.link_type())));

    capture::DissectorOptions dissector_options;
    dissector_options.reassembly.max_connections = args.max_connections;

    output::Writer writer(stdout);
    std::optional<stats::Accumulator> accumulator;
    if (args.stats) accumulator.emplace();
    const bool threaded = !args.quiet && args.threads > 1 && usable_cpus() > 1;
    PrintPipeline pipeline(writer, options, threaded, !live);
    // The file's next blocks are read ahead on the capture thread's CPU: the print thread is the
    // busier side while a capture's bulk of small PUBLISHes goes by, for summary lines as for JSON
    // (session 17, big5.pcap, 31-41 alternating rounds, median wall beside the print / the capture
    // thread: summary 45.9 / 42.7 ms and 48.3 / 44.0 ms; on the 3.1.1 capture 38.8 / 36.6 ms), and
    // the capture thread then reads records the same CPU has just written.
    if (threaded && !live && source.read_ahead(pipeline.capture_cpu()))
        pipeline.hold_blocks_of(source);
    Printer printer(pipeline, filter, accumulator ? &*accumulator : nullptr, args.quiet);
    engine::EngineOptions engine_options = printer.engine_options();
    if (!args.ports.empty()) engine_options.streams.mqtt_ports = args.ports;
    if (!args.tls_ports.empty()) engine_options.streams.tls_ports = args.tls_ports;
    if (!args.ws_ports.empty()) engine_options.streams.ws_ports = args.ws_ports;
    transport::KeyLog keys;
    if (const auto problem = load_keys(args, live ? std::string() : path, keys)) return fail(*problem);
    engine_options.streams.transport.tls.keys = &keys;
    engine::Engine engine(printer, std::move(engine_options));
    capture::Dissector dissector(engine, dissector_options);
    Progress progress(stderr, live ? 0 : file_size(path), !args.quiet && isatty(fileno(stderr)) == 1);

    if (live && !args.quiet) {
        fmt::print(stderr, "mqtt-dissect: listening on {} ({}){}{}; Ctrl-C stops\n", args.interface,
                   capture::link_type_name(source.link_type()), args.bpf.empty() ? "" : ", filter ", args.bpf);
        std::fflush(stderr);
    }
    capture::CaptureSource::Status status;
    std::uint64_t good_records = 0;
    {
        stop_requested.store(false);
        StopOnSignal stop(source);
        capture::Record record;
        while ((status = source.next(record)) == capture::CaptureSource::Status::record) {
            if (good_records++ == 0) printer.set_origin(source.first_timestamp());  // tshark's time 0
            dissector.process(record);
            progress.record(16u + record.caplen, engine.packets());
            if (live) pipeline.flush();
        }
    }
    dissector.finish();
    pipeline.finish();
    progress.clear();

    if (accumulator)
        print_stats(writer.buffer(), *accumulator, dissector.stats(), engine.stream_stats(), args.json, !args.quiet && engine.packets() > 0);
    if (!writer.flush() || pipeline.failed()) return fail("cannot write the output");
    if (live && source.dropped() > 0)
        fmt::print(stderr, "mqtt-dissect: {} packets dropped by the kernel\n", source.dropped());
    if (status == capture::CaptureSource::Status::error && !stop_requested.load())
        return fail(fmt::format("{}: {} after record {}: {}; everything before it is shown above", name,
                                source.library_missing() ? "cannot read on" : "capture damaged", good_records,
                                source.error()));
    return args.strict && printer.any_error() ? exit_rule_broken : exit_ok;
}

}  // namespace mqttlens::dissect
