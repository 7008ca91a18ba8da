#include "engine/mqtt_streams.hpp"

#include "engine/boundary.hpp"
#include "engine/engine.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace mqttlens::engine {

struct MqttStreams::Half {
    enum class Mode : std::uint8_t {
        start,    ///< no byte framed yet: framing after a SYN, else resynchronising (mid-stream)
        framing,  ///< at a packet boundary or inside a packet the framer holds
        resync,   ///< looking for a packet boundary in `pending`
    } mode = Mode::start;

    mqtt::Framer framer;

    std::vector<std::uint8_t> pending;   // resync: bytes not yet known to hold no boundary
    std::uint64_t pending_offset = 0;
    std::size_t scan_from = 0;
    std::uint64_t resync_start = 0;      // where skipping began
    std::uint64_t skipped = 0;           // bytes dropped before pending_offset in this episode
    StreamEventKind resync_kind = StreamEventKind::resync;
    mqtt::Code resync_code = mqtt::Code::stream_gap;  // why: midstream, gap, or framing error

    std::array<std::uint8_t, connect_probe_size> probe{};  // detect: the first bytes
    std::uint8_t probe_size = 0;
    std::uint64_t probe_offset = 0;
    std::uint64_t seen_end = 0;  // stream offset after the last byte (or gap) seen while detecting
    bool probe_lost = false;     // bytes seen beyond the probe, or a gap, before a decision
    Verdict verdict = Verdict::need_more;

    explicit Half(const mqtt::FramerOptions& options) : framer(options) {}
};

/// What a connection's `user` holds: an Early until there is something to report, then a State.
struct MqttStreams::Held : capture::StreamUser {
    bool early = false;
};

/// The first bytes of each direction of a connection on an MQTT port, after its SYN, while they
/// are only the start of a first packet: nothing is reported yet, so nothing more is kept (a
/// client that never finishes its CONNECT costs this, not a State).
struct MqttStreams::Early final : Held {
    static constexpr std::size_t capacity = 6;  // a fixed header and more, in a 32-byte block
    std::array<std::array<std::uint8_t, capacity>, 2> bytes{};
    std::array<std::uint8_t, 2> size{};
    Early() { early = true; }
};

struct MqttStreams::State final : Held {
    enum class Kind : std::uint8_t { undecided, mqtt } kind = Kind::undecided;
    capture::ByteStream& stream;  // the connection it belongs to
    ConnectionInfo info;  // reported once kind is no longer undecided
    int client_half = -1;
    std::string text[2];
    Half half[2];
    // TLS or WebSocket under MQTT: the layers, the carried streams' offsets, and the record being
    // processed (what the Stack hands up belongs to it).
    std::unique_ptr<transport::Stack> stack;
    std::uint64_t carried[2] = {};
    std::uint64_t frame = 0;
    Timestamp ts;
    // Auto-detection of TLS or WebSocket: the client's first bytes until they decide.
    std::vector<std::uint8_t> transport_probe;
    bool transport_probing = false;
    bool listed = false;  // a TLS connection's `tls` event was given
    std::int8_t transport_probe_side = -1;

    State(capture::ByteStream& c, const mqtt::FramerOptions& options)
        : stream(c), half{Half(options), Half(options)} {}

    Direction direction(int d) const noexcept {
        if (client_half < 0) return Direction::unknown;
        return d == client_half ? Direction::c2s : Direction::s2c;
    }
};

/// What a connection's Stack hands up: its carried bytes are framed as MQTT, its gaps are
/// the carried stream's, its findings become transport events.
struct MqttStreams::Up final : transport::Output {
    MqttStreams& streams;
    State& st;

    Up(MqttStreams& s, State& state) : streams(s), st(state) {}

    void data(int d, Bytes bytes) override {
        st.info.transport = st.stack->name();  // WebSocket inside TLS shows once its upgrade is read
        st.info.websocket = st.stack->websocket() != nullptr;
        const std::uint64_t at = st.carried[d];
        st.carried[d] += bytes.size();
        streams.feed(st, d, bytes, at, st.frame, st.ts);
    }
    void gap(int d, std::uint64_t size) override {
        const std::uint64_t at = st.carried[d];
        st.carried[d] += size;
        streams.lose(st, d, at, size, st.frame, st.ts);
    }
    void finding(int d, const transport::Finding& f) override {
        // A TLS connection is listed once, with its handshake's summary (or, at its end, without).
        const bool listing = f.summary && st.info.tls && !st.listed;
        st.listed = st.listed || listing;
        const StreamEvent event{listing ? StreamEventKind::tls : StreamEventKind::transport, st.direction(d),
                                st.text[d], st.text[1 - d], st.frame, st.ts, f.offset, 0, mqtt::Code::count_,
                                f.rule, f.severity, f.message};
        streams.engine_.stream_event(st.info, event);
    }
};

std::string_view stream_event_name(StreamEventKind k) noexcept {
    static constexpr std::string_view names[] = {"gap", "midstream_sync", "resync", "unsynchronised",
                                                  "framing_error", "tls", "transport"};
    return names[static_cast<std::size_t>(k)];
}

MqttStreams::MqttStreams(Engine& engine, StreamOptions options)
    : engine_(engine), options_(std::move(options)) {}

bool MqttStreams::is_mqtt_port(std::uint16_t port) const noexcept {
    return std::find(options_.mqtt_ports.begin(), options_.mqtt_ports.end(), port) != options_.mqtt_ports.end();
}

bool MqttStreams::is_tls_port(std::uint16_t port) const noexcept {
    return std::find(options_.tls_ports.begin(), options_.tls_ports.end(), port) != options_.tls_ports.end();
}

bool MqttStreams::is_ws_port(std::uint16_t port) const noexcept {
    return std::find(options_.ws_ports.begin(), options_.ws_ports.end(), port) != options_.ws_ports.end();
}

void MqttStreams::set_client(State& st, int d, bool known) {
    if (known) st.client_half = d;
    st.info.roles_known = known;
    st.info.client = st.stream.endpoint[d];
    st.info.server = st.stream.endpoint[1 - d];
    st.info.client_text = st.text[d];
    st.info.server_text = st.text[1 - d];
}

void MqttStreams::on_open(capture::ByteStream& c, std::uint64_t, Timestamp) {
    // A TLS connection is reported at once; the others get their State when they have something
    // to report, which an idle connection never has.
    const std::uint16_t port[2] = {c.endpoint[0].port, c.endpoint[1].port};
    if (is_tls_port(port[0]) || is_tls_port(port[1])) {
        make_state(c);
    } else if (!is_mqtt_port(port[0]) && !is_mqtt_port(port[1]) && !options_.auto_detect &&
               !is_ws_port(port[0]) && !is_ws_port(port[1])) {
        c.wants_data = false;  // no state: nothing will be reported
    }
}

MqttStreams::State& MqttStreams::state(capture::ByteStream& c) {
    if (c.user && !static_cast<Held&>(*c.user).early) return static_cast<State&>(*c.user);
    const std::unique_ptr<capture::StreamUser> held = std::move(c.user);
    State& st = make_state(c);
    if (held) {  // bytes that completed nothing: fed now, they report nothing either
        const auto& early = static_cast<const Early&>(*held);
        for (int d = 0; d < 2; ++d) {
            if (early.size[d] > 0) {
                feed(st, d, Bytes(early.bytes[d].data(), early.size[d]), 0, c.last_frame, c.last_ts);
            }
        }
    }
    return st;
}

bool MqttStreams::hold_early(capture::ByteStream& c, int d, Bytes bytes, std::uint64_t offset) {
    auto* early = static_cast<Early*>(c.user.get());  // no State yet: an Early or nothing
    const std::size_t held = early ? early->size[d] : 0;
    const std::size_t size = held + bytes.size();
    if (!c.from_start[d] || offset != held || size > Early::capacity ||
        (!is_mqtt_port(c.endpoint[0].port) && !is_mqtt_port(c.endpoint[1].port))) {
        return false;
    }
    std::array<std::uint8_t, Early::capacity> start{};
    if (early) std::copy_n(early->bytes[d].begin(), held, start.begin());
    std::copy(bytes.begin(), bytes.end(), start.begin() + static_cast<std::ptrdiff_t>(held));
    const FixedHeaderScan scan = scan_fixed_header(Bytes(start.data(), size));
    const bool partial = scan.status == FixedHeaderScan::Status::need_more ||
                         (scan.status == FixedHeaderScan::Status::ok && scan.total() > size &&
                          scan.remaining_length <= options_.framer.max_remaining_length);
    if (!partial) return false;
    if (!early) {
        c.user = std::make_unique<Early>();
        early = static_cast<Early*>(c.user.get());
    }
    early->bytes[d] = start;
    early->size[d] = static_cast<std::uint8_t>(size);
    return true;
}

MqttStreams::State& MqttStreams::make_state(capture::ByteStream& c) {
    const std::uint16_t port[2] = {c.endpoint[0].port, c.endpoint[1].port};
    const bool tls[2] = {is_tls_port(port[0]), is_tls_port(port[1])};
    const bool mqtt[2] = {is_mqtt_port(port[0]), is_mqtt_port(port[1])};
    auto owned = std::make_unique<State>(c, options_.framer);
    State& st = *owned;
    c.user = std::move(owned);
    st.text[0] = to_string(c.endpoint[0]);
    st.text[1] = to_string(c.endpoint[1]);
    st.info.stream = c.stream;
    // Roles as the first record showed them: an opening seen later changes nothing here.
    st.info.syn_seen = c.first_client_side >= 0;
    st.info.first_frame = c.first_frame;
    st.info.first_ts = c.first_ts;

    // Roles: the SYN; else the side on the server port; else, tentatively, the lower port is the server.
    const bool* server_port = tls[0] || tls[1] ? tls : mqtt;
    int client = c.first_client_side;
    if (client < 0 && server_port[0] != server_port[1]) client = server_port[0] ? 1 : 0;
    set_client(st, client >= 0 ? client : (port[0] < port[1] ? 1 : 0), client >= 0);

    if (tls[0] || tls[1]) {
        open_with_stack(st, transport::Stack::Bottom::tls, client >= 0 ? client : (port[0] < port[1] ? 1 : 0));
    } else if (mqtt[0] || mqtt[1]) {
        open_as_mqtt(st);
    }
    return st;
}

void MqttStreams::open_as_mqtt(State& st) {
    st.kind = State::Kind::mqtt;
    ++stats_.mqtt_connections;
    engine_.connection_opened(st.info);
}

void MqttStreams::open_with_stack(State& st, transport::Stack::Bottom bottom, int client) {
    st.stack = std::make_unique<transport::Stack>(bottom, client, options_.transport);
    st.kind = State::Kind::mqtt;
    st.info.transport = st.stack->name();
    if (bottom == transport::Stack::Bottom::websocket) {
        st.info.websocket = true;
        ++stats_.websocket_connections;
        open_as_mqtt(st);
        return;
    }
    st.info.tls = true;
    ++stats_.tls_connections;
    engine_.connection_opened(st.info);
}

void MqttStreams::through_stack(State& st, int d, Bytes bytes, std::uint64_t frame, Timestamp ts) {
    st.frame = frame;
    st.ts = ts;
    Up up(*this, st);
    st.stack->data(d, bytes, up);
}

bool MqttStreams::detect_transport(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                                   Timestamp ts) {
    const Half& h = st.half[d];
    if (!st.transport_probing) {
        const bool opening = h.probe_size == 0 && h.verdict == Verdict::need_more && offset == 0 &&
                             st.stream.from_start[d] && !bytes.empty() && (bytes[0] == 0x16 || bytes[0] == 'G') &&
                             (st.stream.client_side < 0 || st.stream.client_side == d);
        if (!opening) return false;
        st.transport_probing = true;
        st.transport_probe_side = static_cast<std::int8_t>(d);
    } else if (d != st.transport_probe_side) {
        return false;
    }
    st.transport_probe.insert(st.transport_probe.end(), bytes.begin(), bytes.end());
    const transport::Recognition r = transport::recognise(st.transport_probe);
    constexpr std::size_t max_probe = 5 + 16384;  // a whole first TLS record, or a request head
    if (r.verdict == transport::Recognition::Verdict::need_more && st.transport_probe.size() <= max_probe) return true;
    const std::uint16_t port[2] = {st.stream.endpoint[0].port, st.stream.endpoint[1].port};
    // TLS: offering ALPN mqtt, or on a TLS port, or on a WebSocket port (wss: the upgrade is looked
    // for inside). WebSocket: offering the mqtt subprotocol, or on a WebSocket port.
    const bool ws_port = is_ws_port(port[0]) || is_ws_port(port[1]);
    const bool follow = r.verdict == transport::Recognition::Verdict::tls
                            ? r.mqtt || is_tls_port(port[0]) || is_tls_port(port[1]) || ws_port
                            : r.verdict == transport::Recognition::Verdict::websocket && (r.mqtt || ws_port);
    if (!follow) {
        capture::ByteStream& stream = st.stream;
        stream.wants_data = false;
        stream.user.reset();  // not MQTT: the state goes now (`st` with it)
        return true;
    }
    set_client(st, d, true);
    st.info.auto_detected = true;
    ++stats_.auto_detected;
    open_with_stack(st,
                    r.verdict == transport::Recognition::Verdict::tls ? transport::Stack::Bottom::tls
                                                                       : transport::Stack::Bottom::websocket,
                    d);
    const std::vector<std::uint8_t> probe = std::move(st.transport_probe);
    st.transport_probe = {};
    through_stack(st, d, probe, frame, ts);
    return true;
}

void MqttStreams::on_data(capture::ByteStream& c, int d, Bytes bytes, std::uint64_t offset,
                          std::uint64_t frame, Timestamp ts) {
    if (!c.wants_data && !c.user) return;  // not followed, or found not to be MQTT
    if ((!c.user || static_cast<Held&>(*c.user).early) && hold_early(c, d, bytes, offset)) return;
    State& st = state(c);
    if (st.kind == State::Kind::undecided) return detect(st, d, bytes, offset, frame, ts);
    if (st.stack) return through_stack(st, d, bytes, frame, ts);
    feed(st, d, bytes, offset, frame, ts);
}

void MqttStreams::detect(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                         Timestamp ts) {
    if (detect_transport(st, d, bytes, offset, frame, ts)) return;
    Half& h = st.half[d];
    h.seen_end = offset + bytes.size();
    if (h.verdict != Verdict::need_more) {
        h.probe_lost = true;
        return;
    }
    if (h.probe_size == 0) h.probe_offset = offset;
    const std::size_t take = std::min(bytes.size(), h.probe.size() - h.probe_size);
    std::copy_n(bytes.begin(), take, h.probe.begin() + h.probe_size);
    h.probe_size = static_cast<std::uint8_t>(h.probe_size + take);
    h.verdict = looks_like_connect(Bytes(h.probe.data(), h.probe_size));
    if (h.verdict == Verdict::yes && st.stream.client_side >= 0 && st.stream.client_side != d) {
        h.verdict = Verdict::no;  // the server does not send CONNECT
    }
    if (h.verdict == Verdict::need_more) return;
    if (h.verdict == Verdict::no) {
        if (take < bytes.size()) h.probe_lost = true;
        const Verdict other = st.half[1 - d].verdict;
        if (st.stream.client_side == d || other == Verdict::no) {
            capture::ByteStream& stream = st.stream;
            stream.wants_data = false;
            stream.user.reset();  // not MQTT: the state goes now (`st` with it)
        }
        return;
    }

    // A CONNECT opens this half: the connection is MQTT and `d` is the client.
    set_client(st, d, true);
    st.info.auto_detected = true;
    ++stats_.auto_detected;
    open_as_mqtt(st);
    for (int side : {d, 1 - d}) {
        Half& s = st.half[side];
        if (s.probe_lost) {
            // Bytes went by undecoded: find a boundary in what comes next.
            start_resync(st, side, StreamEventKind::resync, s.seen_end);
            s.skipped = s.seen_end - s.probe_offset;
            s.resync_start = s.probe_offset;
            continue;
        }
        s.mode = side == d || s.probe_size > 0 ? Half::Mode::framing : Half::Mode::start;
        s.framer.reset(s.probe_offset);
        if (s.probe_size > 0) feed(st, side, Bytes(s.probe.data(), s.probe_size), s.probe_offset, frame, ts);
        if (side == d && take < bytes.size()) feed(st, d, bytes.subspan(take), offset + take, frame, ts);
    }
}

void MqttStreams::start_resync(State& st, int d, StreamEventKind kind, std::uint64_t offset) {
    Half& h = st.half[d];
    h.mode = Half::Mode::resync;
    h.resync_kind = kind;
    h.resync_code = kind == StreamEventKind::midstream_sync ? mqtt::Code::stream_midstream
                                                            : mqtt::Code::stream_gap;
    h.pending.clear();
    h.pending_offset = offset;
    h.resync_start = offset;
    h.scan_from = 0;
    h.skipped = 0;
}

void MqttStreams::feed(State& st, int d, Bytes bytes, std::uint64_t offset, std::uint64_t frame,
                       Timestamp ts) {
    Half& h = st.half[d];
    if (h.mode == Half::Mode::start) {
        if (st.stream.from_start[d]) {
            h.mode = Half::Mode::framing;
            h.framer.reset(offset);
        } else {
            start_resync(st, d, StreamEventKind::midstream_sync, offset);
        }
    }
    if (h.mode == Half::Mode::framing) {
        frame_bytes(st, d, bytes, offset, frame, ts);
    } else if (h.mode == Half::Mode::resync) {
        if (h.pending.empty()) h.pending_offset = offset;
        h.pending.insert(h.pending.end(), bytes.begin(), bytes.end());
    }
    while (h.mode == Half::Mode::resync && !h.pending.empty()) {
        if (!try_resync(st, d, frame, ts, false)) break;
    }
}

void MqttStreams::frame_bytes(State& st, int d, Bytes bytes, std::uint64_t offset,
                              std::uint64_t frame, Timestamp ts) {
    Half& h = st.half[d];
    // Whole packets inside `bytes` come from the framer as views into them, without copying, and
    // go out in runs: run_from is the first byte of the run being collected (run_size_ packets).
    std::size_t p = 0;
    std::size_t run_from = 0;
    const auto flush = [&] {
        if (run_size_ > 0) emit_run(st, d, bytes.subspan(run_from), offset + run_from, frame, ts);
    };
    for (;;) {
        std::size_t taken = 0;
        const std::size_t at = p;
        const mqtt::Frame f = h.framer.next(bytes.subspan(p), taken);
        p += taken;
        if (f.status == mqtt::Frame::Status::need_more) return flush();
        if (f.status == mqtt::Frame::Status::error) {
            flush();
            framing_error(st, d, f.error, f.offset, frame, ts);
            // Resynchronise from the byte after the broken packet's first: what the framer held of
            // it, then the rest of `bytes`.
            const Bytes held = h.framer.held();
            h.pending.assign(held.begin() + (held.empty() ? 0 : 1), held.end());
            h.pending.insert(h.pending.end(), bytes.begin() + static_cast<std::ptrdiff_t>(p + (held.empty() ? 1 : 0)),
                             bytes.end());
            return;
        }
        const bool in_place = f.packet.data() == bytes.data() + at;
        const bool connect = (f.packet[0] >> 4) == 1;
        if (!in_place || connect) {  // held, or a CONNECT: a run of its own
            flush();
            if (connect) {  // it names the client and the protocol level
                if (st.client_half < 0) set_client(st, d, true);
                if (st.client_half == d && !st.info.version) st.info.version = mqtt::connect_version(f.packet);
            }
            run_ends_[run_size_++] = static_cast<std::uint32_t>(f.packet.size());
            emit_run(st, d, f.packet, f.offset, frame, ts);
            continue;
        }
        if (run_size_ == 0) run_from = at;
        run_ends_[run_size_++] = static_cast<std::uint32_t>(p - run_from);
        if (run_size_ == run_ends_.size()) flush();
    }
}

void MqttStreams::framing_error(State& st, int d, mqtt::Code code, std::uint64_t offset,
                                std::uint64_t frame, Timestamp ts) {
    ++stats_.framing_errors;
    emit_event(st, d, StreamEventKind::framing_error, offset, 0, code, frame, ts);
    start_resync(st, d, StreamEventKind::resync, offset + 1);
    st.half[d].resync_code = mqtt::Code::stream_unsynchronised;
    st.half[d].skipped = 1;  // the byte the broken packet started with
    st.half[d].resync_start = offset;
}

bool MqttStreams::try_resync(State& st, int d, std::uint64_t frame, Timestamp ts, bool at_end) {
    Half& h = st.half[d];
    for (;;) {
        const Bytes data(h.pending);
        const BoundarySearch r = find_boundary(data, h.scan_from, st.info.version.value_or(mqtt::Version::v3_1_1), at_end);
        if (r.result == BoundarySearch::Result::found) {
            const std::uint64_t at = h.pending_offset + r.position;
            const std::uint64_t skipped = h.skipped + r.position;
            ++stats_.resyncs;
            stats_.skipped_bytes += skipped;
            emit_event(st, d, h.resync_kind, at, skipped, h.resync_code, frame, ts);
            std::vector<std::uint8_t> work = std::move(h.pending);
            h.pending = {};
            h.mode = Half::Mode::framing;
            h.framer.reset(at);
            frame_bytes(st, d, Bytes(work).subspan(r.position), at, frame, ts);
            return true;
        }
        if (r.result == BoundarySearch::Result::undecided && data.size() - r.position > options_.max_resync) {
            h.scan_from = r.position + 1;  // a candidate whose proof would need too many bytes
            continue;
        }
        const std::size_t dead = r.result == BoundarySearch::Result::none ? data.size() : r.position;
        h.scan_from = r.position;
        if (dead == data.size() || dead > 4096) {
            h.pending.erase(h.pending.begin(), h.pending.begin() + static_cast<std::ptrdiff_t>(dead));
            h.pending_offset += dead;
            h.skipped += dead;
            h.scan_from = 0;
        }
        return false;
    }
}

void MqttStreams::on_gap(capture::ByteStream& c, int d, std::uint64_t offset, std::uint64_t size,
                         std::uint64_t frame, Timestamp ts) {
    if (!c.wants_data && !c.user) return;
    State& st = state(c);
    Half& h = st.half[d];
    if (st.kind == State::Kind::undecided) {
        if (h.verdict == Verdict::need_more) h.verdict = Verdict::no;
        h.probe_lost = true;
        h.seen_end = offset + size;
        if (st.half[1 - d].verdict == Verdict::no || st.stream.client_side == d) {
            c.wants_data = false;
            c.user.reset();
        }
        return;
    }
    if (st.stack) {
        st.frame = frame;
        st.ts = ts;
        Up up(*this, st);
        return st.stack->gap(d, size, up);
    }
    lose(st, d, offset, size, frame, ts);
}

void MqttStreams::lose(State& st, int d, std::uint64_t offset, std::uint64_t size, std::uint64_t frame,
                       Timestamp ts) {
    Half& h = st.half[d];
    if (h.mode == Half::Mode::framing && h.framer.buffered() > 0) {
        stats_.skipped_bytes += h.framer.buffered();
        emit_event(st, d, StreamEventKind::unsynchronised, h.framer.position(), h.framer.buffered(),
                   mqtt::Code::stream_unsynchronised, frame, ts);
    }
    emit_event(st, d, StreamEventKind::gap, offset, size, mqtt::Code::stream_gap, frame, ts);
    if (h.mode != Half::Mode::resync) return start_resync(st, d, StreamEventKind::resync, offset + size);
    h.skipped += h.pending.size();  // the resynchronisation goes on past the gap
    h.pending.clear();
    h.pending_offset = offset + size;
    h.scan_from = 0;
}

void MqttStreams::on_close(capture::ByteStream& c, CloseReason reason, std::uint64_t frame, Timestamp ts) {
    if (!c.wants_data && !c.user) return;
    State& st = state(c);
    if (st.stack) {
        st.frame = frame;
        st.ts = ts;
        Up up(*this, st);
        st.stack->close(up);
        if (st.stack->tls() && st.stack->tls()->info().decrypted) ++stats_.tls_decrypted;
        if (st.info.tls && !st.listed) {
            const int d = st.client_half >= 0 ? st.client_half : 0;
            const StreamEvent event{StreamEventKind::tls, st.direction(d), st.text[d], st.text[1 - d], frame, ts,
                                    0, 0, mqtt::Code::count_, {},
                                    transport::Severity::note, "no handshake seen, nothing decrypted"};
            engine_.stream_event(st.info, event);
        }
    }
    if (st.kind == State::Kind::mqtt) {
        for (int d = 0; d < 2; ++d) {
            Half& h = st.half[d];
            while (h.mode == Half::Mode::resync && !h.pending.empty() && try_resync(st, d, frame, ts, true)) {
            }
            if (h.mode == Half::Mode::framing) {
                h.framer.finish();
                const mqtt::Frame f = h.framer.next();
                if (f.status == mqtt::Frame::Status::error) {
                    ++stats_.framing_errors;
                    emit_event(st, d, StreamEventKind::framing_error, f.offset, h.framer.buffered(),
                               f.error, frame, ts);
                }
            } else if (h.mode == Half::Mode::resync && (h.skipped + h.pending.size()) > 0) {
                const std::uint64_t size = h.skipped + h.pending.size();
                stats_.skipped_bytes += size;
                emit_event(st, d, StreamEventKind::unsynchronised, h.resync_start, size,
                           mqtt::Code::stream_unsynchronised, frame, ts);
            }
        }
    }
    if (st.kind != State::Kind::undecided) engine_.connection_closed(st.info, reason, frame, ts);
}

void MqttStreams::emit_run(State& st, int d, Bytes run, std::uint64_t offset, std::uint64_t frame,
                           Timestamp ts) {
    const std::size_t count = run_size_;
    run_size_ = 0;  // before the call: the engine may not re-enter, but the run is spent
    stats_.packets += count;
    engine_.packets(PacketRun{st.info, st.direction(d), st.text[d], st.text[1 - d], frame, ts,
                              run.first(run_ends_[count - 1]), offset,
                              std::span<const std::uint32_t>(run_ends_.data(), count)});
}

void MqttStreams::emit_event(State& st, int d, StreamEventKind kind, std::uint64_t offset,
                             std::uint64_t size, mqtt::Code code, std::uint64_t frame, Timestamp ts) {
    const StreamEvent event{kind, st.direction(d), st.text[d], st.text[1 - d], frame, ts,
                            offset, size, code};
    engine_.stream_event(st.info, event);
}

}  // namespace mqttlens::engine
