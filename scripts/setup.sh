#!/usr/bin/env bash
# Installs the Debian packages a build needs. Without options: what building
# and running the programs needs (`make run`, `make install`), nothing more.
# Idempotent and quick when everything is present: apt is only touched when a
# package is missing. Runs as root, or through sudo when available.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl python3 binutils
  prometheus-cpp-dev libcivetweb-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev librocksdb-dev libre2-dev libsnappy-dev libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev libcurl4-openssl-dev zlib1g-dev libsystemd-dev libssl-dev libcrypt-dev
  libxxhash-dev
)
# Extra groups:
#   --test     the test and benchmark libraries, and the peers the tests and
#              benchmarks run side by side (Prometheus, node_exporter,
#              VictoriaMetrics; docker-compose checks the compose files)
#   --web      node/npm, which build the dashboard
#   --browser  --web plus chromium, which runs the dashboard's browser tests
#   --fuzz     clang-14 with its libFuzzer and sanitizer runtimes (`make fuzz`)
# Node is only taken from Debian when none is on PATH, so a newer node
# installed another way is left alone.
need_node=0
for arg in "$@"; do
  case "$arg" in
    --test) PACKAGES+=(libgtest-dev libgmock-dev libbenchmark-dev
                       prometheus prometheus-node-exporter prometheus-alertmanager victoria-metrics docker-compose
                       python3-aiosmtpd
                       dbus-daemon openssl) ;;
    --browser) PACKAGES+=(chromium); need_node=1 ;;
    --web) need_node=1 ;;
    --fuzz) PACKAGES+=(clang-14 libclang-rt-14-dev) ;;
    *) echo "setup: unknown option $arg (known: --test, --web, --browser, --fuzz)" >&2; exit 2 ;;
  esac
done
if [[ $need_node == 1 ]] && { ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; }; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's policy-rc.d keeps the peers (prometheus, node-exporter, victoria-metrics)
# from starting as services; tests start their own copies on loopback.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
