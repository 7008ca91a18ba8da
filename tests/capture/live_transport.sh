#!/usr/bin/env bash
# Live: real MQTT sessions over TLS and WebSocket captured now, then read by mqtt-dissect beside
# tshark. tools/captures/tls_captures.sh (mosquitto's TLS listener with a CA made by openssl;
# paho-mqtt and `openssl s_client` writing key logs; TLS 1.2 and 1.3, each of their three suites;
# a pcapng with the secrets inside) and ws_captures.sh (aedes with and without permessage-deflate,
# nginx as a wss proxy, a Node bridge to mosquitto for 5.0; paho-mqtt and mqtt.js) write into a
# temporary directory; tests/capture/tshark_diff.py then compares every packet with tshark's, with
# each capture's key log, and the totals with the counts in corpus/captures/transport/.
#
#   live_transport.sh MQTT_DISSECT MQTT_CRAFT        (root: tcpdump, a private network namespace)
#
# Every peer is started and stopped by the capture scripts, on loopback, each wait bounded.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
(($# == 2)) || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
((EUID == 0)) || { echo "live_transport: needs root (tcpdump, unshare)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/live-transport.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
MQTT_CRAFT=$2 timeout 300 "$ROOT/tools/captures/tls_captures.sh" --out "$TMP" >"$TMP/tls.log" 2>&1 ||
  { tail -20 "$TMP/tls.log" >&2; echo "live_transport: tls_captures.sh failed" >&2; exit 1; }
timeout 300 "$ROOT/tools/captures/ws_captures.sh" --out "$TMP" >"$TMP/ws.log" 2>&1 ||
  { tail -20 "$TMP/ws.log" >&2; echo "live_transport: ws_captures.sh failed" >&2; exit 1; }
MQTT_DISSECT=$1 /usr/bin/python3 "$ROOT/tests/capture/tshark_diff.py" "$TMP"/*.pcap "$TMP"/*.pcapng
