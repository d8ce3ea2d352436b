#!/usr/bin/env bash
# Acceptance run with real processes: vigil-collector, vigil-agent and the vigil CLI as separate
# executables, a real HTTP target (python3 -m http.server) stopped for ~20 s, a batch written by another
# program (Python's zlib + curl), bad bodies, and a 1 GiB zip bomb. Prints "acceptance: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
WORK=$(mktemp -d /tmp/vigil-acceptance.XXXXXX)
PIDS=()
passed=0
failed=0

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

source scripts/checks.sh
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

CPORT=$(free_port)
TPORT=$(free_port)
MPORT=$(free_port)
COLLECTOR="http://127.0.0.1:$CPORT"
echo "acceptance: collector on $CPORT, target on $TPORT, work dir $WORK"

# A webhook receiver (records each request with its arrival time) for the alert hooks.
HPORT=$(free_port)
cat >"$WORK/receiver.py" <<'PY'
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
out = open(sys.argv[2], "a")
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        out.write(json.dumps({"ms": int(time.time() * 1000), "delivery": self.headers.get("X-Vigil-Delivery"),
                              "signature": self.headers.get("X-Vigil-Signature"), "body": body}) + "\n")
        out.flush()
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$WORK/receiver.py" "$HPORT" "$WORK/received.jsonl" &
PIDS+=("$!")
cat >"$WORK/collector.yaml" <<YAML
alerts: {evaluate_every: 500ms}
hooks:
  - {name: ops, type: webhook, url: "http://127.0.0.1:$HPORT/hook", secret: acceptance-secret, events: [outage.opened, outage.resolved]}
  - {name: file, type: command, command: [/bin/sh, -c, "cat >> $WORK/command-events.jsonl; echo >> $WORK/command-events.jsonl"], events: [outage.opened, outage.resolved]}
services:
  site:
    sla:
      target: 99.9
      credits: [{below: 99.9, credit: 10}, {below: 99, credit: 25}, {below: 95, credit: 100}]
YAML
"$BIN/vigil-collector" --config "$WORK/collector.yaml" --data-dir "$WORK/data" --listen "127.0.0.1:$CPORT" --log-level warning >"$WORK/collector.log" 2>&1 &
COLLECTOR_PID=$!
PIDS+=("$COLLECTOR_PID")
for _ in $(seq 1 100); do curl -fsS "$COLLECTOR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
check "collector answers /healthz" curl -fsS "$COLLECTOR/healthz" -o /dev/null
check "collector wrote its admin token" test -s "$WORK/data/admin.token"
export VIGIL_COLLECTOR=$COLLECTOR
export VIGIL_TOKEN=$(cat "$WORK/data/admin.token")

AGENT_TOKEN=$("$BIN/vigil" agents add acceptance)
check "vigil agents add prints the token alone" bash -c "[[ '$AGENT_TOKEN' =~ ^vigil_agt_[A-Za-z0-9_-]+$ ]]"
echo "$AGENT_TOKEN" >"$WORK/agent.token"

mkdir -p "$WORK/site" && echo ok >"$WORK/site/index.html"
start_target() {
  python3 -m http.server "$TPORT" --bind 127.0.0.1 --directory "$WORK/site" >"$WORK/target.log" 2>&1 &
  TARGET_PID=$!
  PIDS+=("$TARGET_PID")
  for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$TPORT/" >/dev/null 2>&1 && break; sleep 0.1; done
}
start_target

cat >"$WORK/agent.yaml" <<YAML
collector: $COLLECTOR
token_file: agent.token
name: acceptance
batch:
  max_delay: 1s
metrics:
  listen: 127.0.0.1:$MPORT
checks:
  - name: site
    service: site
    url: http://127.0.0.1:$TPORT/
    interval: 2s
    timeout: 1s
YAML
START_MS=$(now_ms)
"$BIN/vigil-agent" --config "$WORK/agent.yaml" --log-level warning >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")

sleep 8
kill "$TARGET_PID"; wait "$TARGET_PID" 2>/dev/null
DOWN_MS=$(now_ms)
echo "  ..   target stopped; waiting 20 s"
sleep 20
start_target
UP_MS=$(now_ms)
sleep 8
REAL_DOWN=$(python3 -c "print(($UP_MS - $DOWN_MS) / 1000)")
FROM=$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp($START_MS/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z')")
"$BIN/vigil" uptime site --from "$FROM" --json >"$WORK/uptime.json"
echo "  ..   real downtime ${REAL_DOWN}s; vigil says: $(python3 -c "import json; r=json.load(open('$WORK/uptime.json')); print(r['down_seconds'], 'down,', r['up_seconds'], 'up, availability', r['availability'])")"
check "down_seconds within one interval plus timeout (3 s) of the real downtime" python3 - "$WORK/uptime.json" "$REAL_DOWN" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); real = float(sys.argv[2])
sys.exit(0 if abs(r["down_seconds"] - real) <= 3.0 else 1)
PY
check "availability consistent with up and down seconds" python3 - "$WORK/uptime.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = r["up_seconds"] / (r["up_seconds"] + r["down_seconds"])
sys.exit(0 if abs(r["availability"] - want) < 1e-9 and 0 < r["availability"] < 1 else 1)
PY
check "vigil status shows the service" bash -c "'$BIN/vigil' status | grep -q '^site '"

# Alert hooks: one signed outage.opened within failure_threshold × interval + 2 s (2 × 2 s + 2 s) of the
# target going down, one outage.resolved after it came back; the command hook wrote both to a file.
check "the webhook got one outage.opened, signed, within 6 s of the target going down, and one outage.resolved" python3 - "$WORK/received.jsonl" "$DOWN_MS" <<'PY'
import hashlib, hmac, json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
types = [json.loads(e["body"])["type"] for e in events]
opened = [e for e in events if json.loads(e["body"])["type"] == "outage.opened"]
signed = all(e["signature"] == "sha256=" + hmac.new(b"acceptance-secret", e["body"].encode(), hashlib.sha256).hexdigest() for e in events)
late = opened[0]["ms"] - int(sys.argv[2]) if opened else None
print("  ..   webhook events:", types, "; opened", late, "ms after the target stopped", file=sys.stderr)
sys.exit(0 if types == ["outage.opened", "outage.resolved"] and signed and late is not None and late <= 6000 and len({e["delivery"] for e in events}) == 2 else 1)
PY
check "the command hook wrote both events to its file" bash -c "grep -c '\"type\":\"outage' '$WORK/command-events.jsonl' | grep -qx 2"
"$BIN/vigil" alerts --json >"$WORK/alerts.json"
check "vigil alerts: outage events delivered to both hooks, nothing else raised from seconds of history" python3 - "$WORK/alerts.json" <<'PY'
import json, sys
alerts = json.load(open(sys.argv[1]))
outage = [a for a in alerts if a["type"].startswith("outage.")]
types = {a["type"] for a in alerts}
ok = sorted(a["type"] for a in outage) == ["outage.opened", "outage.resolved"] \
    and all(len(a["deliveries"]) == 2 and all(d["state"] == "delivered" for d in a["deliveries"]) for a in outage) \
    and "slo.burn_rate" not in types
print("  ..   alert types:", sorted(types), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
check "vigil hooks test reports the receiver's answer" bash -c "'$BIN/vigil' hooks test ops | grep -q 'delivered — receiver answered HTTP 200'"

# The SLA engine through the CLI: the outage, the verdict against 99.9 %, reports, maintenance.
"$BIN/vigil" outages --service site --json >"$WORK/outages.json"
check "vigil outages lists the one outage, as long as the real one, with its first error" python3 - "$WORK/outages.json" "$REAL_DOWN" <<'PY'
import json, sys
o = json.load(open(sys.argv[1])); real = float(sys.argv[2])
sys.exit(0 if len(o) == 1 and abs(o[0]["duration_seconds"] - real) <= 3.0 and o[0]["first_message"] and not o[0]["ongoing"] else 1)
PY
"$BIN/vigil" uptime site --from "$FROM" --explain >"$WORK/explain.txt"
check "vigil uptime --explain gives the verdict, the credit and the intervals behind it" bash -c "grep -q 'MISSED' '$WORK/explain.txt' && grep -q '^credit .*of the fee' '$WORK/explain.txt' && grep -q '^Service state' '$WORK/explain.txt' && grep -q '^down ' '$WORK/explain.txt'"
"$BIN/vigil" report --window 1h --format csv >"$WORK/report.csv"
check "vigil report --format csv has a row per service" bash -c "head -1 '$WORK/report.csv' | grep -q '^service,window,' && grep -q '^site,last 1h,' '$WORK/report.csv'"
check "vigil report --format markdown is a table" bash -c "'$BIN/vigil' report --window 1h --format markdown | head -1 | grep -q '^| service | window |'"
# Tickets: a CSV with one ticket during the outage for site, one for another service, one bad row.
DURING=$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp(($DOWN_MS+5000)/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))")
cat >"$WORK/tickets.csv" <<CSV
external_id,title,organisation,priority,category,tags,created_at,status
ACC-1,"Site down, customers cannot log in",Acme,urgent,technical,site,$DURING,open
ACC-2,Invoice question,Globex,low,billing,billing,$DURING,open
ACC-3,Broken row,Acme,critical,technical,site,$DURING,open
CSV
"$BIN/vigil" tickets import "$WORK/tickets.csv" >"$WORK/import.out" 2>"$WORK/import.err"; IMPORT_EXIT=$?
check "vigil tickets import keeps good rows and names the bad one by line (exit 2)" bash -c "[ $IMPORT_EXIT = 2 ] && grep -q 'imported 2 tickets' '$WORK/import.out' && grep -q 'tickets.csv:4: priority' '$WORK/import.err'"
OUTAGE_ID=$(python3 -c "import json; print(json.load(open('$WORK/outages.json'))[0]['id'])")
"$BIN/vigil" outages show "$OUTAGE_ID" --json >"$WORK/outage-detail.json"
check "vigil outages show links exactly the ticket for the service during the outage" python3 - "$WORK/outage-detail.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [t["external_id"] for t in d["tickets"]] == ["ACC-1"] and d["organisations"] == ["Acme"] and d["open_tickets"] == 1 else 1)
PY
check "vigil tickets show gives the clocks and the outage" bash -c "'$BIN/vigil' tickets show ACC-1 | grep -q '^first_response ' && '$BIN/vigil' tickets show ACC-1 | grep -q 'outage        $OUTAGE_ID'"
check "vigil report lists each outage's tickets" bash -c "'$BIN/vigil' report --window 1h | grep -A2 '^Tickets per outage' | grep -q 'ACC-1'"
MAINT_ID=$("$BIN/vigil" maintenance add site --start "$FROM" --duration 5s --reason acceptance --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$BIN/vigil" uptime site --from "$FROM" --json >"$WORK/maint.json"
check "maintenance added from the CLI is excluded from eligible time" python3 - "$WORK/maint.json" "$WORK/uptime.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); u = json.load(open(sys.argv[2]))
sys.exit(0 if abs(m["maintenance_seconds"] - 5) < 0.01 else 1)
PY
check "vigil maintenance list and remove" bash -c "'$BIN/vigil' maintenance list | grep -q acceptance && '$BIN/vigil' maintenance remove '$MAINT_ID' && '$BIN/vigil' maintenance list | grep -q 'no maintenance windows'"

curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt" 2>/dev/null
check "agent serves Prometheus metrics (probes, durations, spool, shipping)" bash -c "grep -q '^vigil_agent_probes_total{check=\"site\",status=\"down\"} [1-9]' '$WORK/metrics.txt' && grep -q '^vigil_agent_probe_duration_seconds_bucket' '$WORK/metrics.txt' && grep -q '^vigil_agent_spool_bytes ' '$WORK/metrics.txt' && grep -q '^vigil_agent_heartbeats_shipped_total [1-9]' '$WORK/metrics.txt'"
if command -v promtool >/dev/null 2>&1; then
  check "promtool check metrics passes" bash -c "promtool check metrics <'$WORK/metrics.txt'"
fi

# SIGHUP reloads the agent's configuration without a restart: a new check appears, the session stays.
session_of() { "$BIN/vigil" agents --json | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a["name"]=="acceptance"][0]["session_id"])'; }
SESSION_BEFORE=$(session_of)
cp "$WORK/agent.yaml" "$WORK/agent.yaml.good"
printf '  - name: site-again\n    service: site-reloaded\n    url: http://127.0.0.1:%s/\n    interval: 1s\n' "$TPORT" >>"$WORK/agent.yaml"
kill -HUP "$AGENT_PID"
sleep 4
check "SIGHUP added a check without restarting the agent" bash -c "'$BIN/vigil' status | grep -q '^site-reloaded ' && [ \"\$('$BIN/vigil' agents --json | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a[\"name\"]==\"acceptance\"][0][\"session_id\"])')\" = '$SESSION_BEFORE' ]"
echo "checks: [oops" >"$WORK/agent.yaml"
kill -HUP "$AGENT_PID"
sleep 1
check "a broken config on SIGHUP is refused and the agent keeps running" bash -c "kill -0 $AGENT_PID && grep -q 'configuration not reloaded' '$WORK/agent.log'"
cp "$WORK/agent.yaml.good" "$WORK/agent.yaml"

# A batch written by another program: JSON, deflated by Python's zlib, POSTed with curl.
python3 - "$WORK/ext.bin" <<'PY'
import json, sys, time, zlib
now = int(time.time() * 1000)
batch = {"session_id": "external-1", "seq": 1, "agent_version": "script", "dropped": 0,
         "checks": [{"id": 1, "name": "ext", "service": "external", "kind": "http", "target": "http://example.invalid", "interval_ms": 10000}],
         "heartbeats": [{"check": 1, "ts_ms": now - 30000 + i * 10000, "status": "up" if i != 1 else "down", "latency_us": 1000, "code": 200, "message": ""} for i in range(3)]}
open(sys.argv[1], "wb").write(zlib.compress(json.dumps(batch).encode()))
PY
# Its own agent token, so that the running agent's heartbeats do not mix into the counts.
EXT_TOKEN=$("$BIN/vigil" agents add external-script)
post_ext() {
  curl -sS -o "$WORK/ext.out" -w '%{http_code}' -X POST "$COLLECTOR/v1/batches" -H "Authorization: Bearer $EXT_TOKEN" \
    -H 'Content-Type: application/json' -H 'Content-Encoding: deflate' --data-binary @"$WORK/ext.bin"
}
heartbeats_of() { "$BIN/vigil" agents --json | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a["name"]=="external-script"][0]["heartbeats"])'; }
FIRST_CODE=$(post_ext); FIRST_BODY=$(cat "$WORK/ext.out")
[ "$FIRST_CODE" = 200 ] && ok "external JSON batch accepted and counted ($FIRST_BODY)" || bad "external JSON batch ($FIRST_CODE $FIRST_BODY)"
"$BIN/vigil" uptime external --last 1h --json >"$WORK/ext.json"
BEFORE=$(cat "$WORK/ext.json")
COUNT_BEFORE=$(heartbeats_of)
SECOND_CODE=$(post_ext); SECOND_BODY=$(cat "$WORK/ext.out")
"$BIN/vigil" uptime external --last 1h --json >"$WORK/ext2.json"
COUNT_AFTER=$(heartbeats_of)
check "posting the same batch again changes nothing" bash -c "[ '$SECOND_CODE' = 200 ] && grep -q '\"duplicate\":true' '$WORK/ext.out' && [ '$COUNT_BEFORE' = '$COUNT_AFTER' ] && python3 -c \"import json; a=json.load(open('$WORK/ext.json')); b=json.load(open('$WORK/ext2.json')); exit(0 if a['down_seconds']==b['down_seconds'] and a['up_seconds']<=b['up_seconds'] else 1)\""

CODE=$(curl -sS -o "$WORK/bad.out" -w '%{http_code}' -X POST "$COLLECTOR/v1/batches" -H "Authorization: Bearer $AGENT_TOKEN" -H 'Content-Type: application/json' --data-binary '{"seq": 1}')
check "a body that is not a batch gets 400 with a reason ($(cat "$WORK/bad.out"))" bash -c "[ '$CODE' = 400 ] && grep -q session_id '$WORK/bad.out'"
CODE=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$COLLECTOR/v1/batches" -H 'Content-Type: application/json' --data-binary @"$WORK/ext.bin")
check "a missing token gets 401" test "$CODE" = 401
CODE=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$COLLECTOR/v1/batches" -H 'Authorization: Bearer vigil_agt_nope' -H 'Content-Type: application/json' --data-binary @"$WORK/ext.bin")
check "a wrong token gets 401" test "$CODE" = 401
REVOKE_OUT=$("$BIN/vigil" agents revoke external-script 2>&1)
CODE=$(post_ext)
check "vigil agents revoke: the agent's next batch gets 401, the list says revoked, its history stays ($REVOKE_OUT)" bash -c "[ '$CODE' = 401 ] && '$BIN/vigil' agents | grep -q '^external-script (revoked)' && [ \"\$('$BIN/vigil' agents --json | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a[\"name\"]==\"external-script\"][0][\"heartbeats\"])')\" = '$COUNT_AFTER' ]"

READ_TOKEN=$("$BIN/vigil" tokens create dashboard --scope read)
MAINT_EXIT=0
VIGIL_TOKEN="$READ_TOKEN" "$BIN/vigil" maintenance add site --start 2030-01-01T00:00:00Z --duration 1h --reason nope >/dev/null 2>"$WORK/readonly.err" || MAINT_EXIT=$?
check "vigil tokens: a read token runs vigil status, is refused a change with a reason, and stops working when revoked" bash -c "VIGIL_TOKEN='$READ_TOKEN' '$BIN/vigil' status | grep -q '^site ' && [ $MAINT_EXIT != 0 ] && grep -q 'read-only' '$WORK/readonly.err' && '$BIN/vigil' tokens | grep -q '^dashboard  *read' && '$BIN/vigil' tokens revoke dashboard >/dev/null && ! VIGIL_TOKEN='$READ_TOKEN' '$BIN/vigil' status >/dev/null 2>&1"

EXIT_WRONG=0; VIGIL_TOKEN=vigil_adm_wrong "$BIN/vigil" status >/dev/null 2>&1 || EXIT_WRONG=$?
EXIT_DOWN=0; "$BIN/vigil" status --collector http://127.0.0.1:1 >/dev/null 2>&1 || EXIT_DOWN=$?
EXIT_USAGE=0; "$BIN/vigil" uptime site --window soon >/dev/null 2>&1 || EXIT_USAGE=$?
check "exit statuses: wrong token 77 ($EXIT_WRONG), collector unreachable 69 ($EXIT_DOWN), bad input 64 ($EXIT_USAGE)" \
  bash -c "[ $EXIT_WRONG = 77 ] && [ $EXIT_DOWN = 69 ] && [ $EXIT_USAGE = 64 ]"

# 1 GiB of zeros, zlib-compressed (about 1 MB on the wire).
python3 - "$WORK/bomb.bin" <<'PY'
import sys, zlib
c = zlib.compressobj(9); out = open(sys.argv[1], "wb"); chunk = bytes(1 << 20)
for _ in range(1024): out.write(c.compress(chunk))
out.write(c.flush())
PY
RSS_BEFORE=$(rss_kb "$COLLECTOR_PID")
BOMB_START=$(now_ms)
CODE=$(curl -sS -o "$WORK/bomb.out" -w '%{http_code}' -X POST "$COLLECTOR/v1/batches" -H "Authorization: Bearer $AGENT_TOKEN" \
  -H 'Content-Type: application/x-protobuf' -H 'Content-Encoding: deflate' --data-binary @"$WORK/bomb.bin")
BOMB_MS=$(( $(now_ms) - BOMB_START ))
RSS_AFTER=$(rss_kb "$COLLECTOR_PID")
echo "  ..   zip bomb ($(stat -c %s "$WORK/bomb.bin") bytes for 1 GiB): HTTP $CODE in ${BOMB_MS} ms; collector RSS ${RSS_BEFORE} kB -> ${RSS_AFTER} kB"
check "1 GiB zip bomb gets 413" test "$CODE" = 413
check "the 413 comes within a second" test "$BOMB_MS" -lt 1000
check "collector memory grows less than 40 MB" test $((RSS_AFTER - RSS_BEFORE)) -lt 40960
check "collector keeps serving afterwards" curl -fsS "$COLLECTOR/healthz" -o /dev/null

kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; AGENT_EXIT=$?
check "agent stops cleanly on SIGTERM" test "$AGENT_EXIT" = 0
kill -TERM "$COLLECTOR_PID"; wait "$COLLECTOR_PID"; COLLECTOR_EXIT=$?
check "collector stops cleanly on SIGTERM" test "$COLLECTOR_EXIT" = 0

if [ "$failed" -gt 0 ]; then
  echo "--- collector log"; tail -20 "$WORK/collector.log"; echo "--- agent log"; tail -20 "$WORK/agent.log"
fi
echo "acceptance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
