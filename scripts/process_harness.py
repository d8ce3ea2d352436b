"""What the process-level tests (crash_test.py, fault_test.py, cluster_test.py) share: the binaries, free
ports, probe targets, waiting for HTTP, and the ok/FAIL summary."""
import os, socket, subprocess, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("VIGIL_BIN") or subprocess.run(
    ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


class QuietServer(ThreadingHTTPServer):
    """An HTTP server that does not print the broken pipes of probes cut off by a killed agent."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class ProbeTarget(BaseHTTPRequestHandler):
    """A probe target answering "ok" with the status `status()` gives; subclasses count or schedule."""

    def status(self):
        return 200

    def do_GET(self):
        self.send_response(self.status())
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return True
        except Exception:
            time.sleep(0.1)
    return False


def summarise(name, results, log_path, tail=4000):
    """Prints each (description, ok) and a count; on failure the end of the processes' log. Returns the exit code."""
    failed = 0
    for description, ok in results:
        print(f"  {'ok  ' if ok else 'FAIL'} {description}")
        failed += 0 if ok else 1
    if failed:
        print(open(log_path, errors="replace").read()[-tail:])
    print(f"{name}: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
