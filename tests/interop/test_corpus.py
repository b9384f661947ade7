"""Every corpus file of every format imports, validates, renders as its source does, runs
its eval cases under the echo provider, re-imports to no change and round-trips.

The few files whose sources use what promptops cannot say (chat messages written by a
Nunjucks loop in a JSON template, a custom filter in JavaScript) are listed below with the
warning they must produce: the importer has to say so, not stay silent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.interop import plan_import
from promptops.interop.export import export_prompts
from promptops.repo import validate_repository
from tests.helpers import run_cli
from tests.interop.conftest import CORPUS, ROOT, run_import

# (format, corpus path) for each set imported on its own.
SETS: list[tuple[str, str]] = [
    ("github-models", "github-models"),
    ("prompty", "prompty/v1"),
    ("prompty", "prompty/v2-preview"),
    ("prompty", "prompty/v2"),
    ("dotprompt", "dotprompt/genkit"),
    ("dotprompt", "dotprompt/genkit-variants"),
    ("promptfoo", "promptfoo/getting-started"),
    ("promptfoo", "promptfoo/simple-cli"),
    ("promptfoo", "promptfoo/json-output"),
    ("promptfoo", "promptfoo/multiple-configs/config1.yaml"),
    ("promptfoo", "promptfoo/nunjucks-custom-filters"),
    ("promptfoo", "promptfoo/openai-chat-history"),
    ("langfuse", "langfuse/concepts"),
    ("langfuse", "langfuse/quickstart"),
    ("langfuse", "langfuse/config"),
    ("langfuse", "langfuse/placeholders"),
    ("langfuse", "langfuse/webhook"),
    ("python", "../sample_app/support_bot"),
]

# Sets whose sources render what promptops cannot (each says so with this code).
RENDER_WARNINGS = {
    "promptfoo/openai-chat-history": "import-render-diff",  # messages built by a Nunjucks loop
    "promptfoo/nunjucks-custom-filters": "import-render-failed",  # a JavaScript filter
}
# ... and the positioned warning that says why, at the construct.
CAUSES = {
    "promptfoo/openai-chat-history": (
        "prompt.json:6:1: warning: this chat prompt's messages are written by a Nunjucks 'for'"
    ),
    "promptfoo/nunjucks-custom-filters": "prompts.txt:1:1: warning: custom filter 'allcaps'",
}
# Prompts that do not come back identical from their own format, and the fields (None:
# the prompt itself does not import back).
LOSSES = {
    ("promptfoo/openai-chat-history", "prompt"): None,  # the loop over an object's items
}

# Prompts their own format cannot take back, and why (the export names them).
SKIPPED = {
    # The partial's hash argument became a Jinja {% with %}; Handlebars has no way to
    # set one name around a block without changing the whole context.
    ("dotprompt/genkit", "recipe.robot"): "Jinja with",
    # Its model plugin ('google-ai/', an early Genkit name) is called as openai-compatible
    # without a base_url: no Genkit model name comes back from that pin.
    ("dotprompt/genkit-variants", "joke"): (
        "no Genkit model name for openai-compatible model 'gemini-pro'"
    ),
}


@pytest.fixture(params=SETS, ids=[s for _, s in SETS])
def imported(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, Path, list[str]]:
    fmt, rel = request.param
    into = tmp_path / "repo"
    plan = run_import(fmt, [(CORPUS / rel).resolve()], into)
    assert plan.errors == [], "\n".join(map(str, plan.errors))
    assert plan.prompts
    return fmt, rel, into, [str(d) for d in plan.diagnostics]


def test_imports_and_validates_with_no_error(imported: tuple[str, str, Path, list[str]]) -> None:
    _, _, into, _ = imported
    repo = validate_repository(into, cache=False)
    assert repo.errors == ()
    assert repo.prompts


def test_renders_what_the_source_renders(imported: tuple[str, str, Path, list[str]]) -> None:
    _, rel, _, messages = imported
    found = {m.rsplit("[", 1)[1].rstrip("]") for m in messages}
    problems = {
        c for c in found if c in ("import-render-diff", "import-render-failed", "import-invalid")
    }
    expected = {RENDER_WARNINGS[rel]} if rel in RENDER_WARNINGS else set()
    assert problems == expected
    if rel in CAUSES:
        assert any(CAUSES[rel] in m for m in messages), messages


def test_eval_cases_run_under_echo_without_errors(
    imported: tuple[str, str, Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, into, _ = imported
    if not (into / "evals").is_dir():
        pytest.skip("this source has no test data")
    code, out, err = run_cli(
        ["eval", str(into), "--provider", "echo", "--format", "json", "--no-cache"], capsys
    )
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["cases"]
    assert [c["error"] for c in report["cases"] if c["error"]] == []


def test_reimport_changes_nothing(imported: tuple[str, str, Path, list[str]]) -> None:
    fmt, rel, into, _ = imported
    plan = plan_import(fmt, [(CORPUS / rel).resolve()], into=into, base=ROOT)
    assert plan.errors == []
    assert [c.path for c in plan.changes if c.status != "unchanged"] == []


def test_export_then_import_gives_the_same_digests(
    imported: tuple[str, str, Path, list[str]],
) -> None:
    fmt, rel, into, _ = imported
    result = export_prompts(fmt, into)
    for pid, lost in result.lost.items():
        expected = LOSSES.get((rel, pid), [])
        assert expected is None or lost == expected, (pid, lost)
    for pid in result.same:
        if (rel, pid) not in LOSSES:
            assert result.same[pid], pid
    assert result.skipped == {pid: why for (r, pid), why in SKIPPED.items() if r == rel}
