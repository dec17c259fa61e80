#!/usr/bin/env bash
# End-to-end HTTP benchmark of `chartroom serve` (docs/benchmarks.md, "REST API"):
#   1. builds the release preset's chartroom and chartroom_http_load;
#   2. generates a synthetic population (chartroom generate) and loads it over HTTP as
#      transaction Bundles;
#   3. measures, at CONNECTIONS (64) keep-alive connections for DURATION (10) seconds each:
#      read of one Patient by id, read of random Patients by id, and two typical searches.
#
# The load generator is wrk when it is installed (CHARTROOM_BENCH_DEPS=1 scripts/install-deps.sh
# installs it), else chartroom_http_load. Both run on
# the same machine as the server, which matters on a small one: say which you used with figures.
#
#   bench/http/run.sh [BUILD_DIR]          PATIENTS=200 CONNECTIONS=64 DURATION=10 THREADS=2
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
patients=${PATIENTS:-200}
connections=${CONNECTIONS:-64}
duration=${DURATION:-10}
threads=${THREADS:-2}

if [[ ! -d $build ]]; then
  cmake --preset release -S "$root" >/dev/null
fi
cmake --build "$build" --target chartroom chartroom_http_load >/dev/null
chartroom=$build/src/cli/chartroom
http_load=$build/bench/http/chartroom_http_load

work=$(mktemp -d -t chartroom-bench.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$chartroom" generate --patients "$patients" --out "$work/population" >/dev/null
CHARTROOM_LOG_LEVEL=warn CHARTROOM_SERVER_THREADS=$threads \
  "$chartroom" serve --data "$work/data" --listen 127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/server.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n ${port:-} ]] || { cat "$work/server.log"; exit 1; }
base=http://127.0.0.1:$port/fhir
echo "load: $(python3 "$root/bench/http/load_ndjson.py" "$base" "$work/population")"

python3 - "$work/population" "$work" <<'PY'
import json, pathlib, sys
population, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
patients = [json.loads(l) for l in open(population / "Patient.ndjson")]
(work / "one.txt").write_text(f"/fhir/Patient/{patients[0]['id']}\n")
(work / "patients.txt").write_text("".join(f"/fhir/Patient/{p['id']}\n" for p in patients))
families = sorted({p["name"][0]["family"] for p in patients if p.get("name")})
(work / "search-family.txt").write_text("".join(f"/fhir/Patient?family={f}\n" for f in families))
(work / "search-observations.txt").write_text("".join(
    f"/fhir/Observation?subject=Patient/{p['id']}&code=http://loinc.org|8867-4&_count=20\n"
    for p in patients))
PY

run() {
  local name=$1 paths=$2
  if command -v wrk >/dev/null; then
    result=$(PATHS=$paths wrk -t"$threads" -c"$connections" -d"${duration}s" \
      -s "$root/bench/http/paths.lua" "http://127.0.0.1:$port" | tail -1)
    echo "$name (wrk): $result"
  else
    result=$("$http_load" --port "$port" --connections "$connections" --threads 1 \
      --duration "$duration" --warmup 2 --paths "$paths" || true)
    echo "$name (chartroom_http_load): $result"
  fi
}

command -v wrk >/dev/null ||
  echo "wrk is not installed (CHARTROOM_BENCH_DEPS=1 scripts/install-deps.sh); using chartroom_http_load"
run "read one Patient by id" "$work/one.txt"
run "read random Patients by id" "$work/patients.txt"
run "search Patient?family=" "$work/search-family.txt"
run "search Observation?subject=&code=&_count=20" "$work/search-observations.txt"
