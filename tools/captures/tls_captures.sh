#!/usr/bin/env bash
# Real captures of MQTT over TLS from mosquitto, with the NSS key logs that decrypt them.
#
#   tools/captures/tls_captures.sh [--out DIR]     (default corpus/captures/transport; root)
#
# Writes tls12-mosquitto.pcap + .keys, tls13-mosquitto.pcap + .keys and tls-mosquitto.pcapng (both
# merged, the secrets embedded in a Decryption Secrets Block), then prints what tshark decrypts.
# mosquitto 2.0.11 with a throwaway CA listens with TLS on 127.0.0.1:8883; each capture holds four
# connections: paho-mqtt (/usr/bin/python3, tools/captures/paho_transport.py) once per cipher suite
# of the version, and `openssl s_client -keylogfile` fed raw packets written by mqtt-craft.
# Run by tools/make-captures.sh (NAME tls); needs build/bin/mqtt-craft (tools/setup.sh), or
# MQTT_CRAFT=path.
set -euo pipefail

ME=tls-captures
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HELPERS=$ROOT/tools/captures
# shellcheck source-path=SCRIPTDIR source=capture_lib.sh
. "$HELPERS/capture_lib.sh"
CRAFT=${MQTT_CRAFT:-$ROOT/${BUILD_DIR:-build}/bin/mqtt-craft}

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
ARGS=("$@")
OUT=$ROOT/corpus/captures/transport
parse_out "$@"

((EUID == 0)) || { echo "$ME: run as root (tcpdump, unshare)" >&2; exit 2; }
need mosquitto openssl tcpdump tshark editcap mergecap ss
[[ -x $CRAFT ]] || { echo "$ME: $CRAFT not built (tools/setup.sh)" >&2; exit 2; }
$PY -c 'import paho.mqtt.client' 2>/dev/null || { echo "$ME: $PY has no paho-mqtt" >&2; exit 2; }

enter_netns "${ARGS[@]}"
make_tmp
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PORT=$(pick_port 8883)

# version | MQTT level per paho connection | cipher suites, one paho connection each | s_client: MQTT level, suite
SESSIONS=(
  "1.2|3.1.1 5 3.1.1|ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305|5 ECDHE-RSA-CHACHA20-POLY1305"
  "1.3|5 3.1.1 5|TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256|3.1.1 TLS_AES_256_GCM_SHA384"
)

start_broker() {
  { mosquitto_conf_head; cat <<EOF; } >"$TMP/mosquitto.conf"
listener $PORT 127.0.0.1
cafile $TMP/ca.pem
certfile $TMP/server.pem
keyfile $TMP/server.key
EOF
  start_bg mosquitto mosquitto -c "$TMP/mosquitto.conf"
  BROKER_PID=$BG_PID
  wait_until 10 listening "$PORT" || die "mosquitto did not start: $(tail -5 "$TMP/mosquitto.log")"
}

# paho ID VERSION LEVEL SUITE KEYLOG [ALPN]: one paho session (see paho_transport.py).
paho() {
  local alpn=()
  [[ -n ${6:-} ]] && alpn=(--alpn "$6")
  timeout 60 "$PY" "$HELPERS/paho_transport.py" 127.0.0.1 "$PORT" --client-id "$1" --mqtt "$3" \
    --tls "$2" --cipher "$4" --ca "$TMP/ca.pem" --keylog "$5" "${alpn[@]}" --large 40000 >&2 ||
    die "paho $1 failed"
}

# craft ARGS...: raw MQTT bytes from mqtt-craft, written to stdout in one piece.
craft() { "$CRAFT" -q --out raw "${CRAFT_VERSION[@]}" "$@"; }

# sclient ID VERSION LEVEL SUITE KEYLOG: s_client sends what mqtt-craft writes, in bursts.
# Each burst is one write to s_client's stdin, so it becomes one TLS record holding several MQTT
# packets; the 40,000-byte PUBLISH is cut into records wherever s_client's reads end. The
# subscription is QoS 0, so no broker delivery needs an answer; the QoS 2 PUBLISH gets its PUBREL.
sclient() {
  local id=$1 version=$2 level=$3 suite=$4 keylog=$5 tls_args
  CRAFT_VERSION=()
  [[ $level == 5 ]] && CRAFT_VERSION=(--protocol-version 5)
  if [[ $version == 1.2 ]]; then tls_args=(-tls1_2 -cipher "$suite"); else tls_args=(-tls1_3 -ciphersuites "$suite"); fi
  {
    craft connect --client-id "$id" + subscribe --packet-id 1 --filter "$id/#:0"
    sleep 0.3
    craft publish --topic "$id/small/qos0" --payload "QoS 0 from s_client" \
      + publish --topic "$id/small/qos1" --qos 1 --packet-id 2 --payload "QoS 1 from s_client" \
      + publish --topic "$id/small/qos2" --qos 2 --packet-id 3 --payload "QoS 2 from s_client" \
      + publish --topic "$id/small/burst" --payload "burst 0" + publish --topic "$id/small/burst" --payload "burst 1" \
      + publish --topic "$id/small/burst" --payload "burst 2" + publish --topic "$id/small/burst" --payload "burst 3"
    sleep 0.3
    craft pubrel --packet-id 3
    sleep 0.3
    craft publish --topic "$id/large" --qos 1 --packet-id 4 --payload "s_client large payload " --payload-size 40000
    sleep 0.5
    craft disconnect
  } | timeout 30 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$TMP/ca.pem" -verify_return_error \
    -verify_ip 127.0.0.1 "${tls_args[@]}" -alpn mqtt -keylogfile "$keylog" -quiet \
    >"$TMP/$id.out" 2>"$TMP/$id.err" || die "s_client $id failed: $(tail -3 "$TMP/$id.err")"
  # Broker to client: CONNACK SUBACK, 7 deliveries and the acknowledgements, then the large copy.
  (($(stat -c %s "$TMP/$id.out") > 40000)) || die "s_client $id: the broker sent $(stat -c %s "$TMP/$id.out") bytes"
  log "$id: MQTT $level over TLS $version, $suite, s_client received $(stat -c %s "$TMP/$id.out") bytes"
}

record() { # record VERSION LEVELS SUITES SCLIENT: one capture and its key log
  local version=$1 levels suites sc_level sc_suite name i=0 level suite alpn
  read -ra levels <<<"$2"
  read -ra suites <<<"$3"
  read -r sc_level sc_suite <<<"$4"
  name=tls${version/./}-mosquitto
  : >"$TMP/$name.keys"
  start_capture "$TMP/$name.pcap" "tcp port $PORT"
  for suite in "${suites[@]}"; do
    level=${levels[i]} alpn=''
    ((i == 0)) && alpn=mqtt # offered by the first paho connection; mosquitto 2.0.11 selects none
    paho "paho-tls${version/./}-$((i + 1))" "$version" "$level" "$suite" "$TMP/$name.keys" "$alpn"
    i=$((i + 1))
  done
  sclient "sclient-tls${version/./}" "$version" "$sc_level" "$sc_suite" "$TMP/$name.keys"
  stop_capture
}

make_certs
start_broker
for entry in "${SESSIONS[@]}"; do
  IFS='|' read -r version levels suites sc <<<"$entry"
  record "$version" "$levels" "$suites" "$sc"
done
gone "$BROKER_PID" && die "mosquitto died: $(tail -5 "$TMP/mosquitto.log")"

# Both captures in one pcapng, the two key logs inside it (no key file needed to decrypt).
cat "$TMP/tls12-mosquitto.keys" "$TMP/tls13-mosquitto.keys" >"$TMP/both.keys"
mergecap -w "$TMP/merged.pcapng" "$TMP/tls12-mosquitto.pcap" "$TMP/tls13-mosquitto.pcap"
editcap --inject-secrets "tls,$TMP/both.keys" "$TMP/merged.pcapng" "$TMP/tls-mosquitto.pcapng"

# Each capture must decrypt whole, with its key log or the secrets it embeds, before it is kept.
check=(--tls-port "$PORT")
((PORT == 8883)) || check+=(--decode-as "tcp.port==$PORT,tls" --decode-as "tls.port==$PORT,mqtt")
for v in 12 13; do
  $PY "$HELPERS/summarize_capture.py" "${check[@]}" --keys "$TMP/tls$v-mosquitto.keys" "$TMP/tls$v-mosquitto.pcap" ||
    die "tls$v-mosquitto.pcap does not decrypt whole with tls$v-mosquitto.keys"
done
$PY "$HELPERS/summarize_capture.py" "${check[@]}" "$TMP/tls-mosquitto.pcapng" ||
  die "tls-mosquitto.pcapng does not decrypt whole with its embedded secrets"

log "$ME: into $OUT (TLS port $PORT)"
for f in tls12-mosquitto.pcap tls12-mosquitto.keys tls13-mosquitto.pcap tls13-mosquitto.keys tls-mosquitto.pcapng; do
  keep "$TMP/$f" "$OUT"
done
