// Sessions over craft::open_link links: `jobs` threads take the next session in turn, each on a
// connection of its own.
#include "fuzz_link.hpp"

#include "fuzz_observer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace mqttlens::probe {

namespace {

using craft::Clock;

/// One session's connection: its events kept when `record`.
class LinkSession {
public:
    LinkSession(const Packets& packets, bool record, Exchange& e) : packets_(packets), record_(record), e_(e) {}

    /// Runs the session by `deadline`; true when it ended at the bound with nothing received.
    bool run(const Route& route, Clock::time_point deadline, std::atomic<std::uint64_t>& opened) {
        craft::OpenedLink c = craft::open_link(route.target, route.link, deadline);
        if (!c.link) return not_opened(c, opened);
        e_.opened_order = ++opened;
        note(WireEvent::Kind::opened);
        std::vector<std::uint8_t> bytes;
        for (const auto& p : packets_) bytes.insert(bytes.end(), p.begin(), p.end());
        Observer observer(e_.violations);
        observer.client(mqtt::Bytes(bytes));
        if (c.link->send(mqtt::Bytes(bytes)).status == craft::IoStatus::ok)
            for (const auto& p : packets_) note(WireEvent::Kind::sent, p);
        std::vector<std::uint8_t> got;
        std::size_t received = 0;
        for (;;) {
            got.clear();
            const craft::Io io = c.link->receive(got, deadline);
            if (io.status != craft::IoStatus::ok) {
                e_.end = io.status == craft::IoStatus::timeout  ? End::bound
                         : io.status == craft::IoStatus::closed ? End::broker_closed
                                                                : End::broker_reset;  // reset, TLS or WebSocket broken
                break;
            }
            note(WireEvent::Kind::received, got);
            observer.server(mqtt::Bytes(got));
            if ((received += got.size()) > max_received) {
                e_.end = End::bound;
                break;
            }
        }
        closed();
        return e_.end == End::bound && received == 0;
    }

private:
    /// open_link failed: where it stopped says how the session ended.
    bool not_opened(const craft::OpenedLink& c, std::atomic<std::uint64_t>& opened) {
        const bool tcp_opened = !c.local.empty();
        e_.end = c.failure == craft::OpenFailure::timeout ? End::bound
                 : tcp_opened                            ? End::broker_reset  // the handshake or the upgrade failed
                                                         : End::refused;
        if (!tcp_opened) return e_.end == End::bound;
        e_.opened_order = ++opened;
        note(WireEvent::Kind::opened);
        closed();
        return e_.end == End::bound;
    }

    void closed() {
        note(e_.end == End::broker_closed  ? WireEvent::Kind::broker_closed
             : e_.end == End::broker_reset ? WireEvent::Kind::broker_reset
                                           : WireEvent::Kind::probe_closed);
    }

    void note(WireEvent::Kind kind, mqtt::Bytes bytes = {}) {
        if (record_) e_.wire.push_back({kind, 0, unix_ns(), {bytes.begin(), bytes.end()}});
    }

    const Packets& packets_;
    bool record_;
    Exchange& e_;
};

}  // namespace

std::vector<Exchange> run_link_sessions(const Route& route, const std::vector<Packets>& sessions,
                                        const PumpOptions& o, const std::atomic<bool>& stop) {
    std::vector<Exchange> results(sessions.size());
    for (Exchange& e : results) e.end = End::refused;  // until started
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> opened{0};
    std::atomic<unsigned> stuck{0};  // sessions in a row that ended at the bound with nothing received
    const unsigned give_up = std::max(4u, o.jobs);
    auto worker = [&] {
        while (!stop.load(std::memory_order_relaxed) && stuck.load() < give_up) {
            const std::size_t i = next.fetch_add(1);
            if (i >= sessions.size()) return;
            results[i].started = true;
            const auto deadline = Clock::now() + std::chrono::milliseconds(o.case_ms);
            if (LinkSession(sessions[i], o.record, results[i]).run(route, deadline, opened)) ++stuck;
            else stuck = 0;
        }
    };
    std::vector<std::thread> threads;
    const std::size_t n = std::min<std::size_t>(std::max(1u, o.jobs), sessions.size());
    for (std::size_t j = 1; j < n; ++j) threads.emplace_back(worker);
    worker();
    for (std::thread& t : threads) t.join();
    return results;
}

std::string link_liveness(const Route& route, const std::string& client_id, unsigned timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    craft::OpenedLink c = craft::open_link(route.target, route.link, deadline);
    if (!c.link) return fmt::format("liveness: {} failed: {}", c.stage.empty() ? "opening" : c.stage, c.error);
    const std::vector<std::uint8_t> out = liveness_request(client_id);
    if (c.link->send(mqtt::Bytes(out)).status != craft::IoStatus::ok) return "liveness: CONNECT not sent";
    LivenessReply reply;
    std::vector<std::uint8_t> got;
    for (;;) {
        got.clear();
        const craft::Io io = c.link->receive(got, deadline);
        if (io.status == craft::IoStatus::timeout)
            return fmt::format("liveness: no {} within {} ms", reply.awaited(), timeout_ms);
        if (io.status == craft::IoStatus::closed) return "liveness: the broker closed the connection";
        if (io.status != craft::IoStatus::ok)
            return fmt::format("liveness: the connection broke{}", io.detail.empty() ? "" : ": " + io.detail);
        if (reply.feed(mqtt::Bytes(got))) break;
    }
    c.link->shutdown(Clock::now() + std::chrono::milliseconds(std::min(timeout_ms, 200u)));
    return {};
}

}  // namespace mqttlens::probe
