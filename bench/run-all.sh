#!/usr/bin/env bash
# `make bench`: runs every benchmark once against the peers, on loopback, at
# sizes that finish in minutes on a 2-core machine. Results go to stdout and
# to bench/out/<name>.txt. Sizes can be raised with the env vars below.
#
#   BENCH_HOSTS (20), BENCH_HOURS (6): workload for tsdb/ingest comparisons
#   BENCH_QUERY_HOSTS (100), BENCH_QUERY_HOURS (24): workload for query latency
#   SOAK_MINUTES (3 here; soak.sh alone: 10), SOAK_HOSTS (2000; 200 with SOAK_RATE=0),
#   SOAK_SERIES_PER_HOST (100), SOAK_RATE (1e6/s; 0: real time): soak vs VictoriaMetrics
#   BENCH_RULES (1000): rules over 100k scraped series, vs Prometheus
#   BENCH_DOWNSAMPLE_HOSTS (1), BENCH_DOWNSAMPLE_DAYS (365): the synthetic year, raw vs tiers
set -uo pipefail
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
HOSTS=${BENCH_HOSTS:-20}
HOURS=${BENCH_HOURS:-6}
failed=0

run() {  # name command...
  local name=$1
  shift
  echo "=== $name"
  if "$@" 2>&1 | tee "$OUT/$name.txt"; then :; else
    echo "!!! $name failed"
    failed=1
  fi
}

run exporter_gbench "$BUILD/bench/exporter/bench_exporter"
run exporter_vs_node_exporter python3 bench/exporter/compare_node_exporter.py \
  --ours "$BUILD/exporter/system-stats-service"
run tsdb_gbench "$BUILD/bench/tsdb/bench_tsdb"
run tsdb_vs_peers env BUILD="$BUILD" bash bench/tsdb/compare_peers.sh "$HOSTS" "$HOURS"
run ingest_vs_victoriametrics bash bench/server/compare_ingest.sh "$BUILD" "$HOSTS" "$HOURS" 2
run soak env SOAK_MINUTES="${SOAK_MINUTES:-3}" bash bench/server/soak.sh "$BUILD"
run hostile_vs_prometheus bash bench/server/hostile.sh "$BUILD"
run rules_vs_prometheus python3 bench/rules/compare_prometheus.py \
  --ours "$BUILD/server/monitoring-server" --rules "${BENCH_RULES:-1000}"
run remote_write_vs_prometheus python3 bench/remote_write/compare_prometheus.py --build "$BUILD"
run memory_vs_peers python3 bench/memory/compare_rss.py --build "$BUILD"
run downsample_year "$BUILD/bench/tsdb/bench_tsdb_downsample" --hosts "${BENCH_DOWNSAMPLE_HOSTS:-1}" \
  --days "${BENCH_DOWNSAMPLE_DAYS:-365}"
run promql_gbench "$BUILD/bench/promql/bench_promql"
run promql_vs_peers bash bench/promql/compare_peers.sh "$BUILD" "${BENCH_QUERY_HOSTS:-100}" \
  "${BENCH_QUERY_HOURS:-24}"
run dashboard_paint node bench/dashboard/paint.mjs --server "$BUILD/server/monitoring-server"

exit $failed
