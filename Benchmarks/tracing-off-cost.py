"""CPU time of `shepherd serve` per short-answer call: /proc/PID/stat utime+stime around N sequential
calls (after 200 warm-up calls), two mocks on loopback, tracing off (no OTEL_* variable).
Usage: python3 Benchmarks/tracing-off-cost.py SHEPHERD_BIN [N]   (run it on a binary before and after a change)"""
import json, os, socket, subprocess, sys, tempfile, time, urllib.request
BIN = sys.argv[1]; N = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))); TICK = os.sysconf("SC_CLK_TCK")
def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]
def wait(url):
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200: return
        except OSError: time.sleep(0.1)
    raise SystemExit("timeout " + url)
def cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK
work = tempfile.mkdtemp(); lp, rp, pp = port(), port(), port()
env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEPHERD_", "OTEL_"))}
mocks = [subprocess.Popen([BIN, "mock", "--host", "127.0.0.1", "--port", str(p), "--flavor", f], env=env,
         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p, f in ((lp, "anthropic"), (rp, "openai"))]
serve = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{pp}", "--legacy-url", f"http://127.0.0.1:{lp}",
    "--legacy-flavor", "anthropic", "--relay-url", f"http://127.0.0.1:{rp}/v1",
    "--policy", f"{ROOT}/Tests/e2e/fixtures/static-policy.yaml", "--state", os.path.join(work, "s.sqlite")],
    env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for p in (lp, rp): wait(f"http://127.0.0.1:{p}/mock/stats")
    wait(f"http://127.0.0.1:{pp}/readyz")
    body = json.dumps({"model": "gpt-4.1", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}).encode()
    def call(i):
        req = urllib.request.Request(f"http://127.0.0.1:{pp}/v1/chat/completions", data=body,
            headers={"Content-Type": "application/json", "x-shepherd-routing-key": f"user-{i}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200; r.read()
    for i in range(200): call(i)
    before = cpu(serve.pid)
    for i in range(N): call(10_000 + i)
    used = cpu(serve.pid) - before
    print(f"{os.path.basename(BIN)}: {N} calls, serve CPU {used:.2f} s, {used / N * 1e6:.0f} µs per call")
finally:
    serve.terminate(); serve.wait(30)
    for m in mocks: m.terminate(); m.wait()
