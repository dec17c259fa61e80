#!/usr/bin/env bash
# Read-by-id throughput of `chartroom serve` with access control and audit off and on, in the
# same run (docs/benchmarks.md, "Access control and audit"): the same data, the same paths, the
# server restarted between modes, the modes alternated ROUNDS times so that machine noise falls on
# both. "off" is access.enforce=off (no token, no decision, no audit); "on" is the default: a
# bearer token on every request, the access decision on every resource, every read audited.
#
#   bench/http/access.sh [BUILD_DIR]    PATIENTS=200 CONNECTIONS=64 DURATION=10 THREADS=2
#                                       ROUNDS=2 DATA=DIR (reuse a loaded data directory)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
patients=${PATIENTS:-200}
connections=${CONNECTIONS:-64}
duration=${DURATION:-10}
threads=${THREADS:-2}
rounds=${ROUNDS:-2}

[[ -d $build ]] || cmake --preset release -S "$root" >/dev/null
cmake --build "$build" --target chartroom chartroom_http_load >/dev/null
chartroom=$build/src/cli/chartroom
http_load=$build/bench/http/chartroom_http_load

work=$(mktemp -d -t chartroom-access-bench.XXXXXX)
data=${DATA:-$work/data}
source "$root/bench/http/server.sh"
trap 'stop_server; rm -rf "$work"' EXIT

if [[ ! -e $data/chartroom.db ]]; then
  "$chartroom" generate --patients "$patients" --out "$work/population" >/dev/null
  "$chartroom" import --data "$data" "$work/population"/[A-Z]*.ndjson >/dev/null 2>&1
fi

# 2,000 patients' read URLs, and a clinician's token for the "on" mode.
start_server CHARTROOM_ACCESS_ENFORCE=off
python3 - "http://127.0.0.1:$port" "$work/patients.txt" <<'PY'
import json, sys, urllib.request
base, out = sys.argv[1], sys.argv[2]
ids = []
url = base + "/fhir/Patient?_count=1000&_elements=id"
while url and len(ids) < 2000:
    page = json.load(urllib.request.urlopen(url))
    ids += [e["resource"]["id"] for e in page.get("entry", [])]
    url = next((l["url"] for l in page.get("link", []) if l["relation"] == "next"), None)
open(out, "w").write("".join(f"/fhir/Patient/{i}\n" for i in ids[:2000]))
PY
stop_server
user=bench-$$
echo "synthetic benchmark passphrase $$" | "$chartroom" user add "$user" --role clinician --data "$data" >/dev/null
token=$("$chartroom" user token "$user" --purpose TREAT --ttl 8h --data "$data")

for round in $(seq "$rounds"); do
  for mode in off on; do
    start_server CHARTROOM_ACCESS_ENFORCE="$mode"
    headers=()
    [[ $mode == on ]] && headers=(--header "Authorization: Bearer $token")
    result=$("$http_load" --port "$port" --connections "$connections" --threads 1 \
      --duration "$duration" --warmup 2 --paths "$work/patients.txt" "${headers[@]}")
    echo "{\"round\":$round,\"access\":\"$mode\",\"result\":$result}"
    stop_server
  done
done
"$chartroom" user disable "$user" --data "$data" >/dev/null
