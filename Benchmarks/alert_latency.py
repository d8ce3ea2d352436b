#!/usr/bin/env python3
"""How long after the batch that confirms an outage is acknowledged its `outage.opened` reaches a webhook.

A real collector (VIGIL_BIN, release build advised) with a webhook hook to a real receiver on loopback.
For each of N services (VIGIL_ALERT_OUTAGES, default 12) one check is sent up, then down twice (the
default confirmation is two failures); the time from the acknowledgement of the second down batch to the
receiver getting that service's `outage.opened` is the latency. With VIGIL_BASELINE_BIN (a directory with
another build's vigil-collector; the `vigil` of VIGIL_BIN registers the agent), the same is measured against it in the same run and the ratio
printed. Goal (issue 20): at most 1 s; the collector before stored outages raised it on its 5 s
evaluation pass.

With VIGIL_ALERT_POSTGRES_URL (a PostgreSQL server, as scripts/with_postgres.sh gives in
VIGIL_TEST_POSTGRES_URL) each measurement runs two collectors on a new database of that server and sends
the batches to the one that does not lead: the latency then includes the leader learning of another
replica's commit.

usage: VIGIL_BIN=.build/release [VIGIL_BASELINE_BIN=/tmp/base] [VIGIL_ALERT_POSTGRES_URL=postgres://...] python3 Benchmarks/alert_latency.py
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

from bench_support import free_port, wait_healthy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def post(url, body, token):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


def measure(bindir, cli, outages, work):
    arrived = {}
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            now = time.monotonic()
            if body.get("type") == "outage.opened":
                with lock:
                    arrived.setdefault(body.get("service"), now)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    data = tempfile.mkdtemp(dir=work)
    with open(f"{data}/collector.yaml", "w") as config:
        config.write(f'hooks:\n  - {{name: ops, type: webhook, url: "http://127.0.0.1:{receiver.server_address[1]}/hook", events: [outage.opened]}}\n')
    log = open(f"{data}/collector.log", "w")
    server = os.environ.get("VIGIL_ALERT_POSTGRES_URL")
    storage = []
    if server:
        database = "vigil_alert_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", server, "-qc", f"CREATE DATABASE {database}"], check=True)
        prefix, _, query = server.partition("?")
        storage = ["--storage", prefix.rsplit("/", 1)[0] + "/" + database + ("?" + query if query else "")]
    ports = [free_port() for _ in range(2 if server else 1)]
    collectors = []
    try:
        for index, port in enumerate(ports):
            collectors.append(subprocess.Popen(
                [f"{bindir}/vigil-collector", "--config", f"{data}/collector.yaml", "--data-dir", f"{data}/data{index}",
                 "--listen", f"127.0.0.1:{port}", "--log-level", "warning"] + storage, stdout=log, stderr=log))
            wait_healthy(f"http://127.0.0.1:{port}")
        base = f"http://127.0.0.1:{ports[0]}"
        if server:
            # The batches go to the replica that does not lead.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                leaders = [json.load(urllib.request.urlopen(f"http://127.0.0.1:{p}/healthz", timeout=1)).get("leader") for p in ports]
                if any(leaders):
                    base = f"http://127.0.0.1:{ports[leaders.index(False) if False in leaders else 0]}"
                    break
                time.sleep(0.1)
        env = dict(os.environ, VIGIL_COLLECTOR=base, VIGIL_TOKEN=open(f"{data}/data0/admin.token").read().strip(), NO_COLOR="1")
        token = subprocess.run([f"{cli}/vigil", "agents", "add", "latency"], env=env, capture_output=True, check=True).stdout.decode().strip()
        checks = [{"id": i + 1, "name": f"lat-{i}", "service": f"lat-{i}", "kind": "http", "target": "http://x", "interval_ms": 1000,
                   "timeout_ms": 500} for i in range(outages)]
        seq = 1
        now = int(time.time() * 1000)
        post(f"{base}/v1/batches", {"session_id": "lat", "seq": seq, "agent_version": "bench", "dropped": 0, "checks": checks,
                                    "heartbeats": [{"check": i + 1, "ts_ms": now, "status": "up"} for i in range(outages)]}, token)
        acked = {}
        for i in range(outages):
            # Spread the outages over time, so each meets the evaluation pass at a different phase.
            time.sleep(0.73)
            for step in (1, 2):
                seq += 1
                ts = int(time.time() * 1000)
                post(f"{base}/v1/batches", {"session_id": "lat", "seq": seq, "agent_version": "bench", "dropped": 0, "checks": [],
                                            "heartbeats": [{"check": i + 1, "ts_ms": ts, "status": "down", "code": 503,
                                                            "message": "HTTP 503"}]}, token)
                if step == 2:
                    acked[f"lat-{i}"] = time.monotonic()
                time.sleep(0.1)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(arrived) < outages:
            time.sleep(0.05)
        missing = [s for s in acked if s not in arrived]
        if missing:
            print(f"  no outage.opened for {missing}", file=sys.stderr)
        return sorted(arrived[s] - acked[s] for s in acked if s in arrived)
    finally:
        for collector in collectors:
            collector.terminate()
            collector.wait(10)
        receiver.shutdown()


def summary(name, latencies):
    if not latencies:
        print(f"{name}: no alert arrived")
        return None
    p90 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.9))]
    print(f"{name}: {len(latencies)} outages, ack -> outage.opened p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p90 {p90 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    return statistics.median(latencies)


def main():
    bindir = os.environ.get("VIGIL_BIN", ".build/release")
    baseline = os.environ.get("VIGIL_BASELINE_BIN")
    outages = int(os.environ.get("VIGIL_ALERT_OUTAGES", "12"))
    with tempfile.TemporaryDirectory(prefix="vigil-alert-latency.") as work:
        now = summary(f"vigil ({bindir})", measure(bindir, bindir, outages, work))
        if baseline:
            base = summary(f"baseline ({baseline})", measure(baseline, bindir, outages, work))
            if now and base:
                print(f"baseline p50 / vigil p50: {base / now:.1f}x")


if __name__ == "__main__":
    main()
