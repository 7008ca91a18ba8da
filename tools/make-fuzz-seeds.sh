#!/usr/bin/env bash
# Regenerates the seed corpora corpus/fuzz/<harness>/ (see fuzz/README.md):
#   1. tools/fuzz_seeds.py writes raw seeds: every line of tools/fuzz-seeds.txt through mqtt-craft,
#      sessions (whole and cut at awkward places), the TCP payloads of corpus/captures/, small pcaps;
#   2. each harness of the fuzz build minimises them with libFuzzer's -merge=1 (keeping only
#      inputs that add coverage); the kept files get their readable names back.
# corpus/regressions/ is not copied: the replay tests and tools/fuzz-ci.sh read it in place.
# Files named found.* (inputs fuzzing found) are kept as they are.
# Env: CRAFT (default build/bin/mqtt-craft), FUZZ_BIN (default build-fuzz/bin; built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
craft=${CRAFT:-build/bin/mqtt-craft}
fuzz_bin=${FUZZ_BIN:-build-fuzz/bin}
[ -x "$craft" ] || { echo "make-fuzz-seeds: no mqtt-craft at $craft (set CRAFT or build first)" >&2; exit 2; }
if [ ! -x "$fuzz_bin/fuzz_decode" ]; then
  cmake --preset fuzz >/dev/null && cmake --build --preset fuzz
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tools/fuzz_seeds.py "$work/raw" "$craft"

for dir in "$work"/raw/fuzz_*; do
  h=$(basename "$dir")
  [ -x "$fuzz_bin/$h" ] || { echo "make-fuzz-seeds: $h not built, its seeds left out" >&2; continue; }
  mkdir -p "$work/merged/$h"
  "$fuzz_bin/$h" -merge=1 -max_len=1048576 -rss_limit_mb=4096 "$work/merged/$h" "$dir" >"$work/$h.log" 2>&1 \
    || { cat "$work/$h.log" >&2; exit 1; }
  # libFuzzer names what it keeps by SHA-1: give each file its seed's name back.
  declare -A name_of=()
  for f in "$dir"/*; do name_of[$(sha1sum <"$f" | cut -d' ' -f1)]=$(basename "$f"); done
  # found.*: inputs that fuzzing found (crashes fixed, coverage from campaigns): always kept.
  mkdir -p "$work/found/$h" "corpus/fuzz/$h"
  find "corpus/fuzz/$h" -maxdepth 1 -name 'found.*' -exec mv {} "$work/found/$h/" \;
  rm -rf "corpus/fuzz/$h" && mkdir -p "corpus/fuzz/$h"
  find "$work/found/$h" -maxdepth 1 -type f -exec mv {} "corpus/fuzz/$h/" \;
  for f in "$work/merged/$h"/*; do
    cp "$f" "corpus/fuzz/$h/${name_of[$(basename "$f")]:-$(basename "$f")}"
  done
  unset name_of
  printf 'make-fuzz-seeds: %-15s %4d raw -> %4d kept\n' "$h" "$(ls "$dir" | wc -l)" "$(ls "corpus/fuzz/$h" | wc -l)" >&2
done
du -sh corpus/fuzz >&2
