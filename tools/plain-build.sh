#!/usr/bin/env bash
# Prints the newest build*/bin/mqtt-dissect of this checkout that is neither sanitized nor built
# for fuzzing (for the benchmark scripts: timing an ASan build by mistake measures the
# sanitizer); prints nothing when there is none.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC2012,SC2045 # build directory names are ours, plain words; newest first
for bin in $(ls -t "$ROOT"/build*/bin/mqtt-dissect 2>/dev/null); do
  grep -qE 'MQTTLENS_(SANITIZE|FUZZ):BOOL=ON|CMAKE_CXX_FLAGS:STRING=.*-fsanitize' \
    "${bin%/bin/mqtt-dissect}/CMakeCache.txt" 2>/dev/null || { echo "$bin"; exit 0; }
done
