"""A live Shepherd stack for end-to-end tests: two `shepherd mock` processes and `shepherd serve`.

Every process is the real binary (SHEPHERD_BIN, set by Tests/e2e/run.sh) on a free loopback port,
started from a temporary directory so that no ./shepherd.yaml is read. `Stack` stops everything
it started, and the serve process can be stopped and started again on the same state file (a
restart) or sent a signal mid-request.
"""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BIN = os.environ.get("SHEPHERD_BIN", "")
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADMIN_TOKEN = "e2e-admin-token-0123"


_handed_out = set()


def free_port():
    """A loopback port free now and never handed out before in this run.

    A port is only reserved while bound, so two calls could return the same one: a test that
    picks one port for a mock and then another for nginx could get the mock's port twice, and
    one of the two then fails to bind ("Address already in use", seen in CI)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


def http(method, url, body=None, headers=None, timeout=10):
    """One HTTP call with the standard library; HTTP errors are answers, not exceptions."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def wait_until(what, predicate, timeout=30.0, interval=0.05):
    """Polls an external process's observable state (bounded); returns the predicate's last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Process:
    def __init__(self, name, args, cwd, env, log):
        self.name = name
        self.log = log
        self.handle = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self):
        return self.handle.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.alive():
            self.handle.send_signal(sig)
            try:
                self.handle.wait(timeout)
            except subprocess.TimeoutExpired:
                self.handle.kill()
                self.handle.wait()
        return self.handle.returncode

    def output(self):
        return Path(self.log).read_text(errors="replace")


@dataclass
class Stack:
    """Mocks and proxy; use as a context manager."""

    work: Path
    policy: Path = FIXTURES / "quick-policy.yaml"
    relay_scenario: Path | None = None
    legacy_scenario: Path | None = None
    serve_env: dict = field(default_factory=dict)
    serve_args: list = field(default_factory=list)
    # The relay URL serve is given (default: the relay mock over plain HTTP); `{relay_port}` is
    # replaced by the mock's port, for a TLS front (nginx) that forwards to it.
    relay_url: str | None = None
    processes: list = field(default_factory=list)

    def __post_init__(self):
        assert BIN and os.access(BIN, os.X_OK), "SHEPHERD_BIN must point at the shepherd binary (run Tests/e2e/run.sh)"
        self.legacy_port, self.relay_port, self.proxy_port = free_port(), free_port(), free_port()
        self.state = self.work / "state.sqlite"
        self.serve = None
        self.serve_starts = 0

    @property
    def base(self):
        return f"http://127.0.0.1:{self.proxy_port}"

    def __enter__(self):
        self.legacy = self._mock("legacy", self.legacy_port, "anthropic", self.legacy_scenario, seed=1)
        self.relay = self._mock("relay", self.relay_port, "openai", self.relay_scenario, seed=2)
        self.start_serve()
        return self

    def __exit__(self, *exc):
        for process in reversed(self.processes):
            process.stop(signal.SIGKILL if exc[0] else signal.SIGTERM)
        if exc[0]:
            for process in self.processes:
                print(f"---- {process.name} ({process.log})\n{process.output()[-3000:]}")
        return False

    def _mock(self, name, port, flavor, scenario, seed):
        args = [BIN, "mock", "--host", "127.0.0.1", "--port", str(port), "--flavor", flavor, "--seed", str(seed)]
        if scenario:
            args += ["--scenario", str(scenario)]
        process = Process(f"mock-{name}", args, self.work, self._env(), self.work / f"mock-{name}.log")
        self.processes.append(process)
        self._wait_ready(process, f"http://127.0.0.1:{port}/mock/stats")
        return process

    def _env(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")}
        env.update(extra or {})
        return env

    def start_serve(self):
        self.serve_starts += 1
        args = [
            BIN, "serve", "--listen", f"127.0.0.1:{self.proxy_port}",
            "--legacy-url", f"http://127.0.0.1:{self.legacy_port}", "--legacy-flavor", "anthropic",
            "--relay-url", self.relay_url or f"http://127.0.0.1:{self.relay_port}/v1", "--relay-flavor", "openai",
            "--policy", str(self.policy), "--state", str(self.state), *self.serve_args,
        ]
        env = self._env({"SHEPHERD_ADMIN_TOKEN": ADMIN_TOKEN, **self.serve_env})
        self.serve = Process("serve", args, self.work, env, self.work / f"serve-{self.serve_starts}.log")
        self.processes.append(self.serve)
        self._wait_ready(self.serve, f"{self.base}/readyz")
        return self.serve

    def _wait_ready(self, process, url):
        def ready():
            assert process.alive(), f"{process.name} exited during start-up:\n{process.output()[-3000:]}"
            try:
                return http("GET", url, timeout=1).status == 200
            except OSError:
                return False

        wait_until(f"{process.name} at {url}", ready)

    # The proxy's APIs.

    def admin(self, method, path, body=None):
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return http(method, f"{self.base}/admin/{path}", body if body is not None else ({} if method == "POST" else None), headers)

    def status(self):
        answer = self.admin("GET", "status")
        assert answer.status == 200, answer.body
        return answer.json()

    def events(self):
        answer = self.admin("GET", "events?limit=1000")
        assert answer.status == 200, answer.body
        return answer.json()["events"]

    def chat(self, user, stream=False):
        body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hello"}], "user": user}
        if stream:
            body["stream"] = True
        return http("POST", f"{self.base}/v1/chat/completions", body)

    def set_relay_scenario(self, path):
        answer = http("PUT", f"http://127.0.0.1:{self.relay_port}/mock/scenario", Path(path).read_bytes())
        assert answer.status == 200, answer.body


class Traffic:
    """Synthetic clients with routing keys, sending completions until stopped; counts what they saw."""

    def __init__(self, stack, workers=8, users=500):
        self.stack = stack
        self.workers = workers
        self.users = users
        self.lock = threading.Lock()
        self.counts = {"ok": 0, "failed": 0, "relay": 0, "legacy": 0, "fallback": 0}
        self.failures = []
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(workers)

    def __enter__(self):
        for worker in range(self.workers):
            self.pool.submit(self._run, worker)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.pool.shutdown(wait=True)
        return False

    def _run(self, worker):
        n = 0
        while not self.stopping.is_set():
            n += 1
            user = f"user-{(worker * 7919 + n) % self.users}"
            try:
                answer = self.send(worker, n, user)
                if answer is None:
                    continue
                ok = answer.status == 200
                detail = answer.body[:300]
            except OSError as error:
                answer, ok, detail = None, False, str(error)
            with self.lock:
                self.counts["ok" if ok else "failed"] += 1
                if ok:
                    self.counts[answer.headers.get("x-shepherd-path", "?")] = (
                        self.counts.get(answer.headers.get("x-shepherd-path", "?"), 0) + 1
                    )
                    if answer.headers.get("x-shepherd-fallback") == "true":
                        self.counts["fallback"] += 1
                elif len(self.failures) < 5:
                    self.failures.append((answer.status if answer else None, detail))

    def send(self, worker, n, user):
        """One call; `None` when there was nowhere to send it (not counted)."""
        return self.stack.chat(user)

    def snapshot(self):
        with self.lock:
            return dict(self.counts)
