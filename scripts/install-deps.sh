#!/usr/bin/env bash
# Installs, idempotently, every Debian 12 package that Chartroom's build, tests, demo, benchmarks
# and fuzzing need. Runs as root, or through sudo. Packages already present are not touched, so a
# second run costs one dpkg query.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config make git python3
  clang libclang-rt-14-dev  # libFuzzer and sanitizer runtimes for `make fuzz`
  clang-format
  # libraries (never libboost-dev: that is Boost 1.74 and conflicts with 1.81)
  libboost1.81-dev libboost-json1.81-dev libexpected-dev libcli11-dev libssl-dev openssl
  libsodium-dev
  libsqlite3-dev  # the embedded store
  libicu-dev  # Unicode folding and transliteration of names (the patient index)
  libexpat1-dev  # the code sets' XML release files (ICD-10-CM tabular list and index)
  libpq-dev  # the PostgreSQL store (client library)
  libzstd-dev  # zstd-compressed import files
  libtomlplusplus-dev  # the configuration file
  # tests and benchmarks
  zlib1g-dev  # gzip-compressed fixtures and code sets
  libgtest-dev libgmock-dev libbenchmark-dev
  poppler-utils  # pdftotext and pdfinfo read back the PDF writer's files (tests/pdf)
  postgresql  # a throwaway server for the PostgreSQL store's tests (scripts/with-postgres.sh)
  # the web console (web/): built with Vite on Node.js, its end-to-end tests in Debian's
  # Chromium driven by playwright-core (npm); the benchmark script's reference FHIRPath engine
  nodejs npm
  chromium
)

# Extra group: the HTTP load generator of bench/http/run.sh, only when asked for.
if [[ ${CHARTROOM_BENCH_DEPS:-0} == 1 ]]; then
  packages+=(wrk)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
# A Node.js that did not come from Debian (e.g. a newer one on PATH) serves as well.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
