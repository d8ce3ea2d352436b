#!/usr/bin/env bash
# TLS on a real vigil-collector process: HTTPS with a private CA, the certificate rotated on disk and
# reloaded with SIGHUP (new connections get it), a broken certificate refused on SIGHUP while the old
# one keeps serving, and the vigil CLI with --ca-file. Prints "tls: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
WORK=$(mktemp -d /tmp/vigil-tls.XXXXXX)
passed=0
failed=0
PID=""
cleanup() { [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
source scripts/checks.sh

# Two CAs, a server certificate from each (for localhost and 127.0.0.1).
cd "$WORK"
for ca in ca1 ca2; do
  openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.pem -days 30 -subj "/CN=$ca" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -keyout server-$ca.key -out server-$ca.csr -subj /CN=localhost >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
  openssl x509 -req -in server-$ca.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -out server-$ca.pem -days 30 -extfile san.ext >/dev/null 2>&1
done
cd - >/dev/null
cp "$WORK/server-ca1.pem" "$WORK/server.pem"; cp "$WORK/server-ca1.key" "$WORK/server.key"
PORT=$(free_port)
cat >"$WORK/collector.yaml" <<YAML
tls: {cert_file: $WORK/server.pem, key_file: $WORK/server.key}
YAML
"$BIN/vigil-collector" --config "$WORK/collector.yaml" --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --log-level notice >"$WORK/collector.log" 2>&1 &
PID=$!
URL="https://localhost:$PORT"
for _ in $(seq 1 100); do curl -fsS --cacert "$WORK/ca1.pem" "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

check "HTTPS with the first CA" curl -fsS --cacert "$WORK/ca1.pem" "$URL/healthz" -o /dev/null
check "plain HTTP gets no answer" bash -c "! curl -fsS --max-time 3 http://127.0.0.1:$PORT/healthz -o /dev/null 2>/dev/null"
check "vigil status --ca-file works over HTTPS" "$BIN/vigil" status --collector "$URL" --ca-file "$WORK/ca1.pem" --token "$(cat "$WORK/data/admin.token")"
check "the CLI without the CA refuses the collector with a reason" bash -c "! '$BIN/vigil' status --collector '$URL' --token x 2>'$WORK/nocafile.err' && grep -qi 'certificate\|handshake\|ssl\|tls' '$WORK/nocafile.err'"

cp "$WORK/server-ca2.pem" "$WORK/server.pem"; cp "$WORK/server-ca2.key" "$WORK/server.key"
check "before SIGHUP the old certificate is still served" curl -fsS --cacert "$WORK/ca1.pem" "$URL/healthz" -o /dev/null
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q "reloaded the TLS certificate" "$WORK/collector.log" && break; sleep 0.1; done
check "SIGHUP: new connections get the rotated certificate" curl -fsS --cacert "$WORK/ca2.pem" "$URL/healthz" -o /dev/null
check "SIGHUP: the old CA no longer verifies" bash -c "! curl -fsS --cacert '$WORK/ca1.pem' '$URL/healthz' -o /dev/null 2>/dev/null"

printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n' > "$WORK/server.pem"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q "kept the previous TLS certificate" "$WORK/collector.log" && break; sleep 0.1; done
check "SIGHUP with a broken certificate logs the refusal" grep -q "kept the previous TLS certificate" "$WORK/collector.log"
check "and the running certificate keeps serving" curl -fsS --cacert "$WORK/ca2.pem" "$URL/healthz" -o /dev/null
check "the collector is still the same process" kill -0 "$PID"

kill -TERM "$PID"; wait "$PID"; EXIT=$?; PID=""
check "collector stops cleanly on SIGTERM" test "$EXIT" = 0
if [ "$failed" -gt 0 ]; then echo "--- collector log"; tail -20 "$WORK/collector.log"; fi
echo "tls: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
