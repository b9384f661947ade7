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
    # (where, path, risk): where is a prompt id or "repo" for a change to a shared file,
    # which is reported once, there, listing the prompts it affects.
    expected: tuple[str, str, str]
    overall: str
    affects: tuple[str, ...] = ()


# The risk table of ADR 0014 (recalibrating ADR 0010), one row per kind of change; the
# table in docs/readme/diff-and-ci.md lists the same rows (a test below keeps them equal).
ROWS = [
    # -- high: the model may do more harm, or a guard is weaker
    Row(
        "high-risk tool granted to a prompt",
        {"prompts/greet.yaml": edit(GREET, "tools: [lookup]", "tools: [lookup, refund]")},
        ("greet", "tools.refund", "high"),
        "high",
    ),
    Row(
        "high-risk tool's argument schema widened",
        {"policies/tools.yaml": edit(TOOLS, "required: [order]", "required: []")},
        ("repo", "tools.refund.parameters", "high"),
        "high",
    ),
    Row(
        "tool risk raised",
        {"policies/tools.yaml": edit(TOOLS, "risk: low", "risk: medium")},
        ("repo", "tools.lookup.risk", "high"),
        "high",
        ("greet",),
    ),
    Row(
        "requires_approval removed",
        {"policies/tools.yaml": edit(TOOLS, "    requires_approval: true\n", "")},
        ("repo", "tools.notify.requires_approval", "high"),
        "high",
        ("classify",),
    ),
    Row(
        "tool risk lowered from high (implicit approval lost)",
        {"policies/tools.yaml": edit(TOOLS, "risk: high", "risk: medium")},
        ("repo", "tools.refund.requires_approval", "high"),
        "high",
    ),
    Row(
        "model pin snapshot changed",
        {"models.yaml": edit(MODELS, "echo-2024-01-01", "echo-2024-06-01")},
        ("repo", "models.default", "high"),
        "high",
        ("classify", "greet"),
    ),
    Row(
        "prompt moved to another pin",
        {"prompts/greet.yaml": edit(GREET, "model: default", "model: other")},
        ("greet", "model", "high"),
        "high",
    ),
    Row(
        "signer threshold changed",
        {"policies/signers.yaml": edit(SIGNERS, "threshold: 1", "threshold: 2")},
        ("repo", "threshold", "high"),
        "high",
    ),
    Row(
        "the single role split into root, release and channel roles",
        {
            "policies/signers.yaml": edit(SIGNERS, "threshold: 1\n", "")
            + "roles:\n  root: {threshold: 1, signers: [alice]}\n"
            "  release: {threshold: 1, signers: [alice, bob]}\n"
            "  channel: {threshold: 1, signers: [bob]}\n"
        },
        ("repo", "roles.release", "high"),
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
    # -- medium: what the model is told or may do changes
    Row(
        "instruction wording changed",
        {
            "prompts/instructions/tone.yaml": edit(
                BASE["prompts/instructions/tone.yaml"], "Be brief", "Be terse"
            )
        },
        ("repo", "instructions/tone", "medium"),
        "medium",
        ("greet",),
    ),
    Row(
        "instruction removed from a prompt",
        {"prompts/greet.yaml": edit(GREET, "system: [instructions/tone]\n", "")},
        ("greet", "system", "medium"),
        "medium",
    ),
    Row(
        "medium-risk tool granted to a prompt",
        {"prompts/greet.yaml": edit(GREET, "tools: [lookup]", "tools: [lookup, notify]")},
        ("greet", "tools.notify", "medium"),
        "medium",
    ),
    Row(
        "low-risk tool granted to a prompt",
        {"prompts/classify.yaml": edit(CLASSIFY, "tools: [notify]", "tools: [notify, lookup]")},
        ("classify", "tools.lookup", "medium"),
        "medium",
    ),
    Row(
        "medium-risk tool's argument schema widened",
        {"policies/tools.yaml": edit(TOOLS, "enum: [email]", "enum: [email, sms]")},
        ("repo", "tools.notify.parameters", "medium"),
        "medium",
        ("classify",),
    ),
    Row(
        "max_tokens changed",
        {"prompts/greet.yaml": edit(GREET, "temperature: 0.1", "temperature: 0.1, max_tokens: 50")},
        ("greet", "params.max_tokens", "medium"),
        "medium",
    ),
    Row(
        "template text changed",
        {"prompts/greet.yaml": edit(GREET, "Say hello to", "Say hi to")},
        ("greet", "messages[0]", "medium"),
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
        ("repo", "partials/footer", "medium"),
        "medium",
        ("classify",),
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
    # -- low: the same model sees the same thing
    Row(
        "temperature changed",
        {"prompts/greet.yaml": edit(GREET, "temperature: 0.1", "temperature: 0.9")},
        ("greet", "params.temperature", "low"),
        "low",
    ),
    Row(
        "pin temperature changed",
        {"models.yaml": edit(MODELS, "temperature: 0.3", "temperature: 0.5")},
        ("repo", "models.default.params.temperature", "low"),
        "low",
        ("classify",),  # greet sets its own temperature: unaffected
    ),
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
        ("repo", "models.default.pricing", "low"),
        "low",
        ("classify", "greet"),
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
    assert found[0].affects == row.affects
    # Reported once, where it is made: no prompt repeats a shared file's change.
    if where == "repo":
        for prompt in result.prompts:
            assert prompt.changes == (), prompt
            assert prompt.via == (found[0].path,) or prompt.id not in row.affects


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


def test_the_documented_table_is_this_table() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "readme" / "diff-and-ci.md").read_text()
    table = doc.split("<!-- risk-table:start -->")[1].split("<!-- risk-table:end -->")[0]
    rows = [line.split("|")[1:3] for line in table.strip().splitlines()[2:]]
    assert [(name.strip(), level.strip()) for name, level in rows] == [
        (r.name, r.overall) for r in ROWS
    ]
