#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: initdb into a fresh temporary directory,
# start it on a unix socket (port ${PGPORT_TEST:-55432}), export TEST_PG_DSN (a libpq connection
# string the PostgreSQL store tests use), run "$@", then stop the server and remove the directory,
# also when the command fails or is interrupted. Works as root (the server runs as the
# `postgres` user through runuser) or as an ordinary user (the server runs as that user).
#
#   scripts/with-postgres.sh ctest --preset dev -j2
#
# The server trades durability for speed (fsync=off): it holds test data only. With
# WITH_POSTGRES_DURABLE=1 it keeps PostgreSQL's durable defaults (for benchmarks).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [[ -z "${PGBIN}" || ! -x "${PGBIN}/initdb" ]]; then
  echo "with-postgres: no PostgreSQL server found (install postgresql-15)" >&2
  exit 1
fi
PORT=${PGPORT_TEST:-55432}

# The unix socket path must stay under 108 bytes: a short temporary directory.
PGTMP=$(mktemp -d /tmp/pgtest.XXXXXX)
if [[ $(id -u) -eq 0 ]]; then
  id -u postgres >/dev/null 2>&1 ||
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  chown postgres:postgres "${PGTMP}"
  as_server() { runuser -u postgres -- "$@"; }
  DBUSER=postgres
else
  as_server() { "$@"; }
  DBUSER=$(id -un)
fi

stop_server() {
  as_server "${PGBIN}/pg_ctl" -D "${PGTMP}/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "${PGTMP}"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

as_server "${PGBIN}/initdb" -D "${PGTMP}/data" -U "${DBUSER}" --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 --no-sync >/dev/null
SETTINGS="-p ${PORT} -k ${PGTMP} -c listen_addresses='' -c max_connections=200 -c shared_buffers=256MB"
if [[ "${WITH_POSTGRES_DURABLE:-0}" != 1 ]]; then
  SETTINGS+=" -c fsync=off -c full_page_writes=off"
fi
if ! as_server "${PGBIN}/pg_ctl" -D "${PGTMP}/data" -l "${PGTMP}/server.log" -w -t 60 \
  -o "${SETTINGS}" start >/dev/null; then
  echo "with-postgres: the server did not start:" >&2
  cat "${PGTMP}/server.log" >&2 || true
  exit 1
fi

export TEST_PG_DSN="host=${PGTMP} port=${PORT} user=${DBUSER} dbname=postgres"
echo "with-postgres: TEST_PG_DSN=${TEST_PG_DSN}" >&2
"$@"
