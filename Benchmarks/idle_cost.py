#!/usr/bin/env python3
"""What a steady fleet costs the collector: 100,000 checks reporting every 30 s (issue 20's idle cost).

A real collector (VIGIL_BIN, release build advised) on a fresh SQLite store, with a 99.9 % SLA on every
service so every alert rule has work. 100 agents of 1,000 checks each (10 checks a service, on 10
different agents, 10,000 services) each send one deflate-compressed JSON batch of 1,000 heartbeats every
30 s, spread over the 30 s. One service in a thousand is down on every location all the time (its
outage is ongoing; its rules stay hot), the rest are up.

After a warm-up (VIGIL_IDLE_WARMUP seconds, default 390: the first batches declare the checks, and a
check's first heartbeats keep its service evaluated on every alert pass for `max_clock_skew`, 5 minutes,
so the steady state starts after that), the collector's CPU time is read from /proc over
VIGIL_IDLE_SECONDS (default 120) and printed as a share of one core, with its peak RSS. Goals
(issue 20): under 10 % of one core, alert rules included; peak RSS under 300 MB.

VIGIL_IDLE_FORMAT chooses the batches' encoding: protobuf (default, what the agent sends) or json.
VIGIL_IDLE_LOG_LEVEL sets the collector's log level (default warning) and VIGIL_IDLE_LOG names a file
the collector's log is appended to.

With VIGIL_BASELINE_BIN (a directory with another build's vigil-collector) the same is measured against
it in the same run and the ratio printed.

usage: VIGIL_BIN=.build/release [VIGIL_BASELINE_BIN=/tmp/base] python3 Benchmarks/idle_cost.py
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from bench_support import free_port, protobuf_batch, wait_healthy
import zlib

AGENTS = int(os.environ.get("VIGIL_IDLE_AGENTS", "100"))
CHECKS = int(os.environ.get("VIGIL_IDLE_CHECKS", "1000"))
SERVICES = int(os.environ.get("VIGIL_IDLE_SERVICES", "10000"))
INTERVAL = 30.0
WARMUP = float(os.environ.get("VIGIL_IDLE_WARMUP", "390"))
MEASURE = float(os.environ.get("VIGIL_IDLE_SECONDS", "120"))
# What the batches are encoded as: protobuf, what the agent sends (default), or json.
FORMAT = os.environ.get("VIGIL_IDLE_FORMAT", "protobuf")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def service_of(agent, check):
    return f"svc-{(agent * CHECKS + check) % SERVICES}"


def down(service):
    return int(service.split("-")[1]) % 1000 == 0


class Fleet:
    """The agents' batches, sent on schedule from one thread; counts what was acknowledged."""

    def __init__(self, base, tokens):
        self.base = base
        self.tokens = tokens
        self.seq = [0] * AGENTS
        self.acked = 0
        self.failed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def batch(self, agent):
        self.seq[agent] += 1
        now = int(time.time() * 1000)
        checks = []
        if self.seq[agent] == 1:
            checks = [{"id": c + 1, "name": f"c{c}", "service": service_of(agent, c), "kind": "http",
                       "target": f"http://host-{agent}/{c}", "interval_ms": int(INTERVAL * 1000), "timeout_ms": 5000}
                      for c in range(CHECKS)]
        beats = []
        for c in range(CHECKS):
            if down(service_of(agent, c)):
                beats.append({"check": c + 1, "ts_ms": now, "status": "down", "code": 503, "message": "HTTP 503"})
            else:
                beats.append({"check": c + 1, "ts_ms": now, "status": "up", "latency_us": 20000, "code": 200})
        return {"session_id": f"idle-{agent}", "seq": self.seq[agent], "agent_version": "bench", "dropped": 0,
                "checks": checks, "heartbeats": beats}

    def send(self, agent):
        batch = self.batch(agent)
        if FORMAT == "json":
            body, content_type = zlib.compress(json.dumps(batch).encode()), "application/json"
        else:
            body, content_type = zlib.compress(protobuf_batch(batch)), "application/x-protobuf"
        request = urllib.request.Request(f"{self.base}/v1/batches", data=body, method="POST", headers={
            "Content-Type": content_type, "Content-Encoding": "deflate", "Authorization": f"Bearer {self.tokens[agent]}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
                self.acked += 1
        except Exception as error:
            self.failed += 1
            print(f"  batch of agent {agent} failed: {error}", file=sys.stderr)

    def run(self):
        start = time.monotonic()
        round_ = 0
        while not self.stop.is_set():
            for agent in range(AGENTS):
                due = start + round_ * INTERVAL + agent * INTERVAL / AGENTS
                while not self.stop.is_set() and time.monotonic() < due:
                    time.sleep(min(0.05, max(0.0, due - time.monotonic())))
                if self.stop.is_set():
                    return
                self.send(agent)
            round_ += 1


def measure(bindir, cli, work):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data = tempfile.mkdtemp(dir=work)
    with open(f"{data}/collector.yaml", "w") as config:
        config.write("defaults: {sla: {target: 99.9}}\n")
    log = open(f"{data}/collector.log", "w")
    collector = subprocess.Popen([f"{bindir}/vigil-collector", "--config", f"{data}/collector.yaml", "--data-dir", f"{data}/data",
                                  "--listen", f"127.0.0.1:{port}", "--log-level", os.environ.get("VIGIL_IDLE_LOG_LEVEL", "warning")],
                                 stdout=log, stderr=log)
    try:
        wait_healthy(base)
        env = dict(os.environ, VIGIL_COLLECTOR=base, VIGIL_TOKEN=open(f"{data}/data/admin.token").read().strip(), NO_COLOR="1")
        tokens = [subprocess.run([f"{cli}/vigil", "agents", "add", f"idle-{a}"], env=env, capture_output=True, check=True)
                  .stdout.decode().strip() for a in range(AGENTS)]
        fleet = Fleet(base, tokens)
        fleet.thread.start()
        time.sleep(WARMUP)
        before = cpu_seconds(collector.pid)
        acked_before = fleet.acked
        started = time.monotonic()
        time.sleep(MEASURE)
        used = cpu_seconds(collector.pid) - before
        elapsed = time.monotonic() - started
        heartbeats = (fleet.acked - acked_before) * CHECKS
        fleet.stop.set()
        fleet.thread.join(60)
        metrics_request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {env['VIGIL_TOKEN']}"})
        with urllib.request.urlopen(metrics_request, timeout=60) as answer:
            metrics = answer.read().decode()
        outages = sum(1 for line in metrics.splitlines() if line.startswith("vigil_service_up{") and line.endswith(" 0"))
        return {"cpu": used / elapsed, "rss": peak_rss_mb(collector.pid), "heartbeats_per_s": heartbeats / elapsed,
                "failed": fleet.failed, "down_services": outages}
    finally:
        collector.terminate()
        collector.wait(30)
        log.close()
        if os.environ.get("VIGIL_IDLE_LOG"):
            with open(f"{data}/collector.log") as source, open(os.environ["VIGIL_IDLE_LOG"], "a") as copy:
                copy.write(source.read())


def report(name, figures):
    print(f"{name}: collector CPU {figures['cpu'] * 100:.1f} % of one core, peak RSS {figures['rss']:.0f} MB, "
          f"{figures['heartbeats_per_s']:.0f} heartbeats/s acknowledged, {figures['failed']} batches failed, "
          f"{figures['down_services']} services down")


def main():
    bindir = os.environ.get("VIGIL_BIN", ".build/release")
    baseline = os.environ.get("VIGIL_BASELINE_BIN")
    print(f"{AGENTS} agents x {CHECKS} checks every {INTERVAL:.0f} s over {SERVICES} services, {FORMAT} batches; "
          f"warm-up {WARMUP:.0f} s, measured {MEASURE:.0f} s")
    with tempfile.TemporaryDirectory(prefix="vigil-idle.") as work:
        now = measure(bindir, bindir, work)
        report(f"vigil ({bindir})", now)
        if baseline:
            base = measure(baseline, bindir, work)
            report(f"baseline ({baseline})", base)
            if now["cpu"] > 0:
                print(f"baseline CPU / vigil CPU: {base['cpu'] / now['cpu']:.1f}x")


if __name__ == "__main__":
    main()
