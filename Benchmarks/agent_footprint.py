#!/usr/bin/env python3
"""Agent footprint against its baseline, in one run on this machine (issue 3's figures).

N HTTP checks every 10 s against a local target, probed by vigil-agent (shipping to a real collector) and,
at the same time and rate, by prometheus-blackbox-exporter (Debian package) driven by a scraper that asks
it for each target on the same schedule. Reports, for each: probes done, CPU seconds, CPU per probe, peak
RSS; the ratio agent / blackbox_exporter; and the agent's compressed bytes per heartbeat on the wire in
steady state (batches after the first, which carries the check definitions), read from the raw batches
the collector stored.

Usage: Benchmarks/agent_footprint.py [--checks 1000] [--seconds 120] [--breakdown]
       VIGIL_AGENT_BIN=path/to/vigil-agent Benchmarks/agent_footprint.py   (another agent build)
Measures the agent as scripts/build-agent builds it (the way it is installed: release, static);
needs the collector and CLI from any build, and prometheus-blackbox-exporter (apt-get install
prometheus-blackbox-exporter).
"""
import argparse, asyncio, os, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_breakdown(pid, top=12):
    """Resident kilobytes of a process by mapping (file path, or anonymous), largest first, from /proc/PID/smaps."""
    sizes, name = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and ":" not in fields[0]:
            name = fields[5] if len(fields) > 5 else "[anonymous]"
        elif fields[0] == "Rss:":
            sizes[name] = sizes.get(name, 0) + int(fields[1])
    return sorted(sizes.items(), key=lambda item: -item[1])[:top]


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Target:
    """A small asyncio HTTP/1.1 server answering 200 to everything, counting requests by User-Agent."""

    def __init__(self):
        self.counts = {"vigil": 0, "blackbox": 0}

    async def handle(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                agent = "vigil" if b"vigil-agent" in head else "blackbox"
                self.counts[agent] += 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def scrape_blackbox(bport, tport, checks, interval, stop_at, stats):
    """Asks blackbox_exporter to probe every target once per interval, spread evenly, like Prometheus would."""
    async def one(i):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", bport)
            writer.write(f"GET /probe?module=http_2xx&target=http://127.0.0.1:{tport}/t/{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            data = await reader.read()
            writer.close()
            stats["ok" if b"probe_success 1" in data else "failed"] += 1
        except OSError:
            stats["failed"] += 1

    start = time.monotonic()
    tasks = set()
    k = 0
    while time.monotonic() < stop_at:
        due = start + k * interval / checks
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.ensure_future(one(k % checks))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        k += 1
    if tasks:
        await asyncio.wait(tasks, timeout=10)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--breakdown", action="store_true", help="print where the agent's resident memory is, by mapping")
    args = parser.parse_args()
    # Only the agent is measured: the collector and the CLI may come from a debug build.
    binpath = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    debugpath = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    otherpath = binpath if os.path.exists(f"{binpath}/vigil-collector") else debugpath
    agent_binary = os.environ.get("VIGIL_AGENT_BIN") or subprocess.run(
        [f"{ROOT}/scripts/build-agent"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="vigil-footprint-")
    cport, tport, bport = free_port(), free_port(), free_port()
    target = Target()
    server = await asyncio.start_server(target.handle, "127.0.0.1", tport, backlog=1024)
    log = open(f"{work}/processes.log", "ab")

    collector = subprocess.Popen([f"{otherpath}/vigil-collector", "--data-dir", f"{work}/data", "--listen", f"127.0.0.1:{cport}", "--log-level", "warning"], stdout=log, stderr=log)
    for _ in range(100):
        if os.path.exists(f"{work}/data/admin.token"):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    env = dict(os.environ, VIGIL_COLLECTOR=f"http://127.0.0.1:{cport}", VIGIL_TOKEN=open(f"{work}/data/admin.token").read().strip())
    token = subprocess.run([f"{otherpath}/vigil", "agents", "add", "bench"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    open(f"{work}/agent.token", "w").write(token)
    with open(f"{work}/agent.yaml", "w") as f:
        f.write(f"collector: http://127.0.0.1:{cport}\ntoken_file: agent.token\nbatch:\n  max_heartbeats: 1000\n  max_delay: 5s\nchecks:\n")
        for i in range(args.checks):
            f.write(f"  - name: t{i}\n    service: s{i % 50}\n    url: http://127.0.0.1:{tport}/t/{i}\n    interval: {int(args.interval * 1000)}ms\n    timeout: 5s\n")
    with open(f"{work}/blackbox.yml", "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n")

    agent = subprocess.Popen([agent_binary, "--config", f"{work}/agent.yaml", "--log-level", "warning"], stdout=log, stderr=log)
    blackbox = subprocess.Popen(["prometheus-blackbox-exporter", f"--config.file={work}/blackbox.yml", f"--web.listen-address=127.0.0.1:{bport}", "--log.level=warn"], stdout=log, stderr=log)
    await asyncio.sleep(2 + args.interval)  # warm up: every agent check has started (jitter is at most one interval)

    cpu0 = {"vigil": cpu_seconds(agent.pid), "blackbox": cpu_seconds(blackbox.pid)}
    counts0 = dict(target.counts)
    stats = {"ok": 0, "failed": 0}
    stop_at = time.monotonic() + args.seconds
    await scrape_blackbox(bport, tport, args.checks, args.interval, stop_at, stats)
    cpu1 = {"vigil": cpu_seconds(agent.pid), "blackbox": cpu_seconds(blackbox.pid)}
    counts1 = dict(target.counts)
    rss = {"vigil": peak_rss_mb(agent.pid), "blackbox": peak_rss_mb(blackbox.pid)}
    breakdown = rss_breakdown(agent.pid) if args.breakdown else []

    agent.send_signal(signal.SIGTERM)
    agent.wait(timeout=30)
    blackbox.send_signal(signal.SIGTERM)
    blackbox.wait(timeout=30)
    await asyncio.sleep(1)
    collector.send_signal(signal.SIGTERM)
    collector.wait(timeout=30)
    server.close()

    db = sqlite3.connect(f"{work}/data/vigil.sqlite")
    wire_bytes, wire_beats = db.execute("SELECT SUM(LENGTH(body)), SUM(heartbeats) FROM raw_batches WHERE seq > 1 AND heartbeats > 0").fetchone()
    first_bytes, first_beats = db.execute("SELECT LENGTH(body), heartbeats FROM raw_batches WHERE seq = 1").fetchone() or (0, 0)

    print(f"agent: {agent_binary}")
    print(f"agent footprint: {args.checks} HTTP checks every {args.interval:g} s for {args.seconds:g} s, same targets, same run")
    print(f"{'':22}{'probes':>9}{'CPU s':>9}{'CPU µs/probe':>14}{'peak RSS MB':>13}")
    per_probe = {}
    for name, label in (("vigil", "vigil-agent"), ("blackbox", "blackbox_exporter")):
        probes = counts1[name] - counts0[name]
        cpu = cpu1[name] - cpu0[name]
        per_probe[name] = cpu / probes * 1e6 if probes else float("nan")
        print(f"{label:22}{probes:>9}{cpu:>9.2f}{per_probe[name]:>14.1f}{rss[name]:>13.1f}")
    print(f"ratio agent / blackbox_exporter: CPU per probe {per_probe['vigil'] / per_probe['blackbox']:.2f}, peak RSS {rss['vigil'] / rss['blackbox']:.2f}")
    print(f"blackbox_exporter probe results: {stats['ok']} ok, {stats['failed']} failed")
    if wire_beats:
        print(f"wire: {wire_bytes / wire_beats:.2f} compressed bytes per heartbeat in steady state "
              f"({wire_bytes} bytes for {wire_beats} heartbeats; the first batch, with {args.checks} check definitions: {first_bytes} bytes for {first_beats})")
    if breakdown:
        print("agent resident memory at the end, by mapping (KiB):")
        for name, kib in breakdown:
            print(f"{kib:>10}  {name}")
    print(f"goals: peak RSS <= 30 MB ({'met' if rss['vigil'] <= 30 else 'missed'}), CPU per probe <= blackbox_exporter's "
          f"({'met' if per_probe['vigil'] <= per_probe['blackbox'] else 'missed'}), <= 8 bytes per heartbeat "
          f"({'met' if wire_beats and wire_bytes / wire_beats <= 8 else 'missed'})")


if __name__ == "__main__":
    asyncio.run(main())
