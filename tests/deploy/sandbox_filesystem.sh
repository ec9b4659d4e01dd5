#!/usr/bin/env bash
# The exporter's filesystem metrics under the sandbox of
# deploy/systemd/system-stats-service.service (issue 15): ProtectSystem=strict
# and ProtectHome=read-only remount every filesystem read-only inside the
# service's mount namespace, PrivateTmp gives it its own /tmp. The metrics
# must stay those of the host's filesystems: sizes, inode counts and the
# read-only flag are compared with an exporter outside the sandbox.
#
# The namespace is built here with unshare(1) as systemd builds it (this
# machine has no systemd to run the unit); skipped (77) without the right to
# make a mount namespace.
# Usage: sandbox_filesystem.sh <build dir>
set -euo pipefail
BUILD=$1
BIN=$BUILD/exporter/system-stats-service
unshare -m --propagation private true 2> /dev/null || { echo "skip: no mount namespaces here"; exit 77; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

p1=$(port)
"$BIN" --web.listen-address=127.0.0.1:"$p1" --collector.disable-defaults --collector.filesystem \
  > "$tmp/plain.log" 2>&1 &
pids+=($!)
p2=$(port)
# ProtectSystem=strict + ProtectHome=read-only: every mount read-only (the
# API filesystems aside); PrivateTmp: a fresh /tmp.
# The binary is opened before the private /tmp hides it (a checkout or build
# under /tmp), and run through its descriptor.
unshare -m --propagation private bash -c '
  set -e
  exec 9< "$0"
  for m in $(findmnt -rn -o TARGET | grep -vE "^/(proc|sys|dev)(/|$)"); do
    mount -o remount,bind,ro "$m" 2> /dev/null || mount --bind -o ro "$m" "$m" || true
  done
  mount -t tmpfs -o size=1m tmpfs /tmp
  touch /ro-check 2> /dev/null && { echo "sandbox: / is writable" >&2; exit 1; }
  exec /proc/self/fd/9 --web.listen-address=127.0.0.1:'"$p2"' --collector.disable-defaults --collector.filesystem
' "$BIN" > "$tmp/sandboxed.log" 2>&1 &
pids+=($!)

fetch() {
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$1/metrics" > "$2" && return 0
    sleep 0.1
  done
  return 1
}
fetch "$p1" "$tmp/plain.prom" || { cat "$tmp/plain.log"; exit 1; }
fetch "$p2" "$tmp/sandboxed.prom" || { cat "$tmp/sandboxed.log"; exit 1; }

# Series that do not move between two scrapes seconds apart.
stable() { grep -E '^node_filesystem_(size_bytes|files|readonly|device_error)\{' "$1" | sort; }
stable "$tmp/plain.prom" > "$tmp/a"
stable "$tmp/sandboxed.prom" > "$tmp/b"
n=$(wc -l < "$tmp/a")
[[ $n -gt 0 ]] || { echo "FAIL: no filesystem metrics outside the sandbox"; exit 1; }
if diff -u "$tmp/a" "$tmp/b"; then
  echo "ok: $n filesystem series equal inside and outside the sandbox"
else
  echo "FAIL: the sandboxed exporter reports other filesystem metrics (diff above)"
  exit 1
fi
