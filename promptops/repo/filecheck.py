"""Check one file on its own: YAML, schema, unknown keys, templates, single-file rules."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from promptops.repo.contentcheck import check_content, contract_digest
from promptops.repo.context import CheckContext
from promptops.repo.evalcheck import eval_facts
from promptops.repo.foreign import foreign_hint
from promptops.repo.kinds import FIXED_KINDS, FIXED_PATHS, classify, usual_kind
from promptops.repo.positions import diagnostic_at, locate
from promptops.repo.result import FileResult
from promptops.repo.schema_check import check_model
from promptops.repo.schema_lint import (
    lint_inputs,
    lint_schema,
    lint_tool_parameters,
    strict_output_problems,
)
from promptops.repo.signercheck import signer_problems
from promptops.repo.suggest import did_you_mean
from promptops.repo.templatecheck import template_facts
from promptops.repo.types import Diagnostic
from promptops.repo.variantcheck import check_variant_names, experiment_facts
from promptops.repo.version import check_header
from promptops.repo.yamlload import Parsed, YamlProblem, parse_yaml
from promptops.spec import (
    ID_PATTERN,
    EvalSet,
    Experiment,
    Instruction,
    ModelsFile,
    Partial,
    Prompt,
    RulesFile,
    SignersFile,
    ToolsFile,
)
from promptops.spec._base import SpecModel
from promptops.spec.header import HEADER_KEY, split_header

__all__ = ["FIXED_PATHS", "check_file", "classify", "usual_kind"]

_MODELS: dict[str, type[SpecModel]] = {
    "models.yaml": ModelsFile,
    "policies/tools.yaml": ToolsFile,
    "policies/rules.yaml": RulesFile,
    "policies/signers.yaml": SignersFile,
}
_FIXED: dict[str, tuple[str, type[SpecModel]]] = {
    path: (FIXED_KINDS[path], model) for path, model in _MODELS.items()
}
_PROMPT_KINDS: dict[str, type[SpecModel]] = {
    "instruction": Instruction,
    "partial": Partial,
    "prompt": Prompt,
}
_ID = re.compile(ID_PATTERN)


def check_file(path: str, data: bytes, ctx: CheckContext) -> FileResult:
    """Check ``data`` read from repository path ``path``. Never raises for bad content."""
    try:
        parsed = parse_yaml(data, ctx.limits)
    except YamlProblem as p:
        return FileResult(
            None, None, (Diagnostic(path, p.line, p.col, "error", p.code, p.message),)
        )
    except RecursionError:
        return FileResult(
            None, None, (Diagnostic(path, 1, 1, "error", "too-deep", "document nests too deeply"),)
        )
    header, data = split_header(parsed.data)
    if header is not None:
        # Before anything else: a file for a newer promptops gets this one diagnostic, not
        # a wall of unknown keys. Then the header is no part of the document.
        problem = check_header(path, header, locate(parsed.root, (HEADER_KEY,)))
        if problem is not None:
            return FileResult(None, None, (problem,))
        parsed = dataclasses.replace(parsed, data=data)
    if path in _FIXED:
        kind, cls = _FIXED[path]
        model, diags = check_model(cls, parsed.data, path, parsed.root)
        if isinstance(model, ToolsFile):
            problems: list[tuple[tuple[object, ...], str]] = []
            shapes: list[tuple[tuple[object, ...], str]] = []
            for name, tool in model.tools.items():
                lint_schema(tool.parameters, ("tools", name, "parameters"), problems)
                lint_tool_parameters(tool.parameters, ("tools", name, "parameters"), shapes)
            for loc, message in problems:
                diags.append(diagnostic_at(path, parsed.root, loc, "error", "schema", message))
            for loc, message in shapes:
                diags.append(
                    diagnostic_at(path, parsed.root, loc, "error", "tool-parameters", message)
                )
        if isinstance(model, SignersFile):
            for loc, level, code, message in signer_problems(model):
                diags.append(diagnostic_at(path, parsed.root, loc, level, code, message))
        facts: dict[str, Any] = {}
        return _result(kind, model, parsed, diags, facts)
    if path.startswith("evals/"):
        model, diags = check_model(EvalSet, parsed.data, path, parsed.root)
        facts, more = eval_facts(path, parsed)
        return _result("eval", model, parsed, diags + more, facts)
    if path.startswith("experiments/"):
        model, diags = check_model(Experiment, parsed.data, path, parsed.root)
        return _result("experiment", model, parsed, diags, experiment_facts(parsed.data))
    return _prompt_file(path, parsed, ctx)


def _result(
    kind: str,
    model: SpecModel | None,
    parsed: Parsed,
    diags: list[Diagnostic],
    facts: dict[str, Any],
) -> FileResult:
    # The raw data, not a dump: validating it again rebuilds the same model, and it is
    # smaller to cache. Documents with errors keep their data so cross-file checks still
    # see them; the loader leaves them out of the repository.
    if model is None:
        # An unusable eval set still says which prompt it tests: `eval --prompt X` must
        # refuse to run X with a broken eval set rather than skip it.
        target = {"prompt": facts["prompt"]} if kind == "eval" and "prompt" in facts else {}
        return FileResult(None, None, tuple(diags), target)
    return FileResult(kind, parsed.data, tuple(diags), facts)


def _prompt_file(path: str, parsed: Parsed, ctx: CheckContext) -> FileResult:
    data, root = parsed.data, parsed.root
    doc_id = path[len("prompts/") : -len(".yaml")]
    diags: list[Diagnostic] = []
    if not _ID.match(doc_id):
        diags.append(
            Diagnostic(
                path,
                1,
                1,
                "error",
                "invalid-id",
                f"id '{doc_id}' does not match {ID_PATTERN}; rename the file "
                "with lower-case letters, digits, '_', '.' or '-'",
            )
        )
    kind = data.get("kind") if isinstance(data, dict) else None
    if isinstance(data, dict) and kind not in _PROMPT_KINDS:
        kinds = ", ".join(sorted(_PROMPT_KINDS))
        hint = foreign_hint(path, data) if kind is None else None
        if hint is not None:
            diags.append(Diagnostic(path, 1, 1, "warning", "unknown-file", hint))
        elif kind is None:
            diags.append(
                diagnostic_at(
                    path,
                    root,
                    (),
                    "error",
                    "schema",
                    f"missing required key 'kind'; expected one of: {kinds}",
                )
            )
        else:
            diags.append(
                diagnostic_at(
                    path,
                    root,
                    ("kind",),
                    "error",
                    "unknown-kind",
                    f"unknown kind '{kind}'; expected one of: {kinds}"
                    f"{did_you_mean(str(kind), _PROMPT_KINDS)}",
                )
            )
        return FileResult(None, None, tuple(diags))
    cls = _PROMPT_KINDS.get(str(kind), Prompt)
    model, more = check_model(cls, data, path, root)
    diags += more
    facts: dict[str, Any] = {}
    if isinstance(model, Prompt):
        problems = lint_inputs(model.inputs)
        strict: list[tuple[tuple[object, ...], str]] = []
        if model.output is not None:
            lint_schema(model.output.schema_, ("output", "schema"), problems)
            strict_output_problems(model.output.schema_, ("output", "schema"), strict)
        for loc, message in problems:
            key = loc[-1] != "type"
            diags.append(diagnostic_at(path, root, loc, "error", "schema", message, key=key))
        for loc, message in strict:
            diags.append(diagnostic_at(path, root, loc, "warning", "strict-output", message))
        check_variant_names(path, parsed, model, diags)
    if model is not None:
        facts = template_facts(path, parsed, model, ctx, diags)
        if isinstance(model, Prompt):
            facts["uses"] = check_content(path, parsed, model, diags)
            facts["contract"] = contract_digest(parsed.data)
        if ctx.require_owner and not getattr(model, "owner", None):
            diags.append(
                diagnostic_at(
                    path,
                    root,
                    (),
                    "error",
                    "missing-owner",
                    f"missing 'owner' (rules.require_owner is true); "
                    f"add 'owner: <team>' to this {kind}",
                )
            )
    for line, col, message in ctx.patterns.search(parsed.text):
        diags.append(Diagnostic(path, line, col, "error", "forbidden-pattern", message))
    return _result(str(kind), model, parsed, diags, facts)
