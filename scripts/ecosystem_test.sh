#!/usr/bin/env bash
# Vigil in the tools operators already run, with real processes:
# - `promtool check metrics` on the collector's and the agent's /metrics;
# - a real Prometheus on 127.0.0.1 scraping the collector with a read token;
# - headless Chromium rendering /status on a wide screen and on a phone, and `vigil report --format
#   html`, to PNG, checked for the colours of the daily bars, the state pills and the backgrounds.
# Installs prometheus and chromium (Debian packages) when missing. Prints "ecosystem: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
WORK=$(mktemp -d /tmp/vigil-ecosystem.XXXXXX)
PIDS=()
passed=0
failed=0
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
source scripts/checks.sh

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
CHROME=$(command -v chromium-headless-shell || command -v chromium || true)
[ -z "$CHROME" ] && missing+=(chromium-headless-shell)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  CHROME=$(command -v chromium-headless-shell || command -v chromium || ls /usr/lib/chromium/headless_shell 2>/dev/null || true)
fi
PROMETHEUS=$(command -v prometheus)
# Pillow reads the screenshots' pixels (test tooling, from PyPI for whichever python3 runs the tests).
python3 -c 'import PIL' 2>/dev/null || python3 -m pip install -q pillow >/dev/null 2>&1

CPORT=$(free_port); TPORT=$(free_port); MPORT=$(free_port); PPORT=$(free_port)
COLLECTOR="http://127.0.0.1:$CPORT"
mkdir -p "$WORK/site" && echo ok >"$WORK/site/index.html"
TOMORROW=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%d"))')
cat >"$WORK/collector.yaml" <<YAML
public: {status_page: true, badges: true}
services:
  site: {sla: {target: 99.9}}
  shop: {sla: {target: 99.5}}
maintenance:
  - {service: shop, start: ${TOMORROW}T02:00:00Z, end: ${TOMORROW}T04:00:00Z, reason: payment provider migration}
YAML
"$BIN/vigil-collector" --config "$WORK/collector.yaml" --data-dir "$WORK/data" --listen "127.0.0.1:$CPORT" --log-level warning >"$WORK/collector.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do curl -fsS "$COLLECTOR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export VIGIL_COLLECTOR=$COLLECTOR VIGIL_TOKEN=$(cat "$WORK/data/admin.token")
"$BIN/vigil" agents add eco >"$WORK/agent.token"
READ_TOKEN=$("$BIN/vigil" tokens create prometheus --scope read)
printf '%s' "$READ_TOKEN" >"$WORK/read.token"
python3 -m http.server "$TPORT" --bind 127.0.0.1 --directory "$WORK/site" >/dev/null 2>&1 &
PIDS+=("$!")
cat >"$WORK/agent.yaml" <<YAML
collector: $COLLECTOR
token_file: agent.token
batch: {max_delay: 500ms}
metrics: {listen: "127.0.0.1:$MPORT"}
checks:
  - {name: site, service: site, url: "http://127.0.0.1:$TPORT/", interval: 1s, timeout: 500ms}
  - {name: shop, service: shop, url: "http://127.0.0.1:1/", interval: 1s, timeout: 500ms}
YAML
"$BIN/vigil-agent" --config "$WORK/agent.yaml" --log-level warning >"$WORK/agent.log" 2>&1 &
PIDS+=("$!")
sleep 6

curl -fsS -H "Authorization: Bearer $READ_TOKEN" "$COLLECTOR/metrics" >"$WORK/collector.metrics"
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$WORK/agent.metrics"
check "promtool check metrics passes on the collector's /metrics ($(wc -l <"$WORK/collector.metrics") lines)" \
  bash -c "promtool check metrics <'$WORK/collector.metrics' >'$WORK/promtool-collector.out' 2>&1"
check "promtool check metrics passes on the agent's /metrics ($(wc -l <"$WORK/agent.metrics") lines)" \
  bash -c "promtool check metrics <'$WORK/agent.metrics' >'$WORK/promtool-agent.out' 2>&1"
check "the collector exposes per-service availability and budget" \
  bash -c "grep -q '^vigil_service_availability_ratio{service=\"site\"}' '$WORK/collector.metrics' && grep -q '^vigil_service_error_budget_remaining_ratio{service=\"shop\"}' '$WORK/collector.metrics' && grep -q '^vigil_service_up{service=\"shop\"} 0' '$WORK/collector.metrics'"

cat >"$WORK/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: vigil
    authorization: {credentials_file: $WORK/read.token}
    static_configs: [{targets: ["127.0.0.1:$CPORT"]}]
YAML
"$PROMETHEUS" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" --web.listen-address="127.0.0.1:$PPORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=("$!")
SCRAPED=""
for _ in $(seq 1 60); do
  SCRAPED=$(curl -fsS "http://127.0.0.1:$PPORT/api/v1/query?query=vigil_service_up" 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(" ".join(sorted(x["metric"]["service"] + "=" + x["value"][1] for x in r)))' 2>/dev/null)
  [ -n "$SCRAPED" ] && break; sleep 0.5
done
UP=$(curl -fsS "http://127.0.0.1:$PPORT/api/v1/query?query=up" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null)
check "a real Prometheus scrapes the collector with a read token (up=$UP; vigil_service_up: $SCRAPED)" \
  bash -c "[ '$UP' = 1 ] && [ '$SCRAPED' = 'shop=0 site=1' ]"

curl -fsS "$COLLECTOR/status" >"$WORK/status.html"
check "the public status page is served without a token and announces the maintenance" grep -q "payment provider migration" "$WORK/status.html"
curl -fsS "$COLLECTOR/badge/site/uptime.svg?window=1h" >"$WORK/uptime.svg"
check "an uptime badge is served ($(grep -o 'aria-label="[^"]*"' "$WORK/uptime.svg"))" grep -q 'aria-label="uptime 1h: 100%"' "$WORK/uptime.svg"
for size in 1280,1400 390,1600; do
  name=status-${size%%,*}
  "$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$size" \
    --screenshot="$WORK/$name.png" "$COLLECTOR/status" >"$WORK/$name.log" 2>&1
done
"$BIN/vigil" report --window 1d --format html >"$WORK/report.html"
check "vigil report --format html is one self-contained page with an SVG chart per service" \
  bash -c "[ \$(grep -o '<svg' '$WORK/report.html' | wc -l) = 2 ] && ! grep -q '<script\|<link\|src=\"http' '$WORK/report.html'"
"$CHROME" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1600 \
  --screenshot="$WORK/report-1280.png" "file://$WORK/report.html" >"$WORK/report.log" 2>&1
python3 - "$WORK" >"$WORK/pixels.txt" <<'PY'
import sys
from PIL import Image
work = sys.argv[1]
colours = {"ok-green": (0x2d, 0xa4, 0x4e), "down-red": (0xcf, 0x22, 0x2e), "empty-grey": (0xd0, 0xd7, 0xde),
           "background": (0xf6, 0xf8, 0xfa), "missed-pale-red": (0xff, 0xeb, 0xe9)}
for name in ["status-1280", "status-390", "report-1280"]:
    image = Image.open(f"{work}/{name}.png").convert("RGB")
    counts = {key: 0 for key in colours}
    for pixel in image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata():
        for key, rgb in colours.items():
            if all(abs(a - b) <= 6 for a, b in zip(pixel, rgb)):
                counts[key] += 1
    print(name, image.size[0], image.size[1], " ".join(f"{k}={v}" for k, v in counts.items()))
PY
cat "$WORK/pixels.txt" | sed 's/^/  ..   /'
check "Chromium renders /status on a wide screen: bars and pills in green and red, empty days grey" \
  python3 -c "import sys; f=dict(x.split('=') for x in open('$WORK/pixels.txt').read().split('\n')[0].split()[3:]); sys.exit(0 if int(f['ok-green'])>500 and int(f['down-red'])>200 and int(f['empty-grey'])>2000 and int(f['background'])>100000 else 1)"
check "Chromium renders /status on a phone (390 px wide) with the same elements" \
  python3 -c "import sys; l=open('$WORK/pixels.txt').read().split('\n')[1].split(); f=dict(x.split('=') for x in l[3:]); sys.exit(0 if l[1]=='390' and int(f['ok-green'])>200 and int(f['down-red'])>100 and int(f['background'])>20000 else 1)"
# A one-day report draws hourly bars (issue 24): only the last hour has data, so the shop's bar at 0 % is
# a 3 px red line one bar wide (about 44 px at this size) in front of its pale red missed column.
check "Chromium renders the HTML report: green bars for the site, the shop's missed hour in red, chart backgrounds" \
  python3 -c "import sys; l=open('$WORK/pixels.txt').read().split('\n')[2].split(); f=dict(x.split('=') for x in l[3:]); sys.exit(0 if int(f['ok-green'])>300 and int(f['down-red'])>30 and int(f['missed-pale-red'])>3000 and int(f['background'])>20000 else 1)"
if [ -n "${VIGIL_KEEP_SCREENSHOTS:-}" ]; then cp "$WORK"/*.png "$VIGIL_KEEP_SCREENSHOTS"/; fi

# Deployment files: the systemd units verify (with this build's binaries in place), the example configs load.
mkdir -p "$WORK/units"
for unit in deploy/systemd/*.service; do
  sed "s|/usr/local/bin/|$BIN/|" "$unit" >"$WORK/units/$(basename "$unit")"
done
if command -v systemd-analyze >/dev/null 2>&1; then
  check "systemd-analyze verify passes on deploy/systemd/*.service" bash -c "systemd-analyze verify '$WORK'/units/*.service >'$WORK/units.out' 2>&1 && ! grep -v 'is not executable' '$WORK/units.out' | grep -q ."
fi
sed "s|/etc/vigil/agent.token|$WORK/agent.token|" deploy/agent.yaml >"$WORK/deploy-agent.yaml"
check "deploy/agent.yaml passes vigil-agent check-config (with a token file in place)" \
  "$BIN/vigil-agent" check-config --config "$WORK/deploy-agent.yaml"

if [ "$failed" -gt 0 ]; then
  echo "--- promtool"; cat "$WORK"/promtool-*.out 2>/dev/null | head -20
  echo "--- collector log"; tail -20 "$WORK/collector.log"; echo "--- prometheus log"; tail -5 "$WORK/prometheus.log" 2>/dev/null
fi
echo "ecosystem: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
