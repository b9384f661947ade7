"""The example prompt repository at the top of this project (what `make demo` and the README
tour use): every file validates against its model and its shipped JSON Schema, cross
references resolve, and every eval case renders its prompt."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jsonschema
import pytest
import yaml
from jinja2.sandbox import SandboxedEnvironment

from promptops.spec import ASSERTION_TYPES, EvalSet, ModelsFile, Prompt, RulesFile, ToolsFile
from promptops.spec.export import kind_for_path
from tests.spec.filecheck import check_file, repo_files, schema_line_target

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "promptops" / "spec" / "schemas"
TODAY = dt.date(2026, 11, 23)


@cache
def _files() -> list[str]:
    folders = ("evals", "policies", "prompts")
    return ["models.yaml", *(r for d in folders for r in repo_files(ROOT, d))]


@cache
def _load(rel: str) -> Any:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


def _by_kind(kind: str) -> dict[str, Any]:
    return {
        r.removeprefix("prompts/").removesuffix(".yaml"): _load(r)
        for r in _files()
        if r.startswith("prompts/") and _load(r)["kind"] == kind
    }


@pytest.mark.parametrize("rel", _files())
def test_file_validates_against_model_and_schema(rel: str) -> None:
    assert check_file(ROOT, rel) == []


@pytest.mark.parametrize("rel", _files())
def test_file_points_at_its_shipped_schema(rel: str) -> None:
    assert schema_line_target(ROOT, rel) == SHIPPED / f"{kind_for_path(rel)}.schema.json"


def test_size_and_variety() -> None:
    assert len(_by_kind("prompt")) >= 8
    assert len(_by_kind("instruction")) >= 2
    assert len(_by_kind("partial")) >= 1
    tools = ToolsFile.model_validate(_load("policies/tools.yaml")).tools
    assert {t.risk for t in tools.values()} == {"low", "medium", "high"}
    models = ModelsFile.model_validate(_load("models.yaml")).models
    assert {m.provider for m in models.values()} >= {"openai", "anthropic"}
    lifecycles = [m.lifecycle for m in models.values() if m.lifecycle is not None]
    assert len(lifecycles) == 1
    (life,) = lifecycles
    assert life.deprecated is not None and life.deprecated < TODAY
    assert life.retires is not None and life.retires > TODAY
    assert life.replacement in models
    used = {Prompt.model_validate(p).model for p in _by_kind("prompt").values()}
    assert used == set(models), "every pin is used, the deprecated one too (a warning)"


def test_cross_references_resolve() -> None:
    models = ModelsFile.model_validate(_load("models.yaml")).models
    tools = ToolsFile.model_validate(_load("policies/tools.yaml")).tools
    instructions = _by_kind("instruction")
    for pid, raw in _by_kind("prompt").items():
        prompt = Prompt.model_validate(raw)
        assert prompt.model in models, pid
        assert set(prompt.system) <= set(instructions), pid
        assert set(prompt.tools) <= set(tools), pid


def _env() -> SandboxedEnvironment:
    partials = {pid: p["template"] for pid, p in _by_kind("partial").items()}
    return SandboxedEnvironment(
        loader=jinja2.DictLoader(partials), undefined=jinja2.StrictUndefined
    )


def test_template_variables_are_declared_inputs_and_all_inputs_are_used() -> None:
    env = _env()
    from jinja2 import meta

    partials = {pid: p["template"] for pid, p in _by_kind("partial").items()}
    for pid, raw in _by_kind("prompt").items():
        prompt = Prompt.model_validate(raw)
        used: set[str] = set()
        for message in prompt.messages:
            ast = env.parse(message.content)
            used |= meta.find_undeclared_variables(ast)
            for include in meta.find_referenced_templates(ast):
                assert include in partials, f"{pid}: unknown partial {include}"
                used |= meta.find_undeclared_variables(env.parse(partials[include]))
        assert used == set(prompt.inputs), pid


def _cases() -> list[tuple[str, str]]:
    return [
        (r, case["name"]) for r in _files() if r.startswith("evals/") for case in _load(r)["cases"]
    ]


@pytest.mark.parametrize(("rel", "case_name"), _cases())
def test_eval_case_inputs_satisfy_the_prompt_and_render(rel: str, case_name: str) -> None:
    evals = EvalSet.model_validate(_load(rel))
    prompt = Prompt.model_validate(_load(f"prompts/{evals.prompt}.yaml"))
    (case,) = [c for c in evals.cases if c.name == case_name]
    required = sorted(n for n, s in prompt.inputs.items() if "default" not in s)
    assert set(required) <= set(case.inputs), f"missing inputs {required}"
    assert set(case.inputs) <= set(prompt.inputs)
    values = {n: s["default"] for n, s in prompt.inputs.items() if "default" in s}
    values.update(case.inputs)
    for name, value in values.items():
        jsonschema.validate(value, prompt.inputs[name])
    env = _env()
    for message in prompt.messages:
        assert env.from_string(message.content).render(**values).strip()
    for assertion in case.assert_:
        (kind,) = assertion
        assert kind in ASSERTION_TYPES


def test_production_prompts_have_enough_eval_cases() -> None:
    rule = RulesFile.model_validate(_load("policies/rules.yaml")).rules.eval_coverage
    assert rule is not None
    cases: dict[str, int] = {}
    for rel in _files():
        if rel.startswith("evals/"):
            evals = EvalSet.model_validate(_load(rel))
            cases[evals.prompt] = cases.get(evals.prompt, 0) + len(evals.cases)
    for pid, raw in _by_kind("prompt").items():
        if set(raw.get("tags", [])) & set(rule.tags):
            assert 2 <= cases.get(pid, 0) <= 5, pid


def test_promptops_validate_reports_only_the_deprecation_warning() -> None:
    from promptops.repo import validate_repository

    repo = validate_repository(ROOT, cache=False, today=TODAY)
    assert [str(d) for d in repo.diagnostics] == [
        "prompts/extract/contact.yaml:5:8: warning: model 'extract-mini' "
        "(gpt-4o-mini-2024-07-18) is deprecated since 2026-09-30 and retires on 2027-03-31; "
        "switch to 'support-default' [deprecated-model]"
    ]
    assert len(repo.prompts) == len(_by_kind("prompt"))
    assert len(repo.evals) == len([r for r in _files() if r.startswith("evals/")])


def _tour_blocks() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = readme.split("<!-- tour:start", 1)[1].split("<!-- tour:end -->", 1)[0]
    blocks = []
    for chunk in text.split("```yaml\n")[1:]:
        body = chunk.split("```", 1)[0]
        first, _, rest = body.partition("\n")
        blocks.append((first.removeprefix("# "), rest))
    return blocks


@pytest.mark.parametrize(("rel", "excerpt"), _tour_blocks())
def test_tour_quotes_the_example_files_exactly(rel: str, excerpt: str) -> None:
    assert excerpt in (ROOT / rel).read_text(encoding="utf-8")


def test_tour_covers_every_kind_of_file() -> None:
    quoted = {kind_for_path(rel) for rel, _ in _tour_blocks()}
    assert quoted == {"prompt-file", "models", "tools", "rules", "signers", "eval", "experiment"}
