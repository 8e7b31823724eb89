"""Several `shepherd serve` replicas, one rollout, one PostgreSQL database (issue #12).

Three real replicas on a schema of their own in the test server (.ci/postgres.sh start exports
SHEPHERD_TEST_POSTGRES_URL and SHEPHERD_TEST_POSTGRES_PASSWORD), two mocks, and traffic spread
across the replicas. Without a server the module is skipped locally and fails in CI.
"""

import os
import re
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from stack import ADMIN_TOKEN, BIN, FIXTURES, Process, Traffic, free_port, http, wait_until

URL = os.environ.get("SHEPHERD_TEST_POSTGRES_URL")
PASSWORD = os.environ.get("SHEPHERD_TEST_POSTGRES_PASSWORD", "")
if not URL:
    if os.environ.get("CI"):
        raise RuntimeError("CI is set but SHEPHERD_TEST_POSTGRES_URL is not: .ci/run must start PostgreSQL")
    pytest.skip("no PostgreSQL test server (run .ci/postgres.sh start)", allow_module_level=True)


class Fleet:
    """Two mocks and N replicas on one schema; a context manager that stops everything."""

    def __init__(self, work, replicas=3, policy=FIXTURES / "fleet-policy.yaml"):
        self.work = work
        self.count = replicas
        self.policy = policy
        self.schema = "e2e_" + uuid.uuid4().hex[:12]
        self.processes = []
        self.replicas = []

    def __enter__(self):
        self.legacy_port, self.relay_port = free_port(), free_port()
        self._mock("legacy", self.legacy_port, "anthropic", 1)
        self._mock("relay", self.relay_port, "openai", 2)
        for index in range(self.count):
            self.start_replica(index)
        return self

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            if process.alive():
                try:
                    os.kill(process.handle.pid, signal.SIGCONT)
                except OSError:
                    pass
            process.stop(signal.SIGKILL if exc[0] else signal.SIGTERM)
        if exc[0]:
            for process in self.processes:
                print(f"---- {process.name}\n{process.output()[-4000:]}")
        return False

    def _env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")}
        env.update(extra or {})
        return env

    def _mock(self, name, port, flavor, seed):
        args = [BIN, "mock", "--host", "127.0.0.1", "--port", str(port), "--flavor", flavor, "--seed", str(seed)]
        process = Process(f"mock-{name}", args, self.work, self._env(), self.work / f"mock-{name}.log")
        self.processes.append(process)
        wait_until(f"mock {name}", lambda: _ok(f"http://127.0.0.1:{port}/mock/stats"))

    def start_replica(self, index):
        port = free_port()
        name = f"replica-{index}"
        args = [
            BIN, "serve", "--listen", f"127.0.0.1:{port}",
            "--legacy-url", f"http://127.0.0.1:{self.legacy_port}", "--legacy-flavor", "anthropic",
            "--relay-url", f"http://127.0.0.1:{self.relay_port}/v1", "--relay-flavor", "openai",
            "--policy", str(self.policy), "--state", f"{URL}?schema={self.schema}", "--replica-id", name,
        ]
        env = self._env({"SHEPHERD_ADMIN_TOKEN": ADMIN_TOKEN, "SHEPHERD_POSTGRES_PASSWORD": PASSWORD})
        process = Process(name, args, self.work, env, self.work / f"{name}.log")
        process.port = port
        process.replica = name
        self.processes.append(process)
        if index < len(self.replicas):
            self.replicas[index] = process
        else:
            self.replicas.append(process)
        wait_until(f"{name} ready", lambda: _ok(f"http://127.0.0.1:{port}/readyz"))
        return process

    def base(self, replica):
        return f"http://127.0.0.1:{replica.port}"

    def admin(self, replica, method, path, body=None):
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        body = body if body is not None else ({} if method == "POST" else None)
        return http(method, f"{self.base(replica)}/admin/{path}", body, headers)

    def status(self, replica):
        answer = self.admin(replica, "GET", "status")
        assert answer.status == 200, answer.body
        return answer.json()

    def metrics(self, replica):
        return http("GET", f"{self.base(replica)}/metrics").body.decode()

    def live(self):
        return [r for r in self.replicas if r.alive()]


def _ok(url):
    try:
        return http("GET", url, timeout=1).status == 200
    except OSError:
        return False


def metric(text, name):
    match = re.search(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+-]+)$", text, re.M)
    return float(match.group(1)) if match else None


class SpreadTraffic(Traffic):
    """Keyed clients sending completions round-robin to the replicas that run (stack.Traffic's counts)."""

    def __init__(self, fleet, workers=6, pause=0.0):
        super().__init__(fleet, workers=workers, users=400)
        self.fleet = fleet
        # A pause after each call paces the load (calls per second) whatever the proxy's speed.
        self.pause = pause

    def send(self, worker, n, user):
        if self.pause:
            time.sleep(self.pause)
        live = [r for r in self.fleet.replicas if r.alive() and not getattr(r, "stopped", False)]
        if not live:
            time.sleep(0.05)
            return None
        replica = live[(worker + n) % len(live)]
        body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], "user": user}
        try:
            return http("POST", f"{self.fleet.base(replica)}/v1/chat/completions", body, timeout=10)
        except OSError:
            # A replica the test killed or stopped mid-request: the load balancer's problem, not Shepherd's.
            if not replica.alive() or getattr(replica, "stopped", False):
                return None
            raise


def versions_agree(fleet):
    statuses = [fleet.status(r) for r in fleet.live()]
    return len({s["version"] for s in statuses}) == 1 and statuses


def evaluator(fleet):
    for replica in fleet.live():
        if not getattr(replica, "stopped", False) and fleet.status(replica)["fleet"]["isEvaluator"]:
            return replica
    return None


@pytest.fixture
def work(tmp_path):
    return tmp_path


def test_three_replicas_walk_up_the_ladder_once_on_their_summed_health(work):
    with Fleet(work) as fleet, SpreadTraffic(fleet) as traffic:
        wait_until("promotion", lambda: fleet.status(fleet.replicas[0])["state"]["phase"] == "promoted", timeout=90)
        events = fleet.admin(fleet.replicas[1], "GET", "events?limit=1000").json()["events"]
        versions = [e["version"] for e in events]
        assert versions == sorted(set(versions)), versions
        steps = [(e["event"]["fromPercent"], e["event"]["toPercent"]) for e in events]
        assert len(steps) == len(set(steps)), f"a step was committed twice: {steps}"
        assert [e["event"]["toPercent"] for e in events] == [20, 40, 80, 100]
        # Every replica serves the same version within 3 s.
        wait_until("every replica at the same version", lambda: versions_agree(fleet), timeout=3)
        status = fleet.status(fleet.replicas[2])
        assert len(status["fleet"]["replicas"]) == 3
        assert sum(1 for r in fleet.replicas if fleet.status(r)["fleet"]["isEvaluator"]) == 1
        counts = traffic.snapshot()
        assert counts["failed"] == 0, traffic.failures
        assert counts["relay"] > 0


def test_the_admin_switch_on_one_replica_sends_every_replica_to_legacy(work):
    with Fleet(work) as fleet:
        wait_until("synced", lambda: all(fleet.status(r)["effectivePercent"] == 20 for r in fleet.replicas), timeout=10)
        engaged_at = time.monotonic()
        answer = fleet.admin(fleet.replicas[0], "POST", "rollback-switch", {"engaged": True, "reason": "e2e incident"})
        assert answer.status == 200, answer.body
        wait_until("every replica at 0%", lambda: all(fleet.status(r)["effectivePercent"] == 0 for r in fleet.replicas), timeout=3)
        assert time.monotonic() - engaged_at < 3
        for replica in fleet.replicas:
            assert fleet.status(replica)["rollbackSources"].get("override") == "e2e incident"
        answer = fleet.admin(fleet.replicas[2], "POST", "rollback-switch", {"engaged": False})
        assert answer.status == 200, answer.body
        wait_until("released everywhere", lambda: all(fleet.status(r)["effectivePercent"] == 20 for r in fleet.replicas), timeout=3)


def test_promote_and_pause_at_the_same_moment_on_two_replicas_are_both_applied(work):
    with Fleet(work) as fleet:
        wait_until("synced", lambda: all(fleet.status(r)["effectivePercent"] == 20 for r in fleet.replicas), timeout=10)
        with ThreadPoolExecutor(2) as pool:
            promote = pool.submit(fleet.admin, fleet.replicas[0], "POST", "promote", {"reason": "e2e promote"})
            pause = pool.submit(fleet.admin, fleet.replicas[1], "POST", "pause", {"reason": "e2e pause"})
            answers = [promote.result(), pause.result()]
        events = fleet.admin(fleet.replicas[2], "GET", "events?limit=100").json()["events"]
        kinds = [e["event"]["reason"]["kind"] for e in events]
        # One after the other, on what the other stored: promote then pause both land; a pause that
        # won the race makes the promote a 409 that names the paused phase (never a lost update).
        if answers[0].status == 200:
            assert answers[1].status == 200, answers[1].body
            assert kinds[-2:] == ["manualPromote", "manualPause"], kinds
            assert events[-1]["event"]["toPercent"] == 40
        else:
            assert answers[0].status == 409 and b"paused" in answers[0].body, answers[0].body
            assert kinds[-1] == "manualPause", kinds
        versions = [e["version"] for e in events]
        assert versions == sorted(set(versions))


def test_kill_9_of_the_evaluator_hands_the_lease_to_another_replica(work):
    with Fleet(work) as fleet:
        first = wait_until("an evaluator", lambda: evaluator(fleet), timeout=20)
        killed_at = time.monotonic()
        first.handle.send_signal(signal.SIGKILL)
        first.handle.wait()
        second = wait_until("another evaluator", lambda: evaluator(fleet), timeout=25)
        takeover = time.monotonic() - killed_at
        print(f"[fleet] takeover after kill -9: {takeover:.1f} s")
        assert second is not first
        assert takeover < 20


def test_a_stopped_evaluator_that_wakes_past_its_lease_has_its_write_refused(work):
    with Fleet(work) as fleet:
        first = wait_until("an evaluator", lambda: evaluator(fleet), timeout=20)
        os.kill(first.handle.pid, signal.SIGSTOP)
        first.stopped = True
        wait_until("another evaluator", lambda: evaluator(fleet), timeout=25)
        os.kill(first.handle.pid, signal.SIGCONT)
        first.stopped = False
        wait_until(
            "the woken replica's refused write",
            lambda: (metric(fleet.metrics(first), "shepherd_store_fenced_writes_total") or 0) >= 1,
            timeout=10,
        )
        assert sum(1 for r in fleet.replicas if fleet.status(r)["fleet"]["isEvaluator"]) == 1
        assert not fleet.status(first)["fleet"]["isEvaluator"]


def test_postgres_down_for_ten_seconds_freezes_the_percent_and_fails_no_client(work):
    pgbin, pgdata = os.environ.get("SHEPHERD_TEST_PGBIN"), os.environ.get("SHEPHERD_TEST_PGDATA")
    if not (pgbin and pgdata):
        pytest.skip("needs SHEPHERD_TEST_PGBIN and SHEPHERD_TEST_PGDATA to stop the server")

    def pg_ctl(*args):
        subprocess.run(["runuser", "-u", "postgres", "--", f"{pgbin}/pg_ctl", "-D", pgdata, *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with Fleet(work) as fleet, SpreadTraffic(fleet) as traffic:
        wait_until("a first step", lambda: fleet.status(fleet.replicas[0])["state"]["percent"] >= 40, timeout=60)
        pg_ctl("-m", "immediate", "stop")
        try:
            frozen = [fleet.status(r)["effectivePercent"] for r in fleet.replicas]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                for replica, percent in zip(fleet.replicas, frozen):
                    assert http("GET", f"{fleet.base(replica)}/readyz").status == 200
                    assert fleet.status(replica)["effectivePercent"] <= percent
                time.sleep(0.5)
            assert metric(fleet.metrics(fleet.replicas[0]), "shepherd_store_reachable") == 0
        finally:
            pg_ctl("-w", "-l", f"{os.path.dirname(pgdata)}/server.log", "start")
        wait_until("the ramp resumes", lambda: fleet.status(fleet.replicas[1])["state"]["phase"] == "promoted", timeout=90)
        counts = traffic.snapshot()
        assert counts["failed"] == 0, traffic.failures


def test_a_relay_outage_rolls_back_all_three_with_no_client_visible_failure(work):
    with Fleet(work) as fleet, SpreadTraffic(fleet) as traffic:
        wait_until("a first step", lambda: fleet.status(fleet.replicas[0])["state"]["percent"] >= 40, timeout=60)
        answer = http("PUT", f"http://127.0.0.1:{fleet.relay_port}/mock/scenario", (FIXTURES / "outage.yaml").read_bytes())
        assert answer.status == 200, answer.body
        wait_until(
            "every replica rolled back",
            lambda: all(fleet.status(r)["state"]["phase"] == "rolledBack" for r in fleet.replicas)
            and all(fleet.status(r)["effectivePercent"] == 0 for r in fleet.replicas),
            timeout=30,
        )
        events = fleet.admin(fleet.replicas[0], "GET", "events?limit=100").json()["events"]
        assert [e["event"]["to"] for e in events].count("rolledBack") == 1
        counts = traffic.snapshot()
        assert counts["failed"] == 0, traffic.failures


def test_each_replica_alone_is_short_of_samples_but_their_sum_advances_the_ramp(work):
    # Paced traffic: 3 clients at 10 calls a second, about 2 relay calls per replica per second at
    # 20%; the policy needs 40 judged relay calls in the window and 60 in the step, which only the
    # sum of the three reaches before the step (an unpaced load made it a race with the proxy's speed).
    with Fleet(work) as fleet, SpreadTraffic(fleet, workers=3, pause=0.1) as traffic:
        wait_until("the second step", lambda: fleet.status(fleet.replicas[0])["state"]["percent"] >= 40, timeout=60)
        # Each replica's relay calls since it started: at least what it had in the window.
        local = [
            sum(int(v) for v in re.findall(
                r'^shepherd_requests_total\{[^}]*path="relay"[^}]*\} (\d+)', fleet.metrics(r), re.M))
            for r in fleet.replicas
        ]
        first = fleet.admin(fleet.replicas[0], "GET", "events?limit=10").json()["events"][1]
        evaluations = fleet.admin(fleet.replicas[0], "GET", "history?limit=1000").json()["evaluations"]
        decisive = [e for e in evaluations if e["decision"] == "transition"][0]
        judged = decisive["relay"]["successes"]
        print(f"[fleet] relay calls per replica {local}, judged by the evaluator {judged}")
        assert first["event"]["toPercent"] == 40
        # No replica ever served as many relay calls as the evaluator judged: it judged the sum.
        assert max(local) < judged, (local, judged)
        assert max(local) < 60, f"a replica alone reached the step's 60 relay calls: {local}"
        counts = traffic.snapshot()
        assert counts["failed"] == 0, traffic.failures
