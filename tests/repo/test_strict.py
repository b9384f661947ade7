# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Unknown keys are errors in every file kind; the ``promptops:`` header comes first."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.compile import build
from promptops.release import load_trust
from promptops.repo import load_repository
from tests.diff.fixtures import signer_entry
from tests.helpers import MINIMAL_REPO, run_cli, write_files

G = "prompts/greet.yaml"
Found = tuple[str, int, int, str, str, str]


def _sub(path: str, old: str, new: str) -> dict[str, str]:
    text = MINIMAL_REPO[path]
    assert old in text, (path, old)
    return {path: text.replace(old, new, 1)}


def _diagnostics(root: Path, changes: dict[str, str]) -> list[Found]:
    write_files(root, {**MINIMAL_REPO, **changes})
    repo = load_repository(root, cache=False)
    return [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]


UNKNOWN_KEYS = [
    pytest.param(
        _sub(G, "params: {temperature: 0.1}", "parms: {temperature: 0}"),
        (G, 5, 1, "error", "unknown-key", "unknown key 'parms'; did you mean 'params'?"),
        id="prompt-parms",
    ),
    pytest.param(
        {G: MINIMAL_REPO[G] + "output_schema:\n  type: object\n"},
        (G, 15, 1, "error", "unknown-key", "unknown key 'output_schema'; did you mean 'output'?"),
        id="prompt-output-schema",
    ),
    pytest.param(
        {G: MINIMAL_REPO[G] + "output:\n  shema: {type: object}\n"},
        (
            G,
            16,
            3,
            "error",
            "unknown-key",
            "unknown key 'shema' in 'output'; did you mean 'schema'?",
        ),
        id="prompt-output-shema",
    ),
    pytest.param(
        _sub(G, "  - role: user\n", "  - role: user\n    rol: user\n"),
        (
            G,
            11,
            5,
            "error",
            "unknown-key",
            "unknown key 'rol' in 'messages[0]'; did you mean 'role'?",
        ),
        id="message-key",
    ),
    pytest.param(
        _sub("prompts/instructions/tone.yaml", "text:", "txt:"),
        (
            "prompts/instructions/tone.yaml",
            4,
            1,
            "error",
            "unknown-key",
            "unknown key 'txt'; did you mean 'text'?",
        ),
        id="instruction",
    ),
    pytest.param(
        _sub("models.yaml", "    pricing:", "    pricng: {}\n    pricing:"),
        (
            "models.yaml",
            6,
            5,
            "error",
            "unknown-key",
            "unknown key 'pricng' in 'models.default'; did you mean 'pricing'?",
        ),
        id="models-pin",
    ),
    pytest.param(
        _sub("policies/tools.yaml", "    risk: low", "    risk: low\n    requires_aproval: true"),
        (
            "policies/tools.yaml",
            5,
            5,
            "error",
            "unknown-key",
            "unknown key 'requires_aproval' in 'tools.lookup'; did you mean 'requires_approval'?",
        ),
        id="tools",
    ),
    pytest.param(
        _sub("policies/rules.yaml", "  require_owner: true", "  require_owners: true"),
        (
            "policies/rules.yaml",
            2,
            3,
            "error",
            "unknown-key",
            "unknown key 'require_owners' in 'rules'; did you mean 'require_owner'?",
        ),
        id="rules",
    ),
    pytest.param(
        {"policies/signers.yaml": "threshold: 1\nsigners: []\nthreshhold: 2\n"},
        (
            "policies/signers.yaml",
            3,
            1,
            "error",
            "unknown-key",
            "unknown key 'threshhold'; did you mean 'threshold'?",
        ),
        id="signers",
    ),
    pytest.param(
        _sub("evals/greet.yaml", "  - name: says-hello\n", "  - name: says-hello\n    repaet: 3\n"),
        (
            "evals/greet.yaml",
            4,
            5,
            "error",
            "unknown-key",
            "unknown key 'repaet' in 'cases[0]'; did you mean 'repeat'?",
        ),
        id="eval-case",
    ),
    pytest.param(
        _sub("policies/rules.yaml", "  require_owner: true", "  require_owner: true\n  zzz: 1"),
        (
            "policies/rules.yaml",
            3,
            3,
            "error",
            "unknown-key",
            "unknown key 'zzz' in 'rules'; expected one of: default_forbidden_patterns, eval_coverage, forbidden_patterns, max_template_chars, require_dated_model, require_owner",
        ),
        id="no-close-match",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), UNKNOWN_KEYS)
def test_unknown_keys_are_errors(tmp_path: Path, changes: dict[str, str], expected: Found) -> None:
    assert _diagnostics(tmp_path, changes) == [expected]


def test_misspelt_params_fail_validate_instead_of_being_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_files(tmp_path, {**MINIMAL_REPO, **_sub(G, "params:", "parms:")})
    code, out, _ = run_cli(["validate", str(tmp_path), "--no-cache"], capsys)
    assert code == 1
    assert "prompts/greet.yaml:5:1: error: unknown key 'parms'; did you mean 'params'?" in out
    # Nothing renders from a repository that fails: the setting cannot be silently lost.
    code, _, err = run_cli(["render", "greet", "--repo", str(tmp_path), "--var", "name=A"], capsys)
    assert code == 1
    assert "unknown key 'parms'" in err


HEADERS = [
    pytest.param(
        # A file for a newer promptops: one diagnostic, not a wall of unknown keys.
        {G: 'promptops: ">=99.1"\n' + MINIMAL_REPO[G] + "new_feature: {a: 1}\nother: 2\n"},
        [
            (
                G,
                1,
                12,
                "error",
                "min-version",
                "this file needs promptops >= 99.1; this is promptops 0.1.0; upgrade promptops (pip install -U promptops)",
            )
        ],
        id="too-new",
    ),
    pytest.param(
        {"policies/tools.yaml": "promptops: '<2'\n" + MINIMAL_REPO["policies/tools.yaml"]},
        [
            (
                "policies/tools.yaml",
                1,
                12,
                "error",
                "min-version",
                "promptops: expected a minimum version such as '>=0.1'; found '<2'",
            )
        ],
        id="not-a-minimum",
    ),
    pytest.param(
        {G: 'promptops: ">=0.1"\n' + MINIMAL_REPO[G]},
        [],
        id="satisfied",
    ),
    pytest.param(
        {"evals/greet.yaml": "promptops: 0.1\n" + MINIMAL_REPO["evals/greet.yaml"]},
        [],
        id="bare-number",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), HEADERS)
def test_version_header(tmp_path: Path, changes: dict[str, str], expected: list[Found]) -> None:
    assert _diagnostics(tmp_path, changes) == expected


def test_header_is_no_part_of_the_document(tmp_path: Path) -> None:
    """A satisfied header is stripped: the prompt builds exactly as without it."""
    write_files(tmp_path / "a", MINIMAL_REPO)
    with_header = {k: 'promptops: ">=0.1"\n' + v for k, v in MINIMAL_REPO.items()}
    write_files(tmp_path / "b", with_header)
    repo = load_repository(tmp_path / "b", cache=False)
    assert repo.ok, repo.diagnostics
    assert build(tmp_path / "a").prompts == build(tmp_path / "b").prompts


def test_trust_file_with_header_loads(tmp_path: Path) -> None:
    path = tmp_path / "signers.yaml"
    path.write_text('promptops: ">=0.1"\nthreshold: 1\nsigners:\n' + signer_entry(1, "a"))
    assert len(load_trust(path).keys) == 1
