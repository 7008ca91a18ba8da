#!/usr/bin/env bash
# Installs what is missing (Debian 12), then configures and builds mqttlens into build/.
# Usage: tools/setup.sh            (as root, or with sudo available)
# Env:   BUILD_DIR (default build), BUILD_TYPE (default RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ clang-14 llvm-14 libclang-rt-14-dev
  libpcap-dev libcli11-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  tshark wireshark-common tcpdump mosquitto mosquitto-clients
  python3 python3-paho-mqtt time iproute2 procps xxd util-linux git zip unzip
  libssl-dev zlib1g-dev nginx-light
)

# Node for the WebSocket capture peers (tools/node/). A nodesource nodejs carries its own npm and
# conflicts with Debian's npm package, so npm is added only beside Debian's own nodejs.
if ! command -v node >/dev/null; then
  packages+=(nodejs npm)
elif ! command -v npm >/dev/null; then
  node_version=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
  if [[ -n $node_version && $node_version != *nodesource* ]]; then packages+=(npm); fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The capture scripts start nginx themselves on loopback; do not leave the default site that
  # Debian's nginx service serves on port 80 running.
  if [[ " ${missing[*]} " == *" nginx-light "* && -d /run/systemd/system ]] &&
    systemctl is-enabled --quiet nginx 2>/dev/null; then
    echo "setup: disabling the nginx service (tools/captures/ws_captures.sh runs its own)" >&2
    "${sudo[@]}" systemctl disable --now --quiet nginx
  fi
fi

# npm packages of tools/node/ (exact versions in its package-lock.json), again after a lock change.
# Only the capture peers need them, so a failure is reported and the build goes on.
if [[ ! -d tools/node/node_modules || tools/node/package-lock.json -nt tools/node/node_modules ]]; then
  if ! command -v npm >/dev/null; then
    echo "setup: node has no npm here; tools/captures/ws_captures.sh will not run (install npm)" >&2
  elif ! npm ci --prefix tools/node --no-audit --no-fund --loglevel=error; then
    rm -rf tools/node/node_modules
    echo "setup: npm ci in tools/node failed; tools/captures/ws_captures.sh will not run" >&2
  fi
fi

build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" -j"$(nproc)"
