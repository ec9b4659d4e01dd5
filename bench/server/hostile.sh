#!/usr/bin/env bash
# Hostile and ordinary-client requests, ours vs Prometheus 2.42 side by side
# (both empty, on loopback, free ports, one run):
#   1. count_over_time(vector(1)[3d:1ms]) (a 259M-step subquery grid): time to
#      the answer and the server's RSS growth.
#   2. 20 such queries at once (concurrency gate / queue).
#   3. an 8 MB import POSTed with curl's defaults (Expect: 100-continue):
#      ours only, Prometheus has no import endpoint.
#
#   bench/server/hostile.sh [BUILD_DIR]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
SERVER=$BUILD/server/monitoring-server
WORK=$(mktemp -d /tmp/ms-hostile-XXXXXX)
OUR_PID="" PROM_PID=""
cleanup() {
  for p in $OUR_PID $PROM_PID; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() {
  for _ in $(seq 1 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timeout waiting for $1" >&2; return 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# one_query NAME PID BASE: prints "NAME: <code> in <s> s, RSS +<MiB> MiB (peak +<MiB>)"
one_query() {
  local name=$1 pid=$2 base=$3 before hwm0 out code secs
  before=$(rss_kb "$pid"); hwm0=$(hwm_kb "$pid")
  out=$(curl -s -o "$WORK/$name.body" -w '%{http_code} %{time_total}' --max-time 120 \
    "$base/api/v1/query" --data-urlencode 'query=count_over_time(vector(1)[3d:1ms])' \
    --data-urlencode "time=$(date +%s)")
  code=${out% *}; secs=${out#* }
  echo "$name: HTTP $code in ${secs} s, RSS $(( ($(rss_kb "$pid") - before) / 1024 )) MiB after," \
    "peak +$(( ($(hwm_kb "$pid") - hwm0) / 1024 )) MiB; $(head -c 120 "$WORK/$name.body")"
}

# parallel_queries NAME BASE N: N hostile queries at once, wall time for all
parallel_queries() {
  local name=$1 base=$2 n=$3 t0 t1
  local pids=()
  t0=$(date +%s.%N)
  for i in $(seq 1 "$n"); do
    curl -s -o /dev/null --max-time 300 "$base/api/v1/query" \
      --data-urlencode 'query=count_over_time(vector(1)[3d:1ms])' &
    pids+=($!)
  done
  wait "${pids[@]}"  # only the clients: a bare wait would wait for the servers too
  t1=$(date +%s.%N)
  echo "$name: $n hostile queries at once answered in $(python3 -c "print(round($t1-$t0,3))") s"
}

PORT=$(free_port)
"$SERVER" --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/ours" --log.level warn &
OUR_PID=$!
wait_http "http://127.0.0.1:$PORT/healthz"
PPORT=$(free_port)
echo "global: {scrape_interval: 1h}" > "$WORK/prom.yml"
prometheus --config.file="$WORK/prom.yml" --storage.tsdb.path="$WORK/prom" \
  --web.listen-address="127.0.0.1:$PPORT" --log.level=warn > "$WORK/prom.log" 2>&1 &
PROM_PID=$!
wait_http "http://127.0.0.1:$PPORT/-/ready"

echo "== one hostile query (empty stores)"
one_query ours "$OUR_PID" "http://127.0.0.1:$PORT"
one_query prometheus "$PROM_PID" "http://127.0.0.1:$PPORT"
echo "== concurrency"
parallel_queries ours "http://127.0.0.1:$PORT" 20
parallel_queries prometheus "http://127.0.0.1:$PPORT" 4

echo "== 8 MB import with curl's defaults (Expect: 100-continue)"
python3 - "$WORK/import.txt" <<'PY'
import sys, time
t0 = int(time.time() * 1000) - 3600_000
with open(sys.argv[1], "w") as f:
    n = 0
    while f.tell() < 8_000_000:
        f.write(f'bench_import{{host="h{n % 500}"}} {n} {t0 + (n // 500) * 15000}\n')
        n += 1
PY
for i in 1 2 3; do
  curl -s -o /dev/null -w "ours import: HTTP %{http_code} in %{time_total} s\n" \
    --data-binary @"$WORK/import.txt" "http://127.0.0.1:$PORT/api/v1/import/prometheus?run=$i"
done
