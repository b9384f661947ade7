# ruff: noqa: E501  (exact messages are asserted verbatim)
"""File kinds: ``.yml`` as ``.yaml``, tool argument schemas, strict output schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.compile import build
from promptops.repo import load_repository
from tests.helpers import MINIMAL_REPO, commit_all, init_repo, write_files

Found = tuple[str, int, int, str, str, str]


def _yml(files: dict[str, str], *names: str) -> dict[str, str]:
    """``files`` with the named ones renamed to ``.yml``."""
    out = dict(files)
    for name in names:
        out[name[: -len(".yaml")] + ".yml"] = out.pop(name)
    return out


ALL_YML = _yml(MINIMAL_REPO, *MINIMAL_REPO)


def _found(root: Path, ref: str | None = None) -> list[Found]:
    repo = load_repository(root, ref, cache=False)
    return [(d.path, d.line, d.col, d.level, d.code, d.message) for d in repo.diagnostics]


def test_yml_files_are_read_like_yaml_files(tmp_path: Path) -> None:
    init_repo(tmp_path, ALL_YML)
    for ref in (None, "HEAD"):
        repo = load_repository(tmp_path, ref, cache=False)
        assert repo.ok, repo.diagnostics
        assert set(repo.prompts) == {"greet"}
        assert repo.paths["greet"] == "prompts/greet.yml"
        assert set(repo.evals) == {"evals/greet.yml"}
        assert repo.models.models["default"].provider == "echo"
        assert "lookup" in repo.tools.tools
        assert repo.rules.rules.require_owner
    # Same documents, same bundle, apart from the recorded path of each prompt.
    write_files(tmp_path / "plain", MINIMAL_REPO)
    yml, yaml_ = build(tmp_path), build(tmp_path / "plain")
    assert yml.prompt("greet")["path"] == "prompts/greet.yml"
    assert {**yml.prompt("greet"), "path": ""} == {**yaml_.prompt("greet"), "path": ""}


def test_yml_outside_git_and_diagnostics_name_the_real_file(tmp_path: Path) -> None:
    files = dict(ALL_YML)
    files["prompts/greet.yml"] = files["prompts/greet.yml"].replace(
        "model: default", "model: defualt"
    )
    write_files(tmp_path, files)
    assert _found(tmp_path) == [
        (
            "prompts/greet.yml",
            4,
            8,
            "error",
            "unknown-model",
            "unknown model 'defualt'; did you mean 'default'?",
        )
    ]


def test_yml_in_a_working_tree_edit(tmp_path: Path) -> None:
    """An uncommitted .yml edit is seen (read by its real name, cached by content)."""
    init_repo(tmp_path, ALL_YML)
    assert load_repository(tmp_path).ok
    path = tmp_path / "prompts" / "greet.yml"
    path.write_text(path.read_text().replace("params:", "parms:"))
    assert _found(tmp_path)[0][:5] == ("prompts/greet.yml", 5, 1, "error", "unknown-key")
    assert load_repository(tmp_path).errors[0].path == "prompts/greet.yml"


def test_same_document_as_yaml_and_yml_is_an_error(tmp_path: Path) -> None:
    files = {**MINIMAL_REPO, "prompts/greet.yml": MINIMAL_REPO["prompts/greet.yaml"]}
    init_repo(tmp_path, files)
    expected = [
        (
            "prompts/greet.yml",
            1,
            1,
            "error",
            "duplicate-id",
            "'prompts/greet.yml' and 'prompts/greet.yaml' are the same document; keep one of them (.yml and .yaml are the same suffix to promptops)",
        )
    ]
    assert _found(tmp_path) == expected
    assert _found(tmp_path, "HEAD") == expected


def test_models_yml_marks_the_root(tmp_path: Path) -> None:
    init_repo(tmp_path, _yml(MINIMAL_REPO, "models.yaml"))
    (tmp_path / "prompts" / "sub").mkdir()
    repo = load_repository(tmp_path / "prompts" / "sub", cache=False)
    assert repo.root == tmp_path.resolve()
    assert repo.ok and repo.paths["models"] == "models.yml"


def test_renaming_yaml_to_yml_changes_nothing_a_reviewer_sees(tmp_path: Path) -> None:
    from promptops.diff import diff_refs

    base = init_repo(tmp_path, MINIMAL_REPO)
    (tmp_path / "prompts" / "greet.yaml").rename(tmp_path / "prompts" / "greet.yml")
    head = commit_all(tmp_path, "rename")
    result = diff_refs(tmp_path, base, head)
    assert (result.prompts, result.repository, result.unchanged) == ((), (), 1)


TOOLS = MINIMAL_REPO["policies/tools.yaml"]
T = "policies/tools.yaml"

TOOL_CASES = [
    pytest.param(
        TOOLS.replace("      type: object\n", "      type: string\n"),
        [
            (
                T,
                6,
                13,
                "error",
                "tool-parameters",
                "tools.lookup.parameters: tool arguments must be an object schema (the OpenAI and Anthropic tool APIs take nothing else); found type 'string'; write 'type: object' with the arguments under 'properties'",
            )
        ],
        id="not-an-object",
    ),
    pytest.param(
        TOOLS.replace("      type: object\n", ""),
        [
            (
                T,
                6,
                7,
                "error",
                "tool-parameters",
                "tools.lookup.parameters: tool arguments must be an object schema (the OpenAI and Anthropic tool APIs take nothing else); found no type; write 'type: object' with the arguments under 'properties'",
            )
        ],
        id="no-type",
    ),
    pytest.param(
        "tools:\n  lookup:\n    parameters: {type: object}\n",
        [
            (
                T,
                3,
                17,
                "error",
                "tool-parameters",
                "tools.lookup.parameters: an object schema without 'properties'; list the arguments under 'properties' (write 'properties: {}' for a tool that takes none)",
            )
        ],
        id="no-properties",
    ),
    pytest.param("tools:\n  lookup: {description: No arguments.}\n", [], id="omitted"),
    pytest.param(
        "tools:\n  lookup:\n    parameters: {type: object, properties: {}}\n", [], id="none"
    ),
]


@pytest.mark.parametrize(("tools", "expected"), TOOL_CASES)
def test_tool_parameters_must_be_an_object(
    tmp_path: Path, tools: str, expected: list[Found]
) -> None:
    write_files(tmp_path, {**MINIMAL_REPO, T: tools})
    assert _found(tmp_path) == expected


G = "prompts/greet.yaml"

OUTPUT_CASES = [
    pytest.param(
        "output:\n  schema:\n    type: object\n    properties: {a: {type: string}, b: {type: integer}}\n    required: [a]\n",
        [
            (
                G,
                17,
                5,
                "warning",
                "strict-output",
                "output.schema: OpenAI strict structured outputs need every property required and no additional properties; add b to 'required' (make an optional field nullable: type: [string, 'null']) and add 'additionalProperties: false'",
            )
        ],
        id="optional-and-open",
    ),
    pytest.param(
        "output:\n  schema:\n    type: object\n    properties:\n      items:\n        type: array\n        items: {type: object, properties: {x: {type: number}}, required: [x]}\n    required: [items]\n    additionalProperties: false\n",
        [
            (
                G,
                21,
                16,
                "warning",
                "strict-output",
                "output.schema.properties.items.items: OpenAI strict structured outputs need every property required and no additional properties; add 'additionalProperties: false'",
            )
        ],
        id="nested-object",
    ),
    pytest.param(
        "output:\n  schema: {type: array, items: {type: string}}\n",
        [
            (
                G,
                16,
                11,
                "warning",
                "strict-output",
                "output.schema: OpenAI strict structured outputs need an object at the root; wrap the value in an object property",
            )
        ],
        id="array-root",
    ),
    pytest.param(
        "output:\n  schema:\n    type: object\n    properties: {a: {type: [string, 'null']}}\n    required: [a]\n    additionalProperties: false\n",
        [],
        id="strict",
    ),
]


@pytest.mark.parametrize(("output", "expected"), OUTPUT_CASES)
def test_output_schema_against_openai_strict_mode(
    tmp_path: Path, output: str, expected: list[Found]
) -> None:
    write_files(tmp_path, {**MINIMAL_REPO, G: MINIMAL_REPO[G] + output})
    assert _found(tmp_path) == expected
