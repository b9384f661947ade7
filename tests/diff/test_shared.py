"""A change to a shared file is reported once, where it is made, with the prompts it reaches."""

from __future__ import annotations

import json
from pathlib import Path

from promptops.diff import diff_refs, render
from tests.diff.fixtures import BASE, edit, make_change

TONE = "prompts/instructions/tone.yaml"
# classify uses the tone instruction too, so one instruction reaches two prompts.
SHARED = {
    **BASE,
    "prompts/classify.yaml": edit(
        BASE["prompts/classify.yaml"],
        "model: default\n",
        "model: default\nsystem: [instructions/tone]\n",
    ),
}


def test_one_word_instruction_change_is_reported_once(tmp_path: Path) -> None:
    """The issue's case: it was reported HIGH three times (each prompt, and the file)."""
    root = tmp_path / "repo"
    base, head = make_change(root, {TONE: edit(BASE[TONE], "Be brief", "Be terse")}, SHARED)
    result = diff_refs(root, base, head)
    (change,) = result.repository
    assert (change.path, change.risk, change.affects) == (
        "instructions/tone",
        "medium",
        ("classify", "greet"),
    )
    assert [(p.id, p.changes, p.via) for p in result.prompts] == [
        ("classify", (), ("instructions/tone",)),
        ("greet", (), ("instructions/tone",)),
    ]
    text = render(result, "text")
    assert text.count("instruction instructions/tone changed") == 1
    assert "affects 2 prompt(s): classify, greet" in text
    assert "\ngreet (" not in text and "\nclassify (" not in text
    markdown = render(result, "markdown")
    assert markdown.count("instruction instructions/tone changed") == 2  # table row + details
    assert "| `greet` |" not in markdown
    assert "affects `classify`, `greet`" in markdown
    data = json.loads(render(result, "json"))
    assert data["repository"][0]["affects"] == ["classify", "greet"]
    assert data["summary"]["changed"] == 2


def test_a_refund_tool_outranks_an_instruction_wording(tmp_path: Path) -> None:
    """The issue's case: both used to be HIGH."""
    root = tmp_path / "repo"
    changes: dict[str, str | None] = {
        TONE: edit(BASE[TONE], "Be brief", "Be terse"),
        "prompts/greet.yaml": edit(
            BASE["prompts/greet.yaml"], "tools: [lookup]", "tools: [lookup, refund]"
        ),
    }
    base, head = make_change(root, changes, SHARED)
    result = diff_refs(root, base, head)
    greet = next(p for p in result.prompts if p.id == "greet")
    assert [(c.path, c.risk) for c in greet.changes] == [("tools.refund", "high")]
    assert greet.via == ("instructions/tone",)
    assert [(c.path, c.risk) for c in result.repository] == [("instructions/tone", "medium")]
    assert result.risk == "high"


def test_own_and_shared_param_changes_are_told_apart(tmp_path: Path) -> None:
    """greet sets its own temperature; a pin's max_tokens reaches it through models.yaml."""
    root = tmp_path / "repo"
    models = edit(BASE["models.yaml"], "max_tokens: 200", "max_tokens: 400")
    greet = edit(BASE["prompts/greet.yaml"], "temperature: 0.1", "temperature: 0.2")
    base, head = make_change(root, {"models.yaml": models, "prompts/greet.yaml": greet})
    result = diff_refs(root, base, head)
    by_id = {p.id: p for p in result.prompts}
    assert [c.path for c in by_id["greet"].changes] == ["params.temperature"]
    assert by_id["greet"].via == ("models.default.params.max_tokens",)
    (pin,) = result.repository
    assert (pin.path, pin.risk, pin.affects) == (
        "models.default.params.max_tokens",
        "medium",
        ("classify", "greet"),
    )
