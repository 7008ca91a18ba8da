#!/usr/bin/env bash
# Benchmark (not a test): sessions per second of `mqtt-probe fuzz` against a mosquitto started here
# on 127.0.0.1 (a free port, its config in a temp dir, stopped by pid at the end).
# Target (issue 14): at least 2,000 sessions per second on loopback on a 2-core machine.
# Usage: tools/bench-probe-fuzz.sh [BUILD_DIR] [SECONDS] [JOBS]   (defaults: build, 10, 32)
# Prints the JSON summary and one line: cases, seconds, sessions/s (findings' minimisation included).
set -euo pipefail

build=${1:-build}
seconds=${2:-10}
jobs=${3:-32}
probe=$build/bin/mqtt-probe
[ -x "$probe" ] || { echo "bench-probe-fuzz: $probe not found; build first (cmake --build $build --target mqtt-probe)" >&2; exit 2; }
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[ -x "$mosquitto" ] || { echo "bench-probe-fuzz: mosquitto not installed" >&2; exit 2; }

tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" > "$tmp/mosquitto.conf"
"$mosquitto" -c "$tmp/mosquitto.conf" > "$tmp/mosquitto.log" 2>&1 &
pid=$!
for _ in $(seq 100); do  # 10 s at most
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done

echo "mosquitto $("$mosquitto" -h 2>/dev/null | head -1 | awk '{print $3}') on 127.0.0.1:$port; $(nproc) cores"
"$probe" fuzz "127.0.0.1:$port" --duration "$seconds" -j "$jobs" --seed 1 --json --save "$tmp/findings" \
    > "$tmp/summary.json" || true
cat "$tmp/summary.json"
python3 - "$tmp/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{d['cases']} cases in {d['seconds']:.2f} s: {d['cases'] / d['seconds']:.0f} sessions/s, "
      f"{len(d['findings'])} finding(s), {d['replays']} replays")
PY
