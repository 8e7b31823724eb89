"""`shepherd demo` runs on its own, shows what it promises, and leaves nothing behind (issue #6)."""

import os
import re
import subprocess
import time

import pytest

from stack import BIN, ROOT


def run_demo(tmp_path, *args, timeout=180):
    """Runs the demo with its temporary files under tmp_path; returns (exit code, output, seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")}
    env["TMPDIR"] = str(tmp_path)
    started = time.monotonic()
    done = subprocess.run(
        [BIN, "demo", *args], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=timeout,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def figure(output, label):
    match = re.search(rf"^\s+{label}\s+([\d,]+)", output, re.M)
    assert match, f"no '{label}' line in the summary:\n{output}"
    return int(match.group(1).replace(",", ""))


def test_relay_outage_demo_rolls_back_with_no_client_visible_failure(tmp_path):
    code, output, seconds = run_demo(tmp_path, "--scenario", "relay-outage")
    assert code == 0, output
    assert seconds < 180, f"the demo took {seconds:.0f} s"
    assert "shepherd demo summary: relay-outage" in output
    assert figure(output, "client-visible failures") == 0, output
    assert figure(output, "failovers") > 0, "the relay's failures were answered by legacy"
    assert figure(output, "requests") > 1000
    assert re.search(r"final state\s+rolledBack at 0%", output), output
    assert re.search(r"→ rolledBack 0% \(rolledBack(OnFailure|AfterFailedChecks)\)", output), output
    assert "result: as expected" in output
    # Plain mode (stdout is not a terminal): no escape codes.
    assert "\x1b[" not in output
    # Everything it started is gone: no temporary files, no listening processes.
    assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())


def test_the_demo_refuses_a_bad_speed_with_a_clear_error(tmp_path):
    code, output, _ = run_demo(tmp_path, "--speed", "0", timeout=30)
    assert code != 0
    assert "--speed must be between 1 and 200" in output
