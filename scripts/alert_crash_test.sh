#!/usr/bin/env bash
# Alert delivery survives a collector crash: a real collector, agent, HTTP target and webhook receiver.
# The receiver refuses everything (503) while the target goes down, the collector is killed with SIGKILL
# while the outage.opened delivery is pending, the target comes back while the collector is down; then the
# collector restarts and the receiver comes back. Every event must arrive, each delivery id accepted once.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
WORK=$(mktemp -d /tmp/vigil-alert-crash.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
source scripts/checks.sh
fail() { echo "alert crash test: FAIL $1"; echo "--- collector"; tail -20 "$WORK/collector.log"; exit 1; }

CPORT=$(free_port); TPORT=$(free_port); HPORT=$(free_port)
COLLECTOR="http://127.0.0.1:$CPORT"
touch "$WORK/receiver-down"
cat >"$WORK/receiver.py" <<'PY'
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
port, work = int(sys.argv[1]), sys.argv[2]
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if os.path.exists(os.path.join(work, "receiver-down")):
            self.send_response(503); self.end_headers(); return
        with open(os.path.join(work, "accepted.jsonl"), "a") as out:
            out.write(json.dumps({"delivery": self.headers.get("X-Vigil-Delivery"), "type": json.loads(body)["type"]}) + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
python3 "$WORK/receiver.py" "$HPORT" "$WORK" & PIDS+=("$!")
mkdir -p "$WORK/site" && echo ok >"$WORK/site/index.html"
start_target() { python3 -m http.server "$TPORT" --bind 127.0.0.1 --directory "$WORK/site" >/dev/null 2>&1 & TARGET_PID=$!; PIDS+=("$TARGET_PID"); sleep 0.5; }
cat >"$WORK/collector.yaml" <<YAML
alerts: {evaluate_every: 300ms, retry_max_delay: 2s}
hooks:
  - {name: ops, type: webhook, url: "http://127.0.0.1:$HPORT/hook", events: [outage.opened, outage.resolved]}
YAML
start_collector() {
  "$BIN/vigil-collector" --config "$WORK/collector.yaml" --data-dir "$WORK/data" --listen "127.0.0.1:$CPORT" --log-level warning >>"$WORK/collector.log" 2>&1 &
  COLLECTOR_PID=$!; PIDS+=("$COLLECTOR_PID")
  for _ in $(seq 1 100); do curl -fsS "$COLLECTOR/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  fail "collector did not start"
}
start_collector
export VIGIL_COLLECTOR=$COLLECTOR VIGIL_TOKEN=$(cat "$WORK/data/admin.token")
"$BIN/vigil" agents add crash >"$WORK/agent.token"
start_target
cat >"$WORK/agent.yaml" <<YAML
collector: $COLLECTOR
token_file: agent.token
name: crash
batch: {max_delay: 500ms}
spool: {dir: spool}
checks:
  - {name: site, service: site, url: "http://127.0.0.1:$TPORT/", interval: 1s, timeout: 500ms}
YAML
"$BIN/vigil-agent" --config "$WORK/agent.yaml" --log-level warning >"$WORK/agent.log" 2>&1 & PIDS+=("$!")
sleep 4
kill "$TARGET_PID"; wait "$TARGET_PID" 2>/dev/null
pending_opened() { "$BIN/vigil" alerts --json 2>/dev/null | python3 -c 'import json,sys; a=json.load(sys.stdin); sys.exit(0 if any(x["type"]=="outage.opened" and x["deliveries"] and x["deliveries"][0]["attempts"]>=1 for x in a) else 1)'; }
for _ in $(seq 1 100); do pending_opened && break; sleep 0.2; done
pending_opened || fail "outage.opened was not pending"
kill -9 "$COLLECTOR_PID"; wait "$COLLECTOR_PID" 2>/dev/null
echo "  ..   collector killed with SIGKILL while outage.opened was pending; target back while it is down"
start_target
sleep 3
start_collector
sleep 3
rm -f "$WORK/receiver-down"
echo "  ..   collector restarted; receiver back"
done_all() { [ -f "$WORK/accepted.jsonl" ] && python3 - "$WORK/accepted.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if sorted({r["type"] for r in rows}) == ["outage.opened", "outage.resolved"] else 1)
PY
}
for _ in $(seq 1 100); do done_all && break; sleep 0.2; done
done_all || fail "not every event arrived: $(cat "$WORK/accepted.jsonl" 2>/dev/null)"
sleep 3
python3 - "$WORK/accepted.jsonl" <<'PY' || fail "a delivery was accepted twice"
import collections, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
counts = collections.Counter(r["delivery"] for r in rows)
print("  ..   accepted:", [(r["type"], r["delivery"]) for r in rows])
sys.exit(0 if len(rows) == 2 and all(c == 1 for c in counts.values()) else 1)
PY
echo "alert crash test: ok (opened and resolved each delivered once after a SIGKILL)"
