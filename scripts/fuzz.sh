#!/usr/bin/env bash
# Runs every libFuzzer target of a `fuzz` build for a bounded time each, starting from its seed
# corpus in tests/fuzz/corpus/<name>/. Fails on any crash, hang, leak or sanitizer report.
# Usage: scripts/fuzz.sh [build/fuzz] [seconds-per-target]
set -euo pipefail
build=${1:-build/fuzz}
seconds=${2:-60}
shopt -s nullglob
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
mkdir -p fuzz-artifacts
for f in "$build"/tests/fuzz/chartroom_*_fuzz; do
  name=$(basename "$f"); name=${name#chartroom_}; name=${name%_fuzz}
  mkdir -p "$work/$name"
  seeds=tests/fuzz/corpus/$name
  echo "== fuzzing $name for ${seconds}s"
  if ! "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="fuzz-artifacts/$name-" "$work/$name" ${seeds:+$( [ -d "$seeds" ] && echo "$seeds")}; then
    echo "fuzz: $name failed; reproducer under fuzz-artifacts/" >&2
    status=1
  fi
done
exit $status
