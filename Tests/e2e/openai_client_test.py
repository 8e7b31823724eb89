"""The official `openai` Python client, unchanged, against `shepherd serve` (issue #5).

Run through Tests/e2e/run.sh, which starts the mock providers (legacy: Anthropic wire format,
relay: OpenAI) and the proxy, and passes:
  SHEPHERD_E2E_BASE_URL     the proxy, e.g. http://127.0.0.1:8080
  SHEPHERD_E2E_ADMIN_TOKEN  the admin API's bearer token
The client is pointed at the proxy's base URL and nothing else about it is changed.
"""

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

BASE_URL = os.environ.get("SHEPHERD_E2E_BASE_URL", "http://127.0.0.1:8080")
ADMIN_TOKEN = os.environ.get("SHEPHERD_E2E_ADMIN_TOKEN", "test-admin-token")
PATHS = {"relay", "legacy"}
PHASES = {"idle", "ramping", "paused", "promoted", "rolledBack"}
MESSAGES = [{"role": "user", "content": "Say hello to the canary."}]


@pytest.fixture(scope="module")
def client():
    # max_retries=0: a failure must show here, not be hidden by the client's own retries.
    with openai.OpenAI(base_url=f"{BASE_URL}/v1", api_key="unused", max_retries=0, timeout=30) as c:
        yield c


@dataclass
class Answer:
    status_code: int
    headers: dict
    text: str

    def json(self):
        return json.loads(self.text)


def http(method, path, token=None, body=None):
    """A plain HTTP call (standard library only), for the admin API the openai client does not cover."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{BASE_URL}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode())


class Admin:
    def get(self, path):
        return http("GET", path, ADMIN_TOKEN)

    def post(self, path, json=None):
        return http("POST", path, ADMIN_TOKEN, json if json is not None else {})


@pytest.fixture(scope="module")
def admin():
    return Admin()


def test_completion_returns_text_and_usage(client):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4.1", messages=MESSAGES, user="e2e-user-1")
    assert raw.status_code == 200
    assert raw.headers.get("x-shepherd-path") in PATHS
    completion = raw.parse()
    assert isinstance(completion, ChatCompletion)
    assert completion.object == "chat.completion"
    assert completion.id
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str) and choice.message.content.strip()
    assert choice.finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_stream_yields_chunks_and_final_text(client):
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4.1", messages=MESSAGES, user="e2e-user-2", stream=True
    )
    assert raw.headers.get("x-shepherd-path") in PATHS
    assert raw.headers.get("content-type", "").startswith("text/event-stream")
    chunks = list(raw.parse())
    assert len(chunks) >= 3, f"expected several chunks, got {len(chunks)}"
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1, "every chunk of one answer carries the same id"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    # Not asked for, so no usage.
    assert all(c.usage is None for c in chunks)


def test_stream_with_include_usage_ends_with_usage(client):
    stream = client.chat.completions.create(
        model="gpt-4.1",
        messages=MESSAGES,
        user="e2e-user-3",
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert len(chunks) >= 3
    last = chunks[-1]
    assert last.usage is not None
    assert last.usage.completion_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + last.usage.completion_tokens


def test_the_streaming_helper_accumulates_the_final_text(client):
    with client.chat.completions.stream(model="gpt-4.1", messages=MESSAGES, user="e2e-user-4") as stream:
        events = [event.type for event in stream]
        final = stream.get_final_completion()
    assert events.count("content.delta") >= 2
    assert final.choices[0].message.content.strip()
    assert final.choices[0].finish_reason == "stop"


def test_async_client_completes_and_streams():
    import asyncio

    async def run():
        async with openai.AsyncOpenAI(base_url=f"{BASE_URL}/v1", api_key="unused", max_retries=0, timeout=30) as c:
            completion = await c.chat.completions.create(model="gpt-4.1", messages=MESSAGES, user="e2e-user-5")
            stream = await c.chat.completions.create(
                model="gpt-4.1", messages=MESSAGES, user="e2e-user-5", stream=True
            )
            streamed = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
            return completion, streamed

    completion, streamed = asyncio.run(run())
    assert completion.choices[0].message.content.strip()
    assert streamed.strip()


@pytest.mark.parametrize(
    "kwargs, param",
    [
        ({"model": "gpt-4.1", "messages": []}, "messages"),
        ({"model": "", "messages": MESSAGES}, "model"),
    ],
    ids=["empty-messages", "empty-model"],
)
def test_bad_request_raises_bad_request_error(client, kwargs, param):
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(**kwargs)
    error = caught.value
    assert error.status_code == 400
    assert isinstance(error.body, dict), f"the error body is the OpenAI error object, got {error.body!r}"
    assert error.body.get("message")
    assert error.body.get("type") == "invalid_request_error"
    assert error.body.get("param") == param


def test_malformed_json_is_a_bad_request(client):
    with pytest.raises(openai.BadRequestError):
        client.post(
            "/chat/completions",
            cast_to=ChatCompletion,
            content=b"{not json",
            options={"headers": {"Content-Type": "application/json"}},
        )


def test_same_user_takes_the_same_path(client):
    paths = {
        client.chat.completions.with_raw_response.create(
            model="gpt-4.1", messages=MESSAGES, user="e2e-sticky-user"
        ).headers.get("x-shepherd-path")
        for _ in range(3)
    }
    assert len(paths) == 1 and paths <= PATHS


def test_admin_status_with_token_reports_the_phase(admin):
    response = admin.get("/admin/status")
    assert response.status_code == 200
    assert response.headers.get("content-type", "").startswith("application/json")
    status = response.json()
    assert status["state"]["phase"] in PHASES
    assert isinstance(status["effectivePercent"], (int, float))
    assert 0 <= status["effectivePercent"] <= 100
    assert isinstance(status["rollbackEngaged"], bool)


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no-token", "wrong-token"])
def test_admin_status_without_the_token_is_401(token):
    response = http("GET", "/admin/status", token)
    assert response.status_code == 401
    assert ADMIN_TOKEN not in response.text


def test_models_list(client):
    models = client.models.list()
    assert list(models), "GET /v1/models lists at least one model"


def _complete_and_stream(client, user):
    raw = client.chat.completions.with_raw_response.create(model="gpt-4.1", messages=MESSAGES, user=user)
    completion = raw.parse()
    assert completion.choices[0].message.content.strip()
    assert completion.usage is not None and completion.usage.total_tokens > 0
    raw_stream = client.chat.completions.with_raw_response.create(
        model="gpt-4.1", messages=MESSAGES, user=user, stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in raw_stream.parse() if c.choices)
    assert text.strip()
    return raw.headers.get("x-shepherd-path"), raw_stream.headers.get("x-shepherd-path")


def test_both_paths_answer_in_the_openai_shape(client, admin):
    """Legacy (Anthropic wire format, translated) and relay (OpenAI) both serve the client unchanged."""
    try:
        engaged = admin.post("/admin/rollback-switch", json={"engaged": True, "reason": "e2e: force legacy"})
        assert engaged.status_code == 200, engaged.text
        assert _complete_and_stream(client, "e2e-paths-user") == ("legacy", "legacy")

        released = admin.post("/admin/rollback-switch", json={"engaged": False, "reason": "e2e"})
        assert released.status_code == 200, released.text
        promoted = admin.post("/admin/percent", json={"percent": 100, "reason": "e2e: force relay"})
        assert promoted.status_code == 200, promoted.text
        assert admin.get("/admin/status").json()["state"]["phase"] == "promoted"
        assert _complete_and_stream(client, "e2e-paths-user") == ("relay", "relay")
    finally:
        admin.post("/admin/rollback-switch", json={"engaged": False, "reason": "e2e: clean up"})
        admin.post("/admin/percent", json={"percent": 5, "reason": "e2e: clean up"})
