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
# synchronous_commit off as SQLite's WAL with synchronous=NORMAL. VIGIL_PG_OPTIONS adds server options
# (e.g. "-c shared_preload_libraries=pg_stat_statements" to see which statements cost the server most).
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

# TLS with a CA of its own, so the tests can check sslmode=require and verify-full.
TLS=""
if command -v openssl >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vigil-test-ca" -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$WORK/server.key" -out "$WORK/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$WORK/san.ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
    -extfile "$WORK/san.ext" -out "$WORK/server.pem" >/dev/null 2>&1
  chmod 600 "$WORK/server.key"
  [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/server.key" "$WORK/server.pem"
  TLS="-c ssl=on -c ssl_cert_file=$WORK/server.pem -c ssl_key_file=$WORK/server.key"
  export VIGIL_TEST_POSTGRES_CA="$WORK/ca.pem"
fi
DURABILITY="-c fsync=off"
[ "${VIGIL_PG_DURABLE:-0}" = 1 ] && DURABILITY="-c fsync=on"
as_owner "$BIN/initdb" -D "$WORK/data" -U vigil --pwfile="$WORK/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; exit 1; }
as_owner "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 30 \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c max_connections=300 -c synchronous_commit=off $DURABILITY $TLS ${VIGIL_PG_OPTIONS:-}" start \
  >/dev/null || { cat "$WORK/server.log"; exit 1; }
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $WORK)"

export VIGIL_TEST_POSTGRES_URL="postgres://vigil:$PASSWORD@127.0.0.1:$PORT/postgres?sslmode=disable"
"$@"
