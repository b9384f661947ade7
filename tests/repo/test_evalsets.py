# ruff: noqa: E501  (exact messages are asserted verbatim)
"""Eval sets are checked at validate: case inputs against the prompt, assertion arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from promptops.repo import load_repository
from promptops.spec.evals import ASSERTION_ARGUMENTS, ASSERTION_TYPES
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, run_cli, write_files

E = "evals/greet.yaml"
G = "prompts/greet.yaml"
Found = tuple[str, int, int, str, str, str]

PROMPT = (
    MINIMAL_REPO[G]
    .replace(
        "  name: {type: string, maxLength: 100}\n",
        "  name: {type: string, maxLength: 100}\n"
        "  plan: {type: string, enum: [free, plus, business], default: free}\n"
        "  open_invoices: {type: integer, minimum: 0, default: 0}\n"
        "  lines: {type: array, items: {type: object, properties: {sku: {type: string}}, required: [sku]}, default: []}\n",
    )
    .replace(
        "Say hello to {{ name }}.",
        "Say hello to {{ name }} ({{ plan }}, {{ open_invoices }}, {{ lines }}).",
    )
)


def _eval(inputs: str, *asserts: str) -> dict[str, str]:
    body = "".join(f"      - {a}\n" for a in asserts or ("contains: Ada",))
    text = f"prompt: greet\ncases:\n  - name: c\n    inputs: {inputs}\n    assert:\n{body}"
    return {G: PROMPT, E: text}


def _found(root: Path, files: dict[str, str]) -> list[Found]:
    write_files(root, {**MINIMAL_REPO, **files})
    repo = load_repository(root, cache=False)
    return [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]


CASES = [
    pytest.param(
        _eval('{name: Ada, open_invoices: "2"}'),
        [
            (
                E,
                4,
                40,
                "error",
                "invalid-input",
                "input 'open_invoices' of prompt 'greet': expected integer, found '2' (a string); write 2 without quotes",
            )
        ],
        id="quoted-integer",
    ),
    pytest.param(
        _eval("{name: Ada, plan: premium}"),
        [
            (
                E,
                4,
                31,
                "error",
                "invalid-input",
                "input 'plan' of prompt 'greet': expected one of: 'free', 'plus', 'business'; found 'premium' (a string)",
            )
        ],
        id="outside-enum",
    ),
    pytest.param(
        _eval("{name: Ada, plan: plsu}"),
        [
            (
                E,
                4,
                31,
                "error",
                "invalid-input",
                "input 'plan' of prompt 'greet': expected one of: 'free', 'plus', 'business'; found 'plsu' (a string); did you mean 'plus'?",
            )
        ],
        id="enum-typo",
    ),
    pytest.param(
        _eval("{name: Ada, lines: [{sku: A1}, {skux: B2}]}"),
        [
            (
                E,
                4,
                44,
                "error",
                "invalid-input",
                "input 'lines[1]' of prompt 'greet': missing required key 'sku'",
            ),
        ],
        id="nested-value",
    ),
    pytest.param(
        _eval("{name: " + "x" * 101 + "}"),
        [
            (
                E,
                4,
                20,
                "error",
                "invalid-input",
                "input 'name' of prompt 'greet': expected at most 100 characters, found 101",
            )
        ],
        id="too-long",
    ),
    pytest.param(
        _eval("{plan: free}"),
        [
            (
                E,
                3,
                5,
                "error",
                "missing-input",
                "required input 'name' of prompt 'greet' is not set; add it under 'inputs'",
            )
        ],
        id="required-missing",
    ),
    pytest.param(
        _eval("{name: Ada, nmae: Ada}"),
        [
            (
                E,
                4,
                25,
                "error",
                "unknown-input",
                "input 'nmae' is not declared by prompt 'greet'; did you mean 'name'?",
            )
        ],
        id="unknown-input",
    ),
    pytest.param(
        _eval("{name: Ada}", "json_path: {equal: EUR}"),
        [
            (
                E,
                6,
                20,
                "error",
                "assertion-argument",
                "cases[0].assert[0].json_path: missing required key 'path'",
            ),
            (
                E,
                6,
                21,
                "error",
                "assertion-argument",
                "cases[0].assert[0].json_path.equal: unknown key 'equal'; did you mean 'equals'?",
            ),
        ],
        id="json-path-equal",
    ),
    pytest.param(
        _eval("{name: Ada}", "json_path: {path: $.currency}"),
        [
            (
                E,
                6,
                20,
                "error",
                "assertion-argument",
                "cases[0].assert[0].json_path: json_path takes 'path' and exactly one of: equals, exists, contains, matches",
            )
        ],
        id="json-path-no-test",
    ),
    pytest.param(
        _eval("{name: Ada}", 'json_path: {path: "$.items[*].sku", exists: true}'),
        [
            (
                E,
                6,
                27,
                "error",
                "assertion-argument",
                "cases[0].assert[0].json_path.path: unsupported JSONPath syntax at position 7 of '$.items[*].sku'; supported: $.key, $['key'], $[0]",
            )
        ],
        id="json-path-syntax",
    ),
    pytest.param(
        _eval("{name: Ada}", "regex: '(unclosed'"),
        [
            (
                E,
                6,
                16,
                "error",
                "assertion-argument",
                "cases[0].assert[0].regex: not a valid regular expression: missing ), unterminated subpattern at position 0",
            )
        ],
        id="regex",
    ),
    pytest.param(
        _eval("{name: Ada}", "json_schema: {type: objekt}"),
        [
            (
                E,
                6,
                22,
                "error",
                "assertion-argument",
                "cases[0].assert[0].json_schema: not a valid JSON Schema: 'objekt' is not valid under any of the given schemas",
            )
        ],
        id="json-schema",
    ),
    pytest.param(
        _eval("{name: Ada}", "max_chars: '200'"),
        [
            (
                E,
                6,
                20,
                "error",
                "assertion-argument",
                "cases[0].assert[0].max_chars: expected integer, found '200' (a string); write 200 without quotes",
            )
        ],
        id="quoted-count",
    ),
    pytest.param(
        _eval("{name: Ada}", "not: {contains: ''}"),
        [
            (
                E,
                6,
                25,
                "error",
                "assertion-argument",
                "cases[0].assert[0].not.contains: expected at least 1 characters, found 0",
            )
        ],
        id="negated",
    ),
    pytest.param(
        _eval("{name: Ada}", "tool_called: {name: lookpu, args: {user: ada}}"),
        [
            (
                E,
                6,
                29,
                "error",
                "unknown-tool",
                "tool_called names 'lookpu', which prompt 'greet' does not list under 'tools' (it lists: lookup); did you mean 'lookup'?",
            )
        ],
        id="tool-not-listed",
    ),
    pytest.param(
        _eval("{name: Ada}", "not: {tool_called: refund}"),
        [
            (
                E,
                6,
                28,
                "error",
                "unknown-tool",
                "tool_called names 'refund', which prompt 'greet' does not list under 'tools' (it lists: lookup)",
            )
        ],
        id="negated-tool-not-listed",
    ),
    pytest.param(
        _eval("{name: Ada}", "tool_called: {nme: lookup}"),
        [
            (
                E,
                6,
                22,
                "error",
                "assertion-argument",
                "cases[0].assert[0].tool_called: tool_called takes a tool name, or {name: NAME, args: {...}}",
            )
        ],
        id="tool-called-shape",
    ),
    pytest.param(
        _eval("{name: 2026-01-01}"),
        [
            (
                E,
                4,
                20,
                "error",
                "not-json",
                "cases[0].inputs.name: YAML reads 2026-01-01 as a date, which is no JSON value; quote it: '2026-01-01'",
            ),
        ],
        id="unquoted-date",
    ),
    pytest.param(
        _eval(
            "{name: Ada, plan: plus, open_invoices: 3, lines: [{sku: A1}]}",
            "json_path: {path: $.total, equals: 3}",
            "json_path: {path: $.refund, exists: false}",
            "json_path: {path: $.lines, contains: A1}",
            "json_path: {path: $.name, matches: '^A'}",
            "tool_called: {name: lookup, args: {user: ada}}",
            "not: {regex: '\\d{5}'}",
        ),
        [],
        id="all-good",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_eval_set_checks(tmp_path: Path, files: dict[str, str], expected: list[Found]) -> None:
    assert _found(tmp_path, files) == expected


def test_validate_fails_where_it_used_to_say_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: these gave `ok: 0 error(s)` and failed later, in eval."""
    write_files(
        tmp_path,
        {
            **MINIMAL_REPO,
            **_eval('{name: Ada, plan: premium, open_invoices: "2"}', "json_path: {equal: EUR}"),
        },
    )
    code, out, _ = run_cli(["validate", str(tmp_path), "--no-cache"], capsys)
    assert code == 1
    assert out.splitlines()[-1] == "failed: 4 error(s), 0 warning(s), 6 valid document(s)"
    assert "evals/greet.yaml:4:31: error: input 'plan' of prompt 'greet'" in out


def test_pair_results_follow_either_file(tmp_path: Path) -> None:
    """Cached per (eval set, prompt) pair: editing either file re-checks, nothing else does."""
    init_repo(tmp_path, {**MINIMAL_REPO, **_eval("{name: Ada, plan: premium}")})
    codes = lambda: [d.code for d in load_repository(tmp_path).diagnostics]  # noqa: E731
    assert codes() == ["invalid-input"]
    assert codes() == ["invalid-input"]  # from the cache
    prompt = tmp_path / G
    prompt.write_text(
        prompt.read_text().replace("enum: [free, plus, business]", "enum: [free, premium]")
    )
    assert codes() == []
    commit_all(tmp_path, "premium plan")
    evals = tmp_path / E
    evals.write_text(evals.read_text().replace("plan: premium", "plan: plus"))
    assert codes() == ["invalid-input"]


def test_a_warm_validate_imports_no_schema_validator(tmp_path: Path) -> None:
    init_repo(tmp_path, {**MINIMAL_REPO, **_eval("{name: Ada, plan: premium}")})
    script = (
        "import sys; from promptops.repo import load_repository as load; "
        f"r = load({str(tmp_path)!r}); print(len(r.errors), 'jsonschema' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert [r.stdout.split() for r in runs] == [["1", "True"], ["1", "False"]]


def test_every_assertion_type_has_a_valid_argument_schema() -> None:
    import jsonschema

    assert set(ASSERTION_ARGUMENTS) == set(ASSERTION_TYPES)
    for kind, schema in ASSERTION_ARGUMENTS.items():
        jsonschema.Draft202012Validator.check_schema(schema), kind


DEFAULTS = """\
prompt: greet
defaults:
  inputs: {name: Ada, plan: premium, nmae: x}
  assert:
    - json_path: {path: $.x}
    - tool_called: refund
cases:
  - name: uses-the-defaults
    assert:
      - contains: Ada
  - name: overrides-one
    inputs: {plan: plus}
"""


def test_defaults_are_checked_once_and_count_for_every_case(tmp_path: Path) -> None:
    found = _found(tmp_path, {G: PROMPT, E: DEFAULTS})
    assert found == [
        (
            E,
            3,
            29,
            "error",
            "invalid-input",
            "input 'plan' of prompt 'greet': expected one of: 'free', 'plus', 'business'; found 'premium' (a string)",
        ),
        (
            E,
            3,
            38,
            "error",
            "unknown-input",
            "input 'nmae' is not declared by prompt 'greet'; did you mean 'name'?",
        ),
        (
            E,
            5,
            18,
            "error",
            "assertion-argument",
            "defaults.assert[0].json_path: json_path takes 'path' and exactly one of: equals, exists, contains, matches",
        ),
        (
            E,
            6,
            20,
            "error",
            "unknown-tool",
            "tool_called names 'refund', which prompt 'greet' does not list under 'tools' (it lists: lookup)",
        ),
    ]
    # The default `name` satisfies every case: no case misses a required input.
    assert not [f for f in found if f[4] == "missing-input"]
