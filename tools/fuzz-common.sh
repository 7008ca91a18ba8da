# Shared by tools/fuzz-ci.sh and tools/fuzz-campaign.sh (sourced, not run): what each harness
# reads besides its own corpus, and how long its inputs may be.
# Needs: $work (a scratch directory), $max_len (the base input bound).

fuzz_harnesses="fuzz_decode fuzz_stream fuzz_roundtrip fuzz_craft fuzz_pcap fuzz_pcap_read"

# fuzz_decode reads an options byte first: the raw regression packets go in behind 06
# (protocol level 4, every warning on), in $work/decode-regressions.
fuzz_prepare_regressions() {
  mkdir -p "$work/decode-regressions"
  for f in corpus/regressions/*; do
    [ -f "$f" ] && { printf '\x06'; cat "$f"; } >"$work/decode-regressions/$(basename "$f")"
  done
}

# The committed input directories of harness $1, one per line; with $2 = all also those too big
# to fuzz from (replay only).
fuzz_inputs() {
  local dirs=("corpus/fuzz/$1")
  case $1 in
    fuzz_decode) dirs+=("$work/decode-regressions") ;;
    fuzz_pcap | fuzz_pcap_read) [ "${2:-}" = all ] && dirs+=(corpus/captures) ;;
    *) [ -d corpus/regressions ] && dirs+=(corpus/regressions) ;;
  esac
  printf '%s\n' "${dirs[@]}"
}

fuzz_max_len() { [[ $1 == fuzz_pcap* ]] && echo $((max_len * 4)) || echo "$max_len"; }
