#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh here, without Docker, as ClusterFuzzLite would: the variables its
# image sets (CC, CXX, CFLAGS, CXXFLAGS, LIB_FUZZING_ENGINE, SRC, WORK, OUT), the distribution's
# clang and libraries. Then checks that $OUT holds, for every harness fuzz/CMakeLists.txt builds,
# the fuzzer, its dictionary, its options file (with max_len) and a seed archive holding every
# committed seed, and that each fuzzer runs over its seeds. Exit 0 when all is there, 1 if not.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'cflite-check: %s\n' "$*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src" "$tmp/work" "$tmp/out"
ln -s "$PWD" "$tmp/src/mqttlens"
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
env CC=clang-14 CXX=clang++-14 CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
    SRC="$tmp/src" WORK="$tmp/work" OUT="$tmp/out" bash -eu .clusterfuzzlite/build.sh >"$tmp/build.log" 2>&1 ||
  { tail -n 40 "$tmp/build.log" >&2; say "FAILED: build.sh"; exit 1; }

failed=0
missing() { say "MISSING: $*"; failed=1; }
# shellcheck source=tools/fuzz-common.sh
. tools/fuzz-common.sh
for h in $fuzz_harnesses; do
  [ -x "$tmp/out/$h" ] || { missing "$h (the fuzzer)"; continue; }
  cmp -s fuzz/mqtt.dict "$tmp/out/$h.dict" || missing "$h.dict (a copy of fuzz/mqtt.dict)"
  grep -qE '^max_len = [0-9]+$' "$tmp/out/$h.options" 2>/dev/null || missing "$h.options with max_len"
  zip="$tmp/out/${h}_seed_corpus.zip"
  [ -s "$zip" ] || { missing "${h}_seed_corpus.zip"; continue; }
  in_zip=$(unzip -Z1 "$zip" | wc -l)
  committed=$(find "corpus/fuzz/$h" -type f | wc -l)
  ((in_zip >= committed)) || missing "seeds in ${h}_seed_corpus.zip: $in_zip of $committed"
  mkdir -p "$tmp/seeds/$h" && unzip -q -o "$zip" -d "$tmp/seeds/$h"
  if "$tmp/out/$h" -runs=0 "$tmp/seeds/$h" >"$tmp/$h.log" 2>&1; then
    say "$h: fuzzer, dict, options, $in_zip seeds; replayed ok"
  else
    tail -n 20 "$tmp/$h.log" >&2
    missing "$h does not run over its seeds"
  fi
done
[ "$failed" = 0 ] && say "every harness lands in \$OUT" || say "FAILED"
exit "$failed"
