#!/usr/bin/env bash
# Runs every benchmark of a release build: the Google Benchmark executables, then the comparison
# scripts under bench/ that run a reference implementation on the same inputs in the same run.
# Usage: scripts/bench.sh [build/release]
set -euo pipefail
build=${1:-build/release}
shopt -s nullglob
for b in "$build"/bench/chartroom_*_bench; do
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.5
done
for s in bench/*/run.sh; do
  echo "== $s"
  "$s" "$build"
done
