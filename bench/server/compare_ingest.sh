#!/usr/bin/env bash
# Side-by-side HTTP ingest: monitoring-server vs VictoriaMetrics (Debian
# victoria-metrics), same bodies from bench_ingest_loadgen, fresh data dirs,
# loopback only. Prints samples/s, server CPU per sample and the ratios.
#
# Usage: compare_ingest.sh [BUILD_DIR] [HOSTS] [HOURS] [THREADS]
set -euo pipefail
BUILD=${1:-build}
HOSTS=${2:-50}
HOURS=${3:-6}
THREADS=${4:-2}
LOADGEN="$BUILD/bench/server/bench_ingest_loadgen"
SERVER="$BUILD/server/monitoring-server"
VM=$(command -v victoria-metrics || echo /usr/bin/victoria-metrics)
WORK=$(mktemp -d /tmp/ms-ingest-bench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
  for _ in $(seq 1 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timeout waiting for $1" >&2; return 1
}

run_ours() {  # mode
  local port dir pid
  port=$(free_port); dir="$WORK/ours-$1"
  "$SERVER" --host 127.0.0.1 --port "$port" --data-dir "$dir" --retention 100y --log.level warn &
  pid=$!; PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/healthz"
  local path=/api/v1/import/prometheus
  [[ $1 == remote_write ]] && path=/api/v1/write
  "$LOADGEN" --mode "$1" --url "http://127.0.0.1:$port$path" --hosts "$HOSTS" --hours "$HOURS" \
    --threads "$THREADS" --server-pid "$pid"
  kill -TERM "$pid"; wait "$pid" || true
}

run_vm() {  # mode
  local port dir pid
  port=$(free_port); dir="$WORK/vm-$1"
  "$VM" -storageDataPath="$dir" -httpListenAddr="127.0.0.1:$port" -retentionPeriod=100y \
    -loggerLevel=ERROR &
  pid=$!; PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/health"
  local path=/api/v1/import/prometheus
  [[ $1 == remote_write ]] && path=/api/v1/write
  "$LOADGEN" --mode "$1" --url "http://127.0.0.1:$port$path" --hosts "$HOSTS" --hours "$HOURS" \
    --threads "$THREADS" --server-pid "$pid"
  kill -TERM "$pid"; wait "$pid" || true
}

echo "workload: $HOSTS hosts x ~100 series x ${HOURS}h at 15s, $THREADS client threads"
declare -A R
for mode in import remote_write; do
  R[ours-$mode]=$(run_ours "$mode" | tail -1)
  R[vm-$mode]=$(run_vm "$mode" | tail -1)
done
python3 - "${R[ours-import]}" "${R[vm-import]}" "${R[ours-remote_write]}" "${R[vm-remote_write]}" <<'PY'
import json, sys
oi, vi, orw, vrw = (json.loads(a) for a in sys.argv[1:5])
print(f"{'path':14} {'server':18} {'samples/s':>12} {'server CPU us/sample':>22}")
for name, o, v in (("import", oi, vi), ("remote_write", orw, vrw)):
    for who, r in (("monitoring-server", o), ("VictoriaMetrics", v)):
        print(f"{name:14} {who:18} {r['samples_per_sec']:12.0f} {r['server_cpu_us_per_sample']:22.3f}")
    print(f"{name:14} ratio ours/VM: rate {o['samples_per_sec']/v['samples_per_sec']:.2f}, "
          f"CPU/sample {o['server_cpu_us_per_sample']/max(v['server_cpu_us_per_sample'],1e-9):.2f}")
PY
