"""A full upstream pool (issue #13): a queued call waits a bounded time, then gets a clear 503.

The proxy process runs with one connection to legacy and a 500 ms connect timeout; everything
goes to legacy (SHEPHERD_ROLLBACK=1). A ten-second stream holds that connection while a second call
arrives: the second waits for the pool at most the connect timeout (and its retries), then is
answered 503 `upstream_unavailable` naming `pool_exhausted`, never a silent stall. Once the
stream's client goes away the pool serves again.
"""

import http.client
import json
import time

import pytest

from stack import FIXTURES, Stack


@pytest.fixture
def work(tmp_path):
    return tmp_path


def test_a_call_queued_behind_a_full_pool_gets_a_503_that_says_so(work):
    config = work / "pool.yaml"
    config.write_text("legacy:\n  maxConnections: 1\n  connectTimeout: 500ms\n")
    with Stack(work, legacy_scenario=FIXTURES / "long-stream.yaml", serve_env={"SHEPHERD_ROLLBACK": "1"},
               serve_args=["--config", str(config)]) as stack:
        holder = http.client.HTTPConnection("127.0.0.1", stack.proxy_port, timeout=30)
        body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "hello"}], "stream": True}
        holder.request("POST", "/v1/chat/completions", json.dumps(body), {"content-type": "application/json"})
        stream = holder.getresponse()
        assert stream.status == 200
        assert stream.readline().startswith(b"data: "), "the first chunk arrived: the stream holds the connection"

        started = time.monotonic()
        answer = stack.chat("queued")
        waited = time.monotonic() - started
        more = [stream.readline() for _ in range(4)]
        holder.close()
        after = stack.chat("after")

    assert answer.status == 503, answer.body
    error = answer.json()["error"]
    assert error["code"] == "upstream_unavailable", error
    assert "pool_exhausted" in error["message"], error
    # Each attempt waits 500 ms for the pool; retries with backoff add a little. The stream lasts 10 s.
    assert waited < 5, f"the queued call waited {waited:.1f} s: longer than the pool's bound"
    assert [line for line in more if line.startswith(b"data: {")], "the stream holding the connection goes on"
    assert after.status == 200, after.body
