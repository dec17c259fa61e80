#!/usr/bin/env bash
# End-to-end benchmark of `chartroom serve` (docs/benchmarks.md, "REST API"):
#   1. builds the release preset's chartroom and chartroom_http_load;
#   2. generates a synthetic population of PATIENTS patients (chartroom generate; about 168
#      resources per patient, so PATIENTS=6000 gives 1M resources) and loads it with
#      `chartroom import` (resources/s reported), or over HTTP as transaction Bundles when
#      LOAD=http;
#   3. measures, at CONNECTIONS (64) keep-alive connections for DURATION (10) seconds each:
#      reads by id, the typical searches (Patient by family name, birth date and identifier,
#      Observation by patient + code + date, Encounter by date range, Encounter with _include)
#      and Patient/$everything. Each line is one JSON object: requests/s, p50 and p99 in ms,
#      non-2xx responses.
#
# The server runs with access.enforce=off: this measures the interactions themselves;
# bench/http/access.sh measures access control and audit against them.
#
# The load generator is wrk when it is installed (CHARTROOM_BENCH_DEPS=1 scripts/install-deps.sh
# installs it), else chartroom_http_load. Both run on the same machine as the server, which
# matters on a small one: say which you used with figures.
#
#   bench/http/run.sh [BUILD_DIR]    PATIENTS=200 CONNECTIONS=64 DURATION=10 THREADS=2 LOAD=import
#                                    DATA=DIR (reuse a loaded data directory; skips steps 2)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
patients=${PATIENTS:-200}
connections=${CONNECTIONS:-64}
duration=${DURATION:-10}
threads=${THREADS:-2}
load=${LOAD:-import}

if [[ ! -d $build ]]; then
  cmake --preset release -S "$root" >/dev/null
fi
cmake --build "$build" --target chartroom chartroom_http_load >/dev/null
chartroom=$build/src/cli/chartroom
http_load=$build/bench/http/chartroom_http_load

work=$(mktemp -d -t chartroom-bench.XXXXXX)
data=${DATA:-$work/data}
source "$root/bench/http/server.sh"
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

population=$work/population
if [[ -n ${DATA:-} && -d ${DATA}/population ]]; then
  population=$DATA/population
else
  "$chartroom" generate --patients "$patients" --out "$population" >/dev/null
fi
fhir_files=()
for f in "$population"/*.ndjson; do [[ $(basename "$f") == phi-spans.ndjson ]] || fhir_files+=("$f"); done
resources=$(cat "${fhir_files[@]}" | wc -l)

if [[ -z ${DATA:-} || ! -e $data/chartroom.db ]]; then
  if [[ $load == import ]]; then
    started=$(date +%s.%N)
    "$chartroom" import --data "$data" "${fhir_files[@]}" >"$work/import.log" 2>&1 ||
      { cat "$work/import.log"; exit 1; }
    elapsed=$(echo "$(date +%s.%N) - $started" | bc)
    printf '{"step":"import","resources":%d,"seconds":%.2f,"resources_per_second":%.0f}\n' \
      "$resources" "$elapsed" "$(echo "$resources / $elapsed" | bc -l)"
    start_server CHARTROOM_ACCESS_ENFORCE=off
  else
    start_server CHARTROOM_ACCESS_ENFORCE=off
    echo "load over HTTP: $(python3 "$root/bench/http/load_ndjson.py" "http://127.0.0.1:$port/fhir" "$population")"
  fi
  [[ -n ${DATA:-} ]] && cp -r "$population" "$data/population"
else
  start_server CHARTROOM_ACCESS_ENFORCE=off
fi

python3 - "$population" "$work" <<'PY'
import json, pathlib, random, sys
from urllib.parse import quote
population, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
rng = random.Random(7)
patients = [json.loads(l) for l in open(population / "Patient.ndjson")]
rng.shuffle(patients)
sample = patients[:2000]
def write(name, lines):
    (work / name).write_text("".join(line + "\n" for line in lines))
write("one.txt", [f"/fhir/Patient/{patients[0]['id']}"])
write("patients.txt", [f"/fhir/Patient/{p['id']}" for p in sample])
write("search-family.txt", sorted({f"/fhir/Patient?family={quote(p['name'][0]['family'])}&_count=20"
                                   for p in sample if p.get("name")}))
write("search-birthdate.txt", [f"/fhir/Patient?birthdate={p['birthDate']}" for p in sample
                               if p.get("birthDate")])
write("search-identifier.txt", [
    f"/fhir/Patient?identifier={quote(i['system'] + '|' + i['value'], safe=':/')}" for p in sample
    for i in p.get("identifier", [])[:1]])
write("search-observations.txt", [
    f"/fhir/Observation?subject=Patient/{p['id']}&code=http://loinc.org|8867-4&date=ge2015-01-01&_count=20"
    for p in sample])
months = [f"{y}-{m:02d}" for y in range(2012, 2024) for m in range(1, 13)]
write("search-encounter-dates.txt", [
    f"/fhir/Encounter?date=ge{m}-01&date=lt{m}-08&_count=20" for m in months])
write("search-encounter-include.txt", [
    f"/fhir/Encounter?subject=Patient/{p['id']}&_include=Encounter:subject&_include=Encounter:participant&_count=20"
    for p in sample])
write("everything.txt", [f"/fhir/Patient/{p['id']}/$everything" for p in sample])
PY

run() {
  local name=$1 paths=$2
  if command -v wrk >/dev/null; then
    result=$(PATHS=$paths wrk -t"$threads" -c"$connections" -d"${duration}s" \
      -s "$root/bench/http/paths.lua" "http://127.0.0.1:$port" | tail -1)
    echo "{\"step\":\"$name\",\"tool\":\"wrk\",\"result\":$result}"
  else
    result=$("$http_load" --port "$port" --connections "$connections" --threads 1 \
      --duration "$duration" --warmup 2 --paths "$paths" || true)
    echo "{\"step\":\"$name\",\"tool\":\"chartroom_http_load\",\"result\":$result}"
  fi
}

command -v wrk >/dev/null ||
  echo "wrk is not installed (CHARTROOM_BENCH_DEPS=1 scripts/install-deps.sh); using chartroom_http_load" >&2
echo "{\"resources\":$resources,\"patients\":$(wc -l <"$population/Patient.ndjson"),\"connections\":$connections,\"server_threads\":$threads}"
run "read one Patient by id" "$work/one.txt"
run "read random Patients by id" "$work/patients.txt"
run "Patient?family=" "$work/search-family.txt"
run "Patient?birthdate=" "$work/search-birthdate.txt"
run "Patient?identifier=" "$work/search-identifier.txt"
run "Observation?subject=&code=&date=" "$work/search-observations.txt"
run "Encounter?date=ge&date=lt (one week)" "$work/search-encounter-dates.txt"
run "Encounter?subject=&_include=" "$work/search-encounter-include.txt"
run "Patient/\$everything" "$work/everything.txt"
