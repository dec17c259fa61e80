#!/usr/bin/env bash
# Builds the web console (web/) into web/dist, which `chartroom serve` serves at /. Installs its
# npm packages exactly as package-lock.json records them (npm ci) when they are missing or older
# than the lock file; no browser is downloaded (playwright-core drives Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/../web"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# Quiet when it works; the type checker's or Vite's messages when it does not.
if ! out=$(npm run --silent build 2>&1); then
  echo "$out" >&2
  echo "build-web: the web console did not build" >&2
  exit 1
fi
