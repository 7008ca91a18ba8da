#!/usr/bin/env bash
# Regenerate corpus/captures/ from real MQTT traffic on loopback.
#
#   tools/make-captures.sh [--out DIR] [NAME...]   committed captures (default DIR corpus/captures);
#                                                  NAME tls: the MQTT-over-TLS ones with their key
#                                                  logs (tools/captures/tls_captures.sh), ws: the
#                                                  WebSocket ones (tools/captures/ws_captures.sh),
#                                                  both into DIR/transport
#   tools/make-captures.sh --big N [--v5] [--out FILE]
#                                                  N small messages through the broker, for
#                                                  tools/bench-vs-tshark.sh (default out/big.pcap;
#                                                  --v5: MQTT 5.0 clients, each PUBLISH with two
#                                                  User Properties, default out/big5.pcap)
#
# Runs as root. A private network namespace (unshare -n) keeps the loopback to ourselves, so
# ports 1883/18830 are always free and no foreign traffic lands in a capture; without unshare it
# falls back to the shared loopback and refuses to run if the ports are taken.
# Needs: mosquitto, mosquitto-clients, tcpdump, tshark (dumpcap, editcap, capinfos),
# python3-paho-mqtt (for /usr/bin/python3), iproute2, coreutils.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HELPERS=$ROOT/tools/captures
ME=make-captures
# log, die, wait_until, wait_exit, listening, make_tmp, mosquitto_conf_head (this script's own
# start_capture and stop_capture, below, replace the library's)
# shellcheck source-path=SCRIPTDIR source=captures/capture_lib.sh
. "$HELPERS/capture_lib.sh"
PORT=1883
ALT_PORT=18830

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

ARGS=("$@")
OUT='' BIG='' V5=() ONLY=() KINDS=()
while (($#)); do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --big) BIG=$2; shift 2 ;;
    --v5) V5=(-V 5); shift ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    tls|ws) KINDS+=("$1"); shift ;;
    *) ONLY+=("$1"); shift ;;
  esac
done
[[ -n $BIG && ! $BIG =~ ^[0-9]+$ ]] && { echo "--big needs a message count" >&2; exit 2; }

if ((EUID != 0)); then echo "make-captures: run as root (tcpdump, unshare)" >&2; exit 2; fi
for tool in mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd tcpdump dumpcap capinfos tshark; do
  command -v "$tool" >/dev/null || { echo "make-captures: $tool not found" >&2; exit 2; }
done
$PY -c 'import paho.mqtt.client' 2>/dev/null ||
  { echo "make-captures: $PY has no paho-mqtt (apt install python3-paho-mqtt)" >&2; exit 2; }

# Re-run ourselves inside a fresh network namespace when we can.
if [[ -z ${MQTTLENS_NETNS:-} ]]; then
  if unshare -n true 2>/dev/null; then
    MQTTLENS_NETNS=private exec unshare -n "$0" "${ARGS[@]}"
  fi
  MQTTLENS_NETNS=shared
fi
if [[ $MQTTLENS_NETNS == private ]]; then
  ip link set lo up
else
  echo "make-captures: no private network namespace, using the shared loopback" >&2
  for p in $PORT $ALT_PORT; do
    if ss -Hltn "sport = :$p" | grep -q .; then
      echo "make-captures: port $p is in use on this host; stop that broker first" >&2; exit 2
    fi
  done
fi

make_tmp

start_broker() {
  mosquitto_passwd -c -b "$TMP/passwd" alice secret >/dev/null
  mosquitto_passwd -b "$TMP/passwd" bob hunter2 >/dev/null
  { mosquitto_conf_head; cat <<EOF; } >"$TMP/mosquitto.conf"
log_type subscribe
password_file $TMP/passwd
max_queued_messages 0
max_queued_bytes 0
listener $PORT 127.0.0.1
listener $PORT ::1
listener $ALT_PORT 127.0.0.1
EOF
  mosquitto -c "$TMP/mosquitto.conf" 2>>"$TMP/mosquitto.log" &
  PIDS+=($!)
  BROKER_PID=$!
  if ! wait_until 10 listening $PORT || ! wait_until 10 listening $ALT_PORT; then
    die "mosquitto did not start: $(tail -5 "$TMP/mosquitto.log" 2>/dev/null)"
  fi
}

# start_capture FILE IFACE BPF [tool]: record until stop_capture; tool is tcpdump or dumpcap.
start_capture() {
  CAP_FILE=$1 CAP_TOOL=${4:-tcpdump}
  : >"$TMP/capture.err"
  if [[ $CAP_TOOL == dumpcap ]]; then
    dumpcap -q -i "$2" -f "$3" -s 0 -w "$CAP_FILE" 2>"$TMP/capture.err" &
  else
    tcpdump -i "$2" --immediate-mode -U -n -Z root -s 0 -B "${CAP_BUFFER_KIB:-65536}" -w "$CAP_FILE" "$3" 2>"$TMP/capture.err" &
  fi
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_until 10 grep -qsiE 'listening on|capturing on' "$TMP/capture.err" ||
    die "$CAP_TOOL did not start: $(cat "$TMP/capture.err")"
  sleep 0.2
}

stop_capture() {
  sleep 0.5 # the last FIN/ACK of the scenario
  kill -INT "$CAP_PID"
  wait_exit 10 "$CAP_PID" || true
  local dropped
  dropped=$(grep -oE '[0-9]+ packets? dropped by kernel' "$TMP/capture.err" | grep -oE '^[0-9]+' || true)
  if [[ -n $dropped && $dropped != 0 ]]; then
    log "WARNING: $CAP_TOOL dropped $dropped packets for $CAP_FILE"
    CAP_DROPPED=$dropped
  else
    CAP_DROPPED=0
  fi
  [[ -s $CAP_FILE ]] || die "empty capture $CAP_FILE: $(cat "$TMP/capture.err")"
}

# sub_start NAME ARGS...: mosquitto_sub in the background, returns once its SUBACK arrived.
sub_start() {
  local name=$1; shift
  timeout 60 stdbuf -oL mosquitto_sub -d "$@" >"$TMP/$name.out" 2>&1 &
  eval "SUB_$name=$!"
  PIDS+=($!)
  wait_until 10 grep -qs 'received SUBACK' "$TMP/$name.out" ||
    die "subscriber $name never subscribed: $(cat "$TMP/$name.out")"
}
sub_done() { # sub_done NAME: wait (bounded) for a subscriber started with -C to finish.
  local pid_var=SUB_$1
  wait_exit 30 "${!pid_var}" || die "subscriber $1 failed: $(tail -5 "$TMP/$1.out")"
}
pub() { timeout 30 mosquitto_pub "$@"; }

# ---- scenarios: each sends its traffic while a capture is running ----

scenario_demo() {
  $PY "$HELPERS/paho_session.py" 127.0.0.1 $PORT demo
  $PY "$HELPERS/raw_mqtt.py" 127.0.0.1 $PORT demo-bad >/dev/null
}

scenario_qos_wildcards() {
  sub_start qw -i sub-wild -q 2 -C 6 -v -t 'sensors/+/temp' -t 'logs/#'
  pub -i pub-q0 -q 0 -t sensors/kitchen/temp -m 21.5
  pub -i pub-q1 -q 1 -t sensors/garage/temp -m 8.25
  pub -i pub-q2 -q 2 -t logs/app/error -m 'disk full'
  pub -i pub-nomatch -q 1 -t sensors/kitchen/humidity -m 40   # matches no filter
  pub -i pub-deep -q 1 -t sensors/a/b/temp -m 1               # '+' is one level only
  pub -i pub-parent -q 1 -t logs -m 'top level'               # 'logs/#' matches 'logs'
  pub -i pub-retain -q 1 -r -t sensors/attic/temp -m 30       # retained, live copy has RETAIN 0
  pub -i pub-empty -q 0 -t logs/app/empty -n                  # zero-length payload
  sub_done qw
  pub -i pub-clear -q 1 -r -t sensors/attic/temp -n           # clear the retained message
}

scenario_will_auth() {
  sub_start wa -i watcher -u bob -P hunter2 -q 1 -C 1 -v -t 'clients/+/status'
  if pub -i intruder -u alice -P wrong -t clients/x -m y 2>/dev/null; then
    die "broker accepted a wrong password"
  fi
  stdbuf -oL mosquitto_sub -d -i doomed -u alice -P secret -k 30 \
    --will-topic clients/doomed/status --will-payload offline --will-qos 1 --will-retain \
    -t clients/doomed/cmd >"$TMP/doomed.out" 2>&1 &
  local doomed=$!
  PIDS+=("$doomed")
  wait_until 10 grep -qs 'received SUBACK' "$TMP/doomed.out" || die "doomed never subscribed"
  kill -KILL $doomed # no DISCONNECT: the broker publishes the will
  wait $doomed 2>/dev/null || true
  sub_done wa
  grep -q 'clients/doomed/status offline' "$TMP/wa.out" || die "will not delivered"
  pub -i will-clear -u bob -P hunter2 -q 1 -r -t clients/doomed/status -n
}

scenario_keepalive_unsub() {
  # mosquitto_sub refuses keep-alives under 5 s; paho takes 2 s.
  $PY "$HELPERS/paho_session.py" 127.0.0.1 $PORT keepalive
  $PY "$HELPERS/paho_session.py" 127.0.0.1 $PORT unsubscribe >/dev/null
}

scenario_large_payload() {
  $PY -c 'import sys
sys.stdout.buffer.write(bytes((i * 7 + i // 251) & 0xFF for i in range(300 * 1024)))' >"$TMP/large.bin"
  sub_start lp -i big-sink -q 1 -C 1 -N -t 'files/#'
  pub -i big-source -q 1 -t files/firmware.bin -f "$TMP/large.bin"
  sub_done lp
  # mosquitto_sub -d wraps the payload in debug lines; compare the payload bytes only.
  grep -c 'received PUBLISH.*307200 bytes' "$TMP/lp.out" >/dev/null || die "large payload not received"
}

BURST_Q0=3000 BURST_Q1=500
scenario_burst() {
  sub_start burst -i burst-sink -q 1 -C $((BURST_Q0 + BURST_Q1)) -t 'burst/#'
  seq -f 'm%05g' 1 $BURST_Q0 | pub -i burst-q0 -q 0 -t burst/q0 -l
  seq -f 'm%05g' 1 $BURST_Q1 | pub -i burst-q1 -q 1 -t burst/q1 -l
  sub_done burst
}

scenario_ipv6() {
  sub_start v6 -h ::1 -i v6-sub -q 1 -C 2 -t 'v6/#'
  pub -h ::1 -i v6-pub -q 0 -t v6/hello -m 'over IPv6'
  pub -h ::1 -i v6-pub -q 1 -t v6/hello -m 'over IPv6, QoS 1'
  sub_done v6
}

scenario_port_18830() {
  sub_start alt -p $ALT_PORT -i alt-sub -q 2 -C 2 -t 'alt/#'
  pub -p $ALT_PORT -i alt-pub -q 1 -t alt/port -m 'non-standard port, QoS 1'
  pub -p $ALT_PORT -i alt-pub -q 2 -t alt/port -m 'non-standard port, QoS 2'
  sub_done alt
}

scenario_any_sll2() {
  sub_start any -i any-sub -q 1 -C 2 -t 'any/#'
  pub -i any-pub -q 1 -t any/linux-cooked -m 'captured with -i any'
  pub -i any-pub -q 0 -t any/linux-cooked -m 'second message'
  sub_done any
}

scenario_retained_pcapng() {
  pub -i retainer -q 2 -r -t config/device42 -m '{"interval":30}'
  sub_start rp -i late-joiner -q 2 -C 1 -v -t 'config/+'   # gets the retained copy, RETAIN 1
  sub_done rp
  pub -i retainer -q 2 -r -t config/device42 -n
}

scenario_malformed() {
  $PY "$HELPERS/raw_mqtt.py" 127.0.0.1 $PORT malformed >"$TMP/malformed.out" ||
    die "malformed: $(cat "$TMP/malformed.out")"
  sed 's/^/  /' "$TMP/malformed.out" >&2
}

scenario_segmented() {
  $PY "$HELPERS/raw_mqtt.py" 127.0.0.1 $PORT segmented >/dev/null
}

scenario_mqtt5() {
  sub_start v5 -V 5 -i v5-sub -q 1 -C 1 -t 'v5/#'
  pub -V 5 -i v5-pub -q 1 -t v5/props -m 'MQTT 5.0 with a user property' -D publish user-property origin make-captures
  sub_done v5
}

scenario_mqtt5_session() {
  $PY "$HELPERS/raw_mqtt5.py" 127.0.0.1 $PORT >"$TMP/mqtt5-session.out" ||
    die "mqtt5-session: $(cat "$TMP/mqtt5-session.out")"
  sed 's/^/  /' "$TMP/mqtt5-session.out" >&2
}

scenario_mqtt5_paho() {
  $PY "$HELPERS/paho5_session.py" 127.0.0.1 $PORT >"$TMP/mqtt5-paho.out" ||
    die "mqtt5-paho: $(cat "$TMP/mqtt5-paho.out")"
  sed 's/^/  /' "$TMP/mqtt5-paho.out" >&2
}

# name | file | interface | BPF filter | capture tool | scenario
CAPTURES=(
  "demo|demo.pcap|lo|tcp port $PORT|tcpdump|scenario_demo"
  "qos-wildcards|qos-wildcards.pcap|lo|tcp port $PORT|tcpdump|scenario_qos_wildcards"
  "will-auth|will-auth.pcap|lo|tcp port $PORT|tcpdump|scenario_will_auth"
  "keepalive-unsub|keepalive-unsub.pcap|lo|tcp port $PORT|tcpdump|scenario_keepalive_unsub"
  "large-payload|large-payload.pcap|lo|tcp port $PORT|tcpdump|scenario_large_payload"
  "burst|burst.pcap|lo|tcp port $PORT|tcpdump|scenario_burst"
  "ipv6|ipv6.pcap|lo|ip6 and tcp port $PORT|tcpdump|scenario_ipv6"
  "port-18830|port-18830.pcap|lo|tcp port $ALT_PORT|tcpdump|scenario_port_18830"
  "any-sll2|any-sll2.pcap|any|tcp port $PORT|tcpdump|scenario_any_sll2"
  "retained|retained.pcapng|lo|tcp port $PORT|dumpcap|scenario_retained_pcapng"
  "malformed|malformed.pcap|lo|tcp port $PORT|tcpdump|scenario_malformed"
  "segmented|segmented.pcap|lo|tcp port $PORT|tcpdump|scenario_segmented"
  "mqtt5|mqtt5.pcap|lo|tcp port $PORT|tcpdump|scenario_mqtt5"
  "mqtt5-session|mqtt5-session.pcap|lo|tcp port $PORT|tcpdump|scenario_mqtt5_session"
  "mqtt5-paho|mqtt5-paho.pcap|lo|tcp port $PORT|tcpdump|scenario_mqtt5_paho"
)

make_corpus() {
  local dir=${OUT:-$ROOT/corpus/captures}
  mkdir -p "$dir"
  start_broker
  local entry name file iface filter tool scenario t0 attempt
  for entry in "${CAPTURES[@]}"; do
    IFS='|' read -r name file iface filter tool scenario <<<"$entry"
    if ((${#ONLY[@]})) && [[ " ${ONLY[*]} " != *" $name "* ]]; then continue; fi
    t0=$SECONDS
    for attempt in 1 2 3; do # a busy machine can make tcpdump drop: record the scenario again
      ((attempt == 1)) || log "$file: recording again (attempt $attempt)"
      start_capture "$TMP/$file" "$iface" "$filter" "$tool"
      $scenario
      stop_capture
      ((CAP_DROPPED == 0)) && break
    done
    ((CAP_DROPPED == 0)) || die "$file: packets dropped in 3 attempts"
    mv "$TMP/$file" "$dir/$file"
    log "$(printf '%-22s %8s bytes %6s frames %3ss' "$file" "$(stat -c %s "$dir/$file")" \
      "$(capinfos -M -c -T "$dir/$file" | tail -1 | cut -f2)" $((SECONDS - t0)))"
  done
  kill -0 "$BROKER_PID" || die "broker died: $(tail -5 "$TMP/mosquitto.log")"
  # The MQTT packet sequence of every scenario is fixed even if timing and segmentation are not.
  local made=() e
  for e in "${CAPTURES[@]}"; do
    IFS='|' read -r name file _ <<<"$e"
    if ((${#ONLY[@]})) && [[ " ${ONLY[*]} " != *" $name "* ]]; then continue; fi
    made+=("$dir/$file")
  done
  if ! $PY "$HELPERS/count_packets.py" --check "$ROOT/corpus/captures/expected-counts.txt" "${made[@]}" >&2; then
    die "packet counts differ from corpus/captures/expected-counts.txt (update it if the scenario changed on purpose)"
  fi
}

make_big() {
  local n=$BIG out=${OUT:-$ROOT/out/big${V5:+5}.pcap}
  mkdir -p "$(dirname "$out")"
  start_broker
  local attempt
  for attempt in 1 2 3; do # tcpdump drops on a busy machine: record again
    ((attempt == 1)) || log "big: recording again (attempt $attempt)"
    big_attempt "$n" && break
  done
  ((CAP_DROPPED == 0)) || die "tcpdump dropped packets in 3 attempts; the capture is incomplete"
  mv "$TMP/big.pcap" "$out"
  log "big: $out $(stat -c %s "$out") bytes, $(capinfos -M -c -T "$out" | tail -1 | cut -f2) frames"
}

big_attempt() {
  local n=$1 q1=$(($1 / 20)) q0 batch=25000 t0=$SECONDS props=()
  q0=$((n - q1))
  ((${#V5[@]})) && props=(-D publish user-property unit C -D publish user-property site north)
  CAP_BUFFER_KIB=262144 start_capture "$TMP/big.pcap" lo "tcp port $PORT"
  # No -d here: a debug line per message would slow the subscriber down. The broker's log says
  # when the subscription is in place; -F %t prints one line per message for the count.
  timeout 900 mosquitto_sub "${V5[@]}" -i "big-sink-$SECONDS" -q 1 -C "$n" -F %t -t 'bench/#' >"$TMP/big.out" 2>&1 &
  local sub=$!
  PIDS+=("$sub")
  wait_until 10 grep -qs "big-sink-[0-9]* 1 bench/#" "$TMP/mosquitto.log" || die "big: subscriber never subscribed"
  # mosquitto_pub -l publishes one message per line as fast as the socket takes them.
  # Several publishers in sequence, so the capture holds many connections. The broker is the
  # bottleneck, so TCP packs many messages into each loopback segment (about 10 per frame).
  local sent=0 i=0 count
  while ((sent < q0)); do
    count=$((q0 - sent < batch ? q0 - sent : batch))
    seq -f "sensor-$i reading %g" 1 "$count" |
      timeout 600 mosquitto_pub "${V5[@]}" "${props[@]}" -i "bench-q0-$i" -q 0 -t "bench/q0/$i" -l
    sent=$((sent + count)) i=$((i + 1))
  done
  seq -f 'acknowledged reading %g' 1 "$q1" |
    timeout 600 mosquitto_pub "${V5[@]}" "${props[@]}" -i bench-q1 -q 1 -t bench/q1 -l
  # The subscriber exits after n messages; stop waiting once it has received nothing for 10 s.
  local rc=0 got last=-1 still=0
  while kill -0 "$sub" 2>/dev/null && ((still < 10)); do
    sleep 1
    got=$(wc -l <"$TMP/big.out")
    if ((got == last)); then still=$((still + 1)); else still=0 last=$got; fi
  done
  kill -TERM "$sub" 2>/dev/null || true
  wait "$sub" || rc=$?
  stop_capture
  got=$(wc -l <"$TMP/big.out")
  log "big: published $n ($q0 QoS 0, $q1 QoS 1), subscriber received $got (exit $rc)," \
    "tcpdump dropped $CAP_DROPPED, $((SECONDS - t0)) s"
  ((got == n)) || log "WARNING: the broker delivered $got of $n messages (QoS 0 may be dropped)"
  ((CAP_DROPPED == 0))
}

# The TLS and WebSocket captures: each script runs its own peers in a network namespace of its own.
make_kinds() {
  local kind
  for kind in "${KINDS[@]}"; do
    log "$kind captures (tools/captures/${kind}_captures.sh)"
    timeout 600 env -u MQTTLENS_NETNS "$HELPERS/${kind}_captures.sh" --out "${OUT:-$ROOT/corpus/captures}/transport" ||
      die "$kind captures failed"
  done
}

if [[ -n $BIG ]]; then
  make_big
else
  if ((${#ONLY[@]} == 0 && ${#KINDS[@]} == 0)); then
    KINDS=(tls ws) # no NAME: every capture, the TLS and WebSocket ones too
    make_corpus
  elif ((${#ONLY[@]})); then
    make_corpus
  fi
  make_kinds
fi
