#!/usr/bin/env bash
# Soak: monitoring-server vs VictoriaMetrics (Debian victoria-metrics) under
# the same load for the same time, one after the other, each with a fresh data
# dir, on loopback. bench_soak (soak.cc) ingests node_exporter-shaped series,
# runs dashboard range queries and samples the server's RSS and CPU every
# 10 s; this script prints both runs' lines, a side-by-side summary and the
# ratios ours/VM. Two modes:
#   accelerated (SOAK_RATE > 0, the default): sustained push at SOAK_RATE
#     samples/s plus SOAK_QUERY_THREADS concurrent dashboard query loops. Data
#     time runs faster than wall time: each tick writes one sample of every
#     series and advances the data clock by 15 s, from a start far enough in
#     the past that the run never writes the future. Queries cover the last
#     hour of data time, back to back. Ends with a check that every sample of
#     one series per host is queryable.
#   real time (SOAK_RATE=0): each host every 15 s of wall time, dashboard
#     queries over the last 15 min every second.
#
# Usage: soak.sh [BUILD_DIR]   (needs targets monitoring-server and bench_soak)
#   SOAK_MINUTES (10)          run time per server
#   SOAK_RATE (1000000)        target samples/s; 0: real-time mode
#   SOAK_HOSTS (2000; real time 200) hosts
#   SOAK_SERIES_PER_HOST (100) series per host
#   SOAK_QUERY_THREADS (10; real time 1) concurrent query loops
#   SOAK_INGEST_THREADS (2)    accelerated: ingest connections
#   SOAK_LINES_PER_POST (100000) accelerated: most samples per import POST
#   VM_NOCACHE (1)             1: VictoriaMetrics queries carry nocache=1, so
#                              both servers evaluate every query from storage
#                              (ours has no result cache); 0: VM's cache is used
#   KEEP_WORK=1                keep the temp dir (data dirs, logs, outputs)
# Warm-up is the first third of each run. Exits 1 if a run had ingest or query
# errors (rejected or unqueryable samples included).
set -euo pipefail
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
MINUTES=${SOAK_MINUTES:-10}
RATE=${SOAK_RATE:-1000000}
FAST=$(awk -v r="$RATE" 'BEGIN { print (r + 0 > 0) ? 1 : 0 }')
if [[ $FAST == 1 ]]; then HOSTS=${SOAK_HOSTS:-2000}; QUERY_THREADS=${SOAK_QUERY_THREADS:-10}
else HOSTS=${SOAK_HOSTS:-200}; QUERY_THREADS=${SOAK_QUERY_THREADS:-1}; fi
SERIES=${SOAK_SERIES_PER_HOST:-100}
INGEST_THREADS=${SOAK_INGEST_THREADS:-2}
LINES_PER_POST=${SOAK_LINES_PER_POST:-100000}
VM_NOCACHE=${VM_NOCACHE:-1}
DRIVER="$BUILD/bench/server/bench_soak"
SERVER="$BUILD/server/monitoring-server"
VM=$(command -v victoria-metrics || echo /usr/bin/victoria-metrics)
for b in "$DRIVER" "$SERVER" "$VM"; do
  [[ -x "$b" ]] || { echo "missing $b (build targets monitoring-server bench_soak;" \
    "apt-get install victoria-metrics)" >&2; exit 1; }
done
for c in curl python3; do
  command -v "$c" >/dev/null || { echo "$c not installed" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/ms-soak-XXXXXX)
SERVER_PID=""
stop_server() {  # SIGTERM exactly the PID started here and wait for it
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [[ "${KEEP_WORK:-0}" == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_http() {  # URL SECONDS
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited while starting" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

soak() {  # NAME PORT [driver flags...]: runs the driver against the started server
  local name=$1 port=$2
  shift 2
  local rc=0
  "$DRIVER" --url "http://127.0.0.1:$port" --server-pid "$SERVER_PID" --label "$name" \
    --minutes "$MINUTES" --hosts "$HOSTS" --series-per-host "$SERIES" --rate "$RATE" \
    --query-threads "$QUERY_THREADS" --ingest-threads "$INGEST_THREADS" \
    --lines-per-post "$LINES_PER_POST" "$@" |
    tee "$WORK/$name.out" || rc=$?
  stop_server
  echo "$name data dir after shutdown: $(du -sm "$WORK/$name" | cut -f1) MiB"
  [[ $rc == 0 ]] || { echo "$name: driver failed ($rc); server log tail:" >&2
    tail -20 "$WORK/$name.log" >&2; }
  return $rc
}

if [[ $FAST == 1 ]]; then
  echo "soak (accelerated): $HOSTS hosts x $SERIES series at $RATE samples/s target" \
    "($INGEST_THREADS ingest threads), $QUERY_THREADS query threads back to back," \
    "${MINUTES} min per server (VM nocache=$VM_NOCACHE)"
else
  echo "soak (real time): $HOSTS hosts x $SERIES series, each host every 15 s, ${MINUTES} min" \
    "per server; dashboard queries every second, $QUERY_THREADS thread(s) (VM nocache=$VM_NOCACHE)"
fi
failed=0

echo "== ours: monitoring-server"
PORT=$(free_port)
"$SERVER" --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/ours" --retention 100y \
  --log.level warn >"$WORK/ours.log" 2>&1 &
SERVER_PID=$!
wait_http "http://127.0.0.1:$PORT/healthz" 60
soak ours "$PORT" || failed=1

# Debian's build prints an empty -version; the package version says which release.
VM_VERSION=$("$VM" -version 2>&1 | grep -m1 . ||
  dpkg-query -W -f='${Version}' victoria-metrics 2>/dev/null || echo '?')
echo "== VictoriaMetrics ($VM_VERSION)"
PORT=$(free_port)
# Accelerated: VM runs 4 searches at once (-search.maxConcurrentRequests) and
# answers 503 to one that waited 10 s for a slot; ours queues up to its 2 min
# query timeout. Let VM queue up to the driver's 60 s timeout too, so that
# both wait instead of shedding the 10 query threads' load.
VM_SERVER_FLAGS=()
[[ $FAST == 1 ]] && VM_SERVER_FLAGS=(-search.maxQueueDuration=60s)
"$VM" -storageDataPath="$WORK/vm" -httpListenAddr="127.0.0.1:$PORT" -retentionPeriod=100y \
  -loggerLevel=ERROR -search.latencyOffset=0s "${VM_SERVER_FLAGS[@]}" >"$WORK/vm.log" 2>&1 &
SERVER_PID=$!
wait_http "http://127.0.0.1:$PORT/health" 60
VM_FLAGS=()
[[ "$VM_NOCACHE" == 1 ]] && VM_FLAGS=(--nocache)
soak vm "$PORT" "${VM_FLAGS[@]}" || failed=1

echo "== summary"
python3 - "$WORK/ours.out" "$WORK/vm.out" <<'PY' || failed=1
import sys

def summary(path):
    for line in open(path):
        if line.startswith("summary "):
            return dict(kv.split("=", 1) for kv in line.split()[1:])
    sys.exit(f"no summary line in {path}")

o, v = summary(sys.argv[1]), summary(sys.argv[2])
rows = [
    ("samples ingested", "samples", "%.0f"),
    ("samples/s target", "rate_target", "%.0f"),
    ("samples/s achieved", "samples_per_s_achieved", "%.1f"),
    ("data time covered s", "data_span_s", "%.0f"),
    ("RSS start MiB", "rss_start_mib", "%.1f"),
    ("RSS end MiB", "rss_end_mib", "%.1f"),
    ("RSS max MiB", "rss_max_mib", "%.1f"),
    ("RSS growth after warm-up MiB", "rss_growth_after_warmup_mib", "%.1f"),
    ("RSS slope after warm-up MiB/min", "rss_slope_after_warmup_mib_per_min", "%.2f"),
    ("query p50 ms", "query_p50_ms", "%.2f"),
    ("query p99 ms", "query_p99_ms", "%.2f"),
    ("query max ms", "query_max_ms", "%.2f"),
    ("query p99 after warm-up ms", "query_p99_after_warmup_ms", "%.2f"),
    ("queries", "queries", "%.0f"),
    ("queries started after s", "queries_start_s", "%.1f"),
    ("query rounds skipped", "query_rounds_skipped", "%.0f"),
    ("late ingest ticks", "late_ticks", "%.0f"),
    ("ingest errors", "ingest_errors", "%.0f"),
    ("samples rejected", "samples_rejected", "%.0f"),
    ("samples not queryable (verify)", "verify_missing", "%.0f"),
    ("query errors", "query_errors", "%.0f"),
    ("empty query results", "query_empty", "%.0f"),
    ("  of them after warm-up", "query_empty_after_warmup", "%.0f"),
    ("server CPU s", "cpu_s", "%.2f"),
    ("server CPU cores", "cpu_cores", "%.3f"),
    ("driver CPU s", "driver_cpu_s", "%.2f"),
]
print(f"{'':34}{'monitoring-server':>18}{'VictoriaMetrics':>18}")
for title, key, fmt in rows:
    print(f"{title:34}{fmt % float(o[key]):>18}{fmt % float(v[key]):>18}")

def ratio(key):
    a, b = float(o[key]), float(v[key])
    # Growth can be ~0 or negative: a ratio is only meaningful above noise.
    if key.startswith("rss_growth") and (b < 1 or a < 0):
        return f"n/a (ours {a:+.1f}, VM {b:+.1f} MiB)"
    return f"{a / b:.2f}" if b > 0 else "n/a"

for who, d in (("ours", o), ("vm", v)):
    print(f"RSS curve MiB per minute, {who}: {d['rss_curve_mib']}")
print("ratios ours/VM: " + ", ".join(
    f"{name} {ratio(key)}" for name, key in (
        ("samples/s achieved", "samples_per_s_achieved"), ("RSS end", "rss_end_mib"),
        ("RSS max", "rss_max_mib"), ("RSS growth after warm-up", "rss_growth_after_warmup_mib"),
        ("query p50", "query_p50_ms"), ("query p99", "query_p99_ms"), ("CPU", "cpu_s"))))
short = [f"{who} {float(d['samples_per_s_achieved']):.0f}/{float(d['rate_target']):.0f}"
         for who, d in (("ours", o), ("vm", v))
         if float(d["samples_per_s_achieved"]) < 0.95 * float(d["rate_target"])]
if short:
    print("note: achieved rate below 95% of the target (samples/s): " + ", ".join(short))
empty = [f"{who} {d['query_empty_after_warmup']}" for who, d in (("ours", o), ("vm", v))
         if float(d["query_empty_after_warmup"]) != 0]
if empty:
    print("warning: empty query results after warm-up (data not visible?): " + ", ".join(empty))
bad = [f"{who} {k}={d[k]}" for who, d in (("ours", o), ("vm", v))
       for k in ("ingest_errors", "samples_rejected", "verify_missing", "query_errors",
                 "server_exited") if float(d[k]) != 0]
if bad:
    print("errors: " + ", ".join(bad))
    sys.exit(1)
PY
exit $failed
