"""Markdown (PR comment), JSON and text renderings of one real diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.diff import (
    MARKER,
    Change,
    DiffConfig,
    DiffOptions,
    DiffResult,
    PromptDiff,
    diff_refs,
    render,
    render_markdown,
)
from tests.diff.fixtures import BASE, edit, make_change
from tests.helpers import init_repo

CHANGES: dict[str, str | None] = {
    # a regression (echo no longer repeats the name), a tool grant, a tightened rule
    "prompts/greet.yaml": edit(
        edit(BASE["prompts/greet.yaml"], "Say hello to {{ name }}.", "Say hello."),
        "tools: [lookup]",
        "tools: [lookup, refund]",
    ),
    "prompts/extra.yaml": "kind: prompt\ndescription: New.\nowner: team-a\nmodel: default\n"
    "messages:\n  - role: user\n    content: Hi\n",
    "policies/rules.yaml": BASE["policies/rules.yaml"] + "  max_template_chars: 5000\n",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> DiffResult:
    root = tmp_path_factory.mktemp("formats") / "repo"
    base, head = make_change(root, CHANGES)
    return diff_refs(root, base, head, DiffOptions(behaviour=True, provider="echo"))


def test_markdown_starts_with_marker_then_summary_table(result: DiffResult) -> None:
    lines = render(result, "markdown").splitlines()
    assert lines[0] == MARKER
    assert lines[1].startswith("## promptops diff `") and lines[1].endswith("risk 🔴 high")
    assert lines[3:9] == [
        "| prompt | status | risk | what changed | behaviour |",
        "|---|---|---|---|---|",
        "| `greet` | changed | 🔴 high | template, tools | ❌ 1 regression(s) |",
        "| `extra` | added | 🟠 medium | prompt |  |",
        "| _policies/rules.yaml_ | changed | 🟢 low | max_template_chars None -> 5000 |  |",
        "",
    ]


def test_markdown_details_are_collapsible_and_after_the_tables(result: DiffResult) -> None:
    text = render(result, "markdown")
    assert text.index("| prompt | status |") < text.index("### Behaviour") < text.index("<details>")
    assert "<details><summary><code>greet</code> (changed) — 🔴 high</summary>" in text
    assert "```diff\n--- base/messages[0]\n+++ head/messages[0]\n" in text
    assert text.count("<details>") == text.count("</details>") == 4
    assert "| `greet` | 1/1 → 0/1 | ❌ 1 | 0 | 1 |" in text
    assert "- **regression** `evals/greet.yaml` / `says-hello`" in text
    assert "  - why: expected output to contain 'Ada'; found 'Say hello.'" in text
    assert "@@ -1 +1 @@\n-Say hello to Ada.\n+Say hello.\n```" in text


def test_markdown_is_capped_to_fit_a_comment(result: DiffResult) -> None:
    text = render_markdown(result, DiffConfig(max_comment_chars=1200))
    assert len(text) <= 1200
    assert text.startswith(MARKER + "\n")
    assert text.endswith("_Details too long for a comment; run `promptops diff`._\n")


def test_markdown_tables_are_capped(result: DiffResult) -> None:
    lines = render_markdown(result, DiffConfig(max_table_rows=1)).splitlines()
    assert lines[5:8] == [
        "| `greet` | changed | 🔴 high | template, tools | ❌ 1 regression(s) |",
        "| _2 more_ |  |  |  |  |",
        "",
    ]


def test_markdown_fence_survives_backticks_in_templates() -> None:
    change = Change("template", "messages[0]", "changed", "medium", "r", diff="--- a\n+```x```")
    result = DiffResult(
        "a", "b", None, None, (PromptDiff("p", "changed", "1", "2", (change,)),), (), 0
    )
    assert "````diff\n--- a\n+```x```\n````" in render_markdown(result)


def test_json_is_stable_and_parses(result: DiffResult) -> None:
    text = render(result, "json")
    data = json.loads(text)
    assert text == render(result, "json")
    assert data["format"] == "promptops.diff/v1"
    assert data["risk"] == "high"
    assert data["summary"] == {"added": 1, "changed": 1, "removed": 0, "unchanged": 1}
    greet = next(p for p in data["prompts"] if p["id"] == "greet")
    assert {c["path"]: c["risk"] for c in greet["changes"]} == {
        "messages[0]": "medium",
        "tools.refund": "high",
    }
    assert data["behaviour"]["regressions"] == 1
    assert data["behaviour"]["prompts"][0]["cases"][0]["kind"] == "regression"


def test_text_lists_every_change_with_its_risk(result: DiffResult) -> None:
    text = render(result, "text")
    assert text.splitlines()[:2] == [
        f"promptops diff {result.base_ref} -> {result.head_ref}: risk HIGH",
        "  1 changed, 1 added, 0 removed, 1 unchanged prompt(s)",
    ]
    assert "  HIGH   tools.refund: tool 'refund' added (risk high)" in text
    assert "    REGRESSION evals/greet.yaml / says-hello: expected output to contain 'Ada'" in text


def test_working_tree_head_is_named(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    base = init_repo(root, BASE)
    (root / "prompts" / "greet.yaml").write_text(
        edit(BASE["prompts/greet.yaml"], "owner: team-a", "owner: team-q"), encoding="utf-8"
    )
    result = diff_refs(root, base)
    assert result.head_ref is None and result.head_commit is None  # dirty: no commit
    # A lone BASE means its merge base with HEAD, and the header says so.
    assert render(result, "text").splitlines()[0] == (
        f"promptops diff merge base of {base} and HEAD ({base[:10]}) -> working tree: risk LOW"
    )


def test_identical_refs_report_nothing(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    head = init_repo(root, BASE)
    result = diff_refs(root, head, head)
    assert (result.prompts, result.repository, result.unchanged, result.risk) == ((), (), 2, None)
    lines = render(result, "markdown").splitlines()
    assert lines[5] == "| _nothing_ | unchanged | ⚪ none |  |  |"
    assert "<details>" not in render(result, "markdown")
    assert render(result, "text").splitlines()[0].endswith(": risk NONE")
