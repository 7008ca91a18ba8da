// bench_output: what one printed line costs, per format, for capture traffic: the summary line,
// JSON and the tree of a small PUBLISH with its capture context (frame, times, addresses), ten
// packets per capture record as in a busy connection. The print thread of mqtt-dissect spends
// its time here.
//
//   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release
//   build-release/bin/bench_output
#include "mqtt/decoder.hpp"
#include "mqtt/encoder.hpp"
#include "output/printer.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace mqttlens;

/// 1,000 PUBLISH packets like the capture script's burst: topic "bench/q0/N", payload
/// "sensor-N reading M", QoS 0 and (one in four) QoS 1 with a packet identifier.
std::vector<std::vector<std::uint8_t>> burst() {
    std::vector<std::vector<std::uint8_t>> packets;
    for (int i = 0; i < 1000; ++i) {
        mqtt::Publish p;
        const std::string topic = "bench/q0/" + std::to_string(i % 7);
        const std::string payload = "sensor-" + std::to_string(i % 7) + " reading " + std::to_string(i);
        p.topic = topic;
        p.payload = {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()};
        const bool qos1 = i % 4 == 0;
        if (qos1) p.packet_id = static_cast<std::uint16_t>(i + 1);
        std::vector<std::uint8_t> bytes;
        mqtt::encode(mqtt::make_packet(mqtt::PacketType::publish, p, qos1 ? 0x02 : 0x00), bytes);
        packets.push_back(std::move(bytes));
    }
    return packets;
}

void print_loop(benchmark::State& state, output::Format format) {
    const auto packets = burst();
    std::vector<mqtt::Packet> decoded;
    for (const auto& p : packets) decoded.push_back(mqtt::decode(p));
    const std::string src = "127.0.0.1:53972";
    const std::string dst = "127.0.0.1:1883";
    output::PrintOptions options;
    options.format = format;
    output::Buffer out;
    std::size_t i = 0;
    std::uint64_t offset = 0;
    std::size_t bytes = 0;
    output::Context c;  // one, as in mqtt-dissect's print thread: every field is set per packet
    for (auto _ : state) {
        c.frame = 1 + i / 10;  // ten packets per capture record
        c.ts = output::Timestamp{1795643238, 377707000u + static_cast<std::uint32_t>(i / 10)};
        c.rel_time = output::Timestamp{0, 181790000u + static_cast<std::uint32_t>(i / 10)};
        c.stream = 1;
        c.src = src;
        c.dst = dst;
        c.direction = output::Direction::c2s;
        c.offset = offset;
        const mqtt::Packet& p = decoded[i % decoded.size()];
        offset += p.raw.size();
        output::print_packet(out, p, c, options);
        if (out.size() > 256 * 1024) {
            bytes += out.size();
            out.clear();
        }
        ++i;
    }
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void BM_PrintSummary(benchmark::State& state) { print_loop(state, output::Format::summary); }
void BM_PrintJson(benchmark::State& state) { print_loop(state, output::Format::json); }
void BM_PrintTree(benchmark::State& state) { print_loop(state, output::Format::tree); }

BENCHMARK(BM_PrintSummary);
BENCHMARK(BM_PrintJson);
BENCHMARK(BM_PrintTree);

}  // namespace

BENCHMARK_MAIN();
