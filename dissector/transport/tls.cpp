#include "transport/tls.hpp"

#include "transport/tls_handshake.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace mqttlens::transport {

namespace {

constexpr std::uint8_t change_cipher_spec = 20, alert_type = 21, handshake_type = 22, application_data = 23;
constexpr std::size_t header_size = 5;
// TLSCiphertext.length: at most 2^14 + 2048 in TLS 1.2 (RFC 5246 §6.2.3), 2^14 + 256 in TLS 1.3.
constexpr std::size_t max_fragment = 16384 + 2048;
constexpr std::uint16_t tls13 = 0x0304;

std::size_t fragment_length(const std::uint8_t* h) noexcept { return std::size_t(h[3]) << 8 | h[4]; }

bool plausible_header(const std::uint8_t* h) noexcept {
    return h[0] >= change_cipher_spec && h[0] <= application_data && h[1] == 3 && h[2] <= 4 &&
           fragment_length(h) <= max_fragment;
}

std::string hex(const Random& r, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += fmt::format("{:02x}", r[i]);
    return s;
}

}  // namespace

std::string tls_version_name(std::uint16_t version) {
    switch (version) {
        case 0x0301: return "TLS 1.0";
        case 0x0302: return "TLS 1.1";
        case 0x0303: return "TLS 1.2";
        case 0x0304: return "TLS 1.3";
        default: return fmt::format("0x{:04X}", version);
    }
}

std::string TlsInfo::summary() const {
    std::string s = server_hello ? tls_version_name(version) + " " + cipher_suite_name(cipher_suite) : "TLS";
    if (!sni.empty()) s += " sni=" + sni;
    if (!alpn.empty()) {
        s += " alpn=" + alpn;
    } else if (!alpn_offered.empty()) {
        s += " alpn_offered=";
        for (std::size_t i = 0; i < alpn_offered.size(); ++i) s += (i ? "," : "") + alpn_offered[i];
    }
    return s;
}

TlsProbe probe_tls(capture::Bytes b) noexcept {
    TlsProbe probe;
    if (b.empty()) return probe;
    const std::uint8_t start[3] = {handshake_type, 3, 1};  // a handshake record, ClientHello inside
    for (std::size_t i = 0; i < std::min<std::size_t>(b.size(), 2); ++i) {
        if (b[i] != start[i]) return {TlsProbe::Verdict::not_tls, false};
    }
    if (b.size() >= 3 && b[2] > 4) return {TlsProbe::Verdict::not_tls, false};
    if (b.size() >= 6 && b[5] != 1) return {TlsProbe::Verdict::not_tls, false};
    if (b.size() < header_size || b.size() < header_size + fragment_length(b.data())) return probe;
    if (fragment_length(b.data()) > 16384) return {TlsProbe::Verdict::not_tls, false};
    probe.verdict = TlsProbe::Verdict::tls;
    TlsInfo info;
    detail::Reader r(b.subspan(header_size, fragment_length(b.data())));
    r.u8();
    const std::size_t length = r.u24();
    detail::read_client_hello(r.take(std::min(length, r.left())), info);
    for (const std::string& name : info.alpn_offered) {
        probe.alpn_mqtt = probe.alpn_mqtt || name.starts_with("mqtt") || name == "x-amzn-mqtt-ca";
    }
    return probe;
}

struct TlsLayer::Side {
    std::vector<std::uint8_t> record;   // an unfinished record, header first
    std::uint64_t offset = 0;           // input bytes of this side consumed
    std::uint64_t record_at = 0;        // where the record in `record` starts
    bool lost = false;
    // After bytes lost in the capture, while decrypting: the bytes since, searched for the next
    // record that opens (resynchronise); `seeking_from` is the offset of pending[0].
    bool seeking = false;
    std::vector<std::uint8_t> pending;
    std::uint64_t seeking_from = 0;
    bool encrypted = false;             // protected records from here on (1.2: after its ChangeCipherSpec)
    bool failing = false;               // its first protected record failed: not tried again
    bool opened = false;                // a protected record of this side was opened
    bool on_application = false;        // 1.3: application traffic keys in use
    RecordOpener opener;
    TrafficKeys tls12_keys;             // 1.2: started at ChangeCipherSpec
    bool tls12_ready = false;
    Secret application;                 // 1.3: the application traffic secret (current or next)
    std::vector<std::uint8_t> handshake;  // handshake bytes not yet a whole message
    std::uint64_t skip = 0;             // bytes of an over-long handshake message still to skip
    std::vector<std::uint8_t> plain;    // decryption output, sized for the largest record once
};

TlsLayer::TlsLayer(int client_side, TlsOptions options)
    : client_(client_side), options_(options), side_{std::make_unique<Side>(), std::make_unique<Side>()} {}

TlsLayer::~TlsLayer() = default;

void TlsLayer::data(int d, capture::Bytes bytes, Output& out) {
    Side& s = *side_[d];
    if (s.seeking) return seek(d, bytes, out);
    while (!bytes.empty() && !s.lost) {
        if (s.record.empty() && bytes.size() >= header_size && plausible_header(bytes.data()) &&
            bytes.size() >= header_size + fragment_length(bytes.data())) {  // a whole record in place
            const std::size_t n = header_size + fragment_length(bytes.data());
            const std::uint64_t at = s.offset;
            s.offset += n;
            record(d, bytes[0], bytes.data(), bytes.subspan(header_size, n - header_size), at, out);
            bytes = bytes.subspan(n);
            continue;
        }
        if (s.record.empty()) s.record_at = s.offset;
        const std::size_t want = s.record.size() < header_size ? header_size
                                                                : header_size + fragment_length(s.record.data());
        const std::size_t take = std::min(bytes.size(), want - s.record.size());
        s.record.insert(s.record.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
        s.offset += take;
        bytes = bytes.subspan(take);
        if (s.record.size() == header_size && !plausible_header(s.record.data())) {
            const bool too_long = fragment_length(s.record.data()) > max_fragment;
            out.finding(d, {too_long ? "RFC8446-5.1" : "RFC8446-5", Severity::error, s.record_at,
                            too_long ? fmt::format("TLS record of {} bytes, over the limit of {}",
                                                   fragment_length(s.record.data()), max_fragment)
                                     : "not a TLS record header: the record layer of this side is lost"});
            lose(d, out);
            return;
        }
        if (s.record.size() >= header_size && s.record.size() == header_size + fragment_length(s.record.data())) {
            record(d, s.record[0], s.record.data(), capture::Bytes(s.record).subspan(header_size), s.record_at, out);
            s.record.clear();  // nothing below touches it; its capacity stays for the next one
        }
    }
    if (s.lost) s.offset += bytes.size();
}

void TlsLayer::record(int d, std::uint8_t type, const std::uint8_t* header, capture::Bytes fragment,
                      std::uint64_t at, Output& out) {
    Side& s = *side_[d];
    const bool v13 = info_.version == tls13;
    // 1.2: every record after the sender's ChangeCipherSpec; 1.3: application_data records after
    // the ServerHello (a ChangeCipherSpec or an early alert stays in the clear).
    if (s.encrypted && (v13 ? type == application_data : type != change_cipher_spec)) {
        return protected_record(d, header, fragment, at, out);
    }
    switch (type) {
        case handshake_type: return handshake_bytes(d, fragment, false, at, out);
        case alert_type: return alert(d, fragment, at, out);
        case change_cipher_spec:
            if (v13 || !info_.server_hello) return;  // 1.3: only for middleboxes (RFC 8446 §5)
            s.encrypted = true;
            if (s.tls12_ready) s.opener.start(*suite_, s.tls12_keys);
            return;
        default:  // application data without a handshake seen (the capture starts inside it)
            out.finding(d, {"", Severity::warning, at,
                            "TLS application data without its handshake: this side cannot be decrypted"});
            lose(d, out);
    }
}

void TlsLayer::protected_record(int d, const std::uint8_t* header, capture::Bytes fragment, std::uint64_t at,
                                Output& out) {
    Side& s = *side_[d];
    if (!s.opener.ready()) return;  // no keys (said once), or a side given up
    if (s.plain.size() < max_fragment) s.plain.resize(max_fragment);
    long n = s.opener.open(header, fragment, s.plain.data());
    if (n < 0 && info_.version == tls13 && !s.on_application && s.application) {
        // The Finished that switches to application keys went by unseen: try them.
        if (use_secret(d, s.application)) {
            s.on_application = true;
            n = s.opener.open(header, fragment, s.plain.data());
        }
    }
    if (n < 0) {
        if (!s.opened) {  // the key is wrong: said once per connection, and this side given up
            if (!wrong_key_said_) {
                out.finding(d, {"", Severity::warning, at,
                                "TLS records fail authentication with the key log's secrets: wrong key for this "
                                "client random; not decrypted"});
            }
            wrong_key_said_ = true;
            s.opener.stop();
            s.failing = true;
        } else {
            out.finding(d, {"", Severity::error, at, "TLS record fails authentication: its bytes are skipped"});
        }
        out.gap(d, 0);
        return;
    }
    s.opened = true;
    info_.decrypted = true;
    std::size_t size = static_cast<std::size_t>(n);
    std::uint8_t type = header[0];
    if (info_.version == tls13) {  // TLSInnerPlaintext: content, ContentType type, zeros
        while (size > 0 && s.plain[size - 1] == 0) --size;
        if (size == 0) {
            out.finding(d, {"RFC8446-5.4", Severity::error, at, "TLSInnerPlaintext without a content type"});
            return;
        }
        type = s.plain[--size];
    }
    const capture::Bytes content(s.plain.data(), size);
    switch (type) {
        case application_data: return out.data(d, content);
        case handshake_type: return handshake_bytes(d, content, true, at, out);
        case alert_type: return alert(d, content, at, out);
        default: out.finding(d, {"RFC8446-5", Severity::error, at, fmt::format("protected record of type {}", type)});
    }
}

void TlsLayer::handshake_bytes(int d, capture::Bytes bytes, bool encrypted, std::uint64_t at, Output& out) {
    Side& s = *side_[d];
    while (!bytes.empty()) {
        if (s.skip > 0) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(s.skip, bytes.size()));
            s.skip -= n;
            bytes = bytes.subspan(n);
            continue;
        }
        // Handshake = HandshakeType msg_type, uint24 length, body[length] (RFC 8446 §4)
        if (s.handshake.size() < 4) {
            const std::size_t take = std::min(bytes.size(), 4 - s.handshake.size());
            s.handshake.insert(s.handshake.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
            bytes = bytes.subspan(take);
            if (s.handshake.size() < 4) return;
        }
        const std::size_t length = std::size_t(s.handshake[1]) << 16 | std::size_t(s.handshake[2]) << 8 | s.handshake[3];
        if (length > options_.max_handshake_message) {
            s.skip = length;  // a certificate chain, say: not needed, not kept
            s.handshake.clear();
            continue;
        }
        const std::size_t take = std::min(bytes.size(), 4 + length - s.handshake.size());
        s.handshake.insert(s.handshake.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
        bytes = bytes.subspan(take);
        if (s.handshake.size() < 4 + length) return;
        const std::vector<std::uint8_t> message = std::move(s.handshake);
        s.handshake = {};
        handshake_message(d, message[0], capture::Bytes(message).subspan(4), encrypted, at, out);
    }
}

void TlsLayer::handshake_message(int d, std::uint8_t type, capture::Bytes body, bool encrypted, std::uint64_t at,
                                 Output& out) {
    Side& s = *side_[d];
    switch (type) {
        case 1:  // ClientHello
            if (d == client_ && !encrypted) detail::read_client_hello(body, info_);
            return;
        case 2:  // ServerHello
            if (d != client_ && !encrypted) server_hello(body, at, out);
            return;
        case 8:  // EncryptedExtensions
            detail::read_encrypted_extensions(body, info_);
            tell(d, at, out);
            return;
        case 20:  // Finished: in TLS 1.3 the sender's next records use its application keys
            if (info_.version == tls13 && encrypted && !s.on_application && s.application) {
                s.on_application = use_secret(d, s.application);
            }
            return;
        case 24:  // KeyUpdate: the sender's next records use its next application secret
            if (info_.version == tls13 && encrypted && s.on_application && suite_ &&
                tls13_next_secret(*suite_, s.application)) {
                use_secret(d, s.application);
            }
            return;
        default: return;
    }
}

void TlsLayer::server_hello(capture::Bytes body, std::uint64_t at, Output& out) {
    if (!detail::read_server_hello(body, info_)) return;  // a HelloRetryRequest: the next one counts
    suite_ = find_cipher_suite(info_.cipher_suite);
    start_keys(at, out);
}

void TlsLayer::start_keys(std::uint64_t at, Output& out) {
    const int server = 1 - client_;
    std::string keys;
    if (!suite_ || suite_->tls13 != (info_.version == tls13)) {
        keys = "not decrypted: this cipher suite is not one mqttlens decrypts";
    } else if (!options_.keys || options_.keys->empty()) {
        keys = "not decrypted: no key log (--tls-keylog, or a pcapng with its secrets)";
    } else if (!(secrets_ = options_.keys->find(info_.client_random))) {
        keys = "no key for this client random " + hex(info_.client_random, 8) + "...";
    } else if (info_.version == tls13) {
        Side& c = *side_[client_];
        Side& s = *side_[server];
        c.application = secrets_->client_application;
        s.application = secrets_->server_application;
        for (auto [side, hs] : {std::pair{&c, &secrets_->client_handshake}, std::pair{&s, &secrets_->server_handshake}}) {
            side->encrypted = true;
            const bool app = !*hs;  // a log with only application secrets: the handshake stays closed
            const int which = side == &c ? client_ : server;
            side->on_application = app && use_secret(which, side->application);
            if (!app) use_secret(which, *hs);
        }
        info_.have_keys = true;
        keys = "decrypted with the key log";
    } else if (secrets_->master) {
        Side& c = *side_[client_];
        Side& s = *side_[server];
        c.tls12_ready = s.tls12_ready = tls12_keys(*suite_, secrets_->master.view(), info_.client_random,
                                                   info_.server_random, c.tls12_keys, s.tls12_keys);
        info_.have_keys = c.tls12_ready;
        keys = info_.have_keys ? "decrypted with the key log" : "key block derivation failed";
    } else {
        keys = "no CLIENT_RANDOM line for this client random " + hex(info_.client_random, 8) + "...";
    }
    if (info_.version == tls13 && !info_.have_keys) side_[0]->encrypted = side_[1]->encrypted = true;
    keys_said_ = keys;
    // TLS 1.3 names the selected ALPN protocol in EncryptedExtensions: with keys, the note waits for it.
    if (!(info_.version == tls13 && info_.have_keys)) tell(1 - client_, at, out);
}

void TlsLayer::tell(int d, std::uint64_t at, Output& out) {
    if (told_ || !info_.server_hello) return;
    told_ = true;
    out.finding(d, {"", Severity::note, at, info_.summary() + ", " + keys_said_, true});
}

bool TlsLayer::use_secret(int d, const Secret& secret) {
    TrafficKeys keys;
    return suite_ && secret && tls13_traffic_keys(*suite_, secret.view(), keys) && side_[d]->opener.start(*suite_, keys);
}

void TlsLayer::alert(int d, capture::Bytes body, std::uint64_t at, Output& out) {
    if (body.size() < 2) return;
    const bool fatal = body[0] == 2;
    out.finding(d, {"", body[1] == 0 ? Severity::note : fatal ? Severity::error : Severity::warning, at,
                    fmt::format("TLS alert {} ({}, {})", detail::alert_name(body[1]), fatal ? "fatal" : "warning",
                                body[1])});
}

void TlsLayer::lose(int d, Output& out) {
    Side& s = *side_[d];
    s.lost = true;
    out.gap(d, 0);
}

void TlsLayer::gap(int d, std::uint64_t size, Output& out) {
    Side& s = *side_[d];
    const bool was_lost = s.lost;
    const std::uint64_t at = s.offset;
    s.offset += size;
    if (s.seeking) {  // more lost while looking: what was kept cannot hold the next record's start
        s.pending.clear();
        s.seeking_from = s.offset;
        return;
    }
    if (was_lost) return;
    if (s.opened && s.opener.ready()) {  // decrypting: look for the next record that opens
        out.finding(d, {"", Severity::warning, at,
                        fmt::format("{} bytes lost in the capture: looking for the next TLS record", size)});
        s.record.clear();
        s.seeking = true;
        s.seeking_from = s.offset;
        out.gap(d, 0);
        return;
    }
    out.finding(d, {"", Severity::warning, at,
                    fmt::format("{} bytes lost in the capture: TLS records of this side cannot be read after them",
                                size)});
    lose(d, out);
}

void TlsLayer::seek(int d, capture::Bytes bytes, Output& out) {
    // A record boundary cannot be seen in ciphertext: a candidate is a plausible application_data
    // header whose record opens with one of the next sequence numbers (records may have been lost
    // whole). The bytes kept while looking are bounded by two records.
    constexpr std::size_t max_pending = 2 * (header_size + max_fragment);
    constexpr std::uint64_t max_lost_records = 64;
    Side& s = *side_[d];
    s.offset += bytes.size();
    s.pending.insert(s.pending.end(), bytes.begin(), bytes.end());
    if (s.plain.size() < max_fragment) s.plain.resize(max_fragment);
    const std::uint64_t next = s.opener.sequence();
    for (std::size_t i = 0; i + header_size <= s.pending.size(); ++i) {
        const std::uint8_t* h = s.pending.data() + i;
        if (h[0] != application_data || h[1] != 3 || h[2] != 3 || fragment_length(h) > max_fragment ||
            fragment_length(h) < 17) {
            continue;
        }
        if (i + header_size + fragment_length(h) > s.pending.size()) {  // wait for the rest of it
            s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(i));
            s.seeking_from += i;
            return;
        }
        const capture::Bytes fragment(h + header_size, fragment_length(h));
        for (std::uint64_t seq = next; seq < next + max_lost_records; ++seq) {
            s.opener.set_sequence(seq);
            if (s.opener.open(h, fragment, s.plain.data()) < 0) continue;
            out.finding(d, {"", Severity::note, s.seeking_from + i,
                            fmt::format("TLS records found again here ({} record{} lost)", seq - next,
                                        seq - next == 1 ? "" : "s")});
            s.opener.set_sequence(seq);
            s.seeking = false;
            std::vector<std::uint8_t> rest(s.pending.begin() + static_cast<std::ptrdiff_t>(i), s.pending.end());
            s.pending = {};
            s.offset = s.seeking_from + i;
            return data(d, rest, out);
        }
        s.opener.set_sequence(next);
    }
    if (s.pending.size() > max_pending) {  // keep what could still start a record
        const std::size_t drop = s.pending.size() - (header_size + max_fragment);
        s.pending.erase(s.pending.begin(), s.pending.begin() + static_cast<std::ptrdiff_t>(drop));
        s.seeking_from += drop;
    }
}

void TlsLayer::close(Output& out) {
    tell(1 - client_, side_[1 - client_]->offset, out);
    for (int d = 0; d < 2; ++d) {
        Side& s = *side_[d];
        if (!s.lost && !s.record.empty()) {
            out.finding(d, {"", Severity::warning, s.record_at,
                            fmt::format("TLS record cut short by the end of the connection ({} bytes)", s.record.size())});
        }
    }
}

}  // namespace mqttlens::transport
