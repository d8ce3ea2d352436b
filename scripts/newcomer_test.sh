#!/usr/bin/env bash
# What a first-time user meets, through the real executables (issue 24):
# - `vigil-agent once` on a file with only checks (no collector, no token) probes and prints; a run
#   (`check-config`) still asks for both;
# - `vigil quickstart` on another address and data directory prints commands that work for that run:
#   each one the banner prints is run as printed (swift run vigil → the built vigil), from another
#   folder, against the running quickstart; and they are the commands the README's "Run it" block shows;
# - an unknown subcommand is bad input (exit 64) with the closest command, even with --help after it.
# Prints "newcomer: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VIGIL_BIN:-$(swift build --show-bin-path)}
passed=0
failed=0
source scripts/checks.sh
setup_work newcomer
ROOT=$(pwd)

# --- vigil-agent once without credentials
TPORT=$(free_port)
mkdir -p "$WORK/site" && echo ok >"$WORK/site/health"
python3 -m http.server "$TPORT" --bind 127.0.0.1 --directory "$WORK/site" >/dev/null 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$TPORT/health" -o /dev/null 2>&1 && break; sleep 0.1; done
cat >"$WORK/checks-only.yaml" <<YAML
checks:
  - name: site
    service: site
    url: http://127.0.0.1:$TPORT/health
YAML
"$BIN/vigil-agent" once --config "$WORK/checks-only.yaml" >"$WORK/once.out" 2>&1; ONCE=$?
check "vigil-agent once: a file with only checks runs without collector or token (exit $ONCE)" test "$ONCE" = 0
check "vigil-agent once: prints the check up" grep -Eq "^site +site +http .* UP " "$WORK/once.out"
"$BIN/vigil-agent" check-config --config "$WORK/checks-only.yaml" >"$WORK/check-config.out" 2>&1; CHECKCONFIG=$?
check "vigil-agent check-config: a run still needs a collector (exit $CHECKCONFIG)" \
  bash -c "[ $CHECKCONFIG -ne 0 ] && grep -q collector '$WORK/check-config.out'"
printf 'collector: ftp://nowhere\n' | cat - "$WORK/checks-only.yaml" >"$WORK/bad-collector.yaml"
"$BIN/vigil-agent" once --config "$WORK/bad-collector.yaml" >"$WORK/bad.out" 2>&1; BAD=$?
check "vigil-agent once: a collector that is given is still checked (exit $BAD)" \
  bash -c "[ $BAD -ne 0 ] && grep -q 'expected an http' '$WORK/bad.out'"

# --- the quickstart on another address and data directory: its banner's commands work as printed
CPORT=$(free_port)
DPORT=$(free_port)
mkdir -p "$WORK/run" "$WORK/elsewhere"
(cd "$WORK/run" && exec "$BIN/vigil" quickstart --listen "127.0.0.1:$CPORT" --data-dir "qs data" --demo-port "$DPORT" \
  --log-level error >"$WORK/banner.txt" 2>"$WORK/quickstart.log") &
QS_PID=$!
PIDS+=("$QS_PID")
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$CPORT/healthz" -o /dev/null 2>&1 && grep -q "Ctrl-C" "$WORK/banner.txt" && break; sleep 0.1; done
check "quickstart: the banner names this run's collector" grep -q "http://127.0.0.1:$CPORT" "$WORK/banner.txt"
# The lines between "From a second terminal" and "Ctrl-C", as printed.
sed -n '/^From a second terminal/,/^Ctrl-C/p' "$WORK/banner.txt" | sed '1d;$d' | sed 's/^  //' >"$WORK/commands.txt"
check "quickstart: the banner has an export line for another address and data directory" grep -q '^export VIGIL_COLLECTOR=' "$WORK/commands.txt"
# Wait for the first probes, so that the commands have something to show.
sleep 6
{
  echo 'set -e'
  sed "s#^swift run vigil #'$BIN/vigil' #" "$WORK/commands.txt"
} >"$WORK/commands.sh"
(cd "$WORK/elsewhere" && env -u VIGIL_COLLECTOR -u VIGIL_TOKEN bash "$WORK/commands.sh" >"$WORK/commands.out" 2>&1); COMMANDS=$?
check "quickstart: every command the banner prints works as printed, from another folder (exit $COMMANDS)" test "$COMMANDS" = 0
check "quickstart: vigil status through the banner's commands lists demo" grep -q "demo" "$WORK/commands.out"
# An hour's HTML report draws minute bars, not one bar for the day.
(cd "$WORK/elsewhere" && bash -c "$(grep '^export' "$WORK/commands.txt"); '$BIN/vigil' report --window 1h --format html" >"$WORK/report.html" 2>&1)
check "vigil report --window 1h --format html: bars per minute" grep -q 'demo: availability per minute' "$WORK/report.html"
check "vigil report --window 1h --format html: minute labels" grep -Eq '<title>[0-9-]{10} [0-9]{2}:[0-9]{2}: ' "$WORK/report.html"
# The same commands as the README's "Run it" block (comments after # aside), in the same order.
grep '^swift run vigil ' "$WORK/commands.txt" | sed 's/[[:space:]]*$//' >"$WORK/banner-commands.txt"
awk '/^## Run it/{run=1} /^## Test it/{run=0} run' README.md | sed -n '/^```sh/,/^```/p' | grep '^swift run vigil ' \
  | grep -v 'quickstart' | sed 's/[[:space:]]*#.*$//; s/[[:space:]]*$//' >"$WORK/readme-commands.txt"
check "quickstart: the README's commands are the banner's ($(wc -l <"$WORK/readme-commands.txt") lines)" \
  bash -c "[ -s '$WORK/readme-commands.txt' ] && diff -u '$WORK/readme-commands.txt' '$WORK/banner-commands.txt'"
# With the defaults, the banner needs no export line (the CLI's defaults reach it from that folder).
kill -INT "$QS_PID"; wait "$QS_PID" 2>/dev/null
mkdir -p "$WORK/default"
(cd "$WORK/default" && exec "$BIN/vigil" quickstart --listen 127.0.0.1:7400 --demo-port "$DPORT" --log-level error \
  >"$WORK/banner-default.txt" 2>&1) &
QS_PID=$!
PIDS+=("$QS_PID")
for _ in $(seq 100); do grep -q "Ctrl-C" "$WORK/banner-default.txt" 2>/dev/null && break; sleep 0.1; done
if grep -q "address already in use\|Address already in use" "$WORK/banner-default.txt"; then
  echo "  ..   127.0.0.1:7400 is taken on this machine: the default banner was not checked"
else
  check "quickstart: with the defaults the banner says 'in this folder' and has no export line" \
    bash -c "grep -q 'From a second terminal in this folder' '$WORK/banner-default.txt' && ! grep -q '^  export' '$WORK/banner-default.txt'"
fi
kill -INT "$QS_PID" 2>/dev/null; wait "$QS_PID" 2>/dev/null

# --- unknown subcommands
for words in "statsu --help" "stauts" "repotr --format json --help"; do
  # shellcheck disable=SC2086
  "$BIN/vigil" $words >"$WORK/unknown.out" 2>&1; STATUS=$?
  check "vigil $words: exit 64 (got $STATUS) naming the closest command" \
    bash -c "[ $STATUS = 64 ] && grep -q 'Did you mean' '$WORK/unknown.out' && ! grep -q 'USAGE' '$WORK/unknown.out'"
done
grep -q "'status'" <("$BIN/vigil" statsu --help 2>&1)
check "vigil statsu --help suggests status" test $? = 0
"$BIN/vigil" status --help >/dev/null 2>&1
check "vigil status --help still prints help (exit 0)" test $? = 0

if [ "$failed" -gt 0 ]; then
  echo "--- banner"; cat "$WORK/banner.txt"; echo "--- commands output"; tail -30 "$WORK/commands.out"
  echo "--- quickstart log"; tail -20 "$WORK/quickstart.log"
fi
echo "newcomer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
