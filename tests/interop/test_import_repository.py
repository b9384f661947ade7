"""Importing into a repository: idempotent, reviewable (--update shows the diff,
--dry-run writes nothing), strict, and reusing what the repository already holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from promptops.repo import validate_repository
from tests.helpers import run_cli
from tests.interop.conftest import CORPUS, ROOT

SAMPLE = CORPUS / "github-models" / "sample_prompt.prompt.yml"


def _import(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    return run_cli(["import", *args], capsys)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_reimport_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    into = tmp_path / "repo"
    assert (
        _import(["github-models", str(CORPUS / "github-models"), "--into", str(into)], capsys)[0]
        == 0
    )
    before = _snapshot(into)
    code, out, err = _import(
        ["github-models", str(CORPUS / "github-models"), "--into", str(into)], capsys
    )
    assert code == 0, err
    assert out == ""
    assert "(wrote: 0 new, 0 changed," in err.splitlines()[-1]
    assert _snapshot(into) == before


def test_a_changed_file_is_refused_then_updated_with_its_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "repo"
    _import(["github-models", str(SAMPLE), "--into", str(into)], capsys)
    prompt = into / "prompts" / "sample_prompt.yaml"
    edited = prompt.read_text().replace("greetings and farewells", "greetings")
    prompt.write_text(edited)
    code, out, err = _import(["github-models", str(SAMPLE), "--into", str(into)], capsys)
    assert code == 1
    assert (
        "prompts/sample_prompt.yaml:1:1: error: refusing to overwrite prompts/sample_prompt.yaml: "
        "it differs from what this import makes; rerun with --update to replace it (the diff is "
        "printed) [import-would-overwrite]" in err.splitlines()
    )
    assert prompt.read_text() == edited
    code, out, err = _import(
        ["github-models", str(SAMPLE), "--into", str(into), "--update"], capsys
    )
    assert code == 0, err
    assert out.startswith("--- a/prompts/sample_prompt.yaml\n+++ b/prompts/sample_prompt.yaml\n")
    assert "-      You are a helpful assistant that responds to greetings.\n" in out
    assert "+      You are a helpful assistant that responds to greetings and farewells.\n" in out
    assert "greetings and farewells" in prompt.read_text()


def test_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "repo"
    code, out, err = _import(
        ["github-models", str(SAMPLE), "--into", str(into), "--dry-run"], capsys
    )
    assert code == 0, err
    assert not into.exists()
    assert "--- /dev/null\n+++ b/prompts/sample_prompt.yaml\n" in out
    assert "+++ b/models.yaml\n" in out
    assert "would write: 4 new, 0 changed, 0 unchanged" in err.splitlines()[-1]


def test_strict_turns_warnings_into_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    into = tmp_path / "repo"
    code, _, err = _import(["github-models", str(SAMPLE), "--into", str(into), "--strict"], capsys)
    assert code == 1
    assert (
        "sample_prompt.prompt.yml:23:5: error: evaluator 'similarity check' uses the built-in judge"
        in err
    )
    assert not into.exists()


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The project's example repository (dated pins, owners required)."""
    root = tmp_path / "example"
    root.mkdir()
    for name in ("models.yaml", "prompts", "policies", "evals"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / name)
    return root


def test_into_a_repository_that_requires_owners_and_dated_pins(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _import(["github-models", str(SAMPLE), "--into", str(example)], capsys)
    assert code == 1
    assert (
        "error: this repository requires an owner on every prompt (rules.require_owner): pass "
        "--owner TEAM [import-owner]" in err
    )
    assert (
        "error: model 'openai/gpt-4o' is a floating alias; this repository requires dated pins "
        "(rules.require_dated_model): map it to a dated pin with --pin-map 'openai/gpt-4o=PIN' "
        "[import-floating-model]" in err
    )
    pin_map = tmp_path / "pins.txt"
    pin_map.write_text("openai/gpt-4o = support-default  # the team's dated pin\n")
    models = (example / "models.yaml").read_text()
    code, _, err = _import(
        [
            "github-models",
            str(SAMPLE),
            "--into",
            str(example),
            "--owner",
            "support-team",
            "--pin-map",
            str(pin_map),
        ],
        capsys,
    )
    assert code == 0, err
    data = yaml.safe_load((example / "prompts" / "sample_prompt.yaml").read_text())
    assert (data["model"], data["owner"]) == ("support-default", "support-team")
    # The pin's own params count: only what differs from them is in the prompt.
    assert data["params"] == {"temperature": 0.5, "max_tokens": 50}
    assert (example / "models.yaml").read_text() == models
    assert validate_repository(example, cache=False).errors == ()


def test_new_pins_go_into_models_yaml_keeping_its_comments(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = example / "policies" / "rules.yaml"
    rules.write_text(
        rules.read_text().replace("require_dated_model: true", "require_dated_model: false")
    )
    code, _, err = _import(
        ["github-models", str(SAMPLE), "--into", str(example), "--owner", "t"], capsys
    )
    assert code == 0, err
    text = (example / "models.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=promptops/spec/schemas/models.schema.json\n"
    )
    assert (
        "    # Announced end of life: validate warns now and fails once the retirement date "
        "passes.\n" in text
    )
    assert yaml.safe_load(text)["models"]["gpt-4o"] == {
        "provider": "openai-compatible",
        "model": "openai/gpt-4o",
        "base_url": "https://models.github.ai/inference",
    }
    report = validate_repository(example, cache=False)
    assert report.errors == ()
    assert [d.code for d in report.diagnostics if d.path == "models.yaml"] == ["floating-model"]


def test_a_system_message_equal_to_instructions_becomes_a_reference(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    voice = yaml.safe_load((example / "prompts/instructions/support-voice.yaml").read_text())[
        "text"
    ]
    tone = yaml.safe_load((example / "prompts/instructions/json-only.yaml").read_text())["text"]
    src = tmp_path / "src" / "reply.prompt.yml"
    src.parent.mkdir()
    src.write_text(
        yaml.safe_dump(
            {
                "name": "reply",
                "model": "openai/gpt-4o-2024-08-06",
                "messages": [
                    {"role": "system", "content": voice.rstrip("\n") + "\n\n" + tone.rstrip("\n")},
                    {"role": "user", "content": "{{question}}"},
                ],
            }
        )
    )
    code, _, err = _import(
        ["github-models", str(src), "--into", str(example), "--owner", "t"], capsys
    )
    assert code == 0, err
    data = yaml.safe_load((example / "prompts" / "reply.yaml").read_text())
    assert data["system"] == ["instructions/support-voice", "instructions/json-only"]
    assert [m["role"] for m in data["messages"]] == ["user"]


def test_sources_left_inside_the_repository_folders_are_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prompts").mkdir()
    shutil.copy2(SAMPLE, tmp_path / "prompts" / SAMPLE.name)
    monkeypatch.chdir(tmp_path)
    code, _, err = _import(["github-models", "prompts"], capsys)
    assert code == 0, err
    assert (
        f"prompts/{SAMPLE.name}:1:1: warning: this source sits in the repository's prompts/ "
        "folder, where promptops reads every file: move it out once imported (git mv) "
        "[import-source-inside]" in err.splitlines()
    )
    assert (tmp_path / "prompts" / "sample_prompt.yaml").is_file()


def test_variants_survive_reimporting_a_format_that_has_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GitHub Models files have no variants: the prompt file's own are kept, like its owner.
    into = tmp_path / "repo"
    _import(["github-models", str(SAMPLE), "--into", str(into)], capsys)
    prompt = into / "prompts" / "sample_prompt.yaml"
    prompt.write_text(prompt.read_text() + "variants:\n  warm:\n    params: {temperature: 0.9}\n")
    code, out, err = _import(["github-models", str(SAMPLE), "--into", str(into)], capsys)
    assert code == 0, err
    assert out == ""
    assert "(wrote: 0 new, 0 changed," in err.splitlines()[-1]
    assert yaml.safe_load(prompt.read_text())["variants"] == {
        "warm": {"params": {"temperature": 0.9}}
    }
