#!/usr/bin/env bash
# Loads the same generated node_exporter-like workload into our tsdb,
# VictoriaMetrics (text import) and Prometheus (promtool backfill), and
# prints ingest rate and bytes/sample side by side.
#
#   bench/tsdb/compare_peers.sh [HOSTS] [HOURS]        (default 20 hosts, 6 h)
#   BUILD=/path/to/build  (default: build-tsdb next to the sources)
#
# Needs the Debian packages victoria-metrics and prometheus (promtool).
# Starts VictoriaMetrics on a free loopback port and stops exactly that PID.
set -euo pipefail

HOSTS=${1:-20}
HOURS=${2:-6}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-tsdb}
BIN=$BUILD/bench/tsdb
WORK=$(mktemp -d /tmp/compare_peers.XXXXXX)
VM_PID=""

cleanup() {
  if [[ -n "$VM_PID" ]] && kill -0 "$VM_PID" 2>/dev/null; then
    kill -TERM "$VM_PID"
    wait "$VM_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

for b in bench_gen_workload bench_tsdb_load; do
  [[ -x "$BIN/$b" ]] || { echo "missing $BIN/$b: build targets bench_gen_workload bench_tsdb_load" >&2; exit 1; }
done
command -v victoria-metrics >/dev/null || { echo "victoria-metrics not installed" >&2; exit 1; }
command -v promtool >/dev/null || { echo "promtool not installed" >&2; exit 1; }

echo "== generating workload: $HOSTS hosts x ~100 series x ${HOURS} h at 15 s"
"$BIN/bench_gen_workload" --format vm --hosts "$HOSTS" --hours "$HOURS" --out "$WORK/vm.txt"
"$BIN/bench_gen_workload" --format openmetrics --hosts "$HOSTS" --hours "$HOURS" --out "$WORK/om.txt"
SAMPLES=$(wc -l < "$WORK/vm.txt")
echo "samples: $SAMPLES; text sizes: $(du -h "$WORK/vm.txt" | cut -f1) (vm), $(du -h "$WORK/om.txt" | cut -f1) (openmetrics)"

echo "== ours (tsdb, 2 threads, in-process generator, no text parsing)"
"$BIN/bench_tsdb_load" --hosts "$HOSTS" --hours "$HOURS" --threads 2 | tee "$WORK/ours.txt"
OUR_SPS=$(sed -n 's/^RESULT ingest_sps=\([0-9.]*\).*/\1/p' "$WORK/ours.txt")
OUR_BPS=$(sed -n 's/.*bytes_per_sample=\([0-9.]*\).*/\1/p' "$WORK/ours.txt")

echo "== VictoriaMetrics ($(victoria-metrics -version 2>&1 | head -1))"
PORT=$(free_port)
victoria-metrics -storageDataPath="$WORK/vm" -httpListenAddr="127.0.0.1:$PORT" \
  -retentionPeriod=100y >"$WORK/vm.log" 2>&1 &
VM_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 0.1
done
T0=$(now)
# -T streams the file (--data-binary @file would load it all into memory).
curl -sSf -X POST -H "Content-Type: text/plain" -T "$WORK/vm.txt" "http://127.0.0.1:$PORT/api/v1/import/prometheus"
curl -sSf "http://127.0.0.1:$PORT/internal/force_flush" >/dev/null
T1=$(now)
VM_SECS=$(elapsed "$T0" "$T1")
VM_ROWS=$(curl -sS "http://127.0.0.1:$PORT/metrics" | sed -n 's/^vm_rows_inserted_total{type="prometheus"} \([0-9]*\)/\1/p')
kill -TERM "$VM_PID"
wait "$VM_PID" 2>/dev/null || true
VM_PID=""
VM_BYTES=$(du -sb "$WORK/vm" | cut -f1)
VM_SPS=$(python3 -c "print(f'{$SAMPLES / $VM_SECS:.0f}')")
VM_BPS=$(python3 -c "print(f'{$VM_BYTES / $SAMPLES:.3f}')")
echo "rows inserted: ${VM_ROWS:-?}; import ${VM_SECS} s; disk $VM_BYTES B"

echo "== Prometheus ($(promtool --version 2>&1 | head -1))"
T0=$(now)
promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$WORK/om.txt" "$WORK/prom" >"$WORK/prom.log" 2>&1
T1=$(now)
PROM_SECS=$(elapsed "$T0" "$T1")
PROM_BYTES=$(du -sb "$WORK/prom" | cut -f1)
PROM_SPS=$(python3 -c "print(f'{$SAMPLES / $PROM_SECS:.0f}')")
PROM_BPS=$(python3 -c "print(f'{$PROM_BYTES / $SAMPLES:.3f}')")
echo "backfill ${PROM_SECS} s; disk $PROM_BYTES B"

echo
echo "== summary ($SAMPLES samples, $HOSTS hosts, ${HOURS} h)"
printf '%-16s %14s %14s\n' system samples/s bytes/sample
printf '%-16s %14s %14s\n' ours "$OUR_SPS" "$OUR_BPS"
printf '%-16s %14s %14s\n' victoriametrics "$VM_SPS" "$VM_BPS"
printf '%-16s %14s %14s\n' prometheus "$PROM_SPS" "$PROM_BPS"
echo "ingest ratio ours/vm: $(ratio "$OUR_SPS" "$VM_SPS"), ours/prometheus: $(ratio "$OUR_SPS" "$PROM_SPS")"
echo "bytes/sample ratio ours/vm: $(ratio "$OUR_BPS" "$VM_BPS"), ours/prometheus: $(ratio "$OUR_BPS" "$PROM_BPS")"
echo "(ours: generated in-process, no text parsing; peers parse text. Disk measured after"
echo " flush+compact+close for ours, after SIGTERM for VictoriaMetrics, after backfill for Prometheus.)"
