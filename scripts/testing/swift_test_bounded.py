#!/usr/bin/env python3
"""Runs the Swift Testing suites as `swift test --skip-build ARGS...` does, with a time limit, for scripts/test.

A test that never ends would otherwise hold CI until its hard limit (it did: a PostgreSQL call that
missed its cancellation kept the suite waiting for 90 minutes with nothing printed). Past the limit the
run is killed and the tests that started and did not finish are named, so the failure says where to
look. The output is swift test's own, less the verbose "started" lines this script uses to keep count.

usage: swift_test_bounded.py SECONDS [swift test arguments...]
"""
import collections
import os
import re
import signal
import subprocess
import sys
import threading

STARTED = re.compile(r'^◇ Test (?:case passing .*? to )?"(.*?)"(?: \(aka .*?\))? started\.$')
ENDED = re.compile(r'^[✔✘] Test (?:case passing .*? to )?"(.*?)"(?: \(aka .*?\))? (?:with \d+ test cases? )?(?:passed|failed)')
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    limit = float(sys.argv[1])
    # The built test bundle is run directly, as swift test runs it: swift test would pass its output on
    # through a buffered stdout (a killed run lost the very lines that say what was running), and its
    # own --verbose prints every manifest compilation. Line-buffered for the same reason.
    binaries = subprocess.run(["swift", "build", "--show-bin-path"], capture_output=True, text=True, check=True).stdout.strip()
    bundles = [name for name in os.listdir(binaries) if name.endswith("PackageTests.xctest")]
    if len(bundles) != 1:
        print(f"expected one test bundle in {binaries}, found {bundles}: run swift build --build-tests first", file=sys.stderr)
        return 2
    command = ["stdbuf", "-oL", "-eL", os.path.join(binaries, bundles[0]), "--testing-library", "swift-testing", "--verbose", *sys.argv[2:]]
    running: collections.Counter[str] = collections.Counter()
    environment = dict(os.environ, NO_COLOR="1")
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True, errors="replace",
        env=environment,
    )
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(limit, stop)
    timer.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            text = ANSI.sub("", line.rstrip("\n"))
            if (match := STARTED.match(text)) is not None:
                running[match.group(1)] += 1
                continue
            if text.startswith("◇ ") and not text.startswith("◇ Test run started"):
                continue
            if (match := ENDED.match(text)) is not None:
                running[match.group(1)] -= 1
            sys.stdout.write(line)
            sys.stdout.flush()
        code = process.wait()
    finally:
        timer.cancel()
    unfinished = sorted(name for name, count in running.items() if count > 0)
    if timed_out.is_set():
        print(f"\nswift test {' '.join(sys.argv[2:])}: killed after {limit:.0f} s; still running:", flush=True)
    elif code != 0 and unfinished:
        print(f"\nswift test {' '.join(sys.argv[2:])}: the test process ended with status {code} while these ran:", flush=True)
    for name in unfinished if timed_out.is_set() or code != 0 else []:
        print(f"  - {name}", flush=True)
    return 124 if timed_out.is_set() else code


if __name__ == "__main__":
    sys.exit(main())
