#!/bin/bash -eu
# Builds every harness with the engine and sanitizer flags OSS-Fuzz / ClusterFuzzLite give in
# CC, CXX, CXXFLAGS and LIB_FUZZING_ENGINE, then ships seeds, dictionary and options to $OUT.
# Where their sources are not in $SRC (tools/cflite-check.sh, outside Docker), the installed
# ones are used.
deps=$WORK/deps
for lib in fmt CLI11; do
  [ -d "$SRC/$lib" ] || continue
  cmake -S "$SRC/$lib" -B "$WORK/$lib" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$deps" -DFMT_TEST=OFF -DFMT_DOC=OFF \
        -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF -DCLI11_BUILD_DOCS=OFF
  cmake --build "$WORK/$lib" --target install
done

cmake -S "$SRC/mqttlens" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_PREFIX_PATH="$deps" -DMQTTLENS_FUZZ=ON -DMQTTLENS_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
      -DMQTTLENS_TESTS=OFF -DMQTTLENS_BENCH=OFF
cmake --build "$WORK/build" --target fuzzers

cd "$SRC/mqttlens"
for bin in "$WORK"/build/bin/fuzz_*; do
  h=$(basename "$bin")
  cp "$bin" "$OUT/"
  cp fuzz/mqtt.dict "$OUT/$h.dict"
  max_len=4096
  [[ $h == fuzz_pcap* ]] && max_len=16384
  printf '[libfuzzer]\nmax_len = %s\n' "$max_len" >"$OUT/$h.options"
  seeds=("corpus/fuzz/$h")
  case $h in
    fuzz_decode) ;;  # regression packets need an options byte in front: see tools/fuzz-ci.sh
    fuzz_pcap | fuzz_pcap_read) ;;  # the committed captures are too big for max_len; their heads are seeds
    *) seeds+=(corpus/regressions) ;;
  esac
  zip -q -j -r "$OUT/${h}_seed_corpus.zip" "${seeds[@]}"
done
