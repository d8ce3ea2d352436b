#!/usr/bin/env bash
# Runs a command with a real PostgreSQL server for it: VIGIL_TEST_POSTGRES_URL names the server.
#
# When VIGIL_TEST_POSTGRES_URL is already set, the command just runs against that server. Otherwise the
# Debian server package is installed if missing, a cluster is made with initdb in a temporary folder
# (as the postgres user when run as root: initdb refuses root), started on 127.0.0.1 on a free port with
# password (SCRAM) authentication, and stopped and deleted afterwards, whatever the command's outcome.
#
#   scripts/with_postgres.sh swift test --skip-build
#
# Tests run the server with fsync off; VIGIL_PG_DURABLE=1 keeps fsync on (benchmarks), with
# synchronous_commit off as SQLite's WAL with synchronous=NORMAL.
set -uo pipefail

if [ -n "${VIGIL_TEST_POSTGRES_URL:-}" ]; then
  exec "$@"
fi

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ] || [ ! -x "$(pg_bin)/initdb" ]; then
  echo "installing: postgresql"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(pg_bin)
WORK=$(mktemp -d /tmp/vigil-pg.XXXXXX)
chmod 755 "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
echo "$PASSWORD" >"$WORK/pwfile"
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$WORK"; fi
stop() {
  as_owner "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap stop EXIT

DURABILITY="-c fsync=off"
[ "${VIGIL_PG_DURABLE:-0}" = 1 ] && DURABILITY="-c fsync=on"
as_owner "$BIN/initdb" -D "$WORK/data" -U vigil --pwfile="$WORK/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; exit 1; }
as_owner "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 30 \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c max_connections=300 -c synchronous_commit=off $DURABILITY" start \
  >/dev/null || { cat "$WORK/server.log"; exit 1; }
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $WORK)"

export VIGIL_TEST_POSTGRES_URL="postgres://vigil:$PASSWORD@127.0.0.1:$PORT/postgres?sslmode=disable"
"$@"
