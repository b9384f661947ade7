"""The adapters' output is what the SDKs accept: checked against the SDKs' own request
types, and sent through the real SDK clients to a recording server on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading
import typing
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming
from pydantic import TypeAdapter

from promptops.runtime import adapters
from promptops.runtime.render import Prompt
from promptops.runtime.request import Provenance, Request
from tests.runtime.fixtures import GREET, compiled

PROV = Provenance("p", "d" * 64, "v1", 1, "b" * 64, "a" * 40)
SCHEMA = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
RICH = compiled(
    "support/answer.v2",
    [
        ("system", "Be brief.", "text"),
        ("system", "Cite sources.", "text"),
        ("user", "Q: {{ q }}", "substitute"),
        ("assistant", "Let me check.", "text"),
        ("user", "Go on.", "text"),
    ],
    properties={"q": {"type": "string"}},
    tools=GREET["tools"],
    output_schema=SCHEMA,
    params={
        "temperature": 0.3,
        "max_tokens": 200,
        "top_p": 0.9,
        "stop": "END",
        "top_k": 5,
        "seed": 7,
    },
)


def render(obj: dict[str, Any]) -> Request:
    p = Prompt(obj, PROV._replace(prompt_id=obj["id"]), validate=True)
    return p.render(q="why?") if obj is RICH else p.render(name="Ada")


def _typed(td: Any, kw: dict[str, Any]) -> None:
    body = {k: v for k, v in kw.items() if k != "extra_body"}
    assert set(body) <= set(typing.get_type_hints(td)), set(body) - set(typing.get_type_hints(td))
    TypeAdapter(td).validate_python(body)


@pytest.mark.parametrize("obj", [GREET, RICH], ids=["plain", "rich"])
def test_openai_chat_matches_the_sdk_request_type(obj: dict[str, Any]) -> None:
    _typed(CompletionCreateParamsNonStreaming, render(obj).to_openai_chat())


@pytest.mark.parametrize("obj", [GREET, RICH], ids=["plain", "rich"])
def test_openai_responses_matches_the_sdk_request_type(obj: dict[str, Any]) -> None:
    _typed(ResponseCreateParamsNonStreaming, render(obj).to_openai_responses())


@pytest.mark.parametrize("obj", [GREET, RICH], ids=["plain", "rich"])
def test_anthropic_matches_the_sdk_request_type(obj: dict[str, Any]) -> None:
    _typed(MessageCreateParamsNonStreaming, render(obj).to_anthropic())


def test_known_param_sets_are_within_the_sdk_types() -> None:
    hints = typing.get_type_hints
    assert set(hints(CompletionCreateParamsNonStreaming)) >= adapters._OPENAI_CHAT
    assert set(hints(ResponseCreateParamsNonStreaming)) >= adapters._OPENAI_RESPONSES
    assert set(hints(MessageCreateParamsNonStreaming)) >= adapters._ANTHROPIC


def test_rich_mappings() -> None:
    req = render(RICH)
    chat = req.to_openai_chat()
    assert chat["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "support_answer_v2", "schema": SCHEMA},
    }
    assert chat["extra_body"] == {"top_k": 5}
    resp = req.to_openai_responses()
    assert resp["max_output_tokens"] == 200 and "max_tokens" not in resp
    assert resp["extra_body"] == {"stop": "END", "top_k": 5, "seed": 7}
    assert resp["text"]["format"]["name"] == "support_answer_v2"
    ant = req.to_anthropic()
    assert ant["system"] == "Be brief.\n\nCite sources."
    assert [m["role"] for m in ant["messages"]] == ["user", "assistant", "user"]
    assert ant["stop_sequences"] == ["END"] and ant["max_tokens"] == 200
    assert ant["extra_body"] == {"temperature": 0.3, "top_p": 0.9, "top_k": 5, "seed": 7}
    assert ant["tools"][0] == {
        "name": "lookup",
        "description": "Look a user up.",
        "input_schema": GREET["tools"][0]["parameters"],
    }
    assert ant["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}


def test_anthropic_max_tokens_defaults_when_unset() -> None:
    obj = compiled("x", [("user", "hi", "text")], params={})
    assert Prompt(obj, PROV, validate=True).render().to_anthropic()["max_tokens"] == 1024


# -- through the real SDK clients ---------------------------------------------------------
_REPLIES = {
    "/v1/chat/completions": {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}
        ],
    },
    "/v1/responses": {
        "id": "r",
        "object": "response",
        "created_at": 0,
        "model": "m",
        "output": [],
        "status": "completed",
    },
    "/v1/messages": {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    },
}


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    bodies: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            bodies.append(json.loads(self.rfile.read(length)))
            reply = json.dumps(_REPLIES[self.path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()
    thread.join()


def _sent(kw: dict[str, Any]) -> dict[str, Any]:
    return {**{k: v for k, v in kw.items() if k != "extra_body"}, **kw.get("extra_body", {})}


def test_real_sdk_clients_send_exactly_the_adapter_output(
    recorder: tuple[str, list[dict[str, Any]]],
) -> None:
    url, bodies = recorder
    req = render(RICH)
    oa = openai.OpenAI(base_url=url + "/v1", api_key="test", max_retries=0)
    an = anthropic.Anthropic(base_url=url, api_key="test", max_retries=0)
    with oa, an:
        oa.chat.completions.create(**req.to_openai_chat())
        oa.responses.create(**req.to_openai_responses())
        an.messages.create(**req.to_anthropic())
    assert bodies == [
        _sent(req.to_openai_chat()),
        _sent(req.to_openai_responses()),
        _sent(req.to_anthropic()),
    ]
