#!/usr/bin/env bash
# Big benchmark captures of MQTT over TLS 1.3 and over WebSocket, for tools/bench-vs-tshark.sh.
#
#   tools/captures/big_transport.sh --tls N [--out DIR]   DIR/big-tls13.pcap + big-tls13.keys
#   tools/captures/big_transport.sh --ws N [--out DIR]    DIR/big-ws.pcap (both legs), and its two
#                                                          halves big-ws-only.pcap (the WebSocket
#                                                          leg) and big-ws-tcp.pcap (the same
#                                                          messages on plain TCP to mosquitto)
# (default DIR out/; root). N QoS 0 messages, 25,000 per connection, published as fast as the
# socket takes them by tools/captures/big_publisher.py: over TLS 1.3 (one record per message;
# TLS_AES_256_GCM_SHA384, the suite OpenSSL prefers) to mosquitto's TLS listener, or in masked
# WebSocket frames (one per message)
# through tools/node/ws_bridge.js to mosquitto's plain listener. Runs in a network namespace of
# its own (loopback MTU 1500).
set -euo pipefail

ME=big-transport
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HELPERS=$ROOT/tools/captures
# shellcheck source-path=SCRIPTDIR source=capture_lib.sh
. "$HELPERS/capture_lib.sh"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
ARGS=("$@")
MODE= N= OUT=$ROOT/out
while (($#)); do
  case $1 in
    --tls|--ws) MODE=${1#--} N=${2:-}; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument $1" >&2; usage ;;
  esac
done
[[ -n $MODE && $N =~ ^[0-9]+$ ]] || usage
((EUID == 0)) || { echo "$ME: run as root (tcpdump, unshare)" >&2; exit 2; }
need mosquitto openssl tcpdump editcap ss
[[ $MODE == tls ]] || [[ -d $ROOT/tools/node/node_modules/ws ]] ||
  die "tools/node/node_modules/ws missing (tools/setup.sh runs npm ci)"

enter_netns "${ARGS[@]}"
make_tmp
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PLAIN=$(pick_port 1883) TLS=$(pick_port 8883) WS=$(pick_port 8080)
make_certs
cat >"$TMP/mosquitto.conf" <<CONF
user root
persistence false
sys_interval 0
log_dest file $TMP/mosquitto.log
allow_anonymous true
listener $PLAIN 127.0.0.1
listener $TLS 127.0.0.1
cafile $TMP/ca.pem
certfile $TMP/server.pem
keyfile $TMP/server.key
CONF
start_bg mosquitto mosquitto -c "$TMP/mosquitto.conf"
wait_until 10 listening "$TLS" || die "mosquitto did not start: $(cat "$TMP/mosquitto.log")"

t0=$SECONDS
if [[ $MODE == tls ]]; then
  rm -f "$OUT/big-tls13.keys"
  CAP_BUFFER_KIB=524288 start_capture "$TMP/big.pcap" "tcp port $TLS"
  $PY "$HELPERS/big_publisher.py" --tls "127.0.0.1:$TLS" --keylog "$TMP/big.keys" --cafile "$TMP/ca.pem" "$N" ||
    die "publisher failed"
  stop_capture
  mv "$TMP/big.pcap" "$OUT/big-tls13.pcap"
  mv "$TMP/big.keys" "$OUT/big-tls13.keys"
  log "$OUT/big-tls13.pcap: $(stat -c %s "$OUT/big-tls13.pcap") bytes, $((SECONDS - t0)) s"
else
  start_bg bridge node "$ROOT/tools/node/ws_bridge.js" --port "$WS" --to "127.0.0.1:$PLAIN"
  wait_until 10 listening "$WS" || die "bridge did not start: $(cat "$TMP/bridge.log")"
  CAP_BUFFER_KIB=524288 start_capture "$TMP/big.pcap" "tcp port $WS or tcp port $PLAIN"
  $PY "$HELPERS/big_publisher.py" --ws "127.0.0.1:$WS" "$N" || die "publisher failed"
  sleep 1 # the bridge forwards what it still holds
  stop_capture
  mv "$TMP/big.pcap" "$OUT/big-ws.pcap"
  tcpdump -r "$OUT/big-ws.pcap" -w "$OUT/big-ws-only.pcap" "tcp port $WS" 2>/dev/null
  tcpdump -r "$OUT/big-ws.pcap" -w "$OUT/big-ws-tcp.pcap" "tcp port $PLAIN" 2>/dev/null
  log "$OUT/big-ws.pcap: $(stat -c %s "$OUT/big-ws.pcap") bytes, $((SECONDS - t0)) s"
fi
