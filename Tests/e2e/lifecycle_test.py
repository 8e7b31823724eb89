"""The rollout's life through real processes (issue #5): ramp, rollback, switches, restart, SIGTERM.

Each test starts its own stack (Tests/e2e/stack.py): two `shepherd mock` processes and a
`shepherd serve` on the quick policy (Tests/e2e/fixtures/quick-policy.yaml: 20 → 40 → 80 → 100 %,
judged every 500 ms), and drives it with real HTTP from synthetic clients.
"""

import signal
import socket
import time

import openai
import pytest

from stack import FIXTURES, Stack, Traffic, http, wait_until


@pytest.fixture
def work(tmp_path):
    return tmp_path


def phase(stack):
    return stack.status()["state"]["phase"]


def test_ramp_advances_to_promotion_under_healthy_traffic(work):
    with Stack(work) as stack, Traffic(stack) as traffic:
        status = wait_until("promotion to 100%", lambda: (s := stack.status())["state"]["phase"] == "promoted" and s, timeout=60)
        counts = traffic.snapshot()
        events = [e["event"] for e in stack.events()]
    assert status["state"]["percent"] == 100
    kinds = [e["reason"]["kind"] for e in events]
    assert kinds == ["started", "stepAdvanced", "stepAdvanced", "promoted"], kinds
    percents = [e["toPercent"] for e in events]
    assert percents == sorted(percents), f"the ramp only moved up: {percents}"
    assert counts["failed"] == 0, traffic.failures
    assert counts["relay"] > 0 and counts["legacy"] > 0


def test_relay_outage_rolls_back_with_no_client_visible_failure(work):
    with Stack(work) as stack, Traffic(stack) as traffic:
        wait_until("the ramp to pass its first step", lambda: stack.status()["state"]["percent"] >= 40, timeout=60)
        stack.set_relay_scenario(FIXTURES / "outage.yaml")
        status = wait_until("the rollback", lambda: (s := stack.status())["state"]["phase"] == "rolledBack" and s, timeout=30)
        before = traffic.snapshot()
        # Rolled back: every request goes to legacy now.
        wait_until("more traffic after the rollback", lambda: traffic.snapshot()["ok"] > before["ok"] + 50, timeout=30)
        after = traffic.snapshot()
        events = [e["event"] for e in stack.events()]
    assert status["effectivePercent"] == 0
    rollback = [e for e in events if e["to"] == "rolledBack"]
    assert len(rollback) == 1
    assert rollback[0]["reason"]["kind"] in {"rolledBackOnFailure", "rolledBackAfterFailedChecks"}, rollback[0]
    assert rollback[0]["reason"]["verdict"]["code"], "the rollback carries the scorer's reason"
    assert after["failed"] == 0, f"clients saw failures: {traffic.failures}"
    assert after["fallback"] > 0, "relay failures were answered by legacy"
    assert after["relay"] == before["relay"], "no request reached the relay after the rollback"


def test_rollback_variable_sends_everything_to_legacy(work):
    with Stack(work, serve_env={"SHEPHERD_ROLLBACK": "1"}) as stack:
        status = stack.status()
        paths = {stack.chat(f"user-{i}").headers["x-shepherd-path"] for i in range(40)}
    assert status["rollbackEngaged"] is True
    assert "environment" in status["rollbackSources"]
    assert status["effectivePercent"] == 0
    assert paths == {"legacy"}


def test_a_bad_rollback_value_fails_safe_and_says_so(work):
    with Stack(work, serve_env={"SHEPHERD_ROLLBACK": "perhaps"}) as stack:
        status = stack.status()
        log = stack.serve.output()
    assert status["rollbackEngaged"] is True
    assert status["rollbackError"] and "perhaps" in status["rollbackError"]
    assert "SHEPHERD_ROLLBACK" in log


def test_flag_file_engages_and_releases_the_switch_live(work):
    flag = work / "rollback.flag"
    with Stack(work, serve_args=["--rollback-flag-file", str(flag)]) as stack:
        assert stack.status()["rollbackEngaged"] is False
        flag.write_text("relay paging us\n")
        status = wait_until("the flag file to engage the switch", lambda: (s := stack.status())["rollbackEngaged"] and s)
        paths = {stack.chat(f"user-{i}").headers["x-shepherd-path"] for i in range(40)}
        flag.unlink()
        wait_until("the switch to release", lambda: not stack.status()["rollbackEngaged"])
    assert "flagFile" in status["rollbackSources"]
    assert paths == {"legacy"}


def test_a_restart_resumes_at_the_stored_percent(work):
    with Stack(work) as stack:
        answer = stack.admin("POST", "percent", {"percent": 40, "reason": "e2e restart"})
        assert answer.status == 200, answer.body
        assert stack.serve.stop(signal.SIGTERM) == 0
        stack.start_serve()
        status = stack.status()
        log = stack.serve.output()
        kinds = [e["event"]["reason"]["kind"] for e in stack.events()]
    assert status["state"]["phase"] == "ramping"
    assert status["state"]["percent"] == 40
    assert "resumed rollout e2e-quick at 40%" in log
    assert kinds.count("started") == 1, "the restart resumed instead of starting again"


def test_sigterm_during_a_stream_lets_it_finish(work):
    with Stack(work, relay_scenario=FIXTURES / "slow-stream.yaml", legacy_scenario=FIXTURES / "slow-stream.yaml") as stack:
        client = openai.OpenAI(base_url=f"{stack.base}/v1", api_key="unused", max_retries=0, timeout=30)
        stream = client.chat.completions.create(
            model="gpt-4.1", messages=[{"role": "user", "content": "hello"}], user="streamer", stream=True
        )
        chunks = iter(stream)
        first = next(chunks)
        stack.serve.handle.send_signal(signal.SIGTERM)
        # While the stream drains, the server stops taking new connections.
        wait_until("the listener to close", lambda: _refused(stack), timeout=10)
        rest = list(chunks)
        code = stack.serve.handle.wait(20)
    text = "".join(c.choices[0].delta.content or "" for c in [first, *rest] if c.choices)
    finishes = [c.choices[0].finish_reason for c in rest if c.choices and c.choices[0].finish_reason]
    assert len(rest) >= 20, f"the stream went on after SIGTERM ({len(rest)} more chunks)"
    assert finishes == ["stop"]
    assert text.strip()
    assert code == 0


def test_sigterm_does_not_wait_for_a_client_stuck_mid_upload(work):
    # The grace period is 30 s; a client that sent the head and part of the body, then nothing,
    # used to hold the shutdown for all of it. Its request was never sent upstream: it gets a 503
    # and the server exits at once.
    with Stack(work) as stack:
        stuck = socket.create_connection(("127.0.0.1", stack.proxy_port))
        # A whole request first, on the same connection, so the server is reading this one.
        stuck.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert stuck.recv(4096).startswith(b"HTTP/1.1 200")
        stuck.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"model\":"
        )
        started = time.monotonic()
        stack.serve.handle.send_signal(signal.SIGTERM)
        code = stack.serve.handle.wait(10)
        elapsed = time.monotonic() - started
        stuck.settimeout(5)
        answer = b""
        try:
            while chunk := stuck.recv(4096):
                answer += chunk
        except ConnectionResetError:
            # Closed with the partial body still unread in the server's socket buffer: the kernel
            # resets rather than ends the connection. That is the "no answer" case below, or the
            # end of the answer when the reset came after it.
            pass
    print(f"SIGTERM with a stuck upload: exited in {elapsed:.2f} s (grace period 30 s)")
    assert code == 0
    assert elapsed < 10
    # Nothing tells the test when the server has read the head of the stuck request; if the
    # signal came first, the connection is closed with no answer. If it answered, it is the 503.
    if answer:
        assert answer.startswith(b"HTTP/1.1 503"), answer
        assert b"shutting_down" in answer and b"nothing was sent upstream" in answer


def _refused(stack):
    try:
        http("GET", f"{stack.base}/healthz", timeout=1)
        return False
    except OSError:
        return True


def test_a_tier_moves_a_rate_limited_model_down_its_chain_for_the_official_client(work):
    """`x-shepherd-tier` through the unchanged openai client: the relay answers with the next model."""
    with Stack(work) as stack:
        answer = stack.admin("POST", "percent", {"percent": 100, "reason": "e2e: all to the relay"})
        assert answer.status == 200, answer.body
        stack.set_relay_scenario(FIXTURES / "busy-gpt41.yaml")
        with openai.OpenAI(base_url=f"{stack.base}/v1", api_key="unused", max_retries=0, timeout=30) as client:
            raw = client.chat.completions.with_raw_response.create(
                model="gpt-4.1", messages=[{"role": "user", "content": "hello"}], user="tier-user",
                extra_headers={"x-shepherd-tier": "critical"})
            completion = raw.parse()
            assert raw.headers["x-shepherd-path"] == "relay"
            assert raw.headers["x-shepherd-model"] == "claude-sonnet-4.5"
            assert completion.model == "claude-sonnet-4.5"
            assert completion.choices[0].message.content

            with pytest.raises(openai.BadRequestError) as refused:
                client.chat.completions.create(
                    model="gpt-4.1", messages=[{"role": "user", "content": "hello"}],
                    extra_headers={"x-shepherd-tier": "platinum"})
            assert refused.value.status_code == 400
            assert refused.value.body["param"] == "x-shepherd-tier"
            assert "critical" in refused.value.body["message"]

        metrics = http("GET", f"{stack.base}/metrics")
        assert 'shepherd_model_fallbacks_total{tier="critical"} 1' in metrics.body.decode()


def _serve(work, *args, env=None):
    """Runs `shepherd serve` to completion (for the cases that must stop at once) and returns it."""
    import os
    import subprocess

    from stack import BIN

    return subprocess.run(
        [BIN, "serve", "--legacy-url", "http://127.0.0.1:9", "--relay-url", "http://127.0.0.1:9/v1",
         "--policy", str(FIXTURES / "quick-policy.yaml"), *args],
        cwd=work, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")} | (env or {}))


def test_serve_that_cannot_bind_exits_non_zero_and_says_why(work):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve(work, "--listen", f"127.0.0.1:{port}", "--state", str(work / "state.sqlite"))
    assert result.returncode != 0, result.stderr
    assert "Address already in use" in result.stderr


def test_a_second_serve_on_the_same_state_file_is_refused(work):
    with Stack(work) as stack:
        result = _serve(work, "--listen", "127.0.0.1:0", "--state", str(stack.state))
        assert result.returncode != 0
        assert "in use by another shepherd process" in result.stderr, result.stderr
        assert "postgres://" in result.stderr
        # The first one is untouched.
        assert stack.status()["state"]["phase"] == "ramping"


def test_check_refuses_a_state_file_whose_folder_does_not_exist(work):
    result = _serve(work, "--check", "--state", str(work / "missing" / "state.sqlite"))
    assert result.returncode != 0, result.stdout
    assert "does not exist" in result.stderr and "missing" in result.stderr, result.stderr
    ok = _serve(work, "--check", "--state", str(work / "state.sqlite"))
    assert ok.returncode == 0, ok.stderr
    assert "configuration ok" in ok.stdout
