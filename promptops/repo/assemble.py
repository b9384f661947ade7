"""Turn per-file results into a Repository: cross-file checks, then the document mappings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from promptops.repo.codes import POLICY_CODES
from promptops.repo.config import Limits
from promptops.repo.crosscheck import Facts, Where, cross_check
from promptops.repo.lazy import LazyModels
from promptops.repo.pins import check_pins
from promptops.repo.reading import Snapshot
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic, Repository
from promptops.repo.yamlload import YamlProblem, parse_yaml
from promptops.spec import (
    EvalSet,
    Experiment,
    Instruction,
    ModelsFile,
    Partial,
    Prompt,
    Rules,
    RulesFile,
    SignersFile,
    ToolsFile,
)
from promptops.spec.header import split_header

__all__ = ["assemble"]

_FIXED_KEYS = {
    "models.yaml": "models",
    "policies/tools.yaml": "tools",
    "policies/rules.yaml": "rules",
    "policies/signers.yaml": "signers",
}


def _key(path: str, kind: str) -> str:
    if path in _FIXED_KEYS:
        return _FIXED_KEYS[path]
    if kind == "eval":
        return path
    if kind == "experiment":
        return path[len("experiments/") : -len(".yaml")]
    return path[len("prompts/") : -len(".yaml")]


def _data_loader(snap: Snapshot, limits: Limits) -> Any:
    def load(paths: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, data in snap.read(paths).items():
            try:
                out[path] = split_header(parse_yaml(data, limits).data)[1]
            except YamlProblem:
                continue
        return out

    return load


def _facts(results: dict[str, FileResult]) -> Facts:
    facts = Facts()
    tables: dict[str, dict[str, Any]] = {
        "prompt": facts.prompts,
        "instruction": facts.instructions,
        "partial": facts.partials,
        "eval": facts.evals,
        "experiment": facts.experiments,
    }
    for path, res in results.items():
        if res.kind is None:
            if path.startswith("prompts/"):
                facts.broken.add(_key(path, "prompt"))
            facts.tools_ok = facts.tools_ok and path != "policies/tools.yaml"
            facts.models_ok = facts.models_ok and path != "models.yaml"
        elif res.kind in tables:
            tables[res.kind][_key(path, res.kind)] = (path, res.facts)
        elif res.kind == "models":
            facts.models = ModelsFile.model_validate(res.data)
        elif res.kind == "tools":
            facts.tools = set(ToolsFile.model_validate(res.data).tools)
    return facts


def assemble(
    root: Path,
    snap: Snapshot,
    results: dict[str, FileResult],
    rules: Rules,
    today: dt.date,
    extra: list[Diagnostic],
    where: Where,
    limits: Limits,
) -> Repository:
    """Cross-check ``results`` and build the Repository (documents with errors left out)."""
    facts = _facts(results)
    diags: list[Diagnostic] = list(extra)
    for res in results.values():
        diags.extend(res.diagnostics)
    if results.get("models.yaml", FileResult(None)).kind is not None:
        diags.extend(check_pins(facts.models, where, rules.require_dated_model))
    diags.extend(cross_check(facts, rules, today, where))
    # Documents with errors are left out, unless the errors are only the repository's
    # policy (rules, lifecycle): a prompt that lacks evals can still be rendered.
    failed = {d.path for d in diags if d.level == "error" and d.code not in POLICY_CODES}
    # Checks ran on canonical paths; users see their files' real names (names.py).
    real = snap.actual
    if real:
        diags = [dataclasses.replace(d, path=real.get(d.path, d.path)) for d in diags]
    entries: dict[str, dict[str, tuple[str, str, Any]]] = {
        k: {} for k in ("prompt", "instruction", "partial", "eval", "experiment")
    }
    paths: dict[str, str] = {}
    digests: dict[str, str] = {}
    fixed: dict[str, Any] = {}
    for path, res in sorted(results.items()):
        if res.kind is None or path in failed:
            continue
        # Eval sets are keyed by path: the real one, as reports name it.
        key = real.get(path, path) if res.kind == "eval" else _key(path, res.kind)
        paths[key] = real.get(path, path)
        digests[key] = snap.files[path]
        if res.kind in entries:
            entries[res.kind][key] = (path, snap.files[path], res.data)
        else:
            fixed[res.kind] = res.data
    load = _data_loader(snap, limits)
    return Repository(
        root=root,
        source=snap.source,
        models=ModelsFile.model_validate(fixed["models"]) if "models" in fixed else ModelsFile(),
        prompts=LazyModels(Prompt, entries["prompt"], load),
        instructions=LazyModels(Instruction, entries["instruction"], load),
        partials=LazyModels(Partial, entries["partial"], load),
        tools=ToolsFile.model_validate(fixed["tools"]) if "tools" in fixed else ToolsFile(),
        rules=RulesFile.model_validate(fixed["rules"]) if "rules" in fixed else RulesFile(),
        signers=SignersFile.model_validate(fixed["signers"]) if "signers" in fixed else None,
        evals=LazyModels(EvalSet, entries["eval"], load),
        experiments=LazyModels(Experiment, entries["experiment"], load),
        eval_targets={
            real.get(path, path): str(res.facts["prompt"])
            for path, res in results.items()
            if path.startswith("evals/") and "prompt" in res.facts
        },
        paths=paths,
        digests=digests,
        diagnostics=tuple(sorted(set(diags))),
    )
