# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Chat history and multimodal parts: from the prompt file to each provider's request."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from openai.types.chat.completion_create_params import CompletionCreateParamsNonStreaming
from openai.types.responses.response_create_params import ResponseCreateParamsNonStreaming
from pydantic import TypeAdapter

from promptops.compile import preview_bundle
from promptops.errors import RenderError
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.content import CHECKS, IMAGE_MEDIA_TYPES
from promptops.runtime.preview import unverified_prompt
from promptops.runtime.render import Prompt
from promptops.runtime.schema_fast import Invalid
from promptops.spec.content import IMAGE_MEDIA_TYPES as SPEC_IMAGE_TYPES
from promptops.spec.content import INPUT_SCHEMAS
from tests.helpers import MINIMAL_REPO, write_files

PNG = "iVBORw0KGgo="
PDF = "JVBERi0xLjQ="

ASSISTANT = """\
kind: prompt
description: Answer about a photo, continuing a conversation.
owner: team-a
model: default
inputs:
  history: {type: array, maxItems: 20, default: []}
  photo: {type: object}
  invoice: {type: object, default: {url: "https://example.com/blank.pdf"}}
  question: {type: string, maxLength: 500}
messages:
  - role: system
    content: You help customers with their orders.
  - history: history
  - role: user
    content:
      - text: "{{ question }}"
      - image: photo
      - file: invoice
"""

# (kind, value, error or None): the runtime's checks and the spec's schemas agree on each.
VALUES: list[tuple[str, Any, str | None]] = [
    ("image", {"url": "https://x.example/a.png"}, None),
    ("image", {"type": "image", "data": PNG, "media_type": "image/png"}, None),
    ("image", {"url": "ftp://x"}, "input 'v.url': expected an http(s) URL, found 'ftp://x' (str)"),
    (
        "image",
        {"data": PNG, "media_type": "image/bmp"},
        "input 'v.media_type': expected one of image/png, image/jpeg, image/gif, image/webp, found 'image/bmp' (str)",
    ),
    (
        "image",
        {"data": "data:image/png;base64," + PNG, "media_type": "image/png"},
        "input 'v.data': expected base64 text (without a 'data:' prefix; give media_type apart), found 'data:image/png;base64,iVBORw0KGgo=' (str)",
    ),
    ("image", {"url": "https://x", "data": PNG}, "input 'v': unexpected key 'data' in {url}"),
    (
        "image",
        {"type": "file", "url": "https://x"},
        "input 'v': expected type 'image', found 'file' (str)",
    ),
    (
        "image",
        "https://x",
        "input 'v': expected a mapping {url} or {data, media_type}, found 'https://x' (str)",
    ),
    ("file", {"data": PDF, "media_type": "application/pdf", "name": "invoice.pdf"}, None),
    ("file", {"url": "https://x.example/a.pdf"}, None),
    (
        "file",
        {"data": PDF, "media_type": "pdf"},
        "input 'v.media_type': expected a media type such as 'application/pdf', found 'pdf' (str)",
    ),
    (
        "file",
        {"data": PDF, "media_type": "application/pdf", "name": ""},
        "input 'v.name': expected a file name, found '' (str)",
    ),
    ("history", [], None),
    (
        "history",
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        None,
    ),
    (
        "history",
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "this"},
                    {"type": "image", "url": "https://x"},
                ],
            }
        ],
        None,
    ),
    ("history", [{"role": "assistant", "content": [{"type": "text", "text": "ok"}]}], None),
    (
        "history",
        [{"role": "system", "content": "x"}],
        "input 'v[0].role': expected 'user' or 'assistant', found 'system' (str)",
    ),
    (
        "history",
        [{"role": "assistant", "content": [{"type": "image", "url": "https://x"}]}],
        "input 'v[0].content[0]': image parts are allowed in user messages only",
    ),
    (
        "history",
        [{"role": "user", "content": [{"type": "video", "url": "https://x"}]}],
        "input 'v[0].content[0].type': expected 'text', 'image' or 'file', found 'video' (str)",
    ),
    (
        "history",
        [{"role": "user", "content": "x", "name": "bob"}],
        "input 'v[0]': unexpected key 'name' (a message has role and content)",
    ),
    ("history", [{"role": "user"}], "input 'v[0]': missing required property 'content'"),
    (
        "history",
        [{"role": "user", "content": 5}],
        "input 'v[0].content': expected text or a list of parts, found 5 (int)",
    ),
    (
        "history",
        {"role": "user"},
        "input 'v': expected a list of messages, found {'role': 'user'} (dict)",
    ),
]


@pytest.mark.parametrize(("kind", "value", "error"), VALUES)
def test_runtime_checks_and_spec_schemas_agree(kind: str, value: Any, error: str | None) -> None:
    schema_ok = jsonschema.Draft202012Validator(INPUT_SCHEMAS[kind]).is_valid(value)
    try:
        CHECKS[kind](value, "v")
        found = None
    except Invalid as exc:
        found = f"input {exc.where!r}: {exc.what}"
    assert found == error
    assert schema_ok == (error is None)


def test_the_two_lists_of_image_types_are_one() -> None:
    assert IMAGE_MEDIA_TYPES == SPEC_IMAGE_TYPES


@pytest.fixture
def assistant(tmp_path: Path) -> Prompt:
    write_files(tmp_path, {**MINIMAL_REPO, "prompts/photo.yaml": ASSISTANT})
    return unverified_prompt(preview_bundle(tmp_path, "photo").data, "photo")


HISTORY = [
    {"role": "user", "content": "My order arrived."},
    {"role": "assistant", "content": [{"type": "text", "text": "Glad to hear it."}]},
]
PHOTO = {"data": PNG, "media_type": "image/png"}


def test_history_goes_where_the_prompt_says(assistant: Prompt) -> None:
    req = assistant.render(history=HISTORY, photo=PHOTO, question="Is it damaged?")
    assert req.messages == [
        {"role": "system", "content": "You help customers with their orders."},
        {"role": "user", "content": "My order arrived."},
        {"role": "assistant", "content": [{"type": "text", "text": "Glad to hear it."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Is it damaged?"},
                {"type": "image", "data": PNG, "media_type": "image/png"},
                {"type": "file", "url": "https://example.com/blank.pdf"},
            ],
        },
    ]
    # Copies: the request never aliases the caller's data.
    assert req.messages[2] is not HISTORY[1]
    assert assistant.render(photo=PHOTO, question="?").messages[1]["role"] == "user"


@pytest.mark.parametrize("validate", [True, False])
def test_history_and_media_are_checked_even_without_input_validation(
    tmp_path: Path, validate: bool
) -> None:
    write_files(tmp_path, {**MINIMAL_REPO, "prompts/photo.yaml": ASSISTANT})
    config = RuntimeConfig(validate_inputs=validate)
    prompt = unverified_prompt(preview_bundle(tmp_path, "photo").data, "photo", config=config)
    with pytest.raises(RenderError, match=r"input 'history\[0\].role': expected 'user' or"):
        prompt.render(history=[{"role": "tool", "content": "x"}], photo=PHOTO, question="?")
    with pytest.raises(RenderError, match=r"input 'photo.url': expected an http\(s\) URL"):
        prompt.render(photo={"url": "file:///etc/passwd"}, question="?")


def _typed(td: Any, kw: dict[str, Any]) -> None:
    body = {k: v for k, v in kw.items() if k != "extra_body"}
    assert set(body) <= set(typing.get_type_hints(td))
    TypeAdapter(td).validate_python(body)


def test_openai_chat(assistant: Prompt) -> None:
    photo = {"url": "https://x.example/a.png"}
    invoice = {"data": PDF, "media_type": "application/pdf", "name": "inv.pdf"}
    kw = assistant.render(history=HISTORY, photo=photo, invoice=invoice, question="?")
    chat = kw.to_openai_chat()
    _typed(CompletionCreateParamsNonStreaming, chat)
    assert chat["messages"][3]["content"] == [
        {"type": "text", "text": "?"},
        {"type": "image_url", "image_url": {"url": "https://x.example/a.png"}},
        {
            "type": "file",
            "file": {"file_data": f"data:application/pdf;base64,{PDF}", "filename": "inv.pdf"},
        },
    ]
    by_url = assistant.render(photo=PHOTO, question="?")
    with pytest.raises(RenderError, match="OpenAI chat completions take a file as data"):
        by_url.to_openai_chat()


def test_openai_responses(assistant: Prompt) -> None:
    kw = assistant.render(history=HISTORY, photo=PHOTO, question="?").to_openai_responses()
    _typed(ResponseCreateParamsNonStreaming, kw)
    assert kw["input"][2] == {"role": "assistant", "content": "Glad to hear it."}
    assert kw["input"][3]["content"] == [
        {"type": "input_text", "text": "?"},
        {"type": "input_image", "image_url": f"data:image/png;base64,{PNG}", "detail": "auto"},
        {"type": "input_file", "file_url": "https://example.com/blank.pdf"},
    ]


def test_anthropic(assistant: Prompt) -> None:
    invoice = {"data": "aGVsbG8=", "media_type": "text/plain", "name": "note.txt"}
    kw = assistant.render(
        history=HISTORY, photo=PHOTO, invoice=invoice, question="?"
    ).to_anthropic()
    _typed(MessageCreateParamsNonStreaming, kw)
    assert kw["system"] == "You help customers with their orders."
    assert kw["messages"][2]["content"] == [
        {"type": "text", "text": "?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "hello"},
            "title": "note.txt",
        },
    ]
    csv = {"data": "YSxi", "media_type": "text/csv"}
    with pytest.raises(
        RenderError, match="Anthropic takes documents as application/pdf or text/plain"
    ):
        assistant.render(photo=PHOTO, invoice=csv, question="?").to_anthropic()
