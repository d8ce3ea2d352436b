#!/usr/bin/env python3
"""Crash tests with real processes under a steady probe load (20 checks every 100 ms = 200 heartbeats/s),
in three phases on fresh data:

1. the collector is killed with SIGKILL N times (and restarted after a pause) while the agent runs on;
2. the agent is killed with SIGKILL N times (and restarted at once) while the collector runs on, and
   once the collector is killed too and kept down for a while;
3. group commit (issue 20): ten agents of 3 checks each send batches of 10 heartbeats, so the
   collector commits several agents' batches in one transaction, and it is killed N times at random
   points of those commits; each agent's heartbeats are checked on their own.

The target counts the probe requests it answered. Afterwards every heartbeat the agent produced must be
stored exactly once. Only an up heartbeat proves its request was answered: on a loaded machine a probe
can time out (90 ms) before the target's handler runs, or after it, and is stored down either way. So:
stored up <= answered (nothing twice: a batch acked or not, resent after a crash, is stored once), and
answered - stored up is at most what kills can cut off (a probe answered while its agent is killed, or
stopped at the end, was never recorded: at most one per check per agent stop) plus the probes stored
down (answered too late). `dropped` must stay 0 and the SIGTERM at the end must leave nothing spooled.

Usage: scripts/crash_test.py [--kills N] [--seconds S]   (CI runs the defaults: 20 kills per phase, ~25 s each)
"""
import argparse, json, os, random, re, signal, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

from process_harness import BIN, ProbeTarget, QuietServer, free_port, summarise, wait_http
CHECKS = 20


class Target(ProbeTarget):
    answered = {}  # by agent: the first part of the path, /a0/c3 -> "a0"
    lock = threading.Lock()

    def status(self):
        agent = self.path.split("/")[1]
        with Target.lock:
            Target.answered[agent] = Target.answered.get(agent, 0) + 1
        return 200


def commits(collector_url, token):
    """(transactions, batch requests in them) the running collector's ingest committed, from /metrics."""
    request = urllib.request.Request(f"{collector_url}/metrics", headers={"Authorization": f"Bearer {token}"})
    try:
        text = urllib.request.urlopen(request, timeout=10).read().decode()
    except OSError:
        return 0, 0
    def value(name):
        found = re.search(rf"^{name} (\S+)$", text, re.M)
        return int(float(found.group(1))) if found else 0
    return value("vigil_collector_ingest_transactions_total"), value("vigil_collector_ingest_transaction_batches_sum")


def phase(name, collector_kills, agent_kills, seconds, agents=1, per_agent=CHECKS):
    """Runs one phase on fresh data with `agents` agents of `per_agent` checks each; returns its
    (description, ok) results and its log path."""
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

    def start_agent(index):
        return subprocess.Popen([f"{BIN}/vigil-agent", "--config", f"{work}/agent{index}/agent.yaml", "--log-level", "error"],
                                stdout=logs, stderr=logs)

    Target.answered = {}
    server = QuietServer(("127.0.0.1", tport), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    collector = start_collector()
    env["VIGIL_TOKEN"] = open(f"{work}/data/admin.token").read().strip()
    # One batch at most every 300 ms alone; with several agents, one every ~330 ms each, so their
    # batches meet in the collector's transactions (above all when they all catch up after a restart).
    max_heartbeats, max_delay = (200, "300ms") if agents == 1 else (10, "300ms")
    for index in range(agents):
        os.makedirs(f"{work}/agent{index}")
        token = subprocess.run([f"{BIN}/vigil", "agents", "add", f"crash{index}"], env=env, capture_output=True, text=True,
                               check=True).stdout.strip()
        open(f"{work}/agent{index}/agent.token", "w").write(token + "\n")
        checks = "".join(f"""
  - name: c{i}
    service: crash{index}
    url: http://127.0.0.1:{tport}/a{index}/c{i}
    interval: 100ms
    timeout: 90ms""" for i in range(per_agent))
        open(f"{work}/agent{index}/agent.yaml", "w").write(f"""collector: {collector_url}
token_file: agent.token
batch:
  max_heartbeats: {max_heartbeats}
  max_delay: {max_delay}
checks:{checks}
""")

    running = [start_agent(index) for index in range(agents)]
    kills = max(collector_kills, agent_kills)
    pause = seconds / (kills + 1)
    agent_stops = 1  # the SIGTERM at the end
    transactions = grouped = 0
    for kill in range(kills):
        time.sleep(random.uniform(0.5, 1.5) * pause)
        if kill < collector_kills:
            if agents > 1:
                counted = commits(collector_url, env["VIGIL_TOKEN"])
                transactions, grouped = transactions + counted[0], grouped + counted[1]
            collector.send_signal(signal.SIGKILL)
            collector.wait()
        if kill < agent_kills:
            for index, agent in enumerate(running):
                agent.send_signal(signal.SIGKILL)
                agent.wait()
                running[index] = start_agent(index)
            agent_stops += 1
        if kill < collector_kills:
            # Down for a moment (batches fail, the spool grows), longer once in the middle.
            time.sleep(pause * (3 if kill == kills // 2 else 0.3))
            collector = start_collector()
    # Several agents catch up together after the last restart: give them longer before the SIGTERM.
    time.sleep(pause + (2 if agents == 1 else 6))
    for agent in running:
        agent.send_signal(signal.SIGTERM)
    agent_exits = [agent.wait(timeout=30) for agent in running]
    with Target.lock:
        answered = dict(Target.answered)
    server.shutdown()
    server.server_close()

    listed = json.loads(subprocess.run([f"{BIN}/vigil", "agents", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    by_name = {agent["name"]: agent for agent in listed}
    # Probes stored up (good under the occurrences method) and all probes stored, from the report, per agent.
    # Probes stored up (good under the occurrences method) and all probes stored, from the report: each
    # agent reports a service of its own.
    report = json.loads(subprocess.run([f"{BIN}/vigil", "report", "--window", "2h", "--method", "occurrences", "--format", "json"],
                                       env=env, capture_output=True, text=True, check=True).stdout)
    services = {s["service"]: s for s in report["services"]}
    counted = commits(collector_url, env["VIGIL_TOKEN"])
    transactions, grouped = transactions + counted[0], grouped + counted[1]
    collector.send_signal(signal.SIGTERM)
    collector_exit = collector.wait(timeout=30)
    # A clean stop writes what the collector held behind the batches: nothing is left to replay.
    with sqlite3.connect(f"{work}/data/vigil.sqlite") as db:
        journal_left = db.execute("SELECT COUNT(*) FROM deferred_batches").fetchone()[0]
    spool_left = [n for index in range(agents) for n in os.listdir(f"{work}/agent{index}/spool") if n == "inflight.bin"]
    log_text = open(log_path, errors="replace").read()

    results = [
        (f"{name}: every agent stops cleanly on SIGTERM", all(code == 0 for code in agent_exits)),
        (f"{name}: the SIGTERM flush left nothing in flight or spooled", not spool_left and "still spooled" not in log_text),
        (f"{name}: the collector stops cleanly on SIGTERM and leaves no journal to replay ({journal_left} batches)",
         collector_exit == 0 and journal_left == 0),
    ]
    for index in range(agents):
        agent, service = by_name[f"crash{index}"], services[f"crash{index}"]
        stored, dropped = agent["heartbeats"], agent["dropped"]
        stored_up, stored_all = service["good"], service["counted"]
        stored_down = stored_all - stored_up
        produced_at_most = answered.get(f"a{index}", 0)
        missing = produced_at_most - stored_up
        allowed = per_agent * agent_stops + stored_down
        label = name if agents == 1 else f"{name} agent {index}"
        print(f"  ..   {label}: {collector_kills} collector kills, {agent_kills} agent kills; probes answered {produced_at_most}, "
              f"stored {stored} ({stored_up} up, {stored_down} down: timeouts), answered but not stored up {missing} "
              f"(allowed: up to {per_agent} per agent stop + the downs = {allowed}), dropped {dropped}")
        results += [
            (f"{label}: the report counts every stored heartbeat", stored_all == stored),
            (f"{label}: no heartbeat stored twice (stored up <= answered)", stored_up <= produced_at_most),
            (f"{label}: nothing lost beyond probes cut off by an agent stop or answered too late", 0 <= missing <= allowed),
            (f"{label}: dropped stays 0", dropped == 0),
            (f"{label}: heartbeats were stored", stored > 0),
        ]
    if agents > 1:
        # Reported, not asserted: with commits of about a millisecond, these few agents' batches meet in a
        # transaction only now and then (1 of 1,304 in one CI run, none of 1,329 in the next), so the check
        # failed by chance. GroupCommitTests.committer proves the grouping itself with requests held at once.
        print(f"  ..   {name}: {transactions} ingest transactions held {grouped} batch requests (from /metrics before each kill)")
        results.append((f"{name}: the collector counted its ingest transactions", transactions > 0 and grouped >= transactions))
    return results, log_path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20, help="kills per phase")
    parser.add_argument("--seconds", type=float, default=25, help="length of each phase")
    args = parser.parse_args()
    results, logs = [], []
    for name, collector_kills, agent_kills, agents, per_agent in [
        ("collector-kills", args.kills, 0, 1, CHECKS), ("agent-kills", 1, args.kills, 1, CHECKS), ("group-commit-kills", args.kills, 0, 10, 3),
    ]:
        phase_results, log_path = phase(name, collector_kills, agent_kills, args.seconds, agents, per_agent)
        results += phase_results
        logs.append(log_path)
    return summarise("crash-test", results, logs[-1], tail=3000)


if __name__ == "__main__":
    sys.exit(main())
