#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the tests and print its URL.
#   scripts/postgres.sh install   install the server from the distribution's packages (root)
#   scripts/postgres.sh start     start it (idempotent); prints PHOIHOP_TEST_POSTGRES_URL=…
#   scripts/postgres.sh stop
# Nothing is started when no server is installed: the tests then skip PostgreSQL and say so.
set -euo pipefail
PORT="${PHOIHOP_PG_PORT:-54329}"
DATA="${PHOIHOP_PG_DATA:-/tmp/phoihop-pg-$PORT}"

bindir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] && [ -x "$found/postgres" ] && echo "$found"
}

as_owner() {
  # initdb and postgres refuse to run as root: use the postgres account when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  install)
    if [ -z "$(bindir)" ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq postgresql >/dev/null
    fi
    ;;
  start)
    BIN=$(bindir) || { echo "PostgreSQL is not installed: skipping it (scripts/postgres.sh install)" >&2; exit 0; }
    if [ ! -s "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres "$DATA"
      as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA -c fsync=off" start >/dev/null
    fi
    echo "PHOIHOP_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    BIN=$(bindir) || exit 0
    as_owner "$BIN/pg_ctl" -D "$DATA" stop -m fast >/dev/null 2>&1 || true
    ;;
esac
