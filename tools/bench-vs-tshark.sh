#!/usr/bin/env bash
# Time mqtt-dissect beside tshark and tcpdump on the same capture, in the same run.
#
#   tools/bench-vs-tshark.sh [-n RUNS] CAPTURE...   one table per capture
#   tools/bench-vs-tshark.sh [-n RUNS] --scale N     make N- and 4N-message captures with
#                                                    tools/make-captures.sh --big (kept in out/),
#                                                    bench both, and compare peak memory
#
# The commands run in turns, RUNS rounds (default 3), after one warm-up read of the file; the
# table shows the median wall time (taken by the shell around the command alone) and the largest
# peak RSS of three more runs under GNU time (%M). The ratio to tcpdump is given twice: of the
# medians, and the median of each round's own ratio (steadier on a machine with slow phases).
# Output goes to /dev/null. Paths with spaces are not supported. A TLS capture's key log
# (NAME.keys beside NAME.pcap) is given to both mqtt-dissect and tshark.
# MQTT_DISSECT=path picks the binary (default: the newest build*/bin/mqtt-dissect not built with
# sanitizers or for fuzzing).
# Needs: GNU time (/usr/bin/time, package "time"), tshark, tcpdump.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=3 SCALE=
CAPTURES=()
while (($#)); do
  case $1 in
    -n) RUNS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) CAPTURES+=("$1"); shift ;;
  esac
done

[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (apt install time)" >&2; exit 2; }
for tool in tshark tcpdump; do
  command -v $tool >/dev/null || { echo "bench: $tool missing" >&2; exit 2; }
done
DISSECT=${MQTT_DISSECT:-$("$ROOT/tools/plain-build.sh")}
[[ -n $DISSECT && -x $DISSECT ]] ||
  { echo "bench: mqtt-dissect not found; build it or set MQTT_DISSECT=path" >&2; exit 2; }

TMP=$(mktemp -d /tmp/bench-vs-tshark.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# run_once CMD...: runs CMD once, output to /dev/null; sets US (wall microseconds, from the shell's
# own clock: nothing else is started inside the interval). Exit 1 (rules broken) is fine for
# mqtt-dissect; 2 and up is a failure.
run_once() {
  local start end rc=0
  start=${EPOCHREALTIME/[.,]/}
  "$@" >/dev/null 2>"$TMP/stderr" || rc=$?
  end=${EPOCHREALTIME/[.,]/}
  if ((rc > 1)); then
    echo "bench: '$*' failed (exit $rc): $(head -3 "$TMP/stderr")" >&2
    exit 1
  fi
  US=$((end - start))
}

# peak_rss CMD...: the peak RSS in KiB of one run (GNU time's %M), in a run of its own.
peak_rss() {
  /usr/bin/time -f '%M' -o "$TMP/time" "$@" >/dev/null 2>/dev/null || true
  tail -1 "$TMP/time"
}

# measure_all: the commands of CMDS (name -> command) in turns, RUNS rounds, so that a slow
# moment of the machine falls on all of them alike; RESULT[name] = "median-us max-rss-KiB".
measure_all() {
  local name round m
  declare -A walls=() rss=()
  for ((round = 0; round < RUNS; round++)); do
    for name in "${ORDER[@]}"; do
      # shellcheck disable=SC2086 # the commands are word lists of ours
      run_once ${CMDS[$name]}
      walls[$name]+="$US "
    done
  done
  for ((round = 0; round < 3; round++)); do
    for name in "${ORDER[@]}"; do
      # shellcheck disable=SC2086
      m=$(peak_rss ${CMDS[$name]})
      ((m > ${rss[$name]:-0})) && rss[$name]=$m
    done
  done
  for name in "${ORDER[@]}"; do
    # shellcheck disable=SC2086
    RESULT[$name]="$(printf '%s\n' ${walls[$name]} | sort -n | sed -n "$(((RUNS + 1) / 2))p") ${rss[$name]}"
  done
  # Each round's own ratio to tcpdump (the commands of a round run within a second of each
  # other, so a slow phase of the machine weighs on both sides of it), and their median.
  for name in "${ORDER[@]}"; do
    # shellcheck disable=SC2086 # lists of numbers, split on purpose
    PAIRED[$name]=$(paste <(printf '%s\n' ${walls[$name]}) <(printf '%s\n' ${walls[tcpdump]}) |
      awk '{ print $1 / $2 }' | sort -g | sed -n "$(((RUNS + 1) / 2))p")
  done
}

declare -A RESULT PAIRED
fmt_s() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1e6 }'; }
fmt_mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

bench_one() {
  local cap=$1
  [[ -r $cap ]] || { echo "bench: cannot read $cap" >&2; exit 2; }
  cat "$cap" >/dev/null # warm the page cache for everyone alike
  local frames size mqtt
  size=$(stat -c %s "$cap")
  frames=$(capinfos -M -c -T "$cap" 2>/dev/null | tail -1 | cut -f2 || echo '?')
  # A TLS capture's key log beside it (NAME.keys) goes to both: mqtt-dissect and tshark decrypt.
  local keys=${cap%.*}.keys dkeys= tkeys=
  [[ -r $keys ]] && dkeys="--tls-keylog $keys" tkeys="-o tls.keylog_file:$keys"
  declare -gA CMDS=(
    [dissect]="$DISSECT $dkeys $cap"
    [json]="$DISSECT --json $dkeys $cap"
    [tshark]="tshark -r $cap $tkeys -Y mqtt"
    [tcpdump]="tcpdump -r $cap -w /dev/null"
  )
  ORDER=(dissect json tshark tcpdump)
  measure_all
  # shellcheck disable=SC2086 # $dkeys: two words or none
  mqtt=$("$DISSECT" --json $dkeys "$cap" 2>/dev/null | grep -c '"type"' || true)
  echo
  echo "capture: $cap ($(numfmt --to=iec-i --suffix=B "$size"), $frames frames, $mqtt MQTT packets per mqtt-dissect)"
  echo "median of $RUNS runs; mqtt-dissect = $DISSECT"
  printf '| %-40s | %10s | %14s | %15s |\n' command "wall (s)" "peak RSS (MiB)" "vs mqtt-dissect"
  printf '|%s|%s|%s|%s|\n' "------------------------------------------" "-----------:" "---------------:" "----------------:"
  local key label w r d
  d=${RESULT[dissect]%% *}
  for key in dissect json tshark tcpdump; do
    case $key in
      dissect) label="mqtt-dissect FILE" ;;
      json) label="mqtt-dissect --json FILE" ;;
      tshark) label="tshark -r FILE -Y mqtt" ;;
      tcpdump) label="tcpdump -r FILE -w /dev/null" ;;
    esac
    read -r w r <<<"${RESULT[$key]}"
    printf '| %-40s | %10s | %14s | %15s |\n' "$label > /dev/null" "$(fmt_s "$w")" "$(fmt_mib "$r")" \
      "$(ratio "$w" "$d")x"
  done
  echo
  local j=${RESULT[json]%% *} t=${RESULT[tshark]%% *} p=${RESULT[tcpdump]%% *}
  echo "tshark / mqtt-dissect:  $(ratio "$t" "$d")x, --json $(ratio "$t" "$j")x  (target >= 30)"
  echo "mqtt-dissect / tcpdump: $(ratio "$d" "$p")x, --json $(ratio "$j" "$p")x  (target <= 3; medians of each)"
  echo "                        $(ratio "${PAIRED[dissect]}" 1)x, --json $(ratio "${PAIRED[json]}" 1)x  (median of each round's ratio)"
  echo "mqtt-dissect peak RSS:  $(fmt_mib "${RESULT[dissect]##* }") MiB, --json $(fmt_mib "${RESULT[json]##* }") MiB (target < 32)"
  LAST_RSS="${RESULT[dissect]##* } ${RESULT[json]##* } ${RESULT[tshark]##* }"
}

if [[ -n $SCALE ]]; then
  [[ $SCALE =~ ^[0-9]+$ ]] || { echo "--scale needs a message count" >&2; exit 2; }
  declare -A MEM
  for n in "$SCALE" $((SCALE * 4)); do
    cap=$ROOT/out/bench-$n.pcap
    if [[ ! -s $cap ]]; then
      "$ROOT/tools/make-captures.sh" --big "$n" --out "$cap" >&2
    fi
    bench_one "$cap"
    MEM[$n]=$LAST_RSS
  done
  echo
  echo "memory as the capture grows (peak RSS, MiB):"
  printf '| %-12s | %12s | %20s | %10s |\n' messages mqtt-dissect "mqtt-dissect --json" tshark
  printf '|%s|%s|%s|%s|\n' "-------------:" "-------------:" "---------------------:" "-----------:"
  for n in "$SCALE" $((SCALE * 4)); do
    read -r a b c <<<"${MEM[$n]}"
    printf '| %12s | %12s | %20s | %10s |\n' "$n" "$(fmt_mib "$a")" "$(fmt_mib "$b")" "$(fmt_mib "$c")"
  done
  exit 0
fi

((${#CAPTURES[@]})) || { echo "usage: $0 [-n RUNS] CAPTURE... | --scale N" >&2; exit 2; }
for cap in "${CAPTURES[@]}"; do bench_one "$cap"; done
