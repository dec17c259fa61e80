#!/usr/bin/env bash
# `make demo`: a synthetic population of about 200 patients (chartroom generate), imported into a
# fresh data directory (chartroom import), served on http://localhost:8080 (chartroom serve) until
# Ctrl-C. Prints example requests against the records it loaded. All data is synthetic.
#
#   scripts/demo.sh [path/to/chartroom]      PATIENTS=200 LISTEN=127.0.0.1:8080 DEMO_DIR=build/demo
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/chartroom}
patients=${PATIENTS:-200}
listen=${LISTEN:-127.0.0.1:8080}
demo=${DEMO_DIR:-build/demo}

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }

rm -rf "$demo"
mkdir -p "$demo"
step "Generating $patients synthetic patients (chartroom generate)"
"$bin" generate --patients "$patients" --seed 2026 --out "$demo/population" >/dev/null
files=("$demo"/population/[A-Z]*.ndjson)  # one file per resource type; the rest is ground truth
echo "$(cat "${files[@]}" | wc -l) resources in ${#files[@]} NDJSON files"

step "Importing them into $demo/data (chartroom import)"
"$bin" import --data "$demo/data" "${files[@]}"

patient=$(head -1 "$demo/population/Patient.ndjson" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
family=$(head -1 "$demo/population/Patient.ndjson" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"][0]["family"])')
base="http://${listen/127.0.0.1/localhost}/fhir"

step "Creating demo users (chartroom user add): there is no default password"
password=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
for account in demo.him:him_technician demo.clinician:clinician demo.privacy:privacy_officer \
    demo.analyst:data_analyst; do
  echo "$password" | "$bin" user add "${account%%:*}" --role "${account#*:}" --data "$demo/data" >/dev/null
done
echo "users demo.him, demo.clinician, demo.privacy and demo.analyst, password (this demo only): $password"
token=$("$bin" user token demo.clinician --purpose TREAT --ttl 8h --data "$demo/data")

step "Serving the console on http://${listen/127.0.0.1/localhost}/ (sign in as demo.him, purpose"\
" Health care operations) and the FHIR R4 API on $base (Ctrl-C stops it). Try:"
cat <<EXAMPLES
  TOKEN='$token'
  curl -s $base/metadata | head -c 300
  curl -s -H "Authorization: Bearer \$TOKEN" $base/Patient/$patient
  curl -s -H "Authorization: Bearer \$TOKEN" '$base/Patient?family=$family&_count=5'
  curl -s -H "Authorization: Bearer \$TOKEN" '$base/Observation?subject=Patient/$patient&code=http://loinc.org|8867-4&_sort=-date&_count=3'
  curl -s -H "Authorization: Bearer \$TOKEN" '$base/Patient/$patient/\$everything?_type=Condition,Procedure'
  curl -s -X POST $base/Patient -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/fhir+json' \\
       -d '{"resourceType":"Patient","name":[{"family":"Example","given":["Demo"]}],"gender":"other"}'
  # log in as the data analyst (masked records) or the privacy officer (access reports):
  curl -s -X POST http://${listen/127.0.0.1/localhost}/auth/login \\
       -d '{"username":"demo.analyst","password":"$password","purpose":"HRESCH"}'
  curl -s http://${listen/127.0.0.1/localhost}/metrics | grep chartroom_http | head
EXAMPLES
echo
exec "$bin" serve --data "$demo/data" --listen "$listen"
