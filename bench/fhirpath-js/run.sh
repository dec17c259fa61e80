#!/usr/bin/env bash
# Runs Chartroom's FHIRPath benchmark and the reference engine fhirpath.js (pinned in
# package.json, installed here into node_modules/) on the same expressions and data
# (expressions.json), in the same run, and prints evaluations/s for both and their ratio.
# Usage: bench/fhirpath-js/run.sh [build/release]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build/release}" && pwd)
bench="$build/bench/chartroom_fhirpath_bench"
[ -x "$bench" ] || { echo "missing $bench: build the release preset first" >&2; exit 2; }
if [ ! -d "$here/node_modules/fhirpath" ]; then
  (cd "$here" && { npm ci --silent --no-audit --no-fund || npm install --silent --no-audit --no-fund; })
fi
# Read the same shared data folder the benchmark binary was configured with.
shared=$(sed -n 's/^CHARTROOM_SHARED_DATA_DIR:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
[ -n "$shared" ] && export CHARTROOM_SHARED_DATA_DIR="$shared"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
"$bench" --benchmark_min_time=1 --benchmark_format=json >"$results"
node "$here/bench.js" "$results"
