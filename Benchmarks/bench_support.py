"""What the Python benchmarks share: a free loopback port, and waiting for a collector to answer."""
import socket
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base, attempts=400):
    """Waits until GET {base}/healthz answers (at most attempts × 50 ms); returns whether it did."""
    for _ in range(attempts):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            return True
        except Exception:
            time.sleep(0.05)
    return False
