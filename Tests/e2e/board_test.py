"""The Grafana board (runbooks/grafana/shepherd.json) against a live /metrics (issue #17).

Real traffic first, through a real stack, so that the labelled series exist: calls on both paths,
a stream (time to first token), a relay outage (failovers, errors, a breaker, a rollback). Then
every metric name the board's queries and annotations use must be one `/metrics` serves, and the
board must be importable as it is: JSON, a datasource variable, no hard-coded datasource.
"""

import json
import re

import pytest

from stack import FIXTURES, ROOT, Stack, Traffic, http, wait_until

BOARD = ROOT / "runbooks" / "grafana" / "shepherd.json"


def queried_metrics(board):
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [a["expr"] for a in board["annotations"]["list"] if "expr" in a]
    assert exprs, "the board has queries"
    return exprs, {name for expr in exprs for name in re.findall(r"\bshepherd_[a-z0-9_]+", expr)}


def served_metrics(text):
    return {re.split(r"[{ ]", line, maxsplit=1)[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.fixture
def work(tmp_path):
    return tmp_path


def test_the_board_is_importable_and_queries_only_served_metrics(work):
    board = json.loads(BOARD.read_text())
    exprs, wanted = queried_metrics(board)
    assert {v["name"] for v in board["templating"]["list"]} == {"datasource"}
    for panel in board["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
    titles = " ".join(p["title"] for p in board["panels"]).lower()
    for topic in ("canary percent", "success rate", "p95", "failovers", "breakers", "spend"):
        assert topic in titles, topic
    assert any("shepherd_ramp_transitions_total" in a.get("expr", "") for a in board["annotations"]["list"])

    with Stack(work) as stack:
        with Traffic(stack, workers=4):
            wait_until("calls on both paths", lambda: metric_sum(stack, "shepherd_requests_total", 'path="relay"') >= 5, timeout=60)
            assert stack.chat("board-stream-user", stream=True).status == 200
            stack.set_relay_scenario(FIXTURES / "outage.yaml")
            wait_until("failovers", lambda: metric_sum(stack, "shepherd_fallbacks_total") >= 3, timeout=60)
            # The outage rolls the ramp back at an evaluation: a transition and a health score.
            wait_until("the rollback", lambda: stack.status()["state"]["phase"] == "rolledBack", timeout=60)
        text = http("GET", f"{stack.base}/metrics").body.decode()
    served = served_metrics(text)
    missing = sorted(wanted - served)
    print(f"the board queries {len(wanted)} metrics in {len(exprs)} expressions; /metrics serves {len(served)} series names")
    assert not missing, f"the board queries metrics /metrics does not serve: {missing}"


def metric_sum(stack, name, selector=""):
    text = http("GET", f"{stack.base}/metrics").body.decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in "{ ") and selector in line:
            total += float(line.rsplit(" ", 1)[1])
    return total
