#!/usr/bin/env python3
"""Benchmarks/fleet-figures.py: the figures of several replicas on one PostgreSQL (issue #12).

Starts real processes on loopback (two `shepherd mock` upstreams and N `shepherd serve` replicas on
a schema of their own in the test PostgreSQL started by `.ci/postgres.sh start`) and measures:

  propagation  an admin command on one replica until every replica's /admin/status shows the new
               version (polled every 20 ms), over several commands;
  takeover     kill -9 of the evaluator until another replica reports holding the lease;
  load         what the replicas cost PostgreSQL: transactions and rows written per second per
               replica, from pg_stat_database over a quiet interval, idle and under traffic.

Usage (from the repository root, with a debug or release build of `shepherd`):

    eval "$(bash .ci/postgres.sh start)"
    SHEPHERD_BIN=$(swift build --show-bin-path)/shepherd python3 Benchmarks/fleet-figures.py [--replicas 3]

It stops everything it started. Figures vary with the machine's load; the takeover is bounded by
the lease (10 s) plus one sync (1 s) by design.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "Tests" / "e2e"))

from stack import http, wait_until  # noqa: E402
from replicas_test import PASSWORD, URL, Fleet, SpreadTraffic, evaluator  # noqa: E402


def pg_counters():
    """Transactions and rows written in the test database so far (every session, not only ours)."""
    query = (
        "SELECT xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted "
        "FROM pg_stat_database WHERE datname = current_database()"
    )
    # pg_stat counters are flushed by each backend at most once a second: read after a pause.
    out = subprocess.run(
        ["psql", URL, "-Atc", query], env={**os.environ, "PGPASSWORD": PASSWORD}, check=True,
        capture_output=True, text=True,
    ).stdout.strip()
    xacts, rows = out.split("|")
    return int(xacts), int(rows)


def load(fleet, seconds, label):
    time.sleep(2)
    x0, r0 = pg_counters()
    start = time.monotonic()
    time.sleep(seconds)
    x1, r1 = pg_counters()
    elapsed = time.monotonic() - start
    n = len(fleet.live())
    # psql's own query is one transaction per reading: subtract it.
    xacts = (x1 - x0 - 1) / elapsed / n
    rows = (r1 - r0) / elapsed / n
    print(f"load ({label}): {xacts:.1f} transactions/s and {rows:.1f} rows written/s per replica ({n} replicas, {elapsed:.0f} s)")
    return xacts, rows


def propagation(fleet, rounds):
    delays = []
    for i in range(rounds):
        source = fleet.replicas[i % len(fleet.replicas)]
        before = fleet.status(source)["version"]
        percent = 30 if i % 2 == 0 else 60
        started = time.monotonic()
        answer = fleet.admin(source, "POST", "set-percent", {"percent": percent, "reason": f"figures round {i}"})
        assert answer.status == 200, answer.body
        target = before + 1
        while not all(fleet.status(r)["version"] >= target for r in fleet.replicas):
            if time.monotonic() - started > 10:
                raise RuntimeError("a replica did not follow within 10 s")
            time.sleep(0.02)
        delays.append(time.monotonic() - started)
    print(
        f"propagation over {rounds} commands: median {statistics.median(delays) * 1000:.0f} ms, "
        f"max {max(delays) * 1000:.0f} ms"
    )
    return delays


def takeover(fleet):
    first = wait_until("an evaluator", lambda: evaluator(fleet), timeout=20)
    killed = time.monotonic()
    first.handle.send_signal(signal.SIGKILL)
    first.handle.wait()
    second = wait_until("another evaluator", lambda: evaluator(fleet), timeout=30, interval=0.05)
    seconds = time.monotonic() - killed
    print(f"takeover after kill -9 of {first.replica}: {seconds:.1f} s (new evaluator {second.replica})")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if not os.environ.get("SHEPHERD_BIN"):
        sys.exit("set SHEPHERD_BIN to the shepherd binary")
    with tempfile.TemporaryDirectory(prefix="shepherd-fleet-") as work:
        with Fleet(Path(work), replicas=args.replicas) as fleet:
            wait_until("synced", lambda: all(fleet.status(r)["version"] >= 1 for r in fleet.replicas), timeout=20)
            load(fleet, args.seconds, "idle")
            with SpreadTraffic(fleet, workers=4):
                load(fleet, args.seconds, "under traffic")
            propagation(fleet, args.rounds)
            takeover(fleet)


if __name__ == "__main__":
    main()
