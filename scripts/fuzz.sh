#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for a fixed time: the seeds of
# fuzz/corpus/<target> are read, new inputs go to <build>/corpus/<target>
# (the repo's seeds are never modified), findings to <build>/findings/.
# Prints one line per target (executions, corpus size) and fails if any
# target found a crash, a sanitizer report or a broken property.
#   scripts/fuzz.sh <build-dir> <seconds-per-target> <target>...
# FUZZ_RUNS=N (env) also stops each target after N executions; FUZZ_SEED=S
# fixes libFuzzer's seed, so that a run bounded by FUZZ_RUNS is repeatable
# (what `make test` does: the same inputs on every machine).
set -uo pipefail
build=$1; seconds=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/findings"
failed=0
for t in "$@"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  log="$build/findings/$t.log"
  "$build/fuzz/${t}_fuzz" -max_total_time="$seconds" -runs="${FUZZ_RUNS:--1}" \
    -seed="${FUZZ_SEED:-0}" \
    -print_final_stats=1 -timeout=60 \
    -rss_limit_mb=2048 -artifact_prefix="$build/findings/$t-" "$corpus" "$root/fuzz/corpus/$t" \
    > "$log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  units=$(ls "$corpus" | wc -l)
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "fuzz $t: FINDING after ${execs:-?} executions (exit $rc); see $log and $build/findings/$t-*"
  else
    secs=$(grep -m1 'Done [0-9]* runs in' "$log" | sed 's/.* in \([0-9]*\) second.*/\1/')
    echo "fuzz $t: ${execs:-?} executions in ${secs:-$seconds}s, no finding; corpus $units inputs"
  fi
done
exit $failed
