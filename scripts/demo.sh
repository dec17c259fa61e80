#!/usr/bin/env bash
# A short end-to-end demonstration of what Chartroom does today, on bundled synthetic data:
# validate a Synthea patient Bundle and a deliberately broken resource, then ask FHIRPath
# questions of the Bundle. Usage: scripts/demo.sh [path/to/chartroom]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/chartroom}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gzip -dc tests/data/synthea/patient-bundle-1.json.gz > "$work/bundle.json"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; }

step "Validate a synthetic Synthea patient Bundle (FHIR R4)" chartroom validate bundle.json
"$bin" validate "$work/bundle.json"

cat > "$work/broken.json" <<'JSON'
{"resourceType": "Patient", "id": "demo-1", "gender": "F", "birthDate": "1980-02-30",
 "name": [{"family": "Example", "given": []}], "managingOrganization": {"reference": "not a reference"},
 "favouriteColour": "blue"}
JSON
step "Validate a deliberately broken Patient (exit code 1, one issue per problem)" chartroom validate broken.json
status=0
"$bin" validate "$work/broken.json" > "$work/outcome.json" || status=$?
python3 - "$work/outcome.json" <<'PY'
import json, sys
for issue in json.load(open(sys.argv[1]))["issue"]:
    code = issue["details"]["coding"][0]["code"]
    where = ", ".join(issue.get("expression", []))
    print(f'  {issue["severity"]:7} {code:24} {where:40} {issue["diagnostics"]}')
PY
echo "(exit code $status)"

fhirpath() {
  step "$1" chartroom fhirpath --input bundle.json "\"$2\""
  "$bin" fhirpath --input "$work/bundle.json" "$2"
}
fhirpath "How many Observations does the Bundle hold?" \
  "Bundle.entry.resource.ofType(Observation).count()"
fhirpath "The patient's official name" \
  "Bundle.entry.resource.ofType(Patient).name.where(use = 'official').given.first()"
fhirpath "Distinct LOINC codes observed" \
  "Bundle.entry.resource.ofType(Observation).code.coding.where(system = 'http://loinc.org').code.distinct().count()"
fhirpath "Body weights above 60 kg, compared through UCUM (60 kg = 60000 g)" \
  "Bundle.entry.resource.ofType(Observation).where(code.coding.display = 'Weight').value.ofType(Quantity).where(\$this > 60000 'g')"
fhirpath "Date arithmetic with FHIRPath precision rules" "@2024-01-31 + 1 month"
step "A syntax error exits with code 2" chartroom fhirpath "Patient.name.where("
"$bin" fhirpath "Patient.name.where(" || echo "(exit code $?)"
