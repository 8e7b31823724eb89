#!/usr/bin/env bash
# Tests/e2e/run.sh: Shepherd's end-to-end tests, through real processes on loopback.
#
# Starts two mock providers (legacy: Anthropic wire format, relay: OpenAI) and `shepherd serve` in
# front of them with an admin token, waits for /healthz, and runs with pytest:
#   openai_client_test.py  the official `openai` Python client against that server (issue #5)
#   lifecycle_test.py      stacks of its own: ramp to 100%, rollback on a relay outage, rollback
#                          variable and flag file, restart, SIGTERM mid-stream (issue #5)
#   runbooks_test.py       every runnable block of runbooks/*.md against a live stack (issue #7)
#   demo_test.py           `shepherd demo --scenario relay-outage` start to finish (issue #6)
#   shadow_test.py         the shadow phase (upstreams that disagree hold it, that agree end it, the
#                          spend cap) and the bake (promoted when clean, rolled back on a regression)
#                          (issue #16)
#   fault_matrix_test.py   every way a path goes wrong (5xx, outage, 429 storm, resets, garbage,
#                          4xx, cuts, stalls, legacy down, both down, a 40 s answer) through real
#                          processes, with the table of what clients saw (issue #14)
#   tls_test.py            HTTPS relays behind nginx (HTTP/1.1 and HTTP/2, a private CA, mutual
#                          TLS) and an outbound proxy (tinyproxy) (issue #18); needs nginx,
#                          tinyproxy and openssl, skipped without them locally, failing in CI
#   tracing_test.py        OpenTelemetry traces to an OTLP/HTTP receiver of its own (opentelemetry-proto),
#                          a failed-over call's spans, the upstream's traceparent, JSON logs (issue #17)
#   board_test.py          every metric the Grafana board (runbooks/grafana/shepherd.json) queries is
#                          one /metrics serves, after real traffic (issue #17)
#   replicas_test.py       three replicas on one PostgreSQL database (issue #12); needs
#                          SHEPHERD_TEST_POSTGRES_URL (.ci/postgres.sh start), skipped without it
#                          locally, failing without it in CI
# The stack started here logs JSON lines (--log-format json) with upstream keys configured; after the
# run, every line of its log must parse as a JSON object and no configured secret may be in any log.
# It stops everything it started. The exit code is pytest's, or 1 when that log check fails.
#
# Usage:  Tests/e2e/run.sh [pytest args...]
# Environment (optional):
#   SHEPHERD_BIN=path     use this binary instead of building one
#   SCRATCH_PATH=dir      swift build --scratch-path for the debug build (default: SwiftPM's .build)
#   KEEP_LOGS=1           keep the temporary directory with the servers' logs
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

echo "== e2e: python packages (openai, pytest, opentelemetry-proto)"
if ! python3 -c 'import openai, pytest, opentelemetry.proto' >/dev/null 2>&1; then
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check openai pytest opentelemetry-proto
fi
python3 -c 'import openai, pytest; print(f"openai {openai.__version__}, pytest {pytest.__version__}")'

if [ -z "${SHEPHERD_BIN:-}" ]; then
    echo "== e2e: build (swift build --product shepherd)"
    scratch=()
    [ -z "${SCRATCH_PATH:-}" ] || scratch=(--scratch-path "$SCRATCH_PATH")
    swift build --product shepherd "${scratch[@]}"
    SHEPHERD_BIN="$(swift build --show-bin-path "${scratch[@]}")/shepherd"
fi
[ -x "$SHEPHERD_BIN" ] || { echo "error: $SHEPHERD_BIN is not executable" >&2; exit 1; }
SHEPHERD_BIN=$(cd "$(dirname "$SHEPHERD_BIN")" && pwd)/$(basename "$SHEPHERD_BIN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/shepherd-e2e.XXXXXX")
PIDS=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]:-}"; do
        [ -n "$pid" ] || continue
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for f in "$WORK"/*.log; do
            [ -f "$f" ] || continue
            echo "---- last lines of $(basename "$f")" >&2
            tail -20 "$f" >&2
        done
    fi
    if [ "${KEEP_LOGS:-0}" = "1" ]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Three free loopback ports, handed out by the kernel.
read -r LEGACY_PORT RELAY_PORT PROXY_PORT < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
for s in socks:
    s.close()
PY
)

# wait_http name url pid: bounded (30 s) wait for 200 from url while pid lives.
wait_http() {
    local name=$1 url=$2 pid=$3
    for _ in $(seq 1 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited during start-up" >&2
            return 1
        fi
        if python3 - "$url" <<'PY' 2>/dev/null; then
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=1) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
            return 0
        fi
        sleep 0.1
    done
    echo "error: $name did not answer 200 at $url within 30 s" >&2
    return 1
}

echo "== e2e: mock providers (legacy anthropic :$LEGACY_PORT, relay openai :$RELAY_PORT)"
"$SHEPHERD_BIN" mock --host 127.0.0.1 --port "$LEGACY_PORT" --flavor anthropic >"$WORK/mock-legacy.log" 2>&1 &
PIDS+=($!)
LEGACY_PID=$!
"$SHEPHERD_BIN" mock --host 127.0.0.1 --port "$RELAY_PORT" --flavor openai >"$WORK/mock-relay.log" 2>&1 &
PIDS+=($!)
RELAY_PID=$!
wait_http "legacy mock" "http://127.0.0.1:$LEGACY_PORT/mock/stats" "$LEGACY_PID"
wait_http "relay mock" "http://127.0.0.1:$RELAY_PORT/mock/stats" "$RELAY_PID"

echo "== e2e: shepherd serve on 127.0.0.1:$PROXY_PORT"
ADMIN_TOKEN=test-admin-token
# Keys the mocks do not check: they are here so that the logs can be searched for them.
LEGACY_KEY="sk-e2e-legacy-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
RELAY_KEY="sk-e2e-relay-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
# Started from the temporary directory, so that no ./shepherd.yaml (an operator's configuration) is
# read; the caller's rollback switch and client keys are left out of the environment.
(cd "$WORK" && exec env -u SHEPHERD_ROLLBACK -u SHEPHERD_CLIENT_KEYS SHEPHERD_ADMIN_TOKEN="$ADMIN_TOKEN" \
    SHEPHERD_LEGACY_API_KEY="$LEGACY_KEY" SHEPHERD_RELAY_API_KEY="$RELAY_KEY" \
    "$SHEPHERD_BIN" serve --listen "127.0.0.1:$PROXY_PORT" --log-format json --log-level debug \
    --legacy-url "http://127.0.0.1:$LEGACY_PORT" --legacy-flavor anthropic \
    --relay-url "http://127.0.0.1:$RELAY_PORT/v1" --relay-flavor openai \
    --policy "$ROOT/policies/default.yaml" --state "$WORK/state.sqlite") >"$WORK/serve.log" 2>&1 &
PIDS+=($!)
PROXY_PID=$!
wait_http "shepherd serve" "http://127.0.0.1:$PROXY_PORT/healthz" "$PROXY_PID"

echo "== e2e: pytest Tests/e2e/{openai_client,lifecycle,runbooks,demo}_test.py"
# The last three start processes of their own (SHEPHERD_BIN): the rollout's life (ramp, rollback,
# switches, restart, SIGTERM), every runnable runbook block against a live stack, and the demo.
set +e
PYTHONDONTWRITEBYTECODE=1 SHEPHERD_E2E_BASE_URL="http://127.0.0.1:$PROXY_PORT" SHEPHERD_E2E_ADMIN_TOKEN="$ADMIN_TOKEN" \
    SHEPHERD_BIN="$SHEPHERD_BIN" \
    python3 -m pytest -p no:cacheprovider -q "$ROOT/Tests/e2e/openai_client_test.py" "$ROOT/Tests/e2e/lifecycle_test.py" \
    "$ROOT/Tests/e2e/runbooks_test.py" "$ROOT/Tests/e2e/demo_test.py" "$ROOT/Tests/e2e/replicas_test.py" \
    "$ROOT/Tests/e2e/tls_test.py" "$ROOT/Tests/e2e/fault_matrix_test.py" "$ROOT/Tests/e2e/tracing_test.py" \
    "$ROOT/Tests/e2e/board_test.py" "$ROOT/Tests/e2e/shadow_test.py" "$@"
status=$?
set -e

echo "== e2e: the run's JSON log ($WORK/serve.log) and no secret in any log"
if ! python3 - "$WORK/serve.log" "$LEGACY_KEY" "$RELAY_KEY" "$ADMIN_TOKEN" "$WORK"/*.log <<'PY'
import json, sys
log, secrets, files = sys.argv[1], sys.argv[2:5], sys.argv[5:]
lines = open(log, encoding="utf-8").read().splitlines()
bad = []
for number, line in enumerate(lines, 1):
    try:
        if not isinstance(json.loads(line), dict):
            bad.append((number, line))
    except ValueError:
        bad.append((number, line))
leaks = [(f, s[:10]) for f in files for s in secrets if s in open(f, encoding="utf-8", errors="replace").read()]
print(f"{len(lines)} log lines, {len(bad)} not JSON objects; {len(files)} logs searched for {len(secrets)} secrets, {len(leaks)} found")
for number, line in bad[:5]:
    print(f"  line {number} is not JSON: {line[:200]}")
for name, prefix in leaks:
    print(f"  {name} holds a secret ({prefix}...)")
sys.exit(1 if bad or leaks or not lines else 0)
PY
then
    status=1
fi
exit "$status"
