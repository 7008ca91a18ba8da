#!/usr/bin/env bash
# Line and branch coverage that the committed fuzz corpus reaches (fuzz/README.md): builds the
# replay programs with clang's source-based coverage (`coverage` preset, build-coverage/), runs
# every corpus through them as ctest does, and prints llvm-cov's report (lines and branches) for
# every .cpp file under dissector/, then the lines no input reaches of each file below 90 % of
# lines (COVERAGE_TARGET) and any file no replay program links.
# Env: COVERAGE_INPUTS=DIR adds a directory of inputs to every harness (e.g. a campaign's corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset coverage >/dev/null
cmake --build --preset coverage
bin=build-coverage/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LLVM_PROFILE_FILE="$work/%p.profraw"

objects=()
run() {  # harness, replay arguments...
  local h=$1; shift
  [ -x "$bin/${h}_replay" ] || { echo "fuzz-coverage: ${h}_replay not built, left out" >&2; return; }
  "$bin/${h}_replay" "$@" ${COVERAGE_INPUTS:+"$COVERAGE_INPUTS"} >/dev/null
  objects+=(-object "$bin/${h}_replay")
}
run fuzz_decode corpus/fuzz/fuzz_decode
run fuzz_decode --prefix=06 corpus/regressions
run fuzz_stream corpus/fuzz/fuzz_stream corpus/regressions
run fuzz_roundtrip corpus/fuzz/fuzz_roundtrip corpus/regressions
run fuzz_craft corpus/fuzz/fuzz_craft corpus/regressions
if [ -d corpus/fuzz/fuzz_pcap ]; then run fuzz_pcap corpus/fuzz/fuzz_pcap corpus/captures; fi
if [ -d corpus/fuzz/fuzz_pcap_read ]; then run fuzz_pcap_read corpus/fuzz/fuzz_pcap_read corpus/captures; fi

llvm-profdata-14 merge -sparse "$work"/*.profraw -o "$work/all.profdata"
mapfile -t sources < <(find dissector -name '*.cpp' | sort)
# -object must name each binary once.
mapfile -t uniq < <(printf '%s\n' "${objects[@]}" | grep -v '^-object$' | sort -u)
args=()
for o in "${uniq[@]}"; do args+=(-object "$o"); done
llvm-cov-14 report "${args[@]:1}" -instr-profile="$work/all.profdata" -show-branch-summary \
  -show-region-summary=false "${sources[@]}"

# Every file under dissector/ with its line coverage; below 90 %, the lines no input reaches; and
# the files no replay program links.
echo
echo "Lines of dissector/ no input reaches, per file below ${COVERAGE_TARGET:=90} %:"
llvm-cov-14 export "${args[@]:1}" -instr-profile="$work/all.profdata" -format=lcov "${sources[@]}" >"$work/all.lcov"
awk -F'[:,]' -v target="$COVERAGE_TARGET" '
  /^SF:/ { file = $2; sub(".*/dissector/", "dissector/", file) }
  /^DA:/ { lines[file]++; if ($3 == 0) missed[file] = missed[file] " " $2; else hit[file]++ }
  END {
    for (f in lines) {
      pct = 100 * hit[f] / lines[f]
      if (pct < target) { printf "  %s %.1f %%:%s\n", f, pct, missed[f]; below++ }
    }
    if (!below) print "  none"
  }' "$work/all.lcov" | sort
for f in "${sources[@]}"; do
  grep -q "^SF:.*/$f\$" "$work/all.lcov" || echo "  $f: in no replay program"
done
