#!/usr/bin/env bash
# Demonstrates what Chartroom does today on bundled synthetic data.
set -euo pipefail
bin=${1:-build/release/src/cli/chartroom}
"$bin" version
