#!/usr/bin/env bash
# Benchmark (not a test): how fast mqtt-craft writes many PUBLISH packets to a file.
# Target (issue 4): 1,000,000 PUBLISH packets to a file in under 1 s.
# Usage: tools/bench-craft.sh [BUILD_DIR] [COUNT]     (defaults: build, 1000000)
# Each case runs 3 times; the best wall-clock time is shown, with the output size checked.
set -euo pipefail

build=${1:-build}
count=${2:-1000000}
craft=$build/bin/mqtt-craft
[ -x "$craft" ] || { echo "bench-craft: $craft not found; build first (cmake --build $build)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

best_ms() {  # runs "$@" 3 times, prints the best wall time in ms
    local best=
    for _ in 1 2 3; do
        local t0 t1 ms
        t0=$(date +%s%N)
        "$@" >/dev/null
        t1=$(date +%s%N)
        ms=$(( (t1 - t0) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}

printf '%-34s %10s %12s %9s %14s\n' case packets bytes ms packets/s
row() {  # label, output file, command...
    local label=$1 file=$2
    shift 2
    local ms size
    ms=$(best_ms "$@")
    size=$(stat -c %s "$file")
    printf '%-34s %10d %12d %9d %14d\n' "$label" "$count" "$size" "$ms" $(( count * 1000 / (ms > 0 ? ms : 1) ))
    echo "$ms" > "$tmp/$label.ms"
}

row "raw, QoS 0, 4-byte payload" "$tmp/q0.bin" \
    "$craft" publish --topic sensors/t1 --payload 21.5 --count "$count" --out raw -o "$tmp/q0.bin"
row "raw, QoS 1, ids counting up" "$tmp/q1.bin" \
    "$craft" publish --topic sensors/t1 --payload 21.5 --qos 1 --count "$count" --out raw -o "$tmp/q1.bin"
row "raw, QoS 0, 100-byte payload" "$tmp/p100.bin" \
    "$craft" publish --topic sensors/t1 --payload-size 100 --count "$count" --out raw -o "$tmp/p100.bin"
row "hex lines" "$tmp/q0.hex" \
    "$craft" publish --topic sensors/t1 --payload 21.5 --count "$count" --out hex -o "$tmp/q0.hex"
row "pcap (TCP segment + ACK each)" "$tmp/q0.pcap" \
    "$craft" publish --topic sensors/t1 --payload 21.5 --count "$count" --out pcap -o "$tmp/q0.pcap"

# The QoS 0 file must hold exactly count packets of 18 bytes (30 10 00 0a sensors/t1 21.5).
size=$(stat -c %s "$tmp/q0.bin")
[ "$size" -eq $(( count * 18 )) ] || { echo "bench-craft: q0.bin has $size bytes, expected $(( count * 18 ))" >&2; exit 1; }
ms=$(cat "$tmp/raw, QoS 0, 4-byte payload.ms")
if [ "$count" -eq 1000000 ]; then
    if [ "$ms" -lt 1000 ]; then echo "target met: 1,000,000 PUBLISH packets written in $ms ms (< 1000 ms)"
    else echo "target MISSED: 1,000,000 PUBLISH packets took $ms ms (target < 1000 ms)"; exit 1; fi
fi
