"""Shadow comparison before the first step and a guarded bake after the last (issue #16).

Each test starts its own stack (Tests/e2e/stack.py) on Tests/e2e/fixtures/shadow-policy.yaml:
half of the calls legacy answers are also sent to the relay and compared; 40 pairs at 80%
agreement end the shadow phase; the top of the ladder bakes 2 s with 5% held back on legacy.
The mocks answer with the prompt (`answerText: echo`, fixtures/echo.yaml) or with a fixed
refusal (fixtures/refuses.yaml).
"""

import os
import subprocess

import pytest

from stack import ADMIN_TOKEN, BIN, FIXTURES, Stack, Traffic, http, wait_until

POLICY = FIXTURES / "shadow-policy.yaml"


def relay_requests(stack):
    return http("GET", f"http://127.0.0.1:{stack.relay_port}/mock/stats").json()["requests"]


def test_disagreeing_upstreams_hold_the_shadow_phase_and_no_client_answer_comes_from_the_relay(work):
    with Stack(work, policy=POLICY, legacy_scenario=FIXTURES / "echo.yaml", relay_scenario=FIXTURES / "refuses.yaml") as stack:
        paths, texts, ids = set(), set(), set()
        for i in range(120):
            answer = stack.chat(f"user-{i}")
            assert answer.status == 200, answer.body
            paths.add(answer.headers.get("x-shepherd-path"))
            ids.add(answer.headers.get("x-request-id"))
            texts.add(answer.json()["choices"][0]["message"]["content"].strip())
        status = wait_until(
            "the shadow pairs to be compared",
            lambda: (s := stack.status()).get("shadow", {}).get("pairs", 0) >= 40 and s,
            timeout=30,
        )
        shadowed = relay_requests(stack)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")}
        env.update(SHEPHERD_URL=stack.base, SHEPHERD_ADMIN_TOKEN=ADMIN_TOKEN, NO_COLOR="1")
        printed = subprocess.run([BIN, "status"], env=env, capture_output=True, text=True, timeout=30).stdout
    assert "phase: shadowing   percent: 0% (shadowing: legacy answers every call)" in printed, printed
    assert "shadow verdict: holding: " in printed and "shadow differs: text in " in printed, printed
    assert "shadow answers: output tokens legacy " in printed, printed
    assert paths == {"legacy"}, "a shadowing rollout answers every client from legacy"
    assert texts == {"hello"}, "clients got legacy's answer (the echo), never the relay's refusal"
    # Binomial(120, 0.5): 60 ± 5.5; 35..85 is beyond four standard deviations either way.
    assert 35 <= shadowed <= 85, f"{shadowed} of 120 calls shadowed at sampleRate 0.5"
    assert status["state"]["phase"] == "shadowing"
    shadow = status["shadow"]
    assert not shadow["passed"]
    assert shadow["worst"][0]["check"] == "text", shadow
    assert "text" in shadow["summary"]
    assert "exampleTexts" not in shadow["worst"][0], "no answer text without keepExamples"
    # The example is a client request's id, as the client got it in x-request-id.
    assert shadow["worst"][0]["exampleRequestID"] in ids, shadow["worst"][0]


def test_agreeing_upstreams_end_the_shadow_phase_and_the_first_step_begins(work):
    with Stack(work, policy=POLICY, legacy_scenario=FIXTURES / "echo.yaml", relay_scenario=FIXTURES / "echo.yaml") as stack:
        assert stack.status()["state"]["phase"] == "shadowing"
        with Traffic(stack):
            status = wait_until(
                "the first step after the shadow phase",
                lambda: (s := stack.status())["state"]["phase"] == "ramping" and s,
                timeout=60,
            )
        events = stack.events()
    assert status["state"]["percent"] == 20
    kinds = [e["event"]["reason"]["kind"] for e in events]
    assert "shadowPassed" in kinds, kinds


def test_the_spend_cap_stops_shadowing(work):
    # A mock answer to "hello" costs about $0.00001 at gpt-4.1's list price: $0.0002 is a handful.
    capped = work / "capped-policy.yaml"
    capped.write_text(POLICY.read_text().replace("maxSpendPerHour: null", "maxSpendPerHour: 0.0002"))
    with Stack(work, policy=capped, legacy_scenario=FIXTURES / "echo.yaml", relay_scenario=FIXTURES / "echo.yaml") as stack:
        for i in range(200):
            assert stack.chat(f"user-{i}").status == 200
        status = wait_until("the cap to pause shadowing", lambda: (s := stack.status())["shadow"]["pausedForSpend"] and s)
        # Every shadow call sent before the cap was reached has come back and been compared.
        wait_until("the last shadow calls", lambda: relay_requests(stack) == stack.status()["shadow"]["pairs"])
        before = relay_requests(stack)
        for i in range(100):
            assert stack.chat(f"more-{i}").status == 200
        after = relay_requests(stack)
    assert after == before, f"{after - before} shadow calls past the cap"
    assert before < 100, f"{before} shadow calls of about 100 sampled"
    assert status["shadow"]["spendLastHour"] >= 0.0002
    assert "spend cap" in status["shadow"]["summary"]
    assert status["state"]["phase"] == "shadowing"


def test_a_clean_bake_ends_promoted_and_a_regression_during_the_bake_rolls_back(work):
    with Stack(work, policy=POLICY, legacy_scenario=FIXTURES / "echo.yaml", relay_scenario=FIXTURES / "echo.yaml") as stack:
        with Traffic(stack) as traffic:
            status = wait_until("the bake", lambda: (s := stack.status())["state"]["phase"] == "baking" and s, timeout=90)
            assert status["state"]["percent"] == 95, "the holdback keeps 5% on legacy"
            assert status["bake"]["holdback"] == 5
            wait_until("promotion after the bake", lambda: stack.status()["state"]["phase"] == "promoted", timeout=30)
            assert traffic.snapshot()["failed"] == 0
    (work / "again").mkdir()
    with Stack(work / "again", policy=POLICY, legacy_scenario=FIXTURES / "echo.yaml", relay_scenario=FIXTURES / "echo.yaml") as stack:
        with Traffic(stack):
            wait_until("the bake", lambda: stack.status()["state"]["phase"] == "baking", timeout=90)
            stack.set_relay_scenario(FIXTURES / "outage.yaml")
            status = wait_until("a rollback during the bake", lambda: (s := stack.status())["state"]["phase"] == "rolledBack" and s, timeout=30)
        events = stack.events()
    assert status["state"]["percent"] == 0
    phases = [(e["event"]["from"], e["event"]["to"]) for e in events]
    assert ("baking", "rolledBack") in phases, phases


@pytest.fixture
def work(tmp_path):
    return tmp_path
