#!/usr/bin/env bash
# Dashboard query latency: our monitoring-server vs VictoriaMetrics vs
# Prometheus, all loaded with the same generated node_exporter-like workload
# (bench/tsdb/workload.*, with one classic histogram per host), in one run.
#
#   bench/promql/compare_peers.sh [BUILD_DIR] [HOSTS] [HOURS]
#       BUILD_DIR  default: build-qbench next to the sources (needs targets
#                  monitoring-server and bench_gen_workload)
#       HOSTS      default 100 (~114 series each: ~11.4k series)
#       HOURS      default 24
#   Environment: INTERVAL (scrape interval in s, default 30), REPS (default 5),
#   RESTART (default 1: restart our server after the import so that queries
#   read the sealed chunks back from RocksDB files instead of the memtable;
#   0 queries the process that did the import), ONLY (comma-separated query
#   names of query_peers.py), KEEP_WORK=1 keeps the temp dir.
#
# Every query is a query_range over the whole period with step 60 s.
# Needs the Debian packages victoria-metrics and prometheus (promtool).
# All servers listen on 127.0.0.1 on free ports; exactly the PIDs started here
# are stopped at the end, and the temp dir is removed.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-qbench}
HOSTS=${2:-100}
HOURS=${3:-24}
INTERVAL=${INTERVAL:-30}
REPS=${REPS:-5}
RESTART=${RESTART:-1}
ONLY=${ONLY:-}
SERVER=$BUILD/server/monitoring-server
GEN=$BUILD/bench/tsdb/bench_gen_workload
START_S=1700000000  # bench::WorkloadOptions::start_ms / 1000

for b in "$SERVER" "$GEN"; do
  [[ -x "$b" ]] || { echo "missing $b: build targets monitoring-server bench_gen_workload" >&2; exit 1; }
done
for c in victoria-metrics prometheus promtool curl python3; do
  command -v "$c" >/dev/null || { echo "$c not installed" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/qbench_peers.XXXXXX)
OUR_PID="" VM_PID="" PROM_PID=""

stop_pid() {  # stop_pid PID: SIGTERM exactly this PID and wait for it
  local pid=$1
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop_pid "$OUR_PID"
  stop_pid "$VM_PID"
  stop_pid "$PROM_PID"
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f}')"; }
wait_http() {  # wait_http URL SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

echo "== workload: $HOSTS hosts x ~114 series (node_exporter-like + 1 classic histogram/host)," \
  "${HOURS} h at ${INTERVAL} s"
T0=$(now)
"$GEN" --format vm --histograms --hosts "$HOSTS" --hours "$HOURS" --interval "$INTERVAL" --out "$WORK/vm.txt"
"$GEN" --format openmetrics --histograms --hosts "$HOSTS" --hours "$HOURS" --interval "$INTERVAL" \
  --out "$WORK/om.txt"
SAMPLES=$(wc -l <"$WORK/vm.txt")
SERIES=$(python3 -c "print(round($SAMPLES / ($HOURS * 3600 / $INTERVAL)))")
echo "series: $SERIES, samples: $SAMPLES; text: $(du -h "$WORK/vm.txt" | cut -f1) (vm)," \
  "$(du -h "$WORK/om.txt" | cut -f1) (openmetrics); generated in $(elapsed "$T0" "$(now)") s"

# ---------------------------------------------------------------- ours
start_ours() {
  "$SERVER" --data-dir "$WORK/ours" --retention 100y --host 127.0.0.1 --port "$OUR_PORT" \
    --log.level warn >>"$WORK/ours.log" 2>&1 &
  OUR_PID=$!
  wait_http "http://127.0.0.1:$OUR_PORT/-/ready" 300
}
OUR_PORT=$(free_port)
echo "== ours: monitoring-server (pid follows), import"
start_ours
echo "pid $OUR_PID, port $OUR_PORT"
T0=$(now)
curl -sSf -X POST -H "Content-Type: text/plain" -T "$WORK/vm.txt" \
  "http://127.0.0.1:$OUR_PORT/api/v1/import/prometheus"
echo "import: $(elapsed "$T0" "$(now)") s, rss $(rss_mib "$OUR_PID") MiB"
if [[ "$RESTART" == 1 ]]; then
  T0=$(now)
  stop_pid "$OUR_PID"
  OUR_PID=""
  start_ours
  echo "restarted (pid $OUR_PID) in $(elapsed "$T0" "$(now)") s: sealed chunks are read from" \
    "RocksDB SST files (page cache warm after the warm-up run), open head chunks from the replayed log"
  OURS_SOURCE="disk (RocksDB, restarted after import)"
else
  OURS_SOURCE="same process as import (RocksDB memtables + files)"
fi
echo "disk: $(du -sh "$WORK/ours" | cut -f1)"

# ---------------------------------------------------------------- VictoriaMetrics
VM_PORT=$(free_port)
echo "== VictoriaMetrics ($(victoria-metrics -version 2>&1 | grep -m1 .))"
victoria-metrics -storageDataPath="$WORK/vm" -httpListenAddr="127.0.0.1:$VM_PORT" \
  -retentionPeriod=100y -loggerLevel=ERROR >"$WORK/vm.log" 2>&1 &
VM_PID=$!
echo "pid $VM_PID, port $VM_PORT"
wait_http "http://127.0.0.1:$VM_PORT/health" 60
T0=$(now)
curl -sSf -X POST -H "Content-Type: text/plain" -T "$WORK/vm.txt" \
  "http://127.0.0.1:$VM_PORT/api/v1/import/prometheus"
curl -sSf "http://127.0.0.1:$VM_PORT/internal/force_flush" >/dev/null
# Searchable when every series answers a last_over_time over the whole period.
END_S=$((START_S + HOURS * 3600))
for i in $(seq 1 600); do
  N=$(curl -sS "http://127.0.0.1:$VM_PORT/api/v1/query" \
    --data-urlencode "query=count(last_over_time({job=\"node\"}[${HOURS}h]))" \
    --data-urlencode "time=$END_S" --data-urlencode nocache=1 |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
  [[ "$N" == "$SERIES" ]] && break
  sleep 1
done
echo "import + flush + searchable ($N series): $(elapsed "$T0" "$(now)") s"

# ---------------------------------------------------------------- Prometheus
echo "== Prometheus ($(prometheus --version 2>&1 | head -1))"
T0=$(now)
promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$WORK/om.txt" "$WORK/prom" \
  >"$WORK/promtool.log" 2>&1 || { cat "$WORK/promtool.log" >&2; exit 1; }
echo "promtool backfill: $(elapsed "$T0" "$(now)") s"
rm -f "$WORK/om.txt"
printf 'global:\n  scrape_interval: 1h\n' >"$WORK/prometheus.yml"
PROM_PORT=$(free_port)
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prom" \
  --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$PROM_PORT" \
  --query.max-samples=1000000000 --log.level=warn >"$WORK/prom.log" 2>&1 &
PROM_PID=$!
echo "pid $PROM_PID, port $PROM_PORT"
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 300
rm -f "$WORK/vm.txt"

echo "== settling 10 s (background merges / compactions)"
sleep 10

echo "== queries (REPS=$REPS)"
python3 "$SRC/bench/promql/query_peers.py" --ours "http://127.0.0.1:$OUR_PORT" \
  --vm "http://127.0.0.1:$VM_PORT" --prom "http://127.0.0.1:$PROM_PORT" \
  --start $((START_S + 60 - START_S % 60)) --end $((START_S + HOURS * 3600)) --step 60 \
  --reps "$REPS" --only "$ONLY" | tee "$WORK/result.txt"
echo
echo "data: $SERIES series, $SAMPLES samples ($HOSTS hosts, ${HOURS} h at ${INTERVAL} s)"
echo "ours: $OURS_SOURCE; rss after queries: ours $(rss_mib "$OUR_PID") MiB," \
  "vm $(rss_mib "$VM_PID") MiB, prom $(rss_mib "$PROM_PID") MiB"
