#!/usr/bin/env python3
"""Writes the seed corpus: valid batches in every format and encoding (protobuf encoded by hand from
Sources/VigilWire/Schema/vigil.proto), the example configs, and ticket CSV files. The first byte of each
seed selects what the fuzz target does with the rest (see the targets' sources)."""
import gzip, json, os, sys, zlib

here = os.path.dirname(os.path.abspath(__file__))
# The protobuf wire helpers the benchmarks use too.
sys.path.insert(0, os.path.join(here, "..", "Benchmarks"))
from bench_support import field, varint, zigzag  # noqa: E402

def s(text):
    return text.encode()

def protobuf_batch():
    check = (field(1, 0, 1) + field(2, 2, s("api")) + field(3, 2, s("web")) + field(4, 2, s("http"))
             + field(5, 2, s("http://127.0.0.1:8080/health")) + field(6, 0, 10000) + field(7, 0, 5000))
    beats = b""
    for i, status in enumerate([1, 1, 2, 3, 0]):
        beat = field(1, 0, 1) + field(2, 0, zigzag(i * 10000)) + field(3, 0, status) + field(4, 0, 1200 + i) + field(5, 0, 200)
        if status == 2:
            beat += field(6, 2, s("status 503"))
        beats += field(6, 2, beat)
    return (field(1, 2, s("5f0c2a1b")) + field(2, 0, 7) + field(3, 2, s("0.9.0")) + field(4, 0, 3)
            + field(5, 2, check) + beats + field(7, 0, 1_790_000_000_000))

def json_batch():
    return json.dumps({
        "session_id": "5f0c2a1b", "seq": 7, "agent_version": "0.9.0", "dropped": 0,
        "checks": [{"id": 1, "name": "api", "service": "web", "kind": "http", "target": "http://x", "interval_ms": 10000, "timeout_ms": 5000}],
        "heartbeats": [{"check": 1, "ts_ms": 1_790_000_000_000 + i * 10000, "status": st, "latency_us": 900, "code": 200, "message": "ok"}
                       for i, st in enumerate(["up", "down", "degraded", "unknown"])],
    }).encode()

def raw_deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()

def write(folder, name, data):
    path = os.path.join(here, "Corpus", folder, name)
    with open(path, "wb") as f:
        f.write(data)

# FuzzBatch: byte 0 % 3 = identity, deflate (zlib), gzip; (byte 0 / 3) % 2 = protobuf, json.
pb, js = protobuf_batch(), json_batch()
write("batch", "protobuf-identity", bytes([0]) + pb)
write("batch", "protobuf-zlib", bytes([1]) + zlib.compress(pb))
write("batch", "protobuf-gzip", bytes([2]) + gzip.compress(pb))
write("batch", "json-identity", bytes([3]) + js)
write("batch", "json-zlib", bytes([4]) + zlib.compress(js))
write("batch", "json-gzip", bytes([5]) + gzip.compress(js))
write("batch", "protobuf-zlib-small-chunks", bytes([1 + 6 * 3]) + zlib.compress(pb))
write("batch", "zeros-zlib", bytes([1]) + zlib.compress(bytes(1 << 16)))
write("batch", "protobuf-raw-deflate-as-zlib", bytes([1]) + raw_deflate(pb))

# FuzzConfig: odd byte 0 = YAML config, even = CSV.
for name in ["collector.yaml", "agent.yaml"]:
    with open(os.path.join(here, "..", "deploy", name), "rb") as f:
        write("config", name, bytes([1]) + f.read())
write("config", "anchors.yaml", bytes([1]) + b"base: &b {quorum: 2}\nservices:\n  api: *b\n  web: {<<: *b, failure_threshold: 3}\nlist: [1, 2.5, true, null, 10s, \"x\"]\n")
write("config", "tickets.csv", bytes([0]) + b'id,title,priority,created,service\nACC-1,"Site down, again",high,2026-11-01T10:00:00Z,site\nACC-2,"quote "" inside",low,2026-11-01T11:00:00Z,\n')
write("config", "tickets-crlf.csv", bytes([0]) + b"id,title\r\nA,\"multi\r\nline\"\r\nB,x\r\n")
