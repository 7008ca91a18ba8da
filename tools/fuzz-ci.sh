#!/usr/bin/env bash
# CI fuzzing (fuzz/README.md): builds the `fuzz` preset, replays the whole committed corpus through
# every harness (regression: seconds), then fuzzes each harness for FUZZ_SECONDS with the MQTT
# dictionary. Any crash, property violation, leak or hang fails with exit 1 and prints the input
# as hex; the inputs are kept in build-fuzz/artifacts/.
# Env: FUZZ_SECONDS (default 60; 0 = replay only), FUZZ_PARALLEL (harnesses fuzzed at once,
#      default 2), FUZZ_MAX_LEN (default 4096), FUZZ_HARNESSES (default: every one built),
#      FUZZ_KEEP_CORPUS=DIR (keep the inputs each harness found in DIR/<harness>/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
parallel=${FUZZ_PARALLEL:-2}
max_len=${FUZZ_MAX_LEN:-4096}
bin=build-fuzz/bin
artifacts=build-fuzz/artifacts

say() { printf 'fuzz-ci: %s\n' "$*" >&2; }

# shellcheck source=tools/fuzz-common.sh
. tools/fuzz-common.sh

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

harnesses=()
for h in ${FUZZ_HARNESSES:-$fuzz_harnesses}; do
  if [ -x "$bin/$h" ]; then harnesses+=("$h"); else say "SKIPPED: $h is not built (its library is missing)"; fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$artifacts" && mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

fuzz_prepare_regressions

report_crash() {  # harness, log
  say "FAILED: $1 — last lines of its log:"
  tail -n 60 "$2" >&2
  for a in "$artifacts/$1"-*; do
    [ -f "$a" ] || continue
    say "input $(basename "$a") ($(stat -c %s "$a") bytes), reproduce with: $bin/$1 $a"
    xxd "$a" | head -n 64 >&2
  done
}

failed=0

# 1. Regression: every committed input once (-runs=0 runs the given corpus and stops).
for h in "${harnesses[@]}"; do
  mapfile -t dirs < <(fuzz_inputs "$h" all)
  log=$work/$h.replay.log
  if "$bin/$h" -runs=0 -timeout=10 -artifact_prefix="$artifacts/$h-" \
       "${dirs[@]}" >"$log" 2>&1; then
    say "replay $h: $(grep -c . < <(find "${dirs[@]}" -type f)) inputs, ok"
  else
    report_crash "$h" "$log"
    failed=1
  fi
done
[ "$failed" = 0 ] || { say "corpus replay failed"; exit 1; }
[ "$seconds" -gt 0 ] || { say "FUZZ_SECONDS=0: replay only"; exit 0; }

# 2. Fuzzing: FUZZ_SECONDS per harness, FUZZ_PARALLEL at a time; new inputs go to a scratch dir.
fuzz_one() {
  local h=$1 log=$work/$h.fuzz.log
  mkdir -p "$work/corpus/$h"
  mapfile -t dirs < <(fuzz_inputs "$h")
  if timeout $((seconds + 120)) "$bin/$h" -max_total_time="$seconds" -dict=fuzz/mqtt.dict \
       -max_len="$(fuzz_max_len "$h")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$artifacts/$h-" "$work/corpus/$h" "${dirs[@]}" >"$log" 2>&1; then
    local rate runs
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    say "fuzz $h: ${seconds} s, ${runs:-?} runs, ${rate:-?} exec/s, $(grep -o 'cov: [0-9]*' "$log" | tail -n1), ok"
    if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
      mkdir -p "$FUZZ_KEEP_CORPUS/$h" && cp -r "$work/corpus/$h/." "$FUZZ_KEEP_CORPUS/$h/"
    fi
  else
    report_crash "$h" "$log"
    return 1
  fi
}

pids=()
names=()
for h in "${harnesses[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n || true; done
  fuzz_one "$h" &
  pids+=($!)
  names+=("$h")
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || failed=1
done
if [ "$failed" != 0 ]; then
  say "fuzzing found a crash: inputs in $artifacts/"
  exit 1
fi
say "all harnesses clean"
