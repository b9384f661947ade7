"""Gemini, Azure OpenAI and Bedrock through their real SDKs, against a local server that
speaks each wire protocol (issue 14, item 6)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from promptops.errors import ProviderError
from promptops.evals.config import EvalConfig
from promptops.evals.providers import make_provider
from promptops.evals.providers.base import CallContext, TransientProviderError
from promptops.evals.types import Request, ToolCall
from tests.evals.fake_llm import FakeLLM, Reply, serve

CTX = CallContext("support/answer", "evals/support/answer.yaml", "refund")
_ARGS = {"type": "object", "properties": {"order_id": {"type": "string"}}}
TOOL = {"name": "lookup_order", "description": "Find an order.", "parameters": _ARGS}


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with serve() as server:
        yield server


def _request(provider: str, base_url: str, **extra: object) -> Request:
    fields: dict[str, object] = {
        "provider": provider,
        "model": "model-2025-01-01",
        "messages": (
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Where is my refund?"},
        ),
        "params": {"temperature": 0.2, "max_tokens": 50},
        "base_url": base_url,
    }
    fields.update(extra)
    return Request(**fields)  # type: ignore[arg-type]


def _provider(name: str, env: dict[str, str]) -> object:
    return make_provider(name, config=EvalConfig(timeout_s=5.0), env=env)


def test_gemini_generate_content(fake: FakeLLM) -> None:
    fake.replies.append(
        Reply(text="On its way.", tool_calls=[("lookup_order", {"order_id": "A1"})])
    )
    provider = make_provider("gemini", config=EvalConfig(timeout_s=5.0),
                             env={"GEMINI_API_KEY": "g-test"})  # fmt: skip
    base = fake.url.removesuffix("/v1")
    try:
        response = provider.complete(_request("gemini", base, tools=(TOOL,)), CTX)
    finally:
        provider.close()
    assert response.text == "On its way."
    assert response.tool_calls == (ToolCall("lookup_order", {"order_id": "A1"}),)
    assert (response.tokens_in, response.tokens_out) == (17, 3)
    assert fake.paths[0].endswith("/models/model-2025-01-01:generateContent")
    sent = fake.requests[0]
    assert sent["contents"] == [{"role": "user", "parts": [{"text": "Where is my refund?"}]}]
    assert sent["systemInstruction"]["parts"][0]["text"] == "Be brief."
    assert sent["generationConfig"]["temperature"] == 0.2
    assert sent["generationConfig"]["maxOutputTokens"] == 50
    assert sent["tools"][0]["functionDeclarations"][0]["name"] == "lookup_order"


def test_azure_openai_posts_to_the_deployment(fake: FakeLLM) -> None:
    fake.replies.append(Reply(text="Azure says hi."))
    env = {"AZURE_OPENAI_API_KEY": "az-test"}
    provider = make_provider("azure-openai", config=EvalConfig(timeout_s=5.0), env=env)
    base = fake.url.removesuffix("/v1")
    try:
        response = provider.complete(_request("azure-openai", base), CTX)
    finally:
        provider.close()
    assert response.text == "Azure says hi."
    assert fake.paths[0] == (
        "/openai/deployments/model-2025-01-01/chat/completions?api-version=2024-10-21"
    )
    assert fake.requests[0]["messages"][0] == {"role": "system", "content": "Be brief."}


def test_bedrock_converse(fake: FakeLLM) -> None:
    fake.replies.append(
        Reply(text="Bedrock answer.", tool_calls=[("lookup_order", {"order_id": "B2"})])
    )
    env = {
        "AWS_ACCESS_KEY_ID": "AKIATEST",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_REGION": "eu-west-1",
    }
    provider = make_provider("bedrock", config=EvalConfig(timeout_s=5.0), env=env)
    base = fake.url.removesuffix("/v1")
    try:
        response = provider.complete(_request("bedrock", base, tools=(TOOL,)), CTX)
    finally:
        provider.close()
    assert response.text == "Bedrock answer."
    assert response.tool_calls == (ToolCall("lookup_order", {"order_id": "B2"}),)
    assert (response.tokens_in, response.tokens_out) == (19, 4)
    assert fake.paths[0] == "/model/model-2025-01-01/converse"
    sent = fake.requests[0]
    assert sent["system"] == [{"text": "Be brief."}]
    assert sent["messages"] == [{"role": "user", "content": [{"text": "Where is my refund?"}]}]
    assert sent["inferenceConfig"] == {"temperature": 0.2, "maxTokens": 50}
    assert sent["toolConfig"]["tools"][0]["toolSpec"]["name"] == "lookup_order"


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("gemini", {"GEMINI_API_KEY": "g"}),
        ("azure-openai", {"AZURE_OPENAI_API_KEY": "a"}),
        ("bedrock", {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "s"}),
    ],
)
def test_5xx_is_transient_and_4xx_is_not(fake: FakeLLM, name: str, env: dict[str, str]) -> None:
    fake.replies.extend([Reply(status=503), Reply(status=400)])
    provider = make_provider(name, config=EvalConfig(timeout_s=5.0), env=env)
    base = fake.url.removesuffix("/v1")
    try:
        with pytest.raises(TransientProviderError, match="HTTP 503 from"):
            provider.complete(_request(name, base), CTX)
        with pytest.raises(ProviderError, match="HTTP 400 from") as info:
            provider.complete(_request(name, base), CTX)
        assert not isinstance(info.value, TransientProviderError)
    finally:
        provider.close()


@pytest.mark.parametrize(
    ("name", "module", "extra"),
    [("gemini", "google.genai", "gemini"), ("azure-openai", "openai", "azure"),
     ("bedrock", "boto3", "bedrock"), ("anthropic", "anthropic", "anthropic")],
)  # fmt: skip
def test_a_missing_sdk_names_its_extra(name: str, module: str, extra: str) -> None:
    top = module.split(".")[0]
    script = (
        f"import sys; sys.modules[{module!r}] = None; sys.modules[{top!r}] = None\n"
        "from promptops.evals.config import EvalConfig\n"
        "from promptops.evals.providers import make_provider\n"
        f"make_provider({name!r}, config=EvalConfig(), env={{}})\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert f"pip install 'promptops[{extra}]'" in proc.stderr
