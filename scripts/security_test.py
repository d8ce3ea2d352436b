#!/usr/bin/env python3
"""Hostile input against the real processes (issue 19): a collector and the `vigil` CLI, with an agent token
that names services, checks and locations from scripts/testing/hostile_corpus.json and probe messages from
it too. Every output is read as its consumer would read it:

- /status and `vigil report --format html`: parsed by html5lib (the HTML5 parsing algorithm browsers use);
  no element or attribute the page did not write, every hostile name shown as text;
- the badges: parsed as XML; no attribute or element beyond the badge's own;
- /metrics: `promtool check metrics`, and one sample per service in the per-service families;
- `vigil report --format csv`: Python's csv reader; one record per service, no text field a spreadsheet
  reads as a formula;
- `vigil report --format markdown`: as many unescaped cell separators per row as the header, no HTML;
- `vigil status`, `outages`, `report`, `alerts`, `agents`: no control, line separator or bidi character
  reaches the terminal, no forged row;
- chat hooks: the text a webhook receiver gets holds no `<`, `>` or live mention.

Also: a body with invalid UTF-8 is refused with a clear 400, and what was accepted before is still there.

Usage: scripts/security_test.py. Prints "security: N passed, N failed"; exits 1 on a failure.
"""
import csv, io, json, os, re, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request, xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler

from process_harness import BIN, ROOT, QuietServer, free_port, summarise, wait_http

CORPUS = json.load(open(os.path.join(ROOT, "scripts/testing/hostile_corpus.json")))["corpus"]
NAME_BYTES = 200  # the collector's limit on a service or check name


def ensure_html5lib():
    try:
        import html5lib  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "html5lib"], check=True, capture_output=True)
    import html5lib
    return html5lib


def cut(text, limit):
    """The longest prefix of text within limit UTF-8 bytes."""
    out = b""
    for ch in text:
        b = ch.encode("utf-8", "surrogatepass")
        if len(out) + len(b) > limit:
            break
        out += b
    return out.decode("utf-8")


def shown_in_html(text):
    """What a hostile name looks like once escaped and parsed: the controls HTML forbids become U+FFFD,
    and the parser turns CR LF and lone CR into LF."""
    out = "".join("\ufffd" if ((ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F) else c for c in text)
    return out.replace("\r\n", "\n").replace("\r", "\n")


TERMINAL_BAD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class Receiver(BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.bodies.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def request(url, data=None, token=None, content_type="application/json", method=None):
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    html5lib = ensure_html5lib()
    work = tempfile.mkdtemp(prefix="vigil-security-")
    log_path = f"{work}/processes.log"
    log = open(log_path, "w")
    results = []
    receiver = QuietServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook_port = receiver.server_address[1]
    cport = free_port()
    base = f"http://127.0.0.1:{cport}"
    open(f"{work}/collector.yaml", "w").write(f"""alerts: {{evaluate_every: 300ms}}
public: {{status_page: true, badges: true, metrics: true}}
hooks:
  - {{name: chat, type: chat, url: "http://127.0.0.1:{hook_port}/services/T0/B0/secret", events: [outage.opened]}}
""")
    collector = subprocess.Popen([f"{BIN}/vigil-collector", "--config", f"{work}/collector.yaml", "--data-dir", f"{work}/data",
                                  "--listen", f"127.0.0.1:{cport}", "--log-level", "notice"], stdout=log, stderr=log)
    try:
        assert wait_http(f"{base}/healthz"), "collector did not start"
        env = dict(os.environ, VIGIL_COLLECTOR=base, VIGIL_TOKEN=open(f"{work}/data/admin.token").read().strip(), NO_COLOR="1")

        def vigil(*args):
            return subprocess.run([f"{BIN}/vigil", *args], env=env, capture_output=True).stdout.decode("utf-8")

        token = vigil("agents", "add", "hostile").strip()
        # One service per hostile name (cut to the name limit; the distinct-prefix index keeps them apart).
        services, checks, heartbeats = [], [], []
        now = int(time.time() * 1000)
        for index, text in enumerate(CORPUS):
            if "\x00" in text:
                continue  # a name with NUL is refused (below); its text is still sent as a message
            service = cut(f"{index:02d}{text}", NAME_BYTES)
            services.append(service)
            checks.append({"id": index + 1, "name": service, "service": service, "kind": "tcp", "target": cut(text, 2048),
                           "interval_ms": 60000, "timeout_ms": 5000})  # stale only after 125 s
            # Up for a minute, then down (with the hostile text as the server's message) until now.
            messages = [t for t in CORPUS if "\x00" in t] if index == 0 else [text]
            for step in range(12):
                ts = now - 120_000 + step * 10_000
                down = step >= 6
                heartbeats.append({"check": index + 1, "ts_ms": ts, "status": "down" if down else "up", "latency_us": 1000,
                                   "code": 0, "message": messages[step % len(messages)] if down else ""})
        batch = {"session_id": "hostile", "seq": 1, "agent_version": "0.0.0", "dropped": 0, "checks": checks, "heartbeats": heartbeats}
        status, body = request(f"{base}/v1/batches", json.dumps(batch).encode(), token)
        ack = json.loads(body) if status == 200 else {}
        results.append((f"the hostile batch is stored ({status}, {ack.get('accepted')} of {len(heartbeats)} heartbeats)",
                        status == 200 and ack.get("accepted") == len(heartbeats)))

        # A NUL in a name cannot be stored as sent (PostgreSQL refuses it, SQLite readers stop at it): refused.
        nul = next(t for t in CORPUS if "\x00" in t)
        status, body = request(f"{base}/v1/batches", json.dumps({**batch, "seq": 3, "checks": [{**checks[0], "id": 99, "service": nul}],
                                                                  "heartbeats": []}).encode(), token)
        results.append((f"a NUL in a service name is a 400 naming the field ({status} {body[:90]!r})",
                        status == 400 and b"contains a NUL character" in body))

        # Invalid UTF-8 inside a JSON string: refused as a whole with a reason; nothing already stored is lost.
        bad = json.dumps({**batch, "seq": 2, "heartbeats": heartbeats[:1]}).encode().replace(b'"hostile"', b'"host\xff\xfeile"', 1)
        status, body = request(f"{base}/v1/batches", bad, token)
        error = json.loads(body).get("error", {}) if body.startswith(b"{") else {}
        results.append((f"invalid UTF-8 in the JSON body is a 400 with a code and a message ({status} {error.get('code')}: {error.get('message')})",
                        status == 400 and error.get("code") == "malformed_body" and bool(error.get("message"))))

        # Wait for the outages to open and their chat messages to arrive.
        deadline = time.time() + 30
        while time.time() < deadline and len(Receiver.bodies) < len(services):
            time.sleep(0.2)
        listed = json.loads(vigil("status", "--json") or "[]")
        results.append(("after the refused batch every hostile service is still listed",
                        sorted(s["service"] for s in listed) == sorted(services)))

        # HTML: the status page and the HTML report, through an HTML5 parser.
        _, page = request(f"{base}/status")
        report_html = vigil("report", "--format", "html", "--window", "1d")
        for name, document in (("/status", page.decode()), ("vigil report --format html", report_html)):
            tree = html5lib.parse(document, namespaceHTMLElements=False)
            tags = {element.tag for element in tree.iter()}
            attributes = {attribute for element in tree.iter() for attribute in element.attrib}
            scripts = [e for e in tree.iter() if e.tag in ("script", "img", "iframe", "object") or str(e.tag).endswith("svg") and e.attrib.get("onload")]
            events = sorted(a for a in attributes if a.lower().startswith("on"))
            results.append((f"{name}: no element or event attribute from a name (tags {sorted(map(str, tags))[:40]}, events {events})",
                            not scripts and not events))
            text = "".join(tree.itertext())
            missing = [s for s in services if shown_in_html(s) not in text]
            results.append((f"{name}: every hostile service name is shown as text ({len(services) - len(missing)} of {len(services)})",
                            not missing))

        # Badges: strict XML, only the badge's own elements and attributes.
        allowed_attributes = {"xmlns", "width", "height", "role", "aria-label", "id", "x2", "y2", "offset", "stop-color",
                              "stop-opacity", "rx", "fill", "clip-path", "x", "y", "text-anchor", "font-family", "font-size",
                              "fill-opacity"}
        badge_problems = []
        for service in services:
            quoted = urllib.parse.quote(service, safe="")
            status, svg = request(f"{base}/badge/{quoted}/status.svg")
            if status == 404 and "/" in service:
                continue  # a name with a slash cannot be a path segment; the API answers 404, never another service
            try:
                root = ET.fromstring(svg)
                attributes = {a.split("}")[-1] for e in root.iter() for a in e.attrib}
                extra = attributes - allowed_attributes
                if extra or status != 200 or shown_in_html(service).replace("\n", "") not in "".join(root.itertext()).replace("\n", ""):
                    badge_problems.append((service[:20], status, extra))
            except ET.ParseError as error:
                badge_problems.append((service[:20], status, str(error)))
        results.append((f"badges parse as XML with only their own attributes and show the name ({badge_problems[:3]})", not badge_problems))

        # Prometheus: promtool, and one sample per service.
        _, metrics = request(f"{base}/metrics")
        open(f"{work}/metrics.txt", "wb").write(metrics)
        check = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True)
        problems = [l for l in check.stderr.decode().splitlines() if "error" in l.lower() or "parse" in l.lower()]
        results.append((f"promtool check metrics parses /metrics ({problems[:2]})", check.returncode == 0 or not problems))
        samples = [l for l in metrics.decode().split("\n") if l.startswith("vigil_service_up{")]
        results.append((f"/metrics has one vigil_service_up sample per service ({len(samples)} of {len(services)})",
                        len(samples) == len(services)))

        # CSV: one record per service, no formula in a text field.
        text = vigil("report", "--format", "csv", "--window", "1d")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, records = rows[0], rows[1:]
        names = [r[header.index("service")] for r in records]
        formulas = [f for r in records for f in (r[header.index("service")], r[header.index("window")], r[header.index("method")])
                    if f[:1] in ("=", "+", "-", "@", "\t", "\r")]
        results.append((f"CSV: one record of {len(header)} fields per service ({len(records)} records)",
                        len(records) == len(services) and all(len(r) == len(header) for r in records)))
        results.append((f"CSV: no text field starts a formula ({formulas[:2]}); names read back with their ' guard",
                        not formulas and sorted(n[1:] if n.startswith("'") else n for n in names) == sorted(services)))

        # Markdown: as many cell separators in every row as in the header; no HTML tag.
        markdown = vigil("report", "--format", "markdown", "--window", "1d")
        table = [l for l in markdown.split("\n") if l.startswith("| service |")]
        columns = table[0].count("|") if table else 0
        def separators(line):
            count, backslashes = 0, 0
            for ch in line:
                if ch == "|" and backslashes % 2 == 0:
                    count += 1
                backslashes = backslashes + 1 if ch == "\\" else 0
            return count
        summary = markdown.split("\n\n")[0].split("\n")
        bad_rows = [l[:40] for l in summary if separators(l) != columns]
        results.append((f"Markdown: {len(summary) - 2} rows of {columns - 1} cells, none forged ({bad_rows[:2]})",
                        len(summary) == len(services) + 2 and not bad_rows))
        results.append(("Markdown: no HTML tag passes", not re.search(r"<[a-zA-Z/!]", markdown)))

        # Terminal: no control, separator or bidi character in what the commands print.
        for args in (("status",), ("outages",), ("report", "--window", "1d"), ("alerts",), ("agents",), ("uptime", services[5], "--explain")):
            out = vigil(*args)
            found = sorted({f"U+{ord(c):04X}" for c in TERMINAL_BAD.findall(out)})
            forged = [l for l in out.split("\n") if l.startswith("FORGED") or l.startswith("fake_metric")]
            results.append((f"vigil {' '.join(args[:1])}: {len(out.splitlines())} lines, no control or bidi character ({found[:5]}), no forged line",
                            bool(out) and not found and not forged))

        # Chat: each message is one escaped line.
        texts = []
        for path, body in Receiver.bodies:
            texts.append(json.loads(body).get("text", ""))
        live = [t[:60] for t in texts if re.search(r"[<>]|@(?!\u2060)|[\x00-\x1f]", t)]
        results.append((f"chat hook: {len(texts)} messages, none with <, >, a live mention or a control ({live[:2]})",
                        len(texts) >= len(services) and not live))
        results.append(("chat hook: its URL path secret is in no log line", "secret" not in open(log_path, errors="replace").read()))
        # Scopes: an agent locked to api-* may not speak for another service; the refusal names it.
        scoped = vigil("agents", "add", "edge-fra", "--services", "api-*").strip()
        status, body = request(f"{base}/v1/batches", json.dumps({
            "session_id": "scoped", "seq": 1, "agent_version": "0.0.0", "dropped": 0,
            "checks": [{**checks[0], "id": 1, "service": "api-eu"}, {**checks[0], "id": 2, "service": services[2]}],
            "heartbeats": [{"check": 1, "ts_ms": now - 5_000, "status": "up"}, {"check": 2, "ts_ms": now - 5_000, "status": "down"}],
        }).encode(), scoped)
        ack = json.loads(body) if status == 200 else {}
        reasons = [r["reason"] for r in ack.get("rejected", [])]
        results.append((f"a scoped agent's heartbeat for another service is refused with the reason ({reasons})",
                        ack.get("accepted") == 1 and len(reasons) == 1 and "outside agent edge-fra's scope (api-*)" in reasons[0]))
        agents_table = vigil("agents")
        results.append(("vigil agents shows the scope", any(l.startswith("edge-fra") and l.rstrip().endswith("api-*") for l in agents_table.splitlines())))
        _, metrics = request(f"{base}/metrics")
        results.append(("the refusal is counted in vigil_collector_heartbeats_out_of_scope_total",
                         b"vigil_collector_heartbeats_out_of_scope_total 1\n" in metrics))

        # Limits: one agent may not create more than 1,000 services (the attack made 50,000 in 4 s).
        flood = vigil("agents", "add", "flood").strip()
        definitions = [{"id": i + 1, "name": f"c{i}", "service": f"flood-{i}", "kind": "tcp", "target": "x", "interval_ms": 10000,
                        "timeout_ms": 5000} for i in range(1_001)]
        status, body = request(f"{base}/v1/batches", json.dumps({"session_id": "f", "seq": 1, "agent_version": "0", "dropped": 0,
                                                                  "checks": definitions, "heartbeats": []}).encode(), flood)
        error = json.loads(body).get("error", {}) if body.startswith(b"{") else {}
        listed_after = json.loads(vigil("status", "--json") or "[]")
        results.append((f"1,001 services from one agent: 403 {error.get('code')} ({error.get('message')}); none created",
                        status == 403 and error.get("code") == "limit_exceeded" and not any(s["service"].startswith("flood-") for s in listed_after)))
    finally:
        collector.terminate()
        collector.wait(timeout=10)
        receiver.shutdown()
    # The log: alert lines (notice) and refusals (warning) name the hostile services; each stays one line.
    log.flush()
    log_lines = open(log_path, encoding="utf-8", errors="replace").read().split("\n")
    found = sorted({f"U+{ord(c):04X}" for line in log_lines for c in TERMINAL_BAD.findall(line)})
    forged = [line for line in log_lines if "FORGED" in line and not re.match(r"\d{4}-\d\d-\d\dT", line)]
    named = sum(1 for line in log_lines if "service=" in line)
    results.append((f"collector log: {len(log_lines)} lines, {named} naming a service, no control or bidi character ({found[:5]}), no forged line",
                    named >= len(services) and not found and not forged))
    results += storage_faults(work, log)
    results += database_faults(work, log)
    results += connection_attacks(work, log)
    return summarise("security", results, log_path)


def collector_with_agent(data, log, agent):
    """A collector on `data` (logging warnings to `log`) with one agent: the process, its base URL, the
    CLI's environment and the agent's token."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    collector = subprocess.Popen([f"{BIN}/vigil-collector", "--data-dir", data, "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
                                 stdout=log, stderr=log)
    assert wait_http(f"{base}/healthz"), "collector did not start"
    env = dict(os.environ, VIGIL_COLLECTOR=base, VIGIL_TOKEN=open(f"{data}/admin.token").read().strip())
    token = subprocess.run([f"{BIN}/vigil", "agents", "add", agent], env=env, capture_output=True, text=True).stdout.strip()
    return collector, base, env, token


def one_check_batches(service, message=""):
    """Batch `seq` of one up heartbeat for one check in `service`, a second apart from a minute ago."""
    now = int(time.time() * 1000)

    def batch(seq):
        return json.dumps({"session_id": service, "seq": seq, "agent_version": "0", "dropped": 0,
                           "checks": [{"id": 1, "name": "c", "service": service, "kind": "tcp", "target": "x", "interval_ms": 10000, "timeout_ms": 5000}],
                           "heartbeats": [{"check": 1, "ts_ms": now - 60_000 + seq * 1000, "status": "up", "message": message}]}).encode()
    return batch


def storage_faults(work, log):
    """A collector whose data directory is a small tmpfs: filled up, then remounted read-only. Batches
    must get 503 store_unavailable with Retry-After (the agent keeps them), /healthz must say degraded,
    /metrics vigil_collector_store_up 0, and all must recover once there is room again."""
    mount = f"{work}/tiny-data"
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount], capture_output=True).returncode != 0:
        print("  ..   storage faults: SKIPPED: cannot mount a tmpfs (needs root)")
        return []
    results = []
    collector, base, env, token = collector_with_agent(mount, log, "disk")
    try:
        batch = one_check_batches("disk", message="x" * 900)
        status, _ = request(f"{base}/v1/batches", batch(1), token)
        results.append(("storage: a batch is stored while there is room", status == 200))
        # Fill the disk. Unbuffered: a buffered file keeps the bytes a full disk refused and raises
        # again when it is closed (which depends on how much room the store's files left).
        with open(f"{mount}/filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
            except OSError:
                pass
        answers = [request(f"{base}/v1/batches", batch(seq), token) for seq in range(2, 40)]
        failed = [(s, b) for s, b in answers if s != 200]
        status, body = failed[0] if failed else answers[-1]
        error = json.loads(body).get("error", {}) if body.startswith(b"{") else {}
        results.append((f"storage: on a full disk a batch gets 503 store_unavailable with a cause ({status} {error.get('message', '')[:90]})",
                        status == 503 and error.get("code") == "store_unavailable" and "disk is full" in error.get("message", "")))
        health_status, health = request(f"{base}/healthz")
        results.append((f"storage: /healthz says degraded ({health_status} {health[:120]!r})",
                        health_status == 503 and b'"degraded"' in health))
        _, metrics = request(f"{base}/metrics", token=env["VIGIL_TOKEN"])
        results.append(("storage: /metrics has vigil_collector_store_up 0", b"vigil_collector_store_up 0" in metrics))
        # Room again: the retried batch is stored and health comes back.
        os.remove(f"{mount}/filler")
        status, _ = request(f"{base}/v1/batches", batch(40), token)
        health_status, _ = request(f"{base}/healthz")
        results.append((f"storage: with room again the next batch is stored and /healthz is ok ({status}, {health_status})",
                        status == 200 and health_status == 200))
        # A read-only file system: the same answer.
        if subprocess.run(["mount", "-o", "remount,ro", mount], capture_output=True).returncode == 0:
            status, body = request(f"{base}/v1/batches", batch(41), token)
            error = json.loads(body).get("error", {}) if body.startswith(b"{") else {}
            results.append((f"storage: on a read-only disk a batch gets 503 store_unavailable ({status} {error.get('message', '')[:90]})",
                            status == 503 and error.get("code") == "store_unavailable"))
            subprocess.run(["mount", "-o", "remount,rw", mount], capture_output=True)
            episodes = 2
        else:
            print("  ..   storage: read-only remount SKIPPED (the kernel refuses it while the database is open for writing)")
            episodes = 1
        log_text = open(log.name, errors="replace").read()
        results.append((f"storage: each failure episode is logged once with its cause ({log_text.count('the store cannot be used')} of {episodes})",
                        log_text.count("the store cannot be used") == episodes))
    finally:
        collector.terminate()
        collector.wait(timeout=10)
        subprocess.run(["umount", mount], capture_output=True)
    return results


def database_faults(work, log):
    """A database file corrupted under a running collector: batches get 503 store_unavailable naming
    the corruption, /healthz says degraded, the process stays up and logs the cause once. A database on
    a file system that is read-only from the start: the collector refuses to start, saying why."""
    import random
    results = []
    data = f"{work}/corrupt-data"
    before = open(log.name, errors="replace").read().count("the store cannot be used")
    collector, base, env, token = collector_with_agent(data, log, "corrupt")
    try:
        batch = one_check_batches("corrupt")
        status, _ = request(f"{base}/v1/batches", batch(1), token)
        results.append(("corrupted database: a batch is stored before", status == 200))
        # Random bytes over the database and its write-ahead log, as a failing disk or a stray write would leave them.
        rng = random.Random(19)
        for name in ("vigil.sqlite", "vigil.sqlite-wal"):
            path = f"{data}/{name}"
            if os.path.exists(path):
                with open(path, "r+b") as file:
                    file.write(bytes(rng.randrange(256) for _ in range(os.path.getsize(path))))
        answers = [request(f"{base}/v1/batches", batch(seq), token) for seq in range(2, 5)]
        status, body = answers[-1]
        error = json.loads(body).get("error", {}) if body.startswith(b"{") else {}
        results.append((f"corrupted database: a batch gets 503 store_unavailable naming it ({status} {error.get('message', '')[:80]})",
                        all(s == 503 for s, _ in answers) and error.get("code") == "store_unavailable" and "corrupted" in error.get("message", "")))
        health_status, health = request(f"{base}/healthz")
        results.append((f"corrupted database: /healthz says degraded ({health_status})", health_status == 503 and b'"degraded"' in health))
        results.append(("corrupted database: the collector keeps running", collector.poll() is None))
        logged = open(log.name, errors="replace").read().count("the store cannot be used") - before
        results.append((f"corrupted database: the cause is logged once ({logged})", logged == 1))
    finally:
        collector.terminate()
        collector.wait(timeout=10)
    mount = f"{work}/ro-data"
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], capture_output=True).returncode != 0:
        print("  ..   read-only database: SKIPPED: cannot mount a tmpfs (needs root)")
        return results
    try:
        port = free_port()
        first = subprocess.Popen([f"{BIN}/vigil-collector", "--data-dir", f"{mount}/data", "--listen", f"127.0.0.1:{port}"],
                                 stdout=log, stderr=log)
        wait_http(f"http://127.0.0.1:{port}/healthz")
        first.terminate()
        first.wait(timeout=10)
        if subprocess.run(["mount", "-o", "remount,ro", mount], capture_output=True).returncode == 0:
            start = time.time()
            refused = subprocess.run([f"{BIN}/vigil-collector", "--data-dir", f"{mount}/data", "--listen", f"127.0.0.1:{free_port()}"],
                                     capture_output=True, text=True, timeout=60)
            said = refused.stderr.strip().splitlines()[-1:] or [""]
            results.append((f"read-only database: the collector refuses to start, saying why ({refused.returncode}, {said[0][:100]})",
                            refused.returncode != 0 and ("cannot open SQLite store" in said[0] or "read-only" in said[0]) and time.time() - start < 30))
    finally:
        subprocess.run(["umount", mount], capture_output=True)
    return results


def connection_attacks(work, log):
    """Slowloris and bare sockets past connections.max, and a body that never arrives, against a real
    collector: /healthz must keep answering, and every such socket must be closed by the server."""
    import socket
    results = []
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    open(f"{work}/connections.yaml", "w").write("connections: {max: 200, idle_timeout: 4s, request_timeout: 3s}\n")
    collector = subprocess.Popen([f"{BIN}/vigil-collector", "--config", f"{work}/connections.yaml", "--data-dir", f"{work}/conn-data",
                                  "--listen", f"127.0.0.1:{port}", "--log-level", "warning"], stdout=log, stderr=log)
    sockets = []
    try:
        assert wait_http(f"{base}/healthz"), "collector did not start"
        began = time.time()
        for index in range(500):
            s = socket.create_connection(("127.0.0.1", port))
            if index % 2:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # a slowloris: the head never ends
            sockets.append(s)
        opened = time.time() - began
        status, body = request(f"{base}/v1/services")
        results.append((f"connections: past the limit other requests get 503 too_many_connections ({status})",
                        status == 503 and b"too_many_connections" in body))
        started = time.time()
        healthy = wait_http(f"{base}/healthz", seconds=5)
        took = time.time() - started
        results.append((f"connections: 500 bare and slowloris sockets held (opened in {opened:.1f} s): /healthz answers in {took:.2f} s",
                        healthy and took < 0.5))
        # The server closes them: after the idle timeout each reads end-of-file (or a reset).
        deadline = time.time() + 10
        closed = 0
        for s in sockets:
            s.settimeout(max(0.1, deadline - time.time()))
            try:
                closed += 1 if s.recv(4096) == b"" else 0
            except (ConnectionResetError, BrokenPipeError):
                closed += 1
            except socket.timeout:
                pass
        results.append((f"connections: the server closed {closed} of 500 idle and half-sent sockets within {time.time() - began:.1f} s",
                        closed == 500))
        # A body declared 100,000 bytes long with 200 sent: 408 after the request timeout.
        token = open(f"{work}/conn-data/admin.token").read().strip()
        env = dict(os.environ, VIGIL_COLLECTOR=base, VIGIL_TOKEN=token)
        agent = subprocess.run([f"{BIN}/vigil", "agents", "add", "slow"], env=env, capture_output=True, text=True).stdout.strip()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {agent}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: 100000\r\n\r\n".encode() + b"x" * 200)
        sent = time.time()
        answer = b""
        s.settimeout(0.5)
        while time.time() - sent < 10:
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            except socket.timeout:
                s.sendall(b"x")  # a byte now and then: never enough, never idle
            except OSError:
                break
        results.append((f"connections: a body that does not arrive gets 408 after the request timeout ({answer[:12]!r} in {time.time() - sent:.1f} s)",
                        answer.startswith(b"HTTP/1.1 408") and time.time() - sent < 6))
        _, metrics = request(f"{base}/metrics", token=token)
        refused = re.search(rb'vigil_collector_connections_refused_total\{reason="too_many_connections"\} (\d+)', metrics)
        results.append((f"connections: turned-away connections are counted ({refused.group(1).decode() if refused else 'none'})",
                        bool(refused) and int(refused.group(1)) > 0))
    finally:
        for s in sockets:
            s.close()
        collector.terminate()
        collector.wait(timeout=10)
    return results


if __name__ == "__main__":
    sys.exit(main())
