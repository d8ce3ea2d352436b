# Sourced by the shell test scripts: counted ok/FAIL lines and a free TCP port on 127.0.0.1.
# The script sets passed=0 failed=0 and prints its own summary from them.
ok() { echo "  ok   $1"; passed=$((passed + 1)); }
bad() { echo "  FAIL $1"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# A temporary folder WORK named after $1 and a list PIDS; on exit every process in PIDS is stopped and
# WORK removed.
setup_work() {
  WORK=$(mktemp -d "/tmp/vigil-$1.XXXXXX")
  PIDS=()
  trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$WORK"' EXIT
}
