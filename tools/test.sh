#!/usr/bin/env bash
# The whole test suite, as CI runs it (after tools/setup.sh):
#   1. unit, CLI, capture, crafter and live-broker tests (ctest) on the normal build;
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. every fuzz harness replayed over the corpus, then fuzzed FUZZ_SECONDS (default 60) each;
#      then .clusterfuzzlite/build.sh run as ClusterFuzzLite runs it (tools/cflite-check.sh).
# Env: SKIP_SANITIZE=1 / SKIP_FUZZ=1 leave out a stage (printed loudly, never silent).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

stage() { printf '\n=== %s ===\n' "$*" >&2; }

stage "ctest (build/)"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 300

if [ "${SKIP_SANITIZE:-0}" = 1 ]; then
  stage "SKIPPED: sanitizer build (SKIP_SANITIZE=1)"
else
  stage "ctest under ASan + UBSan (build-asan/)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMQTTLENS_SANITIZE=ON \
        -DMQTTLENS_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 600
fi

if [ "${SKIP_FUZZ:-0}" = 1 ]; then
  stage "SKIPPED: fuzzing (SKIP_FUZZ=1)"
else
  stage "fuzz: corpus replay and ${FUZZ_SECONDS:-60} s per harness"
  tools/fuzz-ci.sh
  stage "ClusterFuzzLite: .clusterfuzzlite/build.sh without Docker"
  tools/cflite-check.sh
fi
stage "all tests passed"
