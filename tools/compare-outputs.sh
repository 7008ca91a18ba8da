#!/usr/bin/env bash
# Output of two mqtt-dissect binaries, byte for byte, on every committed capture in every mode:
# summary, -V, -x, --json, --json -x, --stats (text and JSON), -q --stats, the filters, --strict,
# and each of those with --threads 1 and 2. A refactoring must leave it unchanged.
#
#   tools/compare-outputs.sh OLD_BINARY NEW_BINARY [CAPTURE...]
#
# Prints one line per differing run (and the first lines of its diff) and a closing count;
# exits 1 when anything differs, 2 on bad usage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
(($# >= 2)) || { echo "usage: $0 OLD_BINARY NEW_BINARY [CAPTURE...]" >&2; exit 2; }
OLD=$1 NEW=$2
shift 2
[[ -x $OLD && -x $NEW ]] || { echo "compare-outputs: both binaries must be executable" >&2; exit 2; }
CAPTURES=("$@")
((${#CAPTURES[@]})) || CAPTURES=("$ROOT"/corpus/captures/*.pcap "$ROOT"/corpus/captures/*.pcapng)
TMP=$(mktemp -d /tmp/compare-outputs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

MODES=(
  "" "-V" "-x" "--json" "--json -x" "-V -x --payload-max 0" "--stats" "--stats --json" "-q --stats"
  "--type PUBLISH,SUBACK" "--topic #" "--topic a/+" "--errors-only" "--errors-only --json"
  "--client v5-pub" "--client c1 --stats" "--strict -q"
)
runs=0 differ=0
run() {  # binary, output file, args...
  local bin=$1 out=$2
  shift 2
  set +e
  "$bin" "$@" >"$out" 2>"$out.err"
  echo "exit $?" >>"$out"
  set -e
}
for capture in "${CAPTURES[@]}"; do
  for mode in "${MODES[@]}"; do
    for threads in 1 2; do
      # shellcheck disable=SC2206
      args=($mode --threads "$threads" --color never "$capture")
      run "$OLD" "$TMP/old" "${args[@]}"
      run "$NEW" "$TMP/new" "${args[@]}"
      runs=$((runs + 1))
      if ! cmp -s "$TMP/old" "$TMP/new" || ! cmp -s "$TMP/old.err" "$TMP/new.err"; then
        differ=$((differ + 1))
        echo "DIFFERS: mqtt-dissect ${args[*]}"
        diff "$TMP/old" "$TMP/new" | head -6 || true
        diff "$TMP/old.err" "$TMP/new.err" | head -4 || true
      fi
    done
  done
done
echo "compare-outputs: $runs runs, $differ differ"
((differ == 0))
