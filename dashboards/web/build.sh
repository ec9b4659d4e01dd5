#!/usr/bin/env bash
# Builds the dashboard into dashboards/web/dist when it is stale: `npm ci` when
# node_modules is missing or older than package-lock.json, then `node build.mjs`
# when dist/ is missing or older than any source. Used by `make web` and by the
# BrowserWebBuild ctest fixture. Needs node >= 20 and npm (scripts/setup.sh --web).
set -euo pipefail
cd "$(dirname "$0")"
for tool in node npm; do
  if ! command -v "$tool" > /dev/null 2>&1; then
    echo "dashboard: $tool is missing; run: bash scripts/setup.sh --web" >&2
    exit 1
  fi
done
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "dashboard: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ ! -f dist/index.html ]] || [[ -n "$(find src build.mjs package-lock.json -newer dist/index.html -print -quit)" ]]; then
  node build.mjs
fi
