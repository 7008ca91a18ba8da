#!/usr/bin/env bash
# Folds what a fuzzing campaign found into the committed seeds: for each DIR/<harness>/ (e.g. from
# FUZZ_KEEP_CORPUS=DIR tools/fuzz-ci.sh), libFuzzer's -merge=1 adds to corpus/fuzz/<harness>/ only
# the inputs that reach new edges (hit counts ignored, -use_counters=0, to keep the corpus small);
# they are named found.<sha1 prefix>.
# Usage: tools/fuzz-fold.sh DIR      (needs the fuzz build: cmake --preset fuzz && cmake --build --preset fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 1 ] && [ -d "$1" ] || { echo "usage: $0 DIR" >&2; exit 2; }
for dir in "$1"/fuzz_*; do
  h=$(basename "$dir")
  [ -x "build-fuzz/bin/$h" ] || { echo "fuzz-fold: $h not built" >&2; exit 2; }
  before=$(ls "corpus/fuzz/$h" | wc -l)
  "build-fuzz/bin/$h" -merge=1 -use_counters=0 -max_len=1048576 -rss_limit_mb=4096 "corpus/fuzz/$h" "$dir" >/dev/null 2>&1
  for f in "corpus/fuzz/$h"/*; do
    name=$(basename "$f")
    [[ $name =~ ^[0-9a-f]{40}$ ]] && mv "$f" "corpus/fuzz/$h/found.${name:0:16}"
  done
  echo "fuzz-fold: $h: $before -> $(ls "corpus/fuzz/$h" | wc -l) inputs" >&2
done
