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
)

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
fi

build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" -j"$(nproc)"
