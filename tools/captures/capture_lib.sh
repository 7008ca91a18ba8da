# shellcheck shell=bash
# Shared by tools/captures/tls_captures.sh, ws_captures.sh and tools/make-captures.sh; sourced, not run.
#
# The caller sets ME (its name in messages) and calls, in this order:
#   enter_netns "$@"   re-run the caller in a private network namespace when unshare allows
#   make_tmp           TMP (removed on exit unless KEEP_TMP is set) and the EXIT trap that stops
#                      every pid in PIDS, each with a bounded wait
# then uses the helpers below. Every process a helper starts is put in PIDS.

PY=/usr/bin/python3
PIDS=()

log() { printf '%s\n' "$*" >&2; }
die() { log "$ME: $*"; exit 1; }

# parse_out ARGS...: the callers' command line: --out DIR (sets OUT), -h (the caller's usage).
parse_out() {
  while (($#)); do
    case $1 in
      --out) OUT=$2; shift 2 ;;
      -h|--help) usage ;;
      *) echo "unknown argument $1" >&2; usage ;;
    esac
  done
}

# enter_netns ARGS...: exec the caller again inside `unshare -n` (a loopback of our own: fixed
# ports are always free, no foreign traffic is captured, and lo gets an Ethernet-like MTU of
# 1500, so large packets span many TCP segments). Without unshare the shared loopback is used
# as it is.
enter_netns() {
  if [[ -z ${MQTTLENS_NETNS:-} ]]; then
    if unshare -n true 2>/dev/null; then
      MQTTLENS_NETNS=private exec unshare -n "$0" "$@"
    fi
    MQTTLENS_NETNS=shared
  fi
  if [[ $MQTTLENS_NETNS == private ]]; then
    ip link set lo up
    ip link set lo mtu 1500 gso_max_size 1500 # no 64 KB GSO frames in the capture either
  else
    log "$ME: no private network namespace, using the shared loopback (its MTU, free ports)"
  fi
}

make_tmp() {
  TMP=$(mktemp -d "/tmp/$ME.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait_exit 10 "$pid" || true; done
  if [[ -n ${KEEP_TMP:-} ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds or time runs out.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

gone() { ! kill -0 "$1" 2>/dev/null; }

# wait_exit SECONDS PID: wait for a child; SIGKILL it if it overstays. Returns its status.
wait_exit() {
  local pid=$2 rc=0
  if ! wait_until "$1" gone "$pid"; then
    log "$ME: pid $pid still running after $1 s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || rc=$?
  return $rc
}

# stop_pid PID [SIGNAL]: signal a child (TERM by default) and wait for it, bounded.
stop_pid() {
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  wait_exit 10 "$1" || true
}

listening() { ss -Hltn "sport = :$1" | grep -q .; }

# pick_port DEFAULT: DEFAULT when nothing listens there, else a port the kernel says is free.
pick_port() {
  if ! listening "$1"; then echo "$1"; return; fi
  $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# need TOOL...: each must be on PATH.
need() {
  local tool
  for tool in "$@"; do command -v "$tool" >/dev/null || die "$tool not found (tools/setup.sh installs it)"; done
}

# make_certs: a throwaway CA and a server certificate for 127.0.0.1 / localhost (RSA 2048, so the
# ECDHE-RSA suites apply), valid two days: $TMP/ca.pem, $TMP/server.pem, $TMP/server.key.
make_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mqttlens throwaway CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$TMP/ca.key" -out "$TMP/ca.pem" 2>"$TMP/openssl.err" || die "CA: $(cat "$TMP/openssl.err")"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$TMP/server.key" -out "$TMP/server.csr" 2>"$TMP/openssl.err" || die "CSR: $(cat "$TMP/openssl.err")"
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'basicConstraints=CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >"$TMP/server.ext"
  openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 2 -extfile "$TMP/server.ext" -out "$TMP/server.pem" 2>"$TMP/openssl.err" ||
    die "server certificate: $(cat "$TMP/openssl.err")"
}

# mosquitto_conf_head: the lines every capture broker's configuration opens with (runs as root,
# nothing kept, its log in $TMP/mosquitto.log with connections named, anonymous clients allowed);
# the caller appends its listeners and the rest.
mosquitto_conf_head() {
  cat <<EOF
user root
persistence false
sys_interval 0
log_dest file $TMP/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
allow_anonymous true
EOF
}

# start_bg NAME CMD...: CMD in the background, stdout and stderr to $TMP/NAME.log; BG_PID is its pid.
start_bg() {
  local name=$1; shift
  "$@" >"$TMP/$name.log" 2>&1 &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# start_capture FILE BPF: tcpdump on lo until stop_capture (kernel buffer CAP_BUFFER_KIB, default 64 MiB).
start_capture() {
  CAP_FILE=$1
  : >"$TMP/capture.err"
  tcpdump -i lo --immediate-mode -U -n -Z root -s 0 -B "${CAP_BUFFER_KIB:-65536}" -w "$CAP_FILE" "$2" 2>"$TMP/capture.err" &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  wait_until 10 grep -qs 'listening on' "$TMP/capture.err" || die "tcpdump did not start: $(cat "$TMP/capture.err")"
  sleep 0.2
}

# stop_capture: SIGINT to tcpdump after the last FIN/ACK; fails when the kernel dropped packets.
stop_capture() {
  sleep 0.5
  stop_pid "$CAP_PID" INT
  local dropped
  dropped=$(grep -oE '[0-9]+ packets? dropped by kernel' "$TMP/capture.err" | grep -oE '^[0-9]+' || true)
  [[ -z $dropped || $dropped == 0 ]] || die "tcpdump dropped $dropped packets for $CAP_FILE"
  [[ -s $CAP_FILE ]] || die "empty capture $CAP_FILE: $(cat "$TMP/capture.err")"
}

# keep FILE DIR: move a finished capture or key log into DIR and say how big it is.
keep() {
  mv "$1" "$2/"
  log "$(printf '  %-28s %9s bytes' "$(basename "$1")" "$(stat -c %s "$2/$(basename "$1")")")"
}
