#!/usr/bin/env bash
# probe-matrix.sh: the conformance matrix. Runs `mqtt-probe conform --json` (the whole catalogue)
# against four real brokers, each started here and stopped here, and writes docs/CONFORMANCE-MATRIX.md
# (tools/probe_matrix.py) plus, on stdout, the compact table the top-level README shows.
#
#   tools/probe-matrix.sh [--probe PATH] [--out FILE] [--reports DIR] [--timeout MS]
#                         [--brokers LIST] [--save DIR] [--no-install]
#
#   --probe PATH    the mqtt-probe binary (built beforehand; this script builds nothing).
#                   Default: build/bin/mqtt-probe, else build/tools/mqtt-probe/mqtt-probe.
#   --out FILE      the Markdown matrix (default docs/CONFORMANCE-MATRIX.md). Its section between
#                   the "hand-written" markers (the broker bug write-ups) is kept across reruns.
#   --reports DIR   the raw reports, one per broker: NAME.json (mqtt-probe's --json), NAME.log (the
#                   broker's output), NAME.version, or NAME.unavailable with the reason
#                   (default build/probe-matrix; emptied first).
#   --timeout MS    mqtt-probe's --timeout, the time the broker has for one step (default 2000).
#   --brokers LIST  comma-separated subset of mosquitto,aedes,rabbitmq,activemq (default: all four).
#   --save DIR      also mqtt-probe's --save DIR/NAME per broker: each failing or inconclusive case
#                   as an mqtt-craft script and a pcap (the reproducers).
#   --no-install    never run apt-get or npm; a broker that is missing is marked unavailable.
#
# The brokers, one after the other, each on 127.0.0.1 and a free port, with its own temporary
# config and data directory (removed at exit), as the user nobody when run as root:
#   mosquitto  Debian's /usr/sbin/mosquitto, `listener PORT 127.0.0.1`, `allow_anonymous true`.
#   aedes      `node tools/node/aedes_tcp.js --port PORT` (npm ci in tools/node if node_modules is
#              missing).
#   rabbitmq   Debian's rabbitmq-server with the rabbitmq_mqtt plugin (an enabled_plugins file, no
#              rabbitmqctl), the AMQP listener off, MQTT on 127.0.0.1:PORT with anonymous logins
#              mapped to guest; a unique node name, its own Erlang cookie (HOME) and its own epmd on
#              a free loopback port, started and stopped here; distribution on loopback.
#   activemq   Debian's activemq (5.17) run with java directly, a generated activemq.xml with one
#              mqtt transportConnector on 127.0.0.1:PORT, no persistence, no JMX. Debian ships the
#              MQTT transport (activemq-mqtt.jar) but not the codec it loads on the first connection
#              (org.fusesource.mqtt.codec, in the separate package libmqtt-client-java, which the
#              activemq package does not depend on): without it every MQTT connection fails with
#              NoClassDefFoundError. The script installs libmqtt-client-java and puts its jars on
#              the broker's classpath; if that is impossible ActiveMQ is marked unavailable.
#
# Run as root, missing packages are installed: `apt-get update` once, then
# `apt-get install -y --no-install-recommends` of rabbitmq-server, activemq, libmqtt-client-java
# and mosquitto. The packages' own services (which would listen on every interface) are not
# started: when /usr/sbin/policy-rc.d does not exist, one that denies every start is put there for
# the install and removed after it. Not root: nothing is installed and the brokers run as the
# calling user.
#
# Bounds: each broker has 20 s (mosquitto, aedes) or 90 s (rabbitmq, activemq) to open its port,
# mqtt-probe has PROBE_MATRIX_RUN_LIMIT seconds (default 150) per broker, each stop 15 s before
# SIGKILL: at most about 10 minutes plus the install; a normal run takes under a minute. On any
# exit (trap) every process started here is stopped by its process group.
#
# Exit status: 0 when the matrix was written (broker failures are data, not errors), 2 on usage
# errors or a missing mqtt-probe.
set -euo pipefail
set +m

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROBE=""
OUT="$REPO/docs/CONFORMANCE-MATRIX.md"
REPORTS="$REPO/build/probe-matrix"
STEP_TIMEOUT=2000
BROKERS="mosquitto,aedes,rabbitmq,activemq"
INSTALL=1
SAVE=""
RUN_LIMIT=${PROBE_MATRIX_RUN_LIMIT:-150}

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2; exit 2; }
log() { printf 'probe-matrix: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --probe) PROBE=${2:?}; shift 2 ;;
        --out) OUT=${2:?}; shift 2 ;;
        --reports) REPORTS=${2:?}; shift 2 ;;
        --timeout) STEP_TIMEOUT=${2:?}; shift 2 ;;
        --brokers) BROKERS=${2:?}; shift 2 ;;
        --save) SAVE=${2:?}; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) usage ;;
        *) log "unknown argument: $1"; usage ;;
    esac
done
if [ -z "$PROBE" ]; then
    PROBE="$REPO/build/bin/mqtt-probe"
    [ -x "$PROBE" ] || PROBE="$REPO/build/tools/mqtt-probe/mqtt-probe"
fi
[ -x "$PROBE" ] || { log "no mqtt-probe binary at $PROBE (build it first, or give --probe PATH)"; exit 2; }
PROBE=$(cd "$(dirname "$PROBE")" && pwd)/$(basename "$PROBE")
for b in ${BROKERS//,/ }; do
    case "$b" in mosquitto|aedes|rabbitmq|activemq) ;; *) log "unknown broker: $b"; exit 2 ;; esac
done

IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
WORK=$(mktemp -d /tmp/probe-matrix.XXXXXX)
chmod 755 "$WORK"
# A copy, so that a rebuild during the run does not change the binary under it.
cp "$PROBE" "$WORK/mqtt-probe"
PROBE_SOURCE=$PROBE
PROBE="$WORK/mqtt-probe"
mkdir -p "$REPORTS"
rm -f "$REPORTS"/*.json "$REPORTS"/*.log "$REPORTS"/*.version "$REPORTS"/*.unavailable
PGIDS=()    # process groups started here, stopped in reverse order at exit

# stop_group PGID: SIGTERM to the group, up to 15 s for it to go, then SIGKILL.
stop_group() {
    local g=$1 i
    kill -TERM -- "-$g" 2>/dev/null || return 0
    for i in $(seq 1 150); do
        kill -0 -- "-$g" 2>/dev/null || return 0
        sleep 0.1
    done
    log "process group $g still running after 15 s: SIGKILL"
    kill -KILL -- "-$g" 2>/dev/null || true
}

PROBE_PID=""
POLICY_RC_D=""   # a policy-rc.d written here for an install, removed after it (or at exit)
cleanup() {
    local i
    if [ -n "$POLICY_RC_D" ]; then rm -f "$POLICY_RC_D"; fi
    if [ -n "$PROBE_PID" ]; then kill -TERM "$PROBE_PID" 2>/dev/null || true; fi
    for ((i = ${#PGIDS[@]} - 1; i >= 0; i--)); do stop_group "${PGIDS[i]}"; done
    PGIDS=()
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# free_port: a TCP port free on 127.0.0.1 right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# launch NAME LOG CMD...: CMD in a new session (its own process group), as nobody when root, stdout
# and stderr to LOG; sets LAUNCHED to the process group id and records it for the exit trap.
launch() {
    local name=$1 logf=$2 pidf="$WORK/$1.pgid" i
    shift 2
    local as=()
    [ "$IS_ROOT" = 1 ] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
    rm -f "$pidf"
    # shellcheck disable=SC2016 # $$, $0 and $@ are the inner shell's
    setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidf" "${as[@]}" "$@" > "$logf" 2>&1 < /dev/null &
    for i in $(seq 1 50); do [ -s "$pidf" ] && break; sleep 0.1; done
    [ -s "$pidf" ] || { log "$name: did not start"; return 1; }
    LAUNCHED=$(cat "$pidf")
    PGIDS+=("$LAUNCHED")
}

# wait_port PORT SECONDS PGID: 0 once 127.0.0.1:PORT accepts, 1 when the time is up or the group is gone.
wait_port() {
    local port=$1 g=$3 end=$((SECONDS + $2))
    while [ $SECONDS -lt $end ]; do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 -- "-$g" 2>/dev/null || return 1
        sleep 0.25
    done
    return 1
}

# forget_group PGID: stop it now and drop it from the exit list.
forget_group() {
    local g=$1 keep=() x
    stop_group "$g"
    for x in "${PGIDS[@]}"; do [ "$x" = "$g" ] || keep+=("$x"); done
    PGIDS=("${keep[@]+"${keep[@]}"}")
}

unavailable() { printf '%s\n' "$2" > "$REPORTS/$1.unavailable"; log "$1: unavailable: $2"; }
pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo "not installed"; }

APT_UPDATED=0
# apt_install PKG...: installs the packages not yet installed (root only, not with --no-install).
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$INSTALL" = 0 ] || [ "$IS_ROOT" = 0 ]; then
        log "missing packages ${missing[*]} (run as root without --no-install to install them)"
        return 1
    fi
    if [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || return 1
        APT_UPDATED=1
    fi
    log "apt-get install ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# tools/probe-matrix.sh: no service starts during its install\nexit 101\n' > "$policy"
        chmod 755 "$policy"
        POLICY_RC_D=$policy
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 || rc=$?
    if [ -n "$POLICY_RC_D" ]; then rm -f "$POLICY_RC_D"; POLICY_RC_D=""; fi
    return $rc
}

# probe NAME PORT [mqtt-probe options...]: the whole catalogue against 127.0.0.1:PORT into NAME.json.
probe() {
    local name=$1 port=$2 rc=0
    shift 2
    if [ -n "$SAVE" ]; then
        mkdir -p "$SAVE/$name"
        set -- "$@" --save "$SAVE/$name"
    fi
    log "$name: mqtt-probe conform 127.0.0.1:$port"
    # In the background and waited for, so that a signal to this script is handled at once.
    timeout -k 5 "$RUN_LIMIT" "$PROBE" conform --json --timeout "$STEP_TIMEOUT" "$@" "127.0.0.1:$port" \
        > "$REPORTS/$name.json.part" 2> "$REPORTS/$name.probe-stderr" &
    PROBE_PID=$!
    wait "$PROBE_PID" || rc=$?
    PROBE_PID=""
    case $rc in
        0|1) mv "$REPORTS/$name.json.part" "$REPORTS/$name.json"; rm -f "$REPORTS/$name.probe-stderr" ;;
        124|137) unavailable "$name" "mqtt-probe did not finish within ${RUN_LIMIT} s" ;;
        *) unavailable "$name" "mqtt-probe exit $rc: $(tail -c 300 "$REPORTS/$name.probe-stderr" | tr '\n' ' ')" ;;
    esac
    rm -f "$REPORTS/$name.json.part"
}

run_mosquitto() {
    local bin=/usr/sbin/mosquitto dir="$WORK/mosquitto" port
    [ -x "$bin" ] || apt_install mosquitto || true
    [ -x "$bin" ] || { unavailable mosquitto "$bin is not installed"; return; }
    mkdir -p "$dir"; port=$(free_port)
    printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stdout\n' "$port" > "$dir/m.conf"
    chmod -R a+rX "$dir"
    echo "mosquitto $("$bin" -h 2>/dev/null | sed -n '1s/^mosquitto version //p') (Debian package $(pkg_version mosquitto))" \
        > "$REPORTS/mosquitto.version"
    launch mosquitto "$REPORTS/mosquitto.log" "$bin" -c "$dir/m.conf" || { unavailable mosquitto "did not start"; return; }
    local g=$LAUNCHED
    if wait_port "$port" 20 "$g"; then probe mosquitto "$port"
    else unavailable mosquitto "port $port not open within 20 s (see mosquitto.log)"; fi
    forget_group "$g"
}

run_aedes() {
    local nodedir="$REPO/tools/node" port
    command -v node > /dev/null || { unavailable aedes "node is not installed"; return; }
    if [ ! -d "$nodedir/node_modules/aedes" ]; then
        if [ "$INSTALL" = 1 ] && command -v npm > /dev/null; then
            log "aedes: npm ci in tools/node"
            (cd "$nodedir" && timeout 300 npm ci --no-audit --no-fund >&2) || true
        fi
    fi
    [ -f "$nodedir/node_modules/aedes/package.json" ] || { unavailable aedes "tools/node/node_modules/aedes missing (npm ci in tools/node)"; return; }
    port=$(free_port)
    echo "aedes $(node -p "require('$nodedir/node_modules/aedes/package.json').version") (npm, tools/node/package-lock.json) on node $(node --version)" \
        > "$REPORTS/aedes.version"
    launch aedes "$REPORTS/aedes.log" node "$nodedir/aedes_tcp.js" --port "$port" || { unavailable aedes "did not start"; return; }
    local g=$LAUNCHED
    if wait_port "$port" 20 "$g"; then probe aedes "$port"
    else unavailable aedes "port $port not open within 20 s (see aedes.log)"; fi
    forget_group "$g"
}

run_rabbitmq() {
    local server=/usr/lib/rabbitmq/bin/rabbitmq-server dir="$WORK/rabbitmq" port dist epmd_port
    [ -x "$server" ] || apt_install rabbitmq-server || true
    [ -x "$server" ] || { unavailable rabbitmq "rabbitmq-server is not installed"; return; }
    command -v epmd > /dev/null || { unavailable rabbitmq "epmd (erlang-base) missing"; return; }
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    port=$(free_port); dist=$(free_port); epmd_port=$(free_port)
    cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp = none
mqtt.listeners.tcp.default = 127.0.0.1:$port
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
EOF
    echo '[rabbitmq_mqtt].' > "$dir/enabled_plugins"
    echo '[{kernel, [{inet_dist_use_interface, {127,0,0,1}}]}].' > "$dir/advanced.config"
    : > "$dir/rabbitmq-env.conf"
    [ "$IS_ROOT" = 1 ] && chown -R nobody:nogroup "$dir"
    echo "RabbitMQ $(pkg_version rabbitmq-server) (Debian package rabbitmq-server, plugin rabbitmq_mqtt) on Erlang/OTP $(pkg_version erlang-base)" \
        > "$REPORTS/rabbitmq.version"

    launch epmd "$REPORTS/rabbitmq-epmd.log" epmd -port "$epmd_port" -address 127.0.0.1 || { unavailable rabbitmq "epmd did not start"; return; }
    local ge=$LAUNCHED
    if ! wait_port "$epmd_port" 10 "$ge"; then
        unavailable rabbitmq "epmd did not listen on port $epmd_port within 10 s"; forget_group "$ge"; return
    fi
    launch rabbitmq "$REPORTS/rabbitmq.log" env HOME="$dir/home" \
        RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        RABBITMQ_NODENAME="probematrix-$$-$port@localhost" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_LOGS=- \
        RABBITMQ_PID_FILE="$dir/rabbitmq.pid" RABBITMQ_DIST_PORT="$dist" \
        ERL_EPMD_PORT="$epmd_port" ERL_EPMD_ADDRESS=127.0.0.1 \
        "$server" || { unavailable rabbitmq "did not start"; forget_group "$ge"; return; }
    local g=$LAUNCHED
    if wait_port "$port" 90 "$g"; then probe rabbitmq "$port"
    else unavailable rabbitmq "MQTT port $port not open within 90 s (see rabbitmq.log)"; fi
    forget_group "$g"
    forget_group "$ge"
}

# The jars that hold ActiveMQ's MQTT codec, or nothing.
mqtt_codec_jars() {
    local j
    for j in /usr/share/java/mqtt-client.jar /usr/share/java/hawtdispatch.jar /usr/share/java/hawtdispatch-transport.jar; do
        [ -f "$j" ] || return 1
    done
    unzip -l /usr/share/java/mqtt-client.jar 2>/dev/null | grep -q 'org/fusesource/mqtt/codec/PINGRESP.class' || return 1
    echo /usr/share/java/mqtt-client.jar /usr/share/java/hawtdispatch.jar /usr/share/java/hawtdispatch-transport.jar
}

run_activemq() {
    local home=/usr/share/activemq dir="$WORK/activemq" port jars j java
    [ -f "$home/bin/activemq.jar" ] || apt_install activemq || true
    [ -f "$home/bin/activemq.jar" ] || { unavailable activemq "the Debian package activemq is not installed"; return; }
    [ -f "$home/lib/activemq-mqtt.jar" ] || { unavailable activemq "the activemq package has no MQTT transport (lib/activemq-mqtt.jar)"; return; }
    jars=$(mqtt_codec_jars) || { apt_install libmqtt-client-java || true; jars=$(mqtt_codec_jars) || true; }
    if [ -z "$jars" ]; then
        unavailable activemq "Debian's activemq ships lib/activemq-mqtt.jar but not the MQTT codec it needs (org.fusesource.mqtt.codec, package libmqtt-client-java, not installed): every MQTT connection fails with NoClassDefFoundError"
        return
    fi
    java=$(command -v java) || { unavailable activemq "no java"; return; }
    mkdir -p "$dir/conf" "$dir/data" "$dir/tmp" "$dir/lib"
    for j in $jars; do ln -s "$j" "$dir/lib/"; done
    port=$(free_port)
    cat > "$dir/conf/activemq.xml" <<EOF
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
                           http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="probematrix" useJmx="false"
          persistent="false" dataDirectory="$dir/data">
    <transportConnectors>
      <transportConnector name="mqtt" uri="mqtt://127.0.0.1:$port"/>
    </transportConnectors>
  </broker>
</beans>
EOF
    cat > "$dir/conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d{ISO8601} %-5p %c{1} - %m%n
EOF
    [ "$IS_ROOT" = 1 ] && chown -R nobody:nogroup "$dir"
    launch activemq "$REPORTS/activemq.log" "$java" -Xms64M -Xmx256M \
        -Dlog4j.configuration="file:$dir/conf/log4j.properties" \
        -Dactivemq.classpath="$dir/conf" -Dactivemq.home="$home" -Dactivemq.base="$dir" \
        -Dactivemq.conf="$dir/conf" -Dactivemq.data="$dir/data" -Djava.io.tmpdir="$dir/tmp" \
        -jar "$home/bin/activemq.jar" start "xbean:file:$dir/conf/activemq.xml" \
        || { unavailable activemq "did not start"; return; }
    local g=$LAUNCHED
    if wait_port "$port" 90 "$g"; then
        local started
        started=$(grep -o 'Apache ActiveMQ [0-9][0-9.]*' "$REPORTS/activemq.log" | head -1 || true)
        echo "${started:-ActiveMQ} (Debian package activemq $(pkg_version activemq), MQTT codec from libmqtt-client-java $(pkg_version libmqtt-client-java)) on Java $("$java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')" \
            > "$REPORTS/activemq.version"
        probe activemq "$port"
    else
        unavailable activemq "MQTT port $port not open within 90 s (see activemq.log)"
    fi
    forget_group "$g"
}

T0=$SECONDS
for b in ${BROKERS//,/ }; do
    t=$SECONDS
    "run_$b"
    log "$b: $((SECONDS - t)) s"
done

COMMIT=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO" status --porcelain -- tools/mqtt-probe tools/mqtt-craft dissector 2>/dev/null | wc -l || echo 0)
python3 "$REPO/tools/probe_matrix.py" --reports "$REPORTS" --out "$OUT" --brokers "$BROKERS" \
    --commit "$COMMIT" --dirty "$DIRTY" --probe "$PROBE_SOURCE" --timeout "$STEP_TIMEOUT" \
    --cases "$("$PROBE" conform --list | wc -l)"
log "wrote $OUT in $((SECONDS - T0)) s (reports in $REPORTS)"
