#!/usr/bin/env python3
"""Two collectors on one PostgreSQL, with real processes (DESIGN §9, issue 7).

Two agents ship to both collectors (each lists both URLs, in opposite orders). A target takes each agent's
service down and up twice; a webhook receiver records the alerts. While the first outage is open the
leading collector is killed with SIGKILL: the other must take the leader lock within a few seconds and
deliver the resolves. The killed one is restarted and the second outage runs on both.

Afterwards: every heartbeat is stored once (stored <= answered by the target, and nothing lost but the
probes cut off when the agents stop), each outage made exactly one outage.opened and one outage.resolved,
and `vigil report` over the same window is identical from either collector.

Needs VIGIL_TEST_POSTGRES_URL (scripts/with_postgres.sh sets it). Usage: scripts/cluster_test.py
"""
import json, os, signal, subprocess, sys, tempfile, threading, time, urllib.request, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from process_harness import BIN, free_port, summarise
AGENTS = ["a1", "a2"]
CHECKS_PER_AGENT = 2
state = {"down": False, "answered": {name: 0 for name in AGENTS}, "received": []}
lock = threading.Lock()


class Target(BaseHTTPRequestHandler):
    def do_GET(self):
        agent, _, check = self.path.strip("/").partition("/")
        with lock:
            if agent in state["answered"]:
                state["answered"][agent] += 1
            failing = state["down"] and check == "site"
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no" if failing else b"ok")

    def log_message(self, *args):
        pass


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with lock:
            state["received"].append({"delivery": self.headers.get("X-Vigil-Delivery"), "key": body.get("dedupe_key"),
                                      "type": body.get("type"), "outage": body.get("details", {}).get("outage_id")})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def get_json(url, seconds=1):
    return json.loads(urllib.request.urlopen(url, timeout=seconds).read())


def wait_for(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.1)
    return False


def received(kind):
    with lock:
        return {r["key"] for r in state["received"] if r["type"] == kind}


def main():
    server_url = os.environ.get("VIGIL_TEST_POSTGRES_URL")
    if not server_url:
        print("cluster test: VIGIL_TEST_POSTGRES_URL is not set (run it through scripts/with_postgres.sh)")
        return 1
    database = "vigil_cluster_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", server_url, "-qc", f"CREATE DATABASE {database}"], check=True)
    base, _, query = server_url.partition("?")
    storage = base.rsplit("/", 1)[0] + "/" + database + ("?" + query if query else "")

    work = tempfile.mkdtemp(prefix="vigil-cluster-")
    logs = open(os.path.join(work, "processes.log"), "ab")
    tport, hport = free_port(), free_port()
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    for server in (ThreadingHTTPServer(("127.0.0.1", tport), Target), ThreadingHTTPServer(("127.0.0.1", hport), Receiver)):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    open(f"{work}/collector.yaml", "w").write(f"""alerts: {{evaluate_every: 500ms, retry_max_delay: 2s}}
hooks:
  - {{name: ops, type: webhook, url: "http://127.0.0.1:{hport}/hook", events: [outage.opened, outage.resolved]}}
""")

    def start_collector(i):
        p = subprocess.Popen([f"{BIN}/vigil-collector", "--config", f"{work}/collector.yaml", "--storage", storage,
                              "--data-dir", f"{work}/data{i}", "--listen", f"127.0.0.1:{ports[i]}", "--log-level", "notice"],
                             stdout=logs, stderr=logs)
        assert wait_for(lambda: get_json(f"{urls[i]}/healthz")["status"] == "ok", 20), f"collector {i} did not start"
        return p

    collectors = [start_collector(0), start_collector(1)]
    env = dict(os.environ, VIGIL_COLLECTOR=urls[0], VIGIL_TOKEN=open(f"{work}/data0/admin.token").read().strip())
    agents = {}
    for index, name in enumerate(AGENTS):
        token = subprocess.run([f"{BIN}/vigil", "agents", "add", name], env=env, capture_output=True, text=True, check=True).stdout.strip()
        open(f"{work}/{name}.token", "w").write(token + "\n")
        order = urls if index == 0 else list(reversed(urls))
        open(f"{work}/{name}.yaml", "w").write(f"""collector: [{", ".join(order)}]
token_file: {name}.token
name: {name}
batch: {{max_delay: 300ms}}
spool: {{dir: spool-{name}}}
checks:
  - {{name: site, service: site-{name}, url: "http://127.0.0.1:{tport}/{name}/site", interval: 500ms, timeout: 300ms}}
  - {{name: steady, service: steady, url: "http://127.0.0.1:{tport}/{name}/steady", interval: 500ms, timeout: 300ms}}
""")
        agents[name] = subprocess.Popen([f"{BIN}/vigil-agent", "--config", f"{work}/{name}.yaml", "--log-level", "warning"],
                                        cwd=work, stdout=logs, stderr=logs)
    window_start = time.time()
    results = []

    def leader():
        for i, url in enumerate(urls):
            try:
                if get_json(f"{url}/healthz")["leader"]:
                    return i
            except Exception:
                pass
        return None

    results.append(("one collector leads", wait_for(lambda: leader() is not None, 10)))
    time.sleep(3)
    state["down"] = True
    results.append(("both outages opened", wait_for(lambda: len(received("outage.opened")) >= 2, 20)))
    killed = leader()
    survivor = 1 - killed
    collectors[killed].send_signal(signal.SIGKILL)
    collectors[killed].wait()
    killed_at = time.time()
    took_over = wait_for(lambda: get_json(f"{urls[survivor]}/healthz")["leader"], 15)
    takeover = time.time() - killed_at
    print(f"  ..   leader (collector {killed}) killed with SIGKILL mid-outage; collector {survivor} led after {takeover:.1f} s")
    results.append(("the other collector takes the lead within 5 s", took_over and takeover <= 5))
    time.sleep(1)
    state["down"] = False
    results.append(("the new leader delivers both resolves", wait_for(lambda: len(received("outage.resolved")) >= 2, 20)))
    collectors[killed] = start_collector(killed)
    time.sleep(2)
    state["down"] = True
    results.append(("second outages opened", wait_for(lambda: len(received("outage.opened")) >= 4, 20)))
    state["down"] = False
    results.append(("second outages resolved", wait_for(lambda: len(received("outage.resolved")) >= 4, 20)))
    for process in agents.values():
        process.send_signal(signal.SIGTERM)
    agent_exits = [process.wait(timeout=30) for process in agents.values()]
    time.sleep(2)
    window_end = time.time()

    listed = json.loads(subprocess.run([f"{BIN}/vigil", "agents", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    stored = {a["name"]: a["heartbeats"] for a in listed}
    with lock:
        answered = dict(state["answered"])
        deliveries = list(state["received"])
    print(f"  ..   probes answered {answered}, heartbeats stored {stored}")
    results.append(("agents stop cleanly", agent_exits == [0, 0]))
    results.append(("no heartbeat stored twice (stored <= answered)", all(stored[n] <= answered[n] for n in AGENTS)))
    results.append(("none lost but probes cut off at stop", all(answered[n] - stored[n] <= CHECKS_PER_AGENT for n in AGENTS)))

    outages = json.loads(subprocess.run([f"{BIN}/vigil", "outages", "--json", "--since", "1h"], env=env,
                                        capture_output=True, text=True, check=True).stdout)
    outage_ids = sorted(o["id"] for o in outages if o["service"].startswith("site-"))
    keys = {}
    for d in deliveries:
        keys.setdefault(d["key"], set()).add(d["delivery"])
    opened = sorted(d["outage"] for d in deliveries if d["type"] == "outage.opened")
    resolved = sorted(d["outage"] for d in deliveries if d["type"] == "outage.resolved")
    print(f"  ..   outages {len(outage_ids)}; deliveries {len(deliveries)} ({len(keys)} distinct events)")
    results.append(("four outages, each with exactly one opened and one resolved",
                     len(outage_ids) == 4 and sorted(set(opened)) == outage_ids and sorted(set(resolved)) == outage_ids
                     and all(len(ids) == 1 for ids in keys.values())))
    stored_alerts = json.loads(subprocess.run([f"{BIN}/vigil", "alerts", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    results.append(("the store holds one alert per event", sorted(a["type"] for a in stored_alerts).count("outage.opened") == 4
                    and sorted(a["type"] for a in stored_alerts).count("outage.resolved") == 4))

    def report(url):
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(window_start - 60))
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(window_end))
        return subprocess.run([f"{BIN}/vigil", "report", "--format", "json", "--from", start, "--to", end, "--collector", url],
                              env=env, capture_output=True, text=True, check=True).stdout
    reports = [report(url) for url in urls]
    results.append(("vigil report is identical from either collector", reports[0] == reports[1] and len(reports[0]) > 100))

    for process in collectors:
        process.send_signal(signal.SIGTERM)
    collector_exits = [process.wait(timeout=30) for process in collectors]
    results.append(("collectors stop cleanly", collector_exits == [0, 0]))
    subprocess.run(["psql", server_url, "-qc", f"DROP DATABASE {database} WITH (FORCE)"], check=False)

    return summarise("cluster-test", results, os.path.join(work, "processes.log"))


if __name__ == "__main__":
    sys.exit(main())
