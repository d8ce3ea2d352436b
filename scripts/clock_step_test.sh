#!/usr/bin/env bash
# Issue 18: a real agent whose wall clock is set back one hour mid-run (an LD_PRELOAD shim steps
# CLOCK_REALTIME, as an NTP step or a VM restore would; its monotonic clock runs on) must still yield
# the outage that happened after the step, at the time it happened, and `vigil agents` must show the
# step and the clock an hour behind. Prints "clock step: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
passed=0
failed=0
source scripts/checks.sh
setup_work clockstep
now_ms() { python3 -c 'import time; print(int(time.time()*1000))'; }

cc -shared -fPIC -O2 -o "$WORK/clockshift.so" scripts/testing/clockshift.c -ldl || { echo "clock step: 0 passed, 1 failed (cannot build the shim)"; exit 1; }
CPORT=$(free_port)
TPORT=$(free_port)
COLLECTOR="http://127.0.0.1:$CPORT"

# A target whose answer follows a file: 200 while it says up, 503 otherwise.
echo up >"$WORK/state"
cat >"$WORK/target.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        up = open(sys.argv[2]).read().strip() == "up"
        self.send_response(200 if up else 503); self.end_headers(); self.wfile.write(b"ok" if up else b"down")
    def log_message(self, *args): pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$WORK/target.py" "$TPORT" "$WORK/state" &
PIDS+=("$!")
"$BIN/vigil-collector" --data-dir "$WORK/data" --listen "127.0.0.1:$CPORT" --log-level warning >"$WORK/collector.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do curl -fsS "$COLLECTOR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export VIGIL_COLLECTOR=$COLLECTOR
export VIGIL_TOKEN=$(cat "$WORK/data/admin.token")
"$BIN/vigil" agents add stepped >"$WORK/agent.token"
cat >"$WORK/agent.yaml" <<YAML
collector: $COLLECTOR
token_file: agent.token
name: stepped
batch: {max_delay: 500ms}
checks:
  - {name: site, service: site, url: "http://127.0.0.1:$TPORT/", interval: 1s, timeout: 900ms}
YAML
echo 0 >"$WORK/offset"
START_MS=$(now_ms)
CLOCKSHIFT_FILE="$WORK/offset" LD_PRELOAD="$WORK/clockshift.so" \
  "$BIN/vigil-agent" --config "$WORK/agent.yaml" --log-level notice >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
sleep 6
echo -3600000 >"$WORK/offset"
echo "  ..   agent clock set back one hour"
sleep 4
echo down >"$WORK/state"
DOWN_MS=$(now_ms)
sleep 8
echo up >"$WORK/state"
UP_MS=$(now_ms)
sleep 5

# The step is logged by whichever reading of the clock made it (a probe's or the shipper's), at once
# (swift-log flushes each line); look for a few seconds, then stop the agent and look again.
logged_step() {
  for _ in $(seq 1 10); do grep -q "wall clock stepped" "$WORK/agent.log" && return 0; sleep 0.5; done
  kill -TERM "$AGENT_PID" 2>/dev/null; wait "$AGENT_PID" 2>/dev/null
  grep -q "wall clock stepped" "$WORK/agent.log"
}
check "the agent logged the step" logged_step
FROM=$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp(($START_MS - 7200000)/1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))")
"$BIN/vigil" outages --service site --since 3h --json >"$WORK/outages.json"
"$BIN/vigil" uptime site --from "$FROM" --json >"$WORK/uptime.json"
"$BIN/vigil" agents --json >"$WORK/agents.json"
"$BIN/vigil" agents >"$WORK/agents.txt"
echo "  ..   target down for $(( (UP_MS - DOWN_MS) / 1000 )) s; outages: $(python3 -c "import json; print([(o['start'], o.get('end'), o['duration_seconds']) for o in json.load(open('$WORK/outages.json'))])")"
check "one outage, where it happened (after the step), lasting the real downtime within 2 s" python3 - "$WORK/outages.json" "$DOWN_MS" "$UP_MS" <<'PY'
import datetime, json, sys
outages = json.load(open(sys.argv[1])); down, up = int(sys.argv[2]), int(sys.argv[3])
def ms(text): return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
ok = len(outages) == 1 and abs(ms(outages[0]["start"]) - down) <= 2000 and outages[0].get("end") is not None \
    and abs(ms(outages[0]["end"]) - up) <= 2000 and abs(outages[0]["duration_seconds"] * 1000 - (up - down)) <= 2000
sys.exit(0 if ok else 1)
PY
check "nothing landed an hour in the past: no known time before the run started" python3 - "$WORK/uptime.json" "$START_MS" <<'PY'
import json, sys, time
r = json.load(open(sys.argv[1])); start = int(sys.argv[2])
# The window opens two hours before the run: everything before the agent started is unknown.
before = (start - (start - 7200000)) / 1000
sys.exit(0 if r["unknown_seconds"] >= before - 1 and r["outage_count"] == 1 else 1)
PY
check "vigil agents shows the step of -1 h and the clock an hour behind" python3 - "$WORK/agents.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))[0]
step, offset = a.get("clock_step_seconds"), a.get("clock_offset_seconds")
sys.exit(0 if step is not None and abs(step + 3600) < 2 and offset is not None and abs(offset + 3600) < 5 else 1)
PY
check "the agents table names the step" grep -q "stepped -1h" "$WORK/agents.txt"
cat "$WORK/agents.txt"
echo "clock step: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
