#!/usr/bin/env python3
"""Crash test with real processes: the agent is killed with SIGKILL again and again while it ships, and the
collector is killed and kept down for a while, under a steady probe load. Afterwards every heartbeat the
agent produced must be stored exactly once.

The target counts the probe requests it answered. A probe that is running when the agent is killed was
answered but never recorded, so per kill at most one heartbeat per check may be missing; none may be
stored twice (stored <= answered), and `dropped` must stay 0.

Usage: scripts/crash_test.py [--kills N] [--seconds S]   (CI runs the defaults: 6 kills, ~30 s)
"""
import argparse, json, os, random, signal, subprocess, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from process_harness import BIN, free_port, summarise, wait_http
CHECKS = 5
answered = 0
lock = threading.Lock()


class Target(BaseHTTPRequestHandler):
    def do_GET(self):
        global answered
        with lock:
            answered += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="vigil-crash-")
    cport, tport = free_port(), free_port()
    collector_url = f"http://127.0.0.1:{cport}"
    env = dict(os.environ, VIGIL_COLLECTOR=collector_url)
    logs = open(os.path.join(work, "processes.log"), "ab")

    def start_collector():
        p = subprocess.Popen([f"{BIN}/vigil-collector", "--data-dir", f"{work}/data", "--listen", f"127.0.0.1:{cport}",
                              "--log-level", "warning"], stdout=logs, stderr=logs)
        assert wait_http(f"{collector_url}/healthz"), "collector did not start"
        return p

    def start_agent():
        return subprocess.Popen([f"{BIN}/vigil-agent", "--config", f"{work}/agent.yaml", "--log-level", "error"],
                                stdout=logs, stderr=logs)

    server = ThreadingHTTPServer(("127.0.0.1", tport), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    collector = start_collector()
    env["VIGIL_TOKEN"] = open(f"{work}/data/admin.token").read().strip()
    token = subprocess.run([f"{BIN}/vigil", "agents", "add", "crash"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    open(f"{work}/agent.token", "w").write(token + "\n")
    checks = "".join(f"""
  - name: c{i}
    service: crash
    url: http://127.0.0.1:{tport}/c{i}
    interval: 200ms
    timeout: 150ms""" for i in range(CHECKS))
    open(f"{work}/agent.yaml", "w").write(f"""collector: {collector_url}
token_file: agent.token
batch:
  max_heartbeats: 40
  max_delay: 300ms
checks:{checks}
""")

    agent = start_agent()
    pause = args.seconds / (args.kills + 1)
    collector_down_at = args.kills // 2
    for kill in range(args.kills):
        time.sleep(random.uniform(0.5, 1.5) * pause)
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        if kill == collector_down_at:
            collector.send_signal(signal.SIGKILL)
            collector.wait()
            print(f"  ..   kill {kill + 1}: agent and collector killed; collector stays down for {pause:.1f} s")
            agent = start_agent()
            time.sleep(pause)
            collector = start_collector()
        else:
            print(f"  ..   kill {kill + 1}: agent killed with SIGKILL and restarted")
            agent = start_agent()
    time.sleep(pause)
    agent.send_signal(signal.SIGTERM)
    agent_exit = agent.wait(timeout=30)
    with lock:
        produced_at_most = answered
    server.shutdown()

    agents = json.loads(subprocess.run([f"{BIN}/vigil", "agents", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    stored = agents[0]["heartbeats"]
    dropped = agents[0]["dropped"]
    collector.send_signal(signal.SIGTERM)
    collector.wait(timeout=30)
    spool_left = [n for n in os.listdir(f"{work}/spool") if n == "inflight.bin"]
    log_text = open(os.path.join(work, "processes.log"), errors="replace").read()

    missing = produced_at_most - stored
    print(f"  ..   probes answered {produced_at_most}, heartbeats stored {stored}, missing {missing} "
          f"(allowed: up to {CHECKS} per kill = {CHECKS * args.kills}), dropped {dropped}")
    results = [
        ("no heartbeat stored twice (stored <= answered)", stored <= produced_at_most),
        ("nothing lost beyond probes cut off by a kill", 0 <= missing <= CHECKS * args.kills),
        ("dropped stays 0", dropped == 0),
        ("agent stops cleanly on SIGTERM", agent_exit == 0),
        ("the SIGTERM flush left nothing in flight or spooled", not spool_left and "still spooled" not in log_text),
    ]
    return summarise("crash-test", results, os.path.join(work, "processes.log"), tail=3000)


if __name__ == "__main__":
    sys.exit(main())
