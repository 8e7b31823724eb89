"""Traces and JSON logs through real processes (issue #17).

A small OTLP/HTTP receiver (this file: the standard library's HTTP server, protobuf decoded with
the `opentelemetry-proto` package) stands in for a collector. `shepherd serve` exports to it
(OTEL_EXPORTER_OTLP_ENDPOINT) and logs JSON lines (--log-format json); a chat completion with a
W3C `traceparent` goes through it to a relay that fails, and legacy answers. The test checks the
trace the receiver got, the `traceparent` the upstream got, and that neither the spans nor the
logs hold the prompt, an API key or the admin token.
"""

import gzip
import json
import os
import secrets
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from stack import ADMIN_TOKEN, BIN, FIXTURES, Stack, http, wait_until

LEGACY_KEY = "sk-legacy-" + secrets.token_hex(12)
RELAY_KEY = "sk-relay-" + secrets.token_hex(12)
PROMPT = "my-private-prompt-" + secrets.token_hex(6)


class Collector:
    """An OTLP/HTTP trace receiver on a free loopback port; keeps every span and every raw body."""

    def __init__(self):
        self.lock = threading.Lock()
        self.spans = []
        self.bodies = []
        self.resources = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_response(404)
                    self.end_headers()
                    return
                request = ExportTraceServiceRequest.FromString(body)
                with collector.lock:
                    collector.bodies.append(body)
                    for resource_spans in request.resource_spans:
                        collector.resources.append(attributes(resource_spans.resource.attributes))
                        for scope_spans in resource_spans.scope_spans:
                            collector.spans.extend(scope_spans.spans)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def trace(self, trace_id):
        with self.lock:
            return [span for span in self.spans if span.trace_id.hex() == trace_id]


def value(any_value):
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(v) for v in any_value.array_value.values]
    return getattr(any_value, kind) if kind else None


def attributes(key_values):
    return {kv.key: value(kv.value) for kv in key_values}


@pytest.fixture
def work(tmp_path):
    return tmp_path


def test_a_failed_over_call_is_one_trace_continued_from_the_caller_and_sent_upstream(work):
    trace_id = secrets.token_hex(16)
    parent_id = secrets.token_hex(8)
    with Collector() as collector:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_SERVICE_NAME": "shepherd-e2e",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "SHEPHERD_LEGACY_API_KEY": LEGACY_KEY,
            "SHEPHERD_RELAY_API_KEY": RELAY_KEY,
        }
        args = ["--log-format", "json", "--log-level", "debug"]
        with Stack(work, policy=FIXTURES / "static-policy.yaml", serve_env=env, serve_args=args) as stack:
            # Every call to the relay, and the relay fails it: legacy answers.
            assert stack.admin("POST", "percent", {"percent": 100, "reason": "e2e: tracing"}).status == 200
            stack.set_relay_scenario(FIXTURES / "outage.yaml")
            body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": PROMPT}], "user": "trace-user"}
            answer = http(
                "POST", f"{stack.base}/v1/chat/completions", body,
                {"traceparent": f"00-{trace_id}-{parent_id}-01", "x-request-id": "e2e-trace-request"},
            )
            assert answer.status == 200, answer.body
            assert answer.headers["x-shepherd-path"] == "legacy" and answer.headers["x-shepherd-fallback"] == "true"
            usage = answer.json()["usage"]

            def server_span_done():
                spans = collector.trace(trace_id)
                return [s for s in spans if s.kind == Span.SPAN_KIND_SERVER] and spans

            spans = wait_until("the server span at the collector", server_span_done, timeout=30)
            upstream = http("GET", f"http://127.0.0.1:{stack.legacy_port}/mock/last-request").json()
            relay_request = http("GET", f"http://127.0.0.1:{stack.relay_port}/mock/last-request").json()
            admin_status = stack.admin("GET", "status")
            assert admin_status.status == 200
        logs = {p.name: p.read_text(errors="replace") for p in work.glob("*.log")}
        raw_spans = b"".join(collector.bodies)
        resources = list(collector.resources)

    # The caller's trace continues: one server span, child of the caller's span.
    assert all(s.trace_id.hex() == trace_id for s in spans)
    [server] = [s for s in spans if s.kind == Span.SPAN_KIND_SERVER]
    assert server.parent_span_id.hex() == parent_id
    assert any(r.get("service.name") == "shepherd-e2e" for r in resources), resources
    server_attributes = attributes(server.attributes)
    assert server_attributes["shepherd.path"] == "legacy"
    assert server_attributes["shepherd.chosen_path"] == "relay"
    assert server_attributes["shepherd.fallback"] is True
    assert server_attributes["shepherd.rollout.percent"] == 100
    assert server_attributes["gen_ai.request.model"] == "gpt-4.1"
    assert server_attributes["gen_ai.usage.input_tokens"] == usage["prompt_tokens"]
    assert server_attributes["gen_ai.usage.output_tokens"] == usage["completion_tokens"]

    # Its children: a failed relay attempt, then a legacy attempt that answered.
    attempts = [s for s in spans if s.parent_span_id == server.span_id]
    by_path = {attributes(s.attributes)["shepherd.path"]: s for s in attempts}
    assert set(by_path) == {"relay", "legacy"}, [(s.name, attributes(s.attributes)) for s in attempts]
    relay, legacy = by_path["relay"], by_path["legacy"]
    relay_attributes, legacy_attributes = attributes(relay.attributes), attributes(legacy.attributes)
    assert relay.kind == legacy.kind == Span.SPAN_KIND_CLIENT
    assert relay.name == legacy.name == "chat gpt-4.1"
    assert relay.status.code == Status.STATUS_CODE_ERROR
    assert relay_attributes["error.type"] == "serverError"
    assert relay_attributes["shepherd.failover"] is False and relay_attributes["shepherd.attempt"] == 1
    assert legacy.status.code != Status.STATUS_CODE_ERROR
    assert legacy_attributes["shepherd.failover"] is True
    assert relay.end_time_unix_nano <= legacy.start_time_unix_nano
    assert relay_attributes["gen_ai.provider.name"] == "openai"
    assert legacy_attributes["gen_ai.provider.name"] == "anthropic"
    for attempt in (relay_attributes, legacy_attributes):
        assert attempt["gen_ai.operation.name"] == "chat"
        assert attempt["gen_ai.request.model"] == "gpt-4.1"
    assert legacy_attributes["gen_ai.response.model"]
    assert legacy_attributes["gen_ai.usage.input_tokens"] == usage["prompt_tokens"] > 0
    assert legacy_attributes["gen_ai.usage.output_tokens"] == usage["completion_tokens"] > 0
    assert "shepherd.cost_usd" in legacy_attributes

    # The upstream got the trace: a traceparent of the same trace, from below the legacy attempt.
    traceparent = upstream["headers"].get("traceparent", "")
    assert traceparent.startswith(f"00-{trace_id}-"), (sorted(upstream["headers"]), [(s.name, s.kind) for s in spans])
    assert traceparent.split("-")[2] == legacy.span_id.hex(), "the legacy attempt's span is the upstream call's parent"
    assert relay_request["headers"].get("traceparent", "").startswith(f"00-{trace_id}-")

    # Nothing secret, nor the prompt, in any span.
    for secret in (PROMPT, LEGACY_KEY, RELAY_KEY, ADMIN_TOKEN):
        assert secret.encode() not in raw_spans, f"{secret[:12]}… was exported in a span"

    # The logs: JSON lines, the request's line names its trace, no secret anywhere.
    lines = logs["serve-1.log"].splitlines()
    assert lines
    records = [json.loads(line) for line in lines]
    request_lines = [r for r in records if r.get("request_id") == "e2e-trace-request"]
    assert request_lines, "the request's line was logged"
    line = request_lines[-1]
    assert line["trace_id"] == trace_id
    assert line["status"] == "200" and line["shepherd_path"] == "legacy" and line["fallback"] == "true"
    assert line["model"] and "latency_ms" in line and line["time"].endswith("Z") and line["level"] == "debug"
    # The process runs its jobs on the event loops, on the generic executor (ServerRuntime, issue #13):
    # a runtime the hook cannot be installed in would lose that silently but for this line.
    runtime = [r["message"] for r in records if r.get("message", "").startswith("runtime: ")]
    assert runtime and "concurrency on event loops: yes (jobs on the generic executor)" in runtime[0], runtime
    transitions = [r for r in records if r.get("event") == "ramp.transition"]
    assert transitions and transitions[-1]["transition"] == "manualSetPercent" and transitions[-1]["to_percent"] == "100.0"
    for name, text in logs.items():
        for secret in (LEGACY_KEY, RELAY_KEY, ADMIN_TOKEN, PROMPT):
            assert secret not in text, f"{name} holds {secret[:12]}…"


def test_a_bad_sampler_stops_serve_naming_the_variable(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEPHERD_", "OTEL_"))}
    env.update({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_SAMPLER": "sometimes"})
    result = subprocess.run(
        [BIN, "serve", "--legacy-url", "http://127.0.0.1:1", "--relay-url", "http://127.0.0.1:2/v1",
         "--state", str(work / "state.sqlite"), "--policy", str(FIXTURES / "static-policy.yaml"), "--check"],
        env=env, cwd=work, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result
    assert "OTEL_TRACES_SAMPLER" in result.stderr and "sometimes" in result.stderr, result.stderr


def test_a_bad_log_format_is_refused_naming_the_flag(work):
    result = subprocess.run(
        [BIN, "serve", "--log-format", "xml", "--check"], cwd=work, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "--log-format" in result.stderr and "json" in result.stderr, result.stderr
