#!/usr/bin/env bash
# Import throughput of `chartroom import` into a fresh SQLite store, every R4 search parameter
# indexed (docs/benchmarks.md, "Import"). Each data set is imported into its own new data
# directory; the summary line of each run gives resources/s.
#   1. the Synthea sample-bulk NDJSON (10- and 100-patient sets) of ../shared/data/synthea;
#   2. the Synthea transaction Bundles (gzip) of ../shared/data/synthea;
#   3. a generated population (chartroom generate --patients PATIENTS), NDJSON, plain and as
#      zstd-compressed copies.
#
#   bench/import/run.sh [BUILD_DIR]        PATIENTS=2000 WORKERS= BATCH= DATA_ROOT=/dev/shm
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
patients=${PATIENTS:-2000}
shared=${CHARTROOM_SHARED_DATA_DIR:-$(cd "$root/.." && pwd)/shared/data}
data_root=${DATA_ROOT:-$(dirname "$(mktemp -u)")}
extra=()
[[ -n ${WORKERS:-} ]] && extra+=(--workers "$WORKERS")
[[ -n ${BATCH:-} ]] && extra+=(--batch "$BATCH")

if [[ ! -d $build ]]; then
  cmake --preset release -S "$root" >/dev/null
fi
cmake --build "$build" --target chartroom >/dev/null
chartroom=$build/src/cli/chartroom

work=$(mktemp -d -p "$data_root" chartroom-import-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); data under $data_root"

# Runs one import; prints its summary line and, when perf is installed, the CPU time of its
# busiest thread, usually the store's single writer. (In a bulk load the last sorted run of
# index rows is inserted by the thread that closes the store, so the writer's time alone does
# not bound the rate.)
run() {
  local name=$1
  shift
  echo "== $name"
  # Exit 1 (some resources skipped) is expected for inputs with non-resource lines.
  "$chartroom" import "$@" --data "$work/data-$name" "${extra[@]}" 2>"$work/log" &
  local pid=$!
  if command -v perf >/dev/null; then
    # Per-thread counts cover the threads that exist when perf attaches: the store's and the
    # import's threads start within the first few milliseconds.
    sleep 0.5
    perf stat -e task-clock --per-thread -p "$pid" -o "$work/threads" 2>/dev/null || true
  fi
  wait "$pid" || true
  tail -1 "$work/log"
  if [[ -s $work/threads ]]; then
    local written busiest
    written=$(tail -1 "$work/log" | sed -E 's/.* ([0-9,]+) written.*/\1/; s/,//g')
    busiest=$(grep -E '^ *chartroom-' "$work/threads" | awk '{gsub(",", "", $2); print $2}' |
      sort -rn | head -1)
    awk -v w="$written" -v ms="$busiest" 'BEGIN {
      printf "   busiest thread: %.2f s CPU, %.1f us per resource\n", ms / 1000, ms * 1000 / w }'
    rm -f "$work/threads"
  fi
  rm -rf "$work/data-$name"
}

synthea=$shared/synthea
if [[ -d $synthea ]]; then
  run synthea-ndjson "$synthea"/sample-bulk-fhir-datasets-10-patients/*.000.ndjson \
    "$synthea"/sample-bulk-fhir-datasets-100-patients/*.000.ndjson
  run synthea-bundles "$synthea"/fhir-data-pipes-synthea-hiv-bundles/*.json.gz \
    "$synthea"/ms-anonymizer-r4-bundles/*.json.gz
else
  echo "== synthea: skipped, $synthea is missing"
fi

"$chartroom" generate --patients "$patients" --seed 1 --out "$work/generated" >/dev/null
# Only the FHIR files: generate also writes ground-truth CSV and PHI spans.
mapfile -t generated < <(ls "$work"/generated/*.ndjson | grep -v phi-spans)
run "generated-$patients-ndjson" "${generated[@]}"
mkdir -p "$work/zstd"
for f in "${generated[@]}"; do zstd -q -c "$f" >"$work/zstd/$(basename "$f").zst"; done
run "generated-$patients-zstd" "$work"/zstd/*.zst
