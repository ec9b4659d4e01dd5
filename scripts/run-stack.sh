#!/usr/bin/env bash
# Starts the stack in the foreground from a build dir: the monitoring server
# (when built), the exporter, and the forwarder pushing the exporter's readings
# to the server. Ctrl-C (or SIGTERM) stops everything cleanly.
set -euo pipefail
BUILD_DIR=${1:-build}
SYSTEM_STATS_PORT=${SYSTEM_STATS_PORT:-5001}
MONITOR_PORT=${MONITOR_PORT:-5000}
MONITOR_DATA_DIR=${MONITOR_DATA_DIR:-./data}
export SYSTEM_STATS_PORT MONITOR_PORT MONITOR_DATA_DIR

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup INT TERM EXIT

server="$BUILD_DIR/server/monitoring-server"
forwarder="$BUILD_DIR/exporter/forwarder/system-stats-forwarder"
"$BUILD_DIR/exporter/system-stats-service" & pids+=($!)
if [[ -x "$server" ]]; then
  mkdir -p "$MONITOR_DATA_DIR"
  config=${MONITOR_CONFIG:-}
  if [[ -z "$config" ]]; then
    config="$MONITOR_DATA_DIR/monitoring.yml"
    [[ -f "$config" ]] || sed -e "s/__EXPORTER__/127.0.0.1:${SYSTEM_STATS_PORT}/" \
      -e "s#__RULES__#$PWD/deploy/rules#" deploy/monitoring.example.yml > "$config"
  fi
  MONITOR_CONFIG="$config" "$server" & pids+=($!)
  if [[ -x "$forwarder" ]]; then
    SYSTEM_STATS_URL="http://127.0.0.1:${SYSTEM_STATS_PORT}/system" \
    MONITORING_SERVER_METRICS_URL="http://127.0.0.1:${MONITOR_PORT}/metrics" \
    SYSTEM_STATS_FORWARD_INTERVAL=${SYSTEM_STATS_FORWARD_INTERVAL:-30} \
    SYSTEM_STATS_SPOOL_DIR=${SYSTEM_STATS_SPOOL_DIR:-$MONITOR_DATA_DIR/forwarder-spool} \
      "$forwarder" & pids+=($!)
  fi
fi
sleep 1
echo
echo "  exporter:   http://localhost:${SYSTEM_STATS_PORT}/metrics  and  /system"
if [[ -x "$server" ]]; then
  echo "  dashboard:  http://localhost:${MONITOR_PORT}/dashboard"
  echo "  query API:  http://localhost:${MONITOR_PORT}/api/v1/query?query=up"
fi
echo "  Ctrl-C stops everything."
echo
wait -n "${pids[@]}" || true
