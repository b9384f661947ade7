"""The risk table: one kind of change per row, committed to a real git repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from promptops.diff import diff_refs
from tests.diff.fixtures import BASE, edit, make_change, signer_entry

GREET = BASE["prompts/greet.yaml"]
CLASSIFY = BASE["prompts/classify.yaml"]
TOOLS = BASE["policies/tools.yaml"]
MODELS = BASE["models.yaml"]
RULES = BASE["policies/rules.yaml"]
SIGNERS = BASE["policies/signers.yaml"]


@dataclass(frozen=True)
class Row:
    name: str
    changes: dict[str, str | None]
    # (where, path, risk): where is a prompt id or "repo" for repository-level changes.
    expected: tuple[str, str, str]
    overall: str


ROWS = [
    # -- high: widened tool permission
    Row(
        "tool granted to a prompt",
        {"prompts/greet.yaml": edit(GREET, "tools: [lookup]", "tools: [lookup, notify]")},
        ("greet", "tools.notify", "high"),
        "high",
    ),
    Row(
        "tool risk raised",
        {"policies/tools.yaml": edit(TOOLS, "risk: low", "risk: medium")},
        ("repo", "tools.lookup.risk", "high"),
        "high",
    ),
    Row(
        "requires_approval removed",
        {"policies/tools.yaml": edit(TOOLS, "    requires_approval: true\n", "")},
        ("classify", "tools.notify.requires_approval", "high"),
        "high",
    ),
    Row(
        "tool risk lowered from high (implicit approval lost)",
        {"policies/tools.yaml": edit(TOOLS, "risk: high", "risk: medium")},
        ("repo", "tools.refund.requires_approval", "high"),
        "high",
    ),
    Row(
        "required argument dropped",
        {"policies/tools.yaml": edit(TOOLS, "required: [channel, text]", "required: [text]")},
        ("repo", "tools.notify.parameters", "high"),
        "high",
    ),
    Row(
        "additionalProperties allowed",
        {"policies/tools.yaml": edit(TOOLS, "additionalProperties: false", "")},
        ("classify", "tools.notify.parameters", "high"),
        "high",
    ),
    Row(
        "argument enum widened",
        {"policies/tools.yaml": edit(TOOLS, "enum: [email]", "enum: [email, sms]")},
        ("repo", "tools.notify.parameters", "high"),
        "high",
    ),
    # -- high: model, instructions, signers, output schema, rules
    Row(
        "model pin snapshot changed",
        {"models.yaml": edit(MODELS, "echo-2024-01-01", "echo-2024-06-01")},
        ("greet", "model", "high"),
        "high",
    ),
    Row(
        "prompt moved to another pin",
        {"prompts/greet.yaml": edit(GREET, "model: default", "model: other")},
        ("greet", "model", "high"),
        "high",
    ),
    Row(
        "instruction text changed",
        {
            "prompts/instructions/tone.yaml": edit(
                BASE["prompts/instructions/tone.yaml"], "Be brief", "Be chatty"
            )
        },
        ("greet", "system.text", "high"),
        "high",
    ),
    Row(
        "instruction removed from a prompt",
        {"prompts/greet.yaml": edit(GREET, "system: [instructions/tone]\n", "")},
        ("greet", "system", "high"),
        "high",
    ),
    Row(
        "signer threshold changed",
        {"policies/signers.yaml": edit(SIGNERS, "threshold: 1", "threshold: 2")},
        ("repo", "threshold", "high"),
        "high",
    ),
    Row(
        "signer key added",
        {"policies/signers.yaml": SIGNERS + signer_entry(3, "mallory")},
        ("repo", "signers.", "high"),
        "high",
    ),
    Row(
        "output schema removed",
        {"prompts/classify.yaml": CLASSIFY.split("output:")[0]},
        ("classify", "output_schema", "high"),
        "high",
    ),
    Row(
        "output schema loosened",
        {"prompts/classify.yaml": edit(CLASSIFY, "enum: [bug, question]", "type: string")},
        ("classify", "output_schema", "high"),
        "high",
    ),
    Row(
        "require_owner turned off",
        {"policies/rules.yaml": edit(RULES, "require_owner: true", "require_owner: false")},
        ("repo", "rules.require_owner", "high"),
        "high",
    ),
    Row(
        "forbidden pattern removed",
        {"policies/rules.yaml": "rules:\n  require_owner: true\n"},
        ("repo", "rules.forbidden_patterns", "high"),
        "high",
    ),
    # -- medium
    Row(
        "template text changed",
        {"prompts/greet.yaml": edit(GREET, "Say hello to", "Say hi to")},
        ("greet", "messages[0]", "medium"),
        "medium",
    ),
    Row(
        "temperature changed",
        {"prompts/greet.yaml": edit(GREET, "temperature: 0.1", "temperature: 0.9")},
        ("greet", "params.temperature", "medium"),
        "medium",
    ),
    Row(
        "input schema changed",
        {"prompts/greet.yaml": edit(GREET, "maxLength: 100", "maxLength: 50")},
        ("greet", "input_schema", "medium"),
        "medium",
    ),
    Row(
        "partial changed",
        {
            "prompts/partials/footer.yaml": edit(
                BASE["prompts/partials/footer.yaml"], "Answer briefly.", "Answer in full."
            )
        },
        ("classify", "partials.partials/footer", "medium"),
        "medium",
    ),
    Row(
        "output schema narrowed",
        {"prompts/classify.yaml": edit(CLASSIFY, "enum: [bug, question]", "enum: [bug]")},
        ("classify", "output_schema", "medium"),
        "medium",
    ),
    Row(
        "prompt removed",
        {"prompts/greet.yaml": None, "evals/greet.yaml": None},
        ("greet", "greet", "medium"),
        "medium",
    ),
    # -- low
    Row(
        "description changed",
        {"prompts/greet.yaml": edit(GREET, "Greet a user by name.", "Greet a user.")},
        ("greet", "description", "low"),
        "low",
    ),
    Row(
        "owner changed",
        {"prompts/greet.yaml": edit(GREET, "owner: team-a", "owner: team-c")},
        ("greet", "owner", "low"),
        "low",
    ),
    Row(
        "tags changed",
        {"prompts/greet.yaml": edit(GREET, "tags: [production]", "tags: [production, beta]")},
        ("greet", "tags", "low"),
        "low",
    ),
    Row(
        "tool removed from a prompt",
        {"prompts/greet.yaml": edit(GREET, "tools: [lookup]\n", "")},
        ("greet", "tools.lookup", "low"),
        "low",
    ),
    Row(
        "pin pricing changed",
        {"models.yaml": edit(MODELS, "input_per_mtok: 1.0", "input_per_mtok: 1.5")},
        ("greet", "model.pricing", "low"),
        "low",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_risk_of_each_kind_of_change(tmp_path: Path, row: Row) -> None:
    base, head = make_change(tmp_path / "repo", row.changes)
    result = diff_refs(tmp_path / "repo", base, head)
    where, path, risk = row.expected
    if where == "repo":
        changes = result.repository
    else:
        changes = next(p for p in result.prompts if p.id == where).changes
    found = [
        c for c in changes if c.path == path or (path.endswith(".") and c.path.startswith(path))
    ]
    assert [c.risk for c in found] == [risk], [c.to_dict() for c in changes]
    assert result.risk == row.overall


def test_table_covers_at_least_twelve_kinds() -> None:
    assert len({r.name for r in ROWS}) >= 12
    assert {r.overall for r in ROWS} == {"low", "medium", "high"}


def test_unrelated_prompts_are_unchanged(tmp_path: Path) -> None:
    base, head = make_change(
        tmp_path / "repo", {"prompts/greet.yaml": edit(GREET, "Say hello", "Say hi")}
    )
    result = diff_refs(tmp_path / "repo", base, head)
    assert [p.id for p in result.prompts] == ["greet"]
    assert result.unchanged == 1
    assert result.repository == ()


def test_reasons_say_why(tmp_path: Path) -> None:
    base, head = make_change(
        tmp_path / "repo",
        {"policies/tools.yaml": edit(TOOLS, "required: [channel, text]", "required: [text]")},
    )
    result = diff_refs(tmp_path / "repo", base, head)
    (change,) = [c for c in result.repository if c.path == "tools.notify.parameters"]
    assert change.reason == "widened tool permission: (root): no longer required: channel"
