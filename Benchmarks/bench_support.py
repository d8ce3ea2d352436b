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


# The agent's wire format (Sources/VigilWire/Schema/vigil.proto), written by hand: a benchmark that stands
# for agents should send what agents send, and the protobuf package is not a test dependency.
_STATUS = {"unknown": 0, "up": 1, "down": 2, "degraded": 3}


def varint(value):
    """An unsigned protobuf varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def zigzag(value):
    return (value << 1) ^ (value >> 63)


def field(number, wire_type, payload):
    """One protobuf field: a varint (wire type 0) or length-delimited bytes (2)."""
    key = varint((number << 3) | wire_type)
    if wire_type == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def _text(number, value):
    return field(number, 2, value.encode()) if value else b""


def _number(number, value):
    return field(number, 0, value) if value else b""


def protobuf_batch(batch):
    """A batch in the JSON shape (`checks`, `heartbeats` with absolute `ts_ms`) as the agent's protobuf body."""
    out = bytearray(_text(1, batch["session_id"]) + _number(2, batch["seq"]) + _text(3, batch.get("agent_version", ""))
                    + _number(4, batch.get("dropped", 0)))
    for check in batch.get("checks", []):
        body = (_number(1, check["id"]) + _text(2, check["name"]) + _text(3, check["service"]) + _text(4, check["kind"])
                + _text(5, check["target"]) + _number(6, check["interval_ms"]) + _number(7, check["timeout_ms"]))
        out += field(5, 2, body)
    beats = batch["heartbeats"]
    base = beats[0]["ts_ms"] if beats else 0
    out += field(7, 0, base & 0xFFFFFFFFFFFFFFFF) if base else b""
    previous = base
    for beat in beats:
        body = (_number(1, beat["check"]) + _number(2, zigzag(beat["ts_ms"] - previous)) + _number(3, _STATUS[beat["status"]])
                + _number(4, beat.get("latency_us", 0)) + _number(5, beat.get("code", 0) & 0xFFFFFFFFFFFFFFFF)
                + _text(6, beat.get("message", "")))
        previous = beat["ts_ms"]
        out += field(6, 2, body)
    return bytes(out)
