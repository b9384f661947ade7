"""The openai and anthropic providers against a local server, through the real SDKs."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator

import pytest

from promptops.errors import ProviderError
from promptops.evals.config import RetryPolicy
from promptops.evals.providers.anthropic_messages import AnthropicProvider
from promptops.evals.providers.base import (
    CallContext,
    TransientProviderError,
    call_with_retry,
)
from promptops.evals.providers.openai_chat import OpenAIProvider
from promptops.evals.types import Request, Response, ToolCall
from tests.evals.fake_llm import FakeLLM, Reply, serve

CTX = CallContext("support/answer", "evals/support/answer.yaml", "refund")


class Ticks:
    """A clock that advances 5 ms per reading: latency is exactly 5 ms per call."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.005
        return self.now


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with serve() as server:
        yield server


def _request(fake: FakeLLM, **extra: object) -> Request:
    fields: dict[str, object] = {
        "provider": "openai",
        "model": "gpt-test-2024-01-01",
        "messages": (
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Where is my refund?"},
        ),
        "params": {"temperature": 0.2, "top_k": 5},
        "base_url": fake.url,
    }
    fields.update(extra)
    return Request(**fields)  # type: ignore[arg-type]


@pytest.fixture
def openai_provider() -> Iterator[OpenAIProvider]:
    provider = OpenAIProvider(env={}, timeout_s=5.0, clock=Ticks())
    yield provider
    provider.close()


def _retrying(
    provider: OpenAIProvider, request: Request, sleeps: list[float], attempts: int
) -> Response:
    return call_with_retry(
        lambda: provider.complete(request, CTX),
        RetryPolicy(max_attempts=attempts, base_delay=0.5, max_delay=20.0),
        sleep=sleeps.append,
        rng=random.Random(7),
        context=CTX,
    )


def test_text_answer_with_usage_and_latency(fake: FakeLLM, openai_provider: OpenAIProvider) -> None:
    fake.replies.append(Reply(text="Your refund is on its way."))
    response = openai_provider.complete(_request(fake), CTX)
    assert response.text == "Your refund is on its way."
    assert (response.tokens_in, response.tokens_out, response.latency_ms) == (11, 7, 5.0)
    sent = fake.requests[0]
    assert sent["model"] == "gpt-test-2024-01-01"
    assert sent["temperature"] == 0.2
    assert sent["top_k"] == 5  # not an SDK keyword: travels in extra_body
    assert sent["messages"][1] == {"role": "user", "content": "Where is my refund?"}


def test_tool_calls_and_output_schema(fake: FakeLLM, openai_provider: OpenAIProvider) -> None:
    fake.replies.append(Reply(tool_calls=[("lookup_order", {"order_id": "AC-1"})]))
    params = {"type": "object", "properties": {"order_id": {"type": "string"}}}
    tool = {"name": "lookup_order", "description": "Find an order.", "parameters": params}
    request = _request(fake, tools=(tool,), output_schema={"type": "object"})
    response = openai_provider.complete(request, CTX)
    assert response.tool_calls == (ToolCall("lookup_order", {"order_id": "AC-1"}),)
    assert response.text == ""
    sent = fake.requests[0]
    assert sent["tools"][0]["function"]["name"] == "lookup_order"
    assert sent["response_format"]["json_schema"]["schema"] == {"type": "object"}


def test_429_then_success_retries_after_the_servers_hint(
    fake: FakeLLM, openai_provider: OpenAIProvider
) -> None:
    fake.replies.extend([Reply(status=429, headers={"Retry-After": "3"}), Reply(text="ok")])
    sleeps: list[float] = []
    response = _retrying(openai_provider, _request(fake), sleeps, attempts=4)
    assert response.text == "ok"
    assert len(fake.requests) == 2
    assert sleeps == [3.0]  # Retry-After beats the jittered 0-0.5 s backoff


def test_5xx_backoff_grows_and_gives_up_naming_the_case(
    fake: FakeLLM, openai_provider: OpenAIProvider
) -> None:
    fake.replies.extend([Reply(status=500), Reply(status=502), Reply(status=503)])
    sleeps: list[float] = []
    with pytest.raises(ProviderError) as info:
        _retrying(openai_provider, _request(fake), sleeps, attempts=3)
    assert str(info.value) == (
        "case 'refund' of evals/support/answer.yaml (prompt 'support/answer'): "
        f"HTTP 503 from openai at {fake.url}/chat/completions: status 503 "
        "(gave up after 3 attempts)"
    )
    assert len(fake.requests) == 3
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0  # full jitter under 0.5 * 2**n


def test_4xx_is_not_retried(fake: FakeLLM, openai_provider: OpenAIProvider) -> None:
    fake.replies.append(Reply(status=400))
    sleeps: list[float] = []
    with pytest.raises(ProviderError, match=r"HTTP 400 from openai at http://\S+: status 400$"):
        _retrying(openai_provider, _request(fake), sleeps, attempts=4)
    assert (len(fake.requests), sleeps) == (1, [])


def test_a_response_slower_than_the_timeout_is_a_transient_error(fake: FakeLLM) -> None:
    fake.replies.append(Reply(hold=True))
    provider = OpenAIProvider(env={}, timeout_s=0.2)
    try:
        with pytest.raises(TransientProviderError) as info:
            provider.complete(_request(fake), CTX)
        assert str(info.value) == f"timed out after 0.2 s at {fake.url}/chat/completions"
    finally:
        fake.release.set()
        provider.close()


def test_missing_api_key_without_base_url_says_how_to_fix() -> None:
    provider = OpenAIProvider(env={}, timeout_s=1.0)
    request = Request("openai", "gpt-4o-2024-08-06", ({"role": "user", "content": "x"},))
    with pytest.raises(ProviderError) as info:
        provider.complete(request, CTX)
    assert str(info.value) == (
        "OPENAI_API_KEY is not set; export it, set base_url on the model pin for a local "
        "server, or use --provider replay"
    )


def test_openai_base_url_from_the_environment(fake: FakeLLM) -> None:
    provider = OpenAIProvider(env={"OPENAI_BASE_URL": fake.url}, timeout_s=5.0)
    try:
        response = provider.complete(_request(fake, base_url=None), CTX)
    finally:
        provider.close()
    assert response.text == "Where is my refund?"


def test_anthropic_messages_text_tools_and_system(fake: FakeLLM) -> None:
    fake.replies.append(Reply(text="On its way.", tool_calls=[("search_kb", {"q": "refund"})]))
    provider = AnthropicProvider(env={"ANTHROPIC_API_KEY": "test"}, timeout_s=5.0, clock=Ticks())
    base = fake.url.removesuffix("/v1")
    try:
        response = provider.complete(_request(fake, provider="anthropic", base_url=base), CTX)
    finally:
        provider.close()
    assert response.text == "On its way."
    assert response.tool_calls == (ToolCall("search_kb", {"q": "refund"}),)
    assert (response.tokens_in, response.tokens_out, response.latency_ms) == (13, 5, 5.0)
    sent = fake.requests[0]
    assert sent["system"] == "Be brief."
    assert sent["messages"] == [{"role": "user", "content": "Where is my refund?"}]
    assert sent["max_tokens"] == 1024


def test_anthropic_529_is_transient(fake: FakeLLM) -> None:
    fake.replies.append(Reply(status=529))
    provider = AnthropicProvider(env={"ANTHROPIC_API_KEY": "test"}, timeout_s=5.0)
    try:
        with pytest.raises(TransientProviderError) as info:
            provider.complete(_request(fake, base_url=fake.url.removesuffix("/v1")), CTX)
        assert str(info.value) == f"HTTP 529 from anthropic at {fake.url}/messages: status 529"
    finally:
        provider.close()


# Issue 14, "Why": a dead endpoint said `connection failed: Connection error.` without the
# URL, and a base_url missing /v1 gave a bare `HTTP 404`.


def test_a_dead_endpoint_names_the_url_and_the_fix(openai_provider: OpenAIProvider) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = Request(
        "openai", "gpt-test-2024-01-01", ({"role": "user", "content": "x"},),
        base_url=f"http://127.0.0.1:{port}/v1",
    )  # fmt: skip
    with pytest.raises(TransientProviderError) as info:
        openai_provider.complete(request, CTX)
    assert str(info.value) == (
        f"connection refused by http://127.0.0.1:{port}/v1/chat/completions "
        "([Errno 111] Connection refused); is the server running on that host and port? "
        "check the model pin's base_url"
    )


def test_an_unknown_host_says_it_does_not_resolve(openai_provider: OpenAIProvider) -> None:
    request = Request(
        "openai", "gpt-test-2024-01-01", ({"role": "user", "content": "x"},),
        base_url="http://no-such-host.invalid/v1",
    )  # fmt: skip
    with pytest.raises(TransientProviderError) as info:
        openai_provider.complete(request, CTX)
    message = str(info.value)
    assert message.startswith(
        "cannot resolve the host of http://no-such-host.invalid/v1/chat/completions ("
    )
    assert message.endswith("check the model pin's base_url (or OPENAI_BASE_URL) for a "
                            "typo, and that this machine has DNS")  # fmt: skip


def test_a_base_url_without_v1_gets_the_hint(
    fake: FakeLLM, openai_provider: OpenAIProvider
) -> None:
    bare = fake.url.removesuffix("/v1")
    with pytest.raises(ProviderError) as info:
        openai_provider.complete(_request(fake, base_url=bare), CTX)
    assert str(info.value) == (
        f"HTTP 404 from openai at {bare}/chat/completions: status 404; nothing at that "
        "path: the base_url probably lacks /v1 (OpenAI-compatible servers serve under "
        "http://host:port/v1)"
    )


def test_a_refused_key_says_which_variable(fake: FakeLLM, openai_provider: OpenAIProvider) -> None:
    fake.replies.append(Reply(status=401))
    with pytest.raises(ProviderError) as info:
        openai_provider.complete(_request(fake), CTX)
    assert str(info.value).endswith(
        "status 401; the API key was refused: check the key's environment variable for "
        "this provider"
    )
