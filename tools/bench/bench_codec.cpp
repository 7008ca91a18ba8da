// bench_codec: decode, encode and framing throughput over realistic traffic, and heap
// allocations per decoded packet (counted by replacing the global operator new).
//
// Build Release for figures that mean something:
//   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release
//   build-release/bin/bench_codec
#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "mqtt/framer.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <new>
#include <string>
#include <vector>

// ---------------------------------------------------------------------------------------------
// Every heap allocation of the process goes through here and is counted.

namespace {
std::atomic<std::uint64_t> allocations{0};

void* counted_alloc(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void* counted_alloc(std::size_t size, std::align_val_t align) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    auto a = static_cast<std::size_t>(align);
    if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
    throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, std::align_val_t a) { return counted_alloc(size, a); }
void* operator new[](std::size_t size, std::align_val_t a) { return counted_alloc(size, a); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size ? size : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

using namespace mqttlens::mqtt;

// ---------------------------------------------------------------------------------------------
// Traffic

class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }

private:
    std::uint64_t state_;
};

/// Packets laid out back to back in one buffer, as they would arrive on a connection.
struct Traffic {
    std::vector<std::uint8_t> stream;
    std::vector<Bytes> packets;  // views into `stream`
    Version version = Version::v3_1_1;  // what the packets are decoded as
};

class TrafficBuilder {
public:
    explicit TrafficBuilder(std::uint64_t seed) : rng_(seed) {}

    /// A sensor-style QoS 0 PUBLISH: ~20-byte topic, 4..31-byte payload (about 30..60 bytes).
    void small_publish() {
        Publish p{topic(), std::nullopt, payload(4 + rng_.below(28))};
        add(make_packet(PacketType::publish, p, 0));
    }
    /// The same as an MQTT 5.0 PUBLISH with a few properties: Payload Format Indicator 1,
    /// Message Expiry Interval 3600, User Property ("unit", "C").
    void small_publish_v5() {
        static constexpr std::uint8_t properties[] = {0x01, 0x01, 0x02, 0x00, 0x00, 0x0E, 0x10, 0x26, 0x00, 0x04,
                                                      'u',  'n',  'i',  't',  0x00, 0x01, 'C'};
        Publish p{topic(), std::nullopt, payload(4 + rng_.below(28)), PropertyList(properties)};
        add(make_packet(PacketType::publish, p, 0));
        traffic_.version = Version::v5_0;
    }
    void qos1_publish_and_ack() {
        auto id = static_cast<std::uint16_t>(1 + rng_.below(65535));
        add(make_packet(PacketType::publish, Publish{topic(), id, payload(16 + rng_.below(200))}, 0x02));
        add(make_packet(PacketType::puback, Ack{id}));
    }
    void subscribe() {
        std::vector<Subscription> subs;
        for (std::uint32_t n = 1 + rng_.below(3); n > 0; --n)
            subs.push_back({keep("site/" + std::to_string(rng_.below(10)) + "/+/temp"),
                            static_cast<std::uint8_t>(rng_.below(2))});
        auto& storage = storage_.emplace_back();
        auto id = static_cast<std::uint16_t>(1 + rng_.below(65535));
        add(make_packet(PacketType::subscribe, Subscribe{id, build_subscriptions(storage, subs)}));
    }
    void connect() {
        Connect c;
        c.flags = Connect::make_flags(true, false, 0, false, true, true);
        c.client_id = keep("sensor-gw-" + std::to_string(rng_.below(100000)));
        c.username = "gateway";
        c.password = as_bytes("s3cr3t-t0ken");
        add(make_packet(PacketType::connect, c));
    }
    void pingreq() { add(make_packet(PacketType::pingreq, Empty{})); }

    /// Mostly small QoS 0 PUBLISH, some QoS 1 PUBLISH + PUBACK, SUBSCRIBE, CONNECT, PINGREQ.
    void mix(std::size_t count) {
        while (sizes_.size() < count) {
            std::uint32_t r = rng_.below(100);
            if (r < 82) small_publish();
            else if (r < 92) qos1_publish_and_ack();
            else if (r < 95) subscribe();
            else if (r < 96) connect();
            else pingreq();
        }
    }

    Traffic take() {
        // Views are taken only now: the stream no longer moves.
        std::size_t at = 0;
        for (std::size_t size : sizes_) {
            traffic_.packets.emplace_back(traffic_.stream.data() + at, size);
            at += size;
        }
        return std::move(traffic_);
    }

private:
    void add(const Packet& p) { sizes_.push_back(encode(p, traffic_.stream)); }
    std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }
    std::string_view topic() {
        static constexpr std::array<std::string_view, 4> kinds = {"temp", "humidity", "co2", "door"};
        return keep("site/" + std::to_string(rng_.below(10)) + "/room/" + std::to_string(rng_.below(50)) +
                    "/" + std::string(kinds[rng_.below(4)]));
    }
    Bytes payload(std::size_t n) {
        auto& b = storage_.emplace_back(n);
        for (auto& x : b) x = static_cast<std::uint8_t>('0' + rng_.below(10));
        return Bytes(b);
    }

    Rng rng_;
    Traffic traffic_;
    std::vector<std::size_t> sizes_;
    std::deque<std::string> strings_;
    std::deque<std::vector<std::uint8_t>> storage_;
};

Traffic small_publishes() {
    TrafficBuilder b(1);
    for (int i = 0; i < 1024; ++i) b.small_publish();
    return b.take();
}

Traffic mixed(std::size_t count) {
    TrafficBuilder b(2);
    b.mix(count);
    return b.take();
}

Traffic small_publishes_v5() {
    TrafficBuilder b(1);
    for (int i = 0; i < 1024; ++i) b.small_publish_v5();
    return b.take();
}

const Traffic& small_traffic() { static const Traffic t = small_publishes(); return t; }
const Traffic& small_traffic_v5() { static const Traffic t = small_publishes_v5(); return t; }
const Traffic& mixed_traffic() { static const Traffic t = mixed(4096); return t; }
const Traffic& long_stream() { static const Traffic t = mixed(160'000); return t; }  // ~8 MB

/// Every packet of `t` must decode without an error, or the figures mean nothing.
bool all_valid(const Traffic& t) {
    for (Bytes b : t.packets)
        if (!decode(b, t.version).valid()) return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

void decode_loop(benchmark::State& state, const Traffic& t) {
    if (!all_valid(t)) {
        state.SkipWithError("traffic does not decode as valid");
        return;
    }
    const std::size_t n = t.packets.size();
    std::size_t i = 0, bytes = 0;
    const std::uint64_t before = allocations.load();
    for (auto _ : state) {
        Bytes b = t.packets[i];
        Packet p = decode(b, t.version);
        benchmark::DoNotOptimize(p);
        bytes += b.size();
        if (++i == n) i = 0;
    }
    const std::uint64_t allocs = allocations.load() - before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["allocs/packet"] =
        static_cast<double>(allocs) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

void BM_DecodeSmallPublish(benchmark::State& state) { decode_loop(state, small_traffic()); }
void BM_DecodeMix(benchmark::State& state) { decode_loop(state, mixed_traffic()); }
void BM_DecodeSmallPublishV5(benchmark::State& state) { decode_loop(state, small_traffic_v5()); }

void encode_loop(benchmark::State& state, const Traffic& t) {
    std::vector<Packet> packets;
    for (Bytes b : t.packets) packets.push_back(decode(b, t.version));
    std::vector<std::uint8_t> out;
    out.reserve(1 << 16);
    const std::size_t n = packets.size();
    std::size_t i = 0, bytes = 0;
    const std::uint64_t before = allocations.load();
    for (auto _ : state) {
        out.clear();
        bytes += encode(packets[i], out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
        if (++i == n) i = 0;
    }
    const std::uint64_t allocs = allocations.load() - before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.counters["allocs/packet"] =
        static_cast<double>(allocs) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}

void BM_EncodeSmallPublish(benchmark::State& state) { encode_loop(state, small_traffic()); }
void BM_EncodeMix(benchmark::State& state) { encode_loop(state, mixed_traffic()); }
void BM_EncodeSmallPublishV5(benchmark::State& state) { encode_loop(state, small_traffic_v5()); }

/// Feeds the whole long stream in TCP-sized chunks (state.range(0) bytes), framing every packet;
/// with `and_decode`, decodes each framed packet too.
void stream_loop(benchmark::State& state, bool and_decode) {
    const Traffic& t = long_stream();
    const auto chunk = static_cast<std::size_t>(state.range(0));
    std::size_t packets = 0;
    const std::uint64_t before = allocations.load();
    for (auto _ : state) {
        Framer framer;
        for (std::size_t at = 0; at < t.stream.size(); at += chunk) {
            framer.feed(Bytes(t.stream.data() + at, std::min(chunk, t.stream.size() - at)));
            for (Frame f = framer.next(); f.status == Frame::Status::packet; f = framer.next()) {
                ++packets;
                if (and_decode) {
                    Packet p = decode(f.packet);
                    benchmark::DoNotOptimize(p);
                } else {
                    benchmark::DoNotOptimize(f);
                }
            }
        }
    }
    const std::uint64_t allocs = allocations.load() - before;
    if (packets != t.packets.size() * static_cast<std::size_t>(state.iterations()))
        state.SkipWithError("framer lost packets");
    state.SetItemsProcessed(static_cast<std::int64_t>(packets));
    state.SetBytesProcessed(static_cast<std::int64_t>(t.stream.size() * state.iterations()));
    state.counters["stream_MB"] = static_cast<double>(t.stream.size()) / 1e6;
    state.counters["allocs/packet"] = static_cast<double>(allocs) / static_cast<double>(std::max<std::size_t>(1, packets));
}

void BM_FrameStream(benchmark::State& state) { stream_loop(state, false); }
void BM_FrameAndDecodeStream(benchmark::State& state) { stream_loop(state, true); }

BENCHMARK(BM_DecodeSmallPublish);
BENCHMARK(BM_DecodeMix);
BENCHMARK(BM_DecodeSmallPublishV5);
BENCHMARK(BM_EncodeSmallPublish);
BENCHMARK(BM_EncodeMix);
BENCHMARK(BM_EncodeSmallPublishV5);
BENCHMARK(BM_FrameStream)->Arg(1448)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FrameAndDecodeStream)->Arg(1448)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
