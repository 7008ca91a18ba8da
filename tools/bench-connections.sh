#!/usr/bin/env bash
# Peak memory per open connection: mqtt-dissect (and tshark) on synthetic captures of N MQTT
# connections that never end (tools/captures/open_connections.py), N = 1,000, 4,000, 16,000.
#
#   tools/bench-connections.sh [N...]
#
# Prints each peak RSS (GNU time's %M) and the slope between the smallest and largest N: the
# memory an open connection costs. MQTT_DISSECT=path picks the binary. Needs /usr/bin/time, tshark.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNTS=("$@")
((${#COUNTS[@]})) || COUNTS=(1000 4000 16000)
DISSECT=${MQTT_DISSECT:-$("$ROOT/tools/plain-build.sh")}
[[ -n $DISSECT && -x $DISSECT ]] || { echo "bench: mqtt-dissect not found; set MQTT_DISSECT=path" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (apt install time)" >&2; exit 2; }
TMP=$(mktemp -d /tmp/bench-connections.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

peak() { /usr/bin/time -f '%M' -o "$TMP/time" "$@" >/dev/null 2>&1 || true; tail -1 "$TMP/time"; }

echo "| open connections | mqtt-dissect peak RSS (MiB) | tshark peak RSS (MiB) |"
echo "|-----------------:|----------------------------:|----------------------:|"
first='' last='' first_n='' last_n=''
for n in "${COUNTS[@]}"; do
  /usr/bin/python3 "$ROOT/tools/captures/open_connections.py" "$n" "$TMP/c.pcap"
  m=$(peak "$DISSECT" "$TMP/c.pcap")
  t=n/a
  command -v tshark >/dev/null && t=$(awk -v k="$(peak tshark -r "$TMP/c.pcap" -Y mqtt)" 'BEGIN { printf "%.1f", k / 1024 }')
  printf '| %16s | %27.1f | %21s |\n' "$n" "$(awk -v k="$m" 'BEGIN { print k / 1024 }')" "$t"
  [[ -z $first ]] && { first=$m; first_n=$n; }
  last=$m last_n=$n
done
if ((last_n > first_n)); then
  awk -v a="$first" -v b="$last" -v n="$first_n" -v m="$last_n" \
    'BEGIN { printf "\nmqtt-dissect: %.2f KiB per open connection\n", (b - a) / (m - n) }'
fi
