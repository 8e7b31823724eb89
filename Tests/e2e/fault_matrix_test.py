"""The fault matrix (issue #14): every way an upstream goes wrong, through real processes.

Each row starts its own stack (two `shepherd mock` processes and `shepherd serve` on the quick
policy, 20% relay at the start), breaks one path with a fault scenario the mock reads, drives
keyed traffic through the proxy, and records what the clients saw, what the relay's window
counted, and what the ramp did. The table is printed at the end (pytest -s, or in CI's log).
"""

import json
import time

import pytest

from stack import Stack, Traffic, http, wait_until

ROWS = []


def scenario(work, name, text):
    path = work / f"{name}.yaml"
    path.write_text(f"name: {name}\n{text}")
    return path


class StreamTraffic(Traffic):
    """Clients asking for streams; a stream that ends in an error event counts as a failure."""

    def send(self, worker, n, user):
        answer = self.stack.chat(user, stream=True)
        if answer.status == 200 and (b'"error"' in answer.body or b"data: [DONE]" not in answer.body):
            answer.status = 599
        return answer


def run_row(work, name, *, relay=None, legacy=None, expect_rollback, calls=240, stream=False, serve_args=(),
            healthy_path=True):
    stack = Stack(
        work, relay_scenario=relay and scenario(work, f"relay-{name}", relay),
        legacy_scenario=legacy and scenario(work, f"legacy-{name}", legacy), serve_args=list(serve_args))
    with stack:
        kind = StreamTraffic if stream else Traffic
        with kind(stack, workers=6) as traffic:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                counts = traffic.snapshot()
                phase = stack.status()["state"]["phase"]
                if counts["ok"] + counts["failed"] >= calls and (not expect_rollback or phase == "rolledBack"):
                    break
                time.sleep(0.1)
        counts = traffic.snapshot()
        status = stack.status()
    relay_failures = status["relay"]["failures"]
    row = {
        "row": name,
        "calls": counts["ok"] + counts["failed"],
        "client failures": counts["failed"],
        "fell back": counts["fallback"],
        "relay window": ", ".join(f"{k} {v}" for k, v in sorted(relay_failures.items())) or "none",
        "phase": status["state"]["phase"],
        "rollback expected": "yes" if expect_rollback else "no",
        "failures seen": traffic.failures[:1],
    }
    ROWS.append(row)
    if healthy_path:
        assert counts["failed"] == 0, f"{name}: a client saw a failure though one path was healthy: {traffic.failures}"
    if expect_rollback:
        assert status["state"]["phase"] == "rolledBack", f"{name}: the ramp did not roll back: {status['verdict']}"
    else:
        assert status["state"]["phase"] != "rolledBack", f"{name}: rolled back without cause: {status['verdict']}"
    return row, status


@pytest.fixture
def work(tmp_path):
    return tmp_path


def test_relay_30_percent_5xx(work):
    run_row(work, "relay 30% 5xx", relay="errorRate: {503: 0.3}\n", expect_rollback=True)


def test_relay_outage(work):
    run_row(work, "relay outage", relay="outage: true\noutageStatus: 503\n", expect_rollback=True)


def test_429_storm_with_retry_after(work):
    run_row(work, "429 storm, Retry-After", relay="errorRate: {429: 0.6}\nretryAfter: 2s\n", expect_rollback=True)


def test_latency_spike(work):
    # The quick policy judges no latency (its p95 guards are off): a slow relay is still a working one.
    run_row(work, "latency spike (no guard)", relay="latency: {p50Ms: 300, p95Ms: 800}\n", expect_rollback=False,
            calls=120)


def test_connection_resets(work):
    run_row(work, "connection resets", relay="resetRate: 0.4\n", expect_rollback=True)


@pytest.mark.parametrize("body", ["html", "truncated", "empty"])
def test_relay_garbage(work, body):
    run_row(work, f"relay garbage ({body})", relay=f"malformedRate: 1.0\nmalformedBody: {body}\n",
            expect_rollback=True)


def test_relay_4xx_on_everything(work):
    # Client errors are the caller's and are not failed over: callers on the relay see the 404s
    # until the scorer, comparing both paths' share of 4xx, rolls the relay back.
    row, status = run_row(work, "relay 4xx on everything", relay="errorRate: {404: 1.0}\n", expect_rollback=True,
                          healthy_path=False)
    assert status["verdict"]["reason"]["code"] in ("clientErrorsAboveBaseline",) or status["state"]["phase"] == "rolledBack"


def test_mid_stream_cut(work):
    # A stream is committed to its path once its first chunk reached the caller: a cut after it
    # is the caller's error event (never a silent truncation), and it counts against the relay.
    row, _ = run_row(work, "mid-stream cut", relay="streamCutRate: 0.5\nstreamCutAfterChunks: 2\ncompletionTokens: 20\n",
                     expect_rollback=True, stream=True, calls=160, healthy_path=False)
    assert row["client failures"] > 0 and row["relay window"] != "none"


def test_stalled_stream_before_its_first_chunk_fails_over(work):
    config = work / "serve.yaml"
    config.write_text("relay:\n  readIdleTimeout: 1s\n")
    run_row(work, "stalled stream (before chunk 1)",
            relay="stallRate: 0.5\nstallAfterChunks: 0\nstallDuration: 30s\ncompletionTokens: 10\n",
            expect_rollback=True, stream=True, calls=60, serve_args=["--config", str(config)])


def test_legacy_down_with_the_relay_healthy(work):
    run_row(work, "legacy down, relay healthy", legacy="outage: true\noutageStatus: 503\n", expect_rollback=False,
            calls=120)


def test_both_down_is_a_clear_5xx_naming_what_was_tried(work):
    down = "outage: true\noutageStatus: 503\nretryAfter: none\n"
    stack = Stack(work, relay_scenario=scenario(work, "relay-down", down),
                  legacy_scenario=scenario(work, "legacy-down", down))
    with stack:
        answers = [stack.chat(f"user-{n}") for n in range(20)]
    statuses = {a.status for a in answers}
    assert statuses <= {502, 503}, statuses
    message = json.loads(answers[-1].body)["error"]["message"]
    assert "legacy" in message and "Tried" in message, message
    ROWS.append({"row": "both down", "calls": 20, "client failures": 20, "fell back": 0,
                 "relay window": "-", "phase": "-", "rollback expected": "-",
                 "failures seen": [(sorted(statuses), message[:90])]})


def test_a_40_second_answer_is_answered_once(work):
    stack = Stack(work, relay_scenario=scenario(work, "slow-relay", "latency: 40s\n"))
    with stack:
        answer = stack.admin("POST", "set-percent", {"percent": 100, "reason": "every call to the relay"})
        assert answer.status == 200, answer.body
        started = time.monotonic()
        answer = http("POST", f"{stack.base}/v1/chat/completions",
                      {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], "user": "u"}, timeout=90)
        took = time.monotonic() - started
        stats = http("GET", f"http://127.0.0.1:{stack.relay_port}/mock/stats").json()
    assert answer.status == 200, answer.body
    assert answer.headers.get("x-shepherd-path") == "relay"
    assert stats["requests"] == 1, f"the upstream was asked {stats['requests']} times for one answer"
    ROWS.append({"row": "a 40 s answer", "calls": 1, "client failures": 0, "fell back": 0,
                 "relay window": f"answered in {took:.0f} s, asked {stats['requests']}×", "phase": "-",
                 "rollback expected": "-", "failures seen": []})


def test_zz_print_the_matrix(capsys):
    """Prints the table of every row run in this module (named to run last), into CI's log too."""
    assert ROWS, "no row ran"
    columns = ["row", "calls", "client failures", "fell back", "relay window", "phase", "rollback expected"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in ROWS)) for c in columns}
    with capsys.disabled():
        print("\n[fault matrix]")
        print(" | ".join(c.ljust(widths[c]) for c in columns))
        for row in ROWS:
            print(" | ".join(str(row[c]).ljust(widths[c]) for c in columns))
