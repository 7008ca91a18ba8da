#!/usr/bin/env bash
# Peak memory and wall time on the generated captures of the bounded-memory targets:
#   (a) 200,000 connections to port 1883 that each hold a SYN and a 3-byte partial CONNECT and
#       never end (tools/captures/partial_connects.py): peak RSS <= 64 MiB with all of them held;
#   (b) 1,000,000 PINGREQs over 1,000 connections (tools/captures/pings.py): under 1 s.
#
#   tools/bench-memory.sh [-n RUNS] [--tshark-all]
#
# Output goes to /dev/null. Each row is the median wall time and the largest peak RSS (GNU time's
# %e and %M) of RUNS runs (default 3). (a) runs twice: with --max-connections 200000 (every
# connection held) and with the default bound (the least recently active are evicted beyond it).
# tshark runs once beside (a); beside (b) only with --tshark-all (it takes about 40 s).
# MQTT_DISSECT=path picks the binary. Needs /usr/bin/time; tshark is optional.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=3 TSHARK_ALL=
while (($#)); do
  case $1 in
    -n) RUNS=$2; shift 2 ;;
    --tshark-all) TSHARK_ALL=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
DISSECT=${MQTT_DISSECT:-$("$ROOT/tools/plain-build.sh")}
[[ -n $DISSECT && -x $DISSECT ]] || { echo "bench: mqtt-dissect not found; set MQTT_DISSECT=path" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (apt install time)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/bench-memory.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# measure RUNS CMD...: prints "MiB seconds": the largest peak RSS and the median wall time.
measure() {
  local runs=$1 i
  shift
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f '%M %e' -o "$TMP/time" "$@" >/dev/null 2>&1 || true
    tail -1 "$TMP/time"
  done | sort -k2 -n | awk '{ k[NR] = $1; t[NR] = $2; if ($1 > m) m = $1 }
                            END { printf "%.1f %.2f\n", m / 1024, t[int((NR + 1) / 2)] }'
}

row() {  # row CAPTURE TOOL RUNS CMD...
  local capture=$1 tool=$2 runs=$3
  shift 3
  read -r mib sec < <(measure "$runs" "$@")
  printf '| %-41s | %-44s | %13s | %8s |\n' "$capture" "$tool" "$mib" "$sec"
}

/usr/bin/python3 "$ROOT/tools/captures/partial_connects.py" 200000 "$TMP/partial.pcap"
/usr/bin/python3 "$ROOT/tools/captures/pings.py" 1000 1000000 "$TMP/pings.pcap"

echo "| capture                                   | command                                      | peak RSS (MiB) | wall (s) |"
echo "|-------------------------------------------|----------------------------------------------|---------------:|---------:|"
A="(a) 200,000 idle connections"
B="(b) 1,000,000 PINGREQs, 1,000 connections"
if "$DISSECT" --help | grep -q -- --max-connections; then
  row "$A" "mqtt-dissect --max-connections 200000" "$RUNS" "$DISSECT" --max-connections 200000 "$TMP/partial.pcap"
  row "$A" "mqtt-dissect (default bound)" "$RUNS" "$DISSECT" "$TMP/partial.pcap"
else  # a build from before the bound
  row "$A" "mqtt-dissect (no bound)" "$RUNS" "$DISSECT" "$TMP/partial.pcap"
fi
command -v tshark >/dev/null && row "$A" "tshark -r FILE -Y mqtt" 1 tshark -r "$TMP/partial.pcap" -Y mqtt
row "$B" "mqtt-dissect" "$RUNS" "$DISSECT" "$TMP/pings.pcap"
[[ -n $TSHARK_ALL ]] && command -v tshark >/dev/null && row "$B" "tshark -r FILE -Y mqtt" 1 tshark -r "$TMP/pings.pcap" -Y mqtt
true
