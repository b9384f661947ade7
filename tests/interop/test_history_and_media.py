"""Chat history and media on import and export (ADR 0014's {history: INPUT} messages and
content parts): Langfuse placeholders, Prompty threads and 1.x history loops, Dotprompt's
{{history}} and {{media}}, and what a source places where promptops cannot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.compile import compile_repository
from promptops.interop.export import export_prompts
from promptops.repo import load_repository
from promptops.runtime.preview import unverified_prompt
from tests.helpers import run_cli
from tests.interop.conftest import CORPUS, run_import


def _prompt(repo: Path, pid: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((repo / "prompts" / f"{pid}.yaml").read_text())
    return data


def _render(repo: Path, pid: str, **inputs: Any) -> list[tuple[str, Any]]:
    bundle = compile_repository(load_repository(repo, cache=False), cache=False)
    req = unverified_prompt(bundle.data, pid).render(**inputs)
    return [(m["role"], m["content"]) for m in req.messages]


def test_a_langfuse_placeholder_is_a_history_message_rendering_as_compile_does(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    plan = run_import("langfuse", [CORPUS / "langfuse/placeholders"], repo)
    assert "import-placeholder" not in [d.code for d in plan.diagnostics]
    prompt = _prompt(repo, "movie-critic-chat")
    assert prompt["messages"][1] == {"history": "chat_history"}
    assert prompt["inputs"]["chat_history"] == {"type": "array", "default": []}
    # The example of Langfuse's message placeholders page: compile(criticlevel="expert",
    # chat_history=[...]) and the list it documents.
    history = [
        {"role": "user", "content": "I love Ron Fricke movies like Baraka"},
        {"role": "user", "content": "Also, the Korean movie Memories of a Murderer"},
    ]
    assert _render(repo, "movie-critic-chat", criticlevel="expert", chat_history=history) == [
        ("system", "You are an expert movie critic"),
        ("user", "I love Ron Fricke movies like Baraka"),
        ("user", "Also, the Korean movie Memories of a Murderer"),
        ("user", "What should I watch next?"),
    ]


def test_prompty_threads_and_history_loops_become_history_messages(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for source in ("prompty/v2/threaded.prompty", "prompty/v1/chat.prompty"):
        plan = run_import("prompty", [CORPUS / source], repo)
        assert plan.errors == []
        codes = [d.code for d in plan.diagnostics]
        assert "import-thread" not in codes and "import-dynamic-role" not in codes
    assert _prompt(repo, "threaded")["messages"][1] == {"history": "conversation"}
    assert _prompt(repo, "chat")["messages"][-1] == {"history": "chat_history"}
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    assert _render(repo, "threaded", conversation=turns, question="And now?") == [
        ("system", "You are a helpful assistant."),
        ("user", "Hi"),
        ("assistant", "Hello!"),
        ("user", "And now?"),
    ]


def test_prompty_media_a_promptops_message_cannot_hold_is_left_out_where_it_stands(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    plan = run_import("prompty", [CORPUS / "prompty/v2/multimodal.prompty"], repo)
    shown = [str(d) for d in plan.diagnostics if d.code == "import-media"]
    assert [s.split("/")[-1] for s in shown] == [
        "multimodal.prompty:12:5: warning: 'recording' is an audio input, which promptops "
        "prompts cannot send (content parts are text, images and files); it was left out of "
        "the template: pass it from your application [import-media]",
        "multimodal.prompty:18:1: warning: 'photo' is an image in a system message; promptops "
        "sends images and files from the user only, so it was left out: move it to a user "
        "message [import-media]",
    ]
    assert set(_prompt(repo, "multimodal")["inputs"]) == {"question"}


def test_prompty_image_in_a_user_message_is_a_content_part(tmp_path: Path) -> None:
    src = tmp_path / "look.prompty"
    src.write_text(
        "---\nname: look\nmodel: gpt-4o\ninputs:\n  - name: photo\n    kind: image\n"
        "  - name: question\n    kind: string\n---\nsystem:\nYou describe photos.\n\nuser:\n"
        "{{question}}\n{{photo}}\nBe brief.\n",
        encoding="utf-8",
    )
    repo = tmp_path / "repo"
    assert run_import("prompty", [src], repo).errors == []
    assert _prompt(repo, "look")["messages"][1] == {
        "role": "user",
        "content": [
            {"text": "{{ (question) | trim }}\n"},
            {"image": "photo"},
            {"text": "Be brief.\n"},
        ],
    }
    photo = {"url": "https://example.com/cat.png"}
    assert _render(repo, "look", question="What is it?", photo=photo)[1] == (
        "user",
        [
            {"type": "text", "text": "What is it?"},
            {"type": "image", "url": "https://example.com/cat.png"},
            {"type": "text", "text": "Be brief."},
        ],
    )


def test_dotprompt_media_becomes_an_image_part_and_says_what_changed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    plan = run_import("dotprompt", [CORPUS / "dotprompt/genkit/media.prompt"], repo)
    assert {"import-media-input", "import-media-type"} <= {d.code for d in plan.diagnostics}
    prompt = _prompt(repo, "media")
    assert prompt["inputs"]["imageUrl"] == {"type": "object"}
    assert prompt["messages"][0]["content"][-1] == {"image": "imageUrl"}


@pytest.mark.parametrize(
    ("fmt", "source", "pid"),
    [
        ("dotprompt", "dotprompt/genkit/multi-msg.prompt", "multi-msg"),
        ("langfuse", "langfuse/placeholders/movie-critic-chat.json", "movie-critic-chat"),
        ("prompty", "prompty/v2/threaded.prompty", "threaded"),
        ("prompty", "prompty/v1/chat.prompty", "chat"),
    ],
)
def test_history_and_media_come_back_from_their_own_format(
    tmp_path: Path, fmt: str, source: str, pid: str
) -> None:
    repo = tmp_path / "repo"
    run_import(fmt, [CORPUS / source], repo)
    result = export_prompts(fmt, repo)
    assert result.same == {pid: True}


def test_dotprompt_history_comes_back_as_history(tmp_path: Path) -> None:
    src = tmp_path / "chat.prompt"
    src.write_text(
        '---\nmodel: openai/gpt-4o-2024-08-06\n---\n{{role "system"}}Be kind.\n{{history}}'
        '{{role "user"}}{{question}}\n',
        encoding="utf-8",
    )
    repo = tmp_path / "repo"
    assert run_import("dotprompt", [src], repo).errors == []
    assert _prompt(repo, "chat")["messages"][1] == {"history": "history"}
    result = export_prompts("dotprompt", repo)
    assert "{{history}}" in result.files["chat.prompt"]
    assert result.same == {"chat": True}


@pytest.mark.parametrize("fmt", ["github-models", "promptfoo", "python"])
def test_formats_without_history_name_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    src = tmp_path / "reply.json"
    src.write_text(
        '{"name": "bot/reply", "type": "chat", "config": {"model": "gpt-4o-2024-08-06"}, '
        '"prompt": [{"role": "system", "content": "Be kind."}, '
        '{"type": "placeholder", "name": "chat_history"}, '
        '{"role": "user", "content": "{{question}}"}]}',
        encoding="utf-8",
    )
    repo = tmp_path / "repo"
    assert run_import("langfuse", [src], repo).errors == []
    _, out, _ = run_cli(
        ["export", fmt, "--repo", str(repo), "--out", str(tmp_path / "out")], capsys
    )
    assert "not exported: bot/reply: chat history ({history: chat_history})" in out.splitlines()
