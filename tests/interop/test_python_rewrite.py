"""The python scanner on a realistic application: every literal prompt is lifted, and the
--rewrite patch applies with `git apply` and leaves every request the application sends
unchanged, with the prompts now served from a signed release."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from promptops.interop import plan_import
from tests.helpers import commit_all, git, run_cli

APP = Path(__file__).parent / "sample_app"


def _render(app: Path) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(app)}
    out = subprocess.run(
        [sys.executable, "render_messages.py"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    calls: list[dict[str, object]] = json.loads(out.stdout)
    return calls


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(APP, root, ignore=shutil.ignore_patterns("__pycache__"))
    git(root, "init", "-q")
    commit_all(root, "the application")
    return root


def test_scanner_lifts_every_literal_prompt(app: Path, tmp_path: Path) -> None:
    plan = plan_import("python", [app / "support_bot"], into=tmp_path / "prompts", base=app)
    assert plan.errors == []
    assert plan.prompts == [
        "answer/answer_question",
        "prompts/escalation-prompt",
        "translate/translate",
        "triage/classify",
        "triage/summarise_thread",
    ]
    dynamic = [d for d in plan.diagnostics if d.code == "import-python-dynamic"]
    assert [(d.path, d.line) for d in dynamic] == [
        ("support_bot/answer.py", 33),
        ("support_bot/answer.py", 41),
    ]
    assert "OpenAI prompt object 'pmpt_68b0c1f2a4e88190a1d2e3f4a5b6c7d8' (version '3')" in (
        dynamic[1].message
    )
    files = {c.path: c.new for c in plan.changes}
    # The system text two features share became one instruction.
    assert "prompts/instructions/you-are-acme-s-support-assistant.yaml" in files
    answer = yaml.safe_load(files["prompts/answer/answer_question.yaml"])
    assert answer["system"] == ["instructions/you-are-acme-s-support-assistant"]
    assert answer["params"] == {"temperature": 0.2, "max_tokens": 600}
    assert set(answer["inputs"]) == {"customer_name", "plan", "question", "format_articles"}
    assert answer["inputs"]["question"] == {"type": "string"}  # from the annotation


def test_rewrite_applies_and_the_application_sends_the_same_requests(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _render(app)
    prompts = tmp_path / "prompts"
    monkeypatch.chdir(app)
    code, patch, err = run_cli(
        ["import", "python", "support_bot", "--into", str(prompts), "--rewrite"], capsys
    )
    assert code == 0, err
    assert patch.startswith("diff --git a/support_bot/")

    # Release the imported repository, signed, as a team would.
    monkeypatch.chdir(prompts)
    git(prompts, "init", "-q")
    key = tmp_path / "keys" / "ci.pem"
    code, signer, err = run_cli(["keygen", "--out", str(key), "--name", "ci"], capsys)
    assert code == 0, err
    (prompts / "policies" / "signers.yaml").write_text("threshold: 1\nsigners:\n" + signer)
    commit_all(prompts, "import prompts from the application")
    monkeypatch.setenv("PROMPTOPS_SIGNING_KEY", str(key))
    code, _, err = run_cli(["release", "v1"], capsys)
    assert code == 0, err

    public_key = yaml.safe_load(signer)[0]["public_key"]
    (app / "promptops_registry.py").write_text(
        "from promptops.runtime import Registry\n\n"
        f"reg = Registry.open({str(prompts / 'dist/releases/v1')!r}, trust=[{public_key!r}])\n"
    )
    (tmp_path / "rewrite.patch").write_text(patch)
    subprocess.run(
        ["git", "apply", "--check", str(tmp_path / "rewrite.patch")], cwd=app, check=True
    )
    subprocess.run(["git", "apply", str(tmp_path / "rewrite.patch")], cwd=app, check=True)
    assert "reg.prompt(" in (app / "support_bot" / "answer.py").read_text()
    assert _render(app) == before
