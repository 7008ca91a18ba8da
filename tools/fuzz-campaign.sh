#!/usr/bin/env bash
# A long fuzzing campaign (fuzz/README.md): each harness fuzzed for a number of CPU-minutes with
# libFuzzer's -fork (JOBS processes at once), starting from its committed corpus; then what reached
# new coverage is merged into corpus/fuzz/<harness>/ (tools/fuzz-fold.sh: -merge=1, named
# found.<sha1>), and every crash, timeout or out-of-memory input is kept as a regression input
# (corpus/fuzz/<harness>/crash.<sha1>, replayed by tools/fuzz-ci.sh: it fails until fixed).
# Prints a table: CPU-minutes asked and used (user + system, /usr/bin/time), executions, exec/s,
# coverage (libFuzzer's edges and features) of the committed corpus before and after, corpus size
# before and after, crashes.
#
#   tools/fuzz-campaign.sh [-m CPU_MINUTES] [-j JOBS] [HARNESS...]
#
# Defaults: 60 CPU-minutes per harness, JOBS = the CPUs here, every harness. A harness runs
# CPU_MINUTES of CPU time (user + system of the fuzzing processes, counted every 5 s: on a shared
# machine the wall time stretches, the CPU given stays), and at most 3 x CPU_MINUTES / JOBS minutes
# of wall time. Exit: 0 no crash, 1 some crash kept, 2 bad usage.
# Env: FUZZ_MAX_LEN (default 4096; fuzz_pcap 4x), CAMPAIGN_LOGS=DIR keeps the logs there.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=60
jobs=$(nproc)
usage() { echo "usage: $0 [-m CPU_MINUTES] [-j JOBS] [HARNESS...]" >&2; exit 2; }
while getopts "m:j:" opt; do
  case $opt in
    m) [[ $OPTARG =~ ^[1-9][0-9]*$ ]] || usage; minutes=$OPTARG ;;
    j) [[ $OPTARG =~ ^[1-9][0-9]*$ ]] || usage; jobs=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
max_len=${FUZZ_MAX_LEN:-4096}
bin=build-fuzz/bin
say() { printf 'fuzz-campaign: %s\n' "$*" >&2; }

# shellcheck source=tools/fuzz-common.sh
. tools/fuzz-common.sh
harnesses=("$@")
((${#harnesses[@]})) || read -r -a harnesses <<<"$fuzz_harnesses"
for h in "${harnesses[@]}"; do
  [[ " $fuzz_harnesses " == *" $h "* ]] || { say "unknown harness $h (one of: $fuzz_harnesses)"; exit 2; }
done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${harnesses[@]}" >/dev/null  # only those fuzzed
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=${CAMPAIGN_LOGS:-$work/logs}
mkdir -p "$logs" "$work/found"
fuzz_prepare_regressions
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

coverage() {  # harness -> "edges features" of its committed inputs
  local dirs
  mapfile -t dirs < <(fuzz_inputs "$1")
  "$bin/$1" -runs=0 -max_len="$(fuzz_max_len "$1")" -rss_limit_mb=4096 "${dirs[@]}" 2>&1 |
    sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' | tail -n1
}

tree_cpu_seconds() {  # pid -> CPU seconds of it and every descendant, reaped children included
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" -v hz="$(getconf CLK_TCK)" '
    { pid = $1; sub(/^.*\) /, ""); ppid[pid] = $2; t[pid] = $12 + $13 + $14 + $15 }
    END { for (p in t) { q = p; while (q != "" && q != root && q > 1) q = ppid[q]; if (q == root) s += t[p] }
          printf "%d\n", s / hz }'
}

rows=()
crashed=0
for h in "${harnesses[@]}"; do
  read -r cov_before ft_before <<<"$(coverage "$h")"
  files_before=$(find "corpus/fuzz/$h" -type f | wc -l)
  mkdir -p "$work/found/$h" "$work/artifacts/$h"
  mapfile -t dirs < <(fuzz_inputs "$h")
  wall=$((3 * minutes * 60 / jobs))
  say "$h: $minutes CPU-minutes, $jobs jobs, at most ${wall} s (log: $logs/$h.log)"
  # The first directory receives what the campaign finds; crashes do not stop it. The watchdog
  # interrupts every fuzzing process once they have used the CPU asked; /usr/bin/time reports what
  # they used (the processes it waited for).
  /usr/bin/time -f '%U %S' -o "$work/cpu.$h" timeout $((wall + 300)) "$bin/$h" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$wall" -dict=fuzz/mqtt.dict -max_len="$(fuzz_max_len "$h")" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/$h/" "$work/found/$h" "${dirs[@]}" \
    >"$logs/$h.log" 2>&1 &
  fuzzing=$!
  while kill -0 "$fuzzing" 2>/dev/null; do
    sleep 5
    if (($(tree_cpu_seconds "$fuzzing") >= minutes * 60)); then
      # libFuzzer's parent and its jobs (not /usr/bin/time nor timeout above them)
      ps -eo pid=,ppid=,args= | awk -v root="$fuzzing" -v cmd="$bin/$h" '
        { p[$1] = $2; a[$1] = $3 }
        END { for (x in p) { q = x; while ((q in p) && q != root && q > 1) q = p[q]; if (q == root && a[x] == cmd) print x } }' |
        xargs -r kill -INT 2>/dev/null || true
      break
    fi
  done
  status=0
  wait "$fuzzing" || status=$?
  ((status == 0 || status == 72)) || say "$h: libFuzzer exited $status (see the log)"  # 72: interrupted
  # Fork mode's status lines: "#EXECS: cov: N ft: N corp: N exec/s N oom/timeout/crash: A/B/C ...".
  last=$(grep -E '^#[0-9]+: cov:' "$logs/$h.log" | tail -n1 || true)
  execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
  rate=$(sed -n 's/.*exec\/s:\{0,1\} \([0-9]*\).*/\1/p' <<<"$last")
  used=$(awk 'NF == 2 { printf "%.1f", ($1 + $2) / 60 }' "$work/cpu.$h" 2>/dev/null)
  tools/fuzz-fold.sh "$work/found" 2>/dev/null
  rm -rf "${work:?}/found/$h"
  crashes=0
  for a in "$work/artifacts/$h"/*; do
    [ -f "$a" ] || continue
    crashes=$((crashes + 1))
    kept=corpus/fuzz/$h/crash.$(sha1sum "$a" | cut -c1-16)
    cp "$a" "$kept"
    say "$h: kept $(basename "$a") as $kept; reproduce: $bin/$h $kept"
  done
  ((crashes == 0)) || crashed=1
  read -r cov_after ft_after <<<"$(coverage "$h")"
  rows+=("$(printf '| %-14s | %4d / %-5s | %12s | %7s | %6s -> %-6s | %7s -> %-7s | %5d -> %-5d | %7d |' \
    "$h" "$minutes" "${used:-?}" "${execs:-?}" "${rate:-?}" "${cov_before:-?}" "${cov_after:-?}" "${ft_before:-?}" \
    "${ft_after:-?}" "$files_before" "$(find "corpus/fuzz/$h" -type f | wc -l)" "$crashes")")
done

printf '| %-14s | %12s | %12s | %7s | %16s | %20s | %14s | %7s |\n' harness 'CPU-min asked / used' executions exec/s \
  'edges' 'features' 'corpus files' crashes
printf '|%s|\n' "----------------|--------------|--------------|---------|------------------|----------------------|----------------|---------"
printf '%s\n' "${rows[@]}"
exit "$crashed"
