#!/usr/bin/env python3
"""Crash tests with real processes under a steady probe load (20 checks every 100 ms = 200 heartbeats/s),
in two phases on fresh data:

1. the collector is killed with SIGKILL N times (and restarted after a pause) while the agent runs on;
2. the agent is killed with SIGKILL N times (and restarted at once) while the collector runs on, and
   once the collector is killed too and kept down for a while.

The target counts the probe requests it answered. Afterwards every heartbeat the agent produced must be
stored exactly once. Only an up heartbeat proves its request was answered: on a loaded machine a probe
can time out (90 ms) before the target's handler runs, or after it, and is stored down either way. So:
stored up <= answered (nothing twice: a batch acked or not, resent after a crash, is stored once), and
answered - stored up is at most what kills can cut off (a probe answered while its agent is killed, or
stopped at the end, was never recorded: at most one per check per agent stop) plus the probes stored
down (answered too late). `dropped` must stay 0 and the SIGTERM at the end must leave nothing spooled.

Usage: scripts/crash_test.py [--kills N] [--seconds S]   (CI runs the defaults: 20 kills per phase, ~25 s each)
"""
import argparse, json, os, random, signal, subprocess, sys, tempfile, threading, time

from process_harness import BIN, ProbeTarget, QuietServer, free_port, summarise, wait_http
CHECKS = 20


class Target(ProbeTarget):
    answered = 0
    lock = threading.Lock()

    def status(self):
        with Target.lock:
            Target.answered += 1
        return 200


def phase(name, collector_kills, agent_kills, seconds):
    """Runs one phase on fresh data; returns its (description, ok) results and its log path."""
    work = tempfile.mkdtemp(prefix=f"vigil-crash-{name}-")
    cport, tport = free_port(), free_port()
    collector_url = f"http://127.0.0.1:{cport}"
    env = dict(os.environ, VIGIL_COLLECTOR=collector_url)
    log_path = os.path.join(work, "processes.log")
    logs = open(log_path, "ab")

    def start_collector():
        p = subprocess.Popen([f"{BIN}/vigil-collector", "--data-dir", f"{work}/data", "--listen", f"127.0.0.1:{cport}",
                              "--log-level", "warning"], stdout=logs, stderr=logs)
        assert wait_http(f"{collector_url}/healthz"), "collector did not start"
        return p

    def start_agent():
        return subprocess.Popen([f"{BIN}/vigil-agent", "--config", f"{work}/agent.yaml", "--log-level", "error"],
                                stdout=logs, stderr=logs)

    Target.answered = 0
    server = QuietServer(("127.0.0.1", tport), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    collector = start_collector()
    env["VIGIL_TOKEN"] = open(f"{work}/data/admin.token").read().strip()
    token = subprocess.run([f"{BIN}/vigil", "agents", "add", "crash"], env=env, capture_output=True, text=True, check=True).stdout.strip()
    open(f"{work}/agent.token", "w").write(token + "\n")
    checks = "".join(f"""
  - name: c{i}
    service: crash
    url: http://127.0.0.1:{tport}/c{i}
    interval: 100ms
    timeout: 90ms""" for i in range(CHECKS))
    open(f"{work}/agent.yaml", "w").write(f"""collector: {collector_url}
token_file: agent.token
batch:
  max_heartbeats: 200
  max_delay: 300ms
checks:{checks}
""")

    agent = start_agent()
    kills = max(collector_kills, agent_kills)
    pause = seconds / (kills + 1)
    agent_stops = 1  # the SIGTERM at the end
    for kill in range(kills):
        time.sleep(random.uniform(0.5, 1.5) * pause)
        if kill < collector_kills:
            collector.send_signal(signal.SIGKILL)
            collector.wait()
        if kill < agent_kills:
            agent.send_signal(signal.SIGKILL)
            agent.wait()
            agent_stops += 1
            agent = start_agent()
        if kill < collector_kills:
            # Down for a moment (batches fail, the spool grows), longer once in the middle.
            time.sleep(pause * (3 if kill == kills // 2 else 0.3))
            collector = start_collector()
    time.sleep(pause + 2)
    agent.send_signal(signal.SIGTERM)
    agent_exit = agent.wait(timeout=30)
    with Target.lock:
        produced_at_most = Target.answered
    server.shutdown()
    server.server_close()

    agents = json.loads(subprocess.run([f"{BIN}/vigil", "agents", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    stored, dropped = agents[0]["heartbeats"], agents[0]["dropped"]
    # Probes stored up (good under the occurrences method) and all probes stored, from the report.
    report = json.loads(subprocess.run([f"{BIN}/vigil", "report", "--window", "2h", "--method", "occurrences", "--format", "json"],
                                       env=env, capture_output=True, text=True, check=True).stdout)
    crash = next(s for s in report["services"] if s["service"] == "crash")
    stored_up, stored_all = crash["good"], crash["counted"]
    stored_down = stored_all - stored_up
    collector.send_signal(signal.SIGTERM)
    collector.wait(timeout=30)
    spool_left = [n for n in os.listdir(f"{work}/spool") if n == "inflight.bin"]
    log_text = open(log_path, errors="replace").read()

    missing = produced_at_most - stored_up
    allowed = CHECKS * agent_stops + stored_down
    print(f"  ..   {name}: {collector_kills} collector kills, {agent_kills} agent kills; probes answered {produced_at_most}, "
          f"stored {stored} ({stored_up} up, {stored_down} down: timeouts), answered but not stored up {missing} "
          f"(allowed: up to {CHECKS} per agent stop + the downs = {allowed}), dropped {dropped}")
    return [
        (f"{name}: the report counts every stored heartbeat", stored_all == stored),
        (f"{name}: no heartbeat stored twice (stored up <= answered)", stored_up <= produced_at_most),
        (f"{name}: nothing lost beyond probes cut off by an agent stop or answered too late", 0 <= missing <= allowed),
        (f"{name}: dropped stays 0", dropped == 0),
        (f"{name}: agent stops cleanly on SIGTERM", agent_exit == 0),
        (f"{name}: the SIGTERM flush left nothing in flight or spooled", not spool_left and "still spooled" not in log_text),
    ], log_path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20, help="kills per phase")
    parser.add_argument("--seconds", type=float, default=25, help="length of each phase")
    args = parser.parse_args()
    results, logs = [], []
    for name, collector_kills, agent_kills in [("collector-kills", args.kills, 0), ("agent-kills", 1, args.kills)]:
        phase_results, log_path = phase(name, collector_kills, agent_kills, args.seconds)
        results += phase_results
        logs.append(log_path)
    return summarise("crash-test", results, logs[-1], tail=3000)


if __name__ == "__main__":
    sys.exit(main())
