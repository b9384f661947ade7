"""Bad input gives one positioned diagnostic, exit 1, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.interop.conftest import CORPUS


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join([*lines, "messages: [{role: user, content: hi}]"]) + "\n"


GH = "name: x\nmodel: openai/gpt-4o\nmessages:\n  - role: user\n    content: "

# (format, file name, bytes, the exact diagnostic line after 'FILE:')
CASES = [
    (
        "prompty",
        "t.prompty",
        b"---\nname: x\nmodel: gpt-4\n",
        "1:1: error: front matter opened with '---' is never closed: expected a line '---' after "
        "the YAML (is the file truncated?) [import-front-matter]",
    ),
    (
        "dotprompt",
        "t.prompt",
        b"---\nmodel: openai/gpt-4o\ninput:\n  schema:\n    a: string\n",
        "1:1: error: front matter opened with '---' is never closed: expected a line '---' (and a "
        "line break) after the YAML (is the file truncated?) [import-front-matter]",
    ),
    (
        "github-models",
        "bomb.prompt.yml",
        _bomb().encode(),
        "6:4: error: document expands to more than 100000 nodes through aliases (a 'billion "
        "laughs' document?); it was not expanded [import-too-many-aliases]",
    ),
    (
        "github-models",
        "latin1.prompt.yml",
        (GH + "caf\xe9\n").encode("latin-1"),
        "5:17: error: invalid UTF-8 byte 0xe9; save the file as UTF-8 [import-encoding]",
    ),
    (
        "github-models",
        "nul.prompt.yml",
        b"name: x\x00\n",
        "1:1: error: binary file (contains NUL bytes); expected UTF-8 text [import-not-text]",
    ),
    (
        "dotprompt",
        "open.prompt",
        b"---\nmodel: openai/gpt-4o\n---\nHello {{#if name}}{{name}}\n",
        "4:7: error: block '{{#if}}' is never closed with '{{/if}}' [import-template-syntax]",
    ),
    (
        "dotprompt",
        "close.prompt",
        b"Hello {{/if}}\n",
        "1:7: error: {{/...}} without an open block [import-template-syntax]",
    ),
    (
        "github-models",
        "broken.prompt.yml",
        b"hello: [1, 2",
        "2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
        "sequence) [import-yaml-syntax]",
    ),
    (
        "github-models",
        "other.prompt.yml",
        (CORPUS / "prompty/v2/basic.prompty").read_bytes(),
        "1:1: error: not a GitHub Models prompt file: it starts with a '---' front matter (a "
        "Prompty or Dotprompt file? import it with that format) [import-not-format]",
    ),
    (
        "promptfoo",
        "promptfooconfig.yaml",
        (CORPUS / "github-models/sample_prompt.prompt.yml").read_bytes(),
        "1:1: error: not a promptfoo configuration: expected a mapping with 'prompts' "
        "[import-not-format]",
    ),
    (
        "langfuse",
        "x.json",
        b'{"prompts": []}',
        "1:1: error: not a Langfuse prompt: expected an object with 'name' and 'prompt' (or a list "
        "of them) as the Langfuse API returns [import-not-format]",
    ),
    (
        "langfuse",
        "y.json",
        b'{"name": "x",',
        "1:14: error: not JSON: Expecting property name enclosed in double quotes: line 1 column "
        "14 (char 13) [import-json]",
    ),
    (
        "github-models",
        "list.prompt.yml",
        b"- a\n- b\n",
        "1:1: error: not a GitHub Models prompt file: expected a mapping with 'messages' (and "
        "'model'), found list [import-not-format]",
    ),
    (
        "python",
        "app.py",
        b"def f(:\n    pass\n",
        "1:7: error: not Python: invalid syntax [import-python-syntax]",
    ),
    (
        "promptfoo",
        "promptfooconfig.yaml",
        b"prompts: ['{% if x %}open']\n",
        "1:11: error: not a template promptops can read: Unexpected end of template. Jinja was "
        "looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that "
        "needs to be closed is 'if'. [import-template-syntax]",
    ),
]


@pytest.mark.parametrize(
    ("fmt", "name", "data", "message"), CASES, ids=[c[1] + "-" + c[0] for c in CASES]
)
def test_bad_input_is_positioned_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    name: str,
    data: bytes,
    message: str,
) -> None:
    source = tmp_path / "src" / name
    source.parent.mkdir()
    source.write_bytes(data)
    into = tmp_path / "repo"
    code, out, err = run_cli(["import", fmt, str(source), "--into", str(into)], capsys)
    assert code == 1
    assert f"{source}:{message}" in err.splitlines()
    assert err.splitlines()[-1].endswith("nothing written")
    assert not into.exists()
    assert out == ""


def test_one_bad_file_stops_the_whole_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.prompt.yml").write_bytes(
        (CORPUS / "github-models/sample_prompt.prompt.yml").read_bytes()
    )
    (src / "bad.prompt.yml").write_bytes(b"hello: [")
    into = tmp_path / "repo"
    code, _, err = run_cli(["import", "github-models", str(src), "--into", str(into)], capsys)
    assert code == 1
    assert "[import-yaml-syntax]" in err
    assert not into.exists()
