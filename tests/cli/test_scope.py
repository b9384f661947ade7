"""`render PROMPT` and `eval --prompt X` need that prompt sound, not the whole repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MINIMAL_REPO, run_cli, write_files

OTHER = """\
kind: prompt
description: Another prompt.
owner: team-b
model: default
inputs:
  q: {type: string}
messages:
  - role: user
    content: "{{ q }}"
tags: [production]
"""
COVERAGE = "rules:\n  require_owner: true\n  eval_coverage: {tags: [production], min_cases: 1}\n"


def _repo(root: Path, changes: dict[str, str] | None = None) -> Path:
    write_files(root, {**MINIMAL_REPO, **(changes or {})})
    return root


def _render(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    argv = ["render", "greet", "--repo", str(root), "--var", "name=Ada"]
    return run_cli(argv, capsys)


def test_render_ignores_another_prompt_without_evals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: render refused while any other prompt lacked evals."""
    root = _repo(tmp_path, {"prompts/other.yaml": OTHER, "policies/rules.yaml": COVERAGE})
    assert run_cli(["validate", str(root)], capsys)[0] == 1
    code, out, err = _render(root, capsys)
    assert code == 0, err
    assert out.endswith("Say hello to Ada.\n")
    assert (
        "note: other files have 1 error(s) and 0 warning(s) that do not affect greet; "
        "run `promptops validate` for them\n"
    ) in err


def test_render_lets_policy_errors_of_the_prompt_itself_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path, {"policies/rules.yaml": COVERAGE})
    (root / "evals" / "greet.yaml").unlink()
    greet = MINIMAL_REPO["prompts/greet.yaml"].replace("owner: team-a\n", "")
    write_files(root, {"prompts/greet.yaml": greet})
    code, out, err = _render(root, capsys)
    assert code == 0, err
    assert out.endswith("Say hello to Ada.\n")
    assert "prompts/greet.yaml:1:1: error: missing 'owner'" in err
    assert "error: prompt 'greet' is tagged 'production' and needs at least 1 eval" in err


def test_render_ignores_a_broken_unrelated_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(tmp_path, {"prompts/other.yaml": "kind: prompt\nmodel: [default\n"})
    code, _, err = _render(root, capsys)
    assert code == 0, err
    assert "other files have 1 error(s)" in err


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (
            "prompts/instructions/tone.yaml",
            "kind: instruction\ntxt: hi\n",
            "prompts/instructions/tone.yaml:2:1: error: unknown key 'txt'; did you mean 'text'?",
        ),
        (
            "models.yaml",
            "models: {default: {provider: echo, model: echo-2024-01-01, parms: {}}}\n",
            "models.yaml:1:60: error: unknown key 'parms' in 'models.default'",
        ),
        (
            "prompts/greet.yaml",
            MINIMAL_REPO["prompts/greet.yaml"].replace("{{ name }}", "{{ nme }}"),
            "prompts/greet.yaml:12:23: error: variable 'nme' is not a declared input",
        ),
    ],
    ids=["instruction", "models", "itself"],
)
def test_render_refuses_when_a_file_it_needs_is_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, text: str, message: str
) -> None:
    root = _repo(tmp_path, {path: text})
    code, _, err = _render(root, capsys)
    assert code == 1
    assert message in err


def test_render_refuses_when_an_included_partial_is_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greet = MINIMAL_REPO["prompts/greet.yaml"].replace(
        "Say hello to {{ name }}.",
        'Say hello to {{ name }}.\n      {% include "partials/footer" %}',
    )
    root = _repo(
        tmp_path,
        {
            "prompts/greet.yaml": greet,
            "prompts/partials/footer.yaml": "kind: partial\ntemplate: '{% if x %}'\n",
        },
    )
    code, _, err = _render(root, capsys)
    assert code == 1
    assert "prompts/partials/footer.yaml:2:12: error: template syntax error" in err


def test_render_unknown_prompt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(tmp_path)
    code, _, err = run_cli(["render", "gret", "--repo", str(root)], capsys)
    assert (code, err) == (2, "error: no prompt 'gret'; did you mean 'greet'?\n")


def test_eval_one_prompt_ignores_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(
        tmp_path,
        {
            "prompts/other.yaml": OTHER,
            "evals/other.yaml": "prompt: other\ncases:\n  - name: x\n    inputs: {q: 5}\n",
        },
    )
    assert run_cli(["eval", str(root), "--provider", "echo"], capsys)[0] == 1
    code, out, err = run_cli(["eval", str(root), "--provider", "echo", "--prompt", "greet"], capsys)
    assert code == 0, err
    assert out.startswith("PASS evals/greet.yaml :: says-hello\n")
    assert "other files have 1 error(s)" in err
    # The prompt's own eval set must be sound.
    code, _, err = run_cli(["eval", str(root), "--provider", "echo", "--prompt", "other"], capsys)
    assert code == 1
    assert "evals/other.yaml:4:17: error: input 'q' of prompt 'other': expected string" in err
