#!/usr/bin/env bash
# Real captures of MQTT over WebSocket (RFC 6455, subprotocol "mqtt"), plain, compressed and in TLS.
#
#   tools/captures/ws_captures.sh [--out DIR]     (default corpus/captures/transport; root)
#
# Writes, each checked with tshark before it is kept:
#   ws-aedes.pcap            aedes behind a ws server (127.0.0.1:8080/mqtt): mqtt.js and paho, 3.1.1
#   ws-aedes-deflate.pcap    the same with permessage-deflate accepted (port 8088): mqtt.js offers
#                            it and gets it, paho does not offer it
#   wss-nginx.pcap + .keys   nginx terminating TLS on 443 in front of aedes's port 8080: mqtt.js
#                            (TLS 1.3, node --tls-keylog) and paho (TLS 1.2, keylog_filename);
#                            both legs are captured, the TLS one and nginx's plain one to aedes
#   ws-mqtt5-bridge.pcap     MQTT 5.0 from mqtt.js and paho through a WebSocket-to-TCP bridge
#                            (port 80) to mosquitto (1883); both legs are captured
# The peers: tools/node/ (aedes, ws, mqtt.js; `npm ci` by tools/setup.sh), paho-mqtt for
# /usr/bin/python3 (tools/captures/paho_transport.py), nginx, mosquitto.
# Run by tools/make-captures.sh (NAME ws).
set -euo pipefail

ME=ws-captures
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HELPERS=$ROOT/tools/captures
NODE_DIR=$ROOT/tools/node
# shellcheck source-path=SCRIPTDIR source=capture_lib.sh
. "$HELPERS/capture_lib.sh"

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
ARGS=("$@")
OUT=$ROOT/corpus/captures/transport
parse_out "$@"

((EUID == 0)) || { echo "$ME: run as root (tcpdump, unshare, nginx)" >&2; exit 2; }
need node nginx mosquitto openssl tcpdump tshark ss
[[ -d $NODE_DIR/node_modules/aedes && -d $NODE_DIR/node_modules/mqtt ]] ||
  { echo "$ME: $NODE_DIR/node_modules is missing (tools/setup.sh runs npm ci there)" >&2; exit 2; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' ||
  { echo "$ME: node $(node --version) is older than 18" >&2; exit 2; }
$PY -c 'import paho.mqtt.client' 2>/dev/null || { echo "$ME: $PY has no paho-mqtt" >&2; exit 2; }

enter_netns "${ARGS[@]}"
make_tmp
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WS_PORT=$(pick_port 8080)
DEFLATE_PORT=$(pick_port 8088)
WSS_PORT=$(pick_port 443)
BRIDGE_PORT=$(pick_port 80)
MQTT_PORT=$(pick_port 1883)

# node_bg NAME SCRIPT ARGS...: a tools/node/ server in the background, up once it says "listening".
node_bg() {
  local name=$1 script=$2; shift 2
  start_bg "$name" node "$NODE_DIR/$script" "$@"
  wait_until 10 grep -qs '^listening' "$TMP/$name.log" || die "$name did not start: $(tail -5 "$TMP/$name.log")"
}

start_mosquitto() {
  { mosquitto_conf_head; cat <<EOF; } >"$TMP/mosquitto.conf"
listener $MQTT_PORT 127.0.0.1
EOF
  start_bg mosquitto mosquitto -c "$TMP/mosquitto.conf"
  wait_until 10 listening "$MQTT_PORT" || die "mosquitto did not start: $(tail -5 "$TMP/mosquitto.log")"
}

# nginx as a wss:// TLS terminator for aedes: bound to 127.0.0.1 only, in the foreground
# (daemon off) so $! is its master, its pid file, logs and temp paths inside $TMP.
start_nginx() {
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log info;
events { worker_connections 64; }
http {
  access_log $TMP/nginx/access.log;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$WSS_PORT ssl;
    ssl_certificate $TMP/server.pem;
    ssl_certificate_key $TMP/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location /mqtt {
      proxy_pass http://127.0.0.1:$WS_PORT;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host \$host;
      proxy_read_timeout 60s;
    }
  }
}
EOF
  start_bg nginx nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx/" -e "$TMP/nginx/error.log"
  NGINX_PID=$BG_PID
  wait_until 10 listening "$WSS_PORT" || die "nginx did not start: $(tail -5 "$TMP/nginx/error.log" "$TMP/nginx.log")"
  [[ $(cat "$TMP/nginx/nginx.pid") == "$NGINX_PID" ]] || die "nginx pid file does not name the master we started"
}

# mqttjs URL ID ARGS...: one mqtt.js session (tools/node/mqttjs_session.js), bounded.
mqttjs() {
  local url=$1 id=$2; shift 2
  timeout 60 node "${NODE_FLAGS[@]}" "$NODE_DIR/mqttjs_session.js" "$url" --client-id "$id" "$@" >&2 ||
    die "mqtt.js $id failed"
}
NODE_FLAGS=()

# paho PORT ID ARGS...: one paho-mqtt session over WebSocket (tools/captures/paho_transport.py).
# Its large PUBLISH stays at 20,000 bytes: paho 1.6.1 over WebSocket stalls when the socket takes
# only part of a frame (eclipse-paho/paho.mqtt.python#887; here after 51,131 of 100,000 bytes).
PAHO_LARGE=20000
paho() {
  local port=$1 id=$2; shift 2
  timeout 60 "$PY" "$HELPERS/paho_transport.py" 127.0.0.1 "$port" --client-id "$id" --websocket /mqtt "$@" >&2 ||
    die "paho $id failed"
}

# tshark decodes HTTP (and so the WebSocket upgrade) on 80, 8080 and 8088, TLS on 443; other
# ports, chosen on a shared loopback, are named to it here.
decode_as() {
  local p
  for p in "$WS_PORT:8080" "$DEFLATE_PORT:8088" "$BRIDGE_PORT:80"; do
    [[ ${p%:*} == "${p#*:}" ]] || CHECK+=(--decode-as "tcp.port==${p%:*},http")
  done
  ((WSS_PORT == 443)) || CHECK+=(--decode-as "tcp.port==$WSS_PORT,tls" --decode-as "tls.port==$WSS_PORT,http")
  ((MQTT_PORT == 1883)) || CHECK+=(--decode-as "tcp.port==$MQTT_PORT,mqtt")
}

# capture NAME BPF SCENARIO [CHECK ARGS...]: record SCENARIO, check it with tshark, keep it.
capture() {
  local name=$1 filter=$2 scenario=$3; shift 3
  start_capture "$TMP/$name.pcap" "$filter"
  $scenario
  stop_capture
  CHECK=()
  decode_as
  local keys=()
  [[ -f $TMP/$name.keys ]] && keys=(--keys "$TMP/$name.keys")
  $PY "$HELPERS/summarize_capture.py" "${CHECK[@]}" "${keys[@]}" "$@" "$TMP/$name.pcap" ||
    die "$name.pcap: tshark does not see it whole"
  KEPT+=("$name.pcap")
  [[ -f $TMP/$name.keys ]] && KEPT+=("$name.keys")
  return 0
}
KEPT=()

scenario_ws() {
  mqttjs "ws://127.0.0.1:$WS_PORT/mqtt" ws-mqttjs --large 100000
  paho "$WS_PORT" ws-paho --large "$PAHO_LARGE"
}

scenario_ws_deflate() {
  mqttjs "ws://127.0.0.1:$DEFLATE_PORT/mqtt" ws-mqttjs-deflate --deflate --large 100000
  paho "$DEFLATE_PORT" ws-paho-no-deflate --large "$PAHO_LARGE"
}

scenario_wss() {
  : >"$TMP/wss-nginx.keys"
  NODE_FLAGS=(--tls-keylog="$TMP/mqttjs.keys")
  mqttjs "wss://127.0.0.1:$WSS_PORT/mqtt" wss-mqttjs --ca "$TMP/ca.pem" --tls-max 1.3 --large 40000
  NODE_FLAGS=()
  paho "$WSS_PORT" wss-paho --tls 1.2 --cipher ECDHE-RSA-AES128-GCM-SHA256 --ca "$TMP/ca.pem" \
    --keylog "$TMP/paho.keys" --large "$PAHO_LARGE"
  cat "$TMP/mqttjs.keys" "$TMP/paho.keys" >"$TMP/wss-nginx.keys"
}

scenario_bridge() {
  mqttjs "ws://127.0.0.1:$BRIDGE_PORT/mqtt" ws5-mqttjs --mqtt 5 --large 40000
  paho "$BRIDGE_PORT" ws5-paho --mqtt 5 --large "$PAHO_LARGE"
}

make_certs
start_mosquitto
node_bg aedes aedes_ws.js --port "$WS_PORT"
node_bg aedes-deflate aedes_ws.js --port "$DEFLATE_PORT" --deflate
node_bg bridge ws_bridge.js --port "$BRIDGE_PORT" --to "127.0.0.1:$MQTT_PORT"
start_nginx

capture ws-aedes "tcp port $WS_PORT" scenario_ws --ws-port "$WS_PORT"
capture ws-aedes-deflate "tcp port $DEFLATE_PORT" scenario_ws_deflate --ws-port "$DEFLATE_PORT" --deflate
capture wss-nginx "tcp port $WSS_PORT or tcp port $WS_PORT" scenario_wss --tls-port "$WSS_PORT" \
  --ws-port "$WSS_PORT" --ws-port "$WS_PORT"
capture ws-mqtt5-bridge "tcp port $BRIDGE_PORT or tcp port $MQTT_PORT" scenario_bridge --ws-port "$BRIDGE_PORT"

stop_pid "$NGINX_PID" QUIT
log "$ME: into $OUT (ports: aedes $WS_PORT, deflate $DEFLATE_PORT, nginx $WSS_PORT, bridge $BRIDGE_PORT, mosquitto $MQTT_PORT)"
for f in "${KEPT[@]}"; do keep "$TMP/$f" "$OUT"; done
