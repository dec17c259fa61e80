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
# Two data sets: one patient's record (patient-bundle-1: fits in cache, as when an indexer
# evaluates every search parameter of the resource just written) and 21 patients' records
# (about 5,400 Observations: every evaluation touches memory that is not in cache).
for files in 0 20; do
  if [ "$files" = 0 ]; then
    echo "## patient-bundle-1 only (data in cache)"
  else
    echo "## patient-bundle-1 + $files shared Synthea bundles (data mostly out of cache)"
  fi
  FHIRPATH_BENCH_BUNDLE_FILES=$files "$bench" --benchmark_min_time=1 --benchmark_format=json >"$results"
  FHIRPATH_BENCH_BUNDLE_FILES=$files node "$here/bench.js" "$results"
  echo
done
