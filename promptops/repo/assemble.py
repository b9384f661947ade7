"""Turn per-file results into a Repository: cross-file checks, then the document mappings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from promptops.repo.crosscheck import Facts, cross_check
from promptops.repo.lazy import LazyModels
from promptops.repo.pins import check_pins
from promptops.repo.reading import Snapshot
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic, Repository
from promptops.spec import (
    EvalSet,
    Instruction,
    ModelsFile,
    Partial,
    Prompt,
    Rules,
    SignersFile,
    ToolsFile,
)

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
    return path[len("prompts/") : -len(".yaml")]


def assemble(
    root: Path,
    snap: Snapshot,
    results: dict[str, FileResult],
    rules: Rules,
    today: dt.date,
    extra: list[Diagnostic],
) -> Repository:
    """Cross-check ``results`` and build the Repository (documents with errors left out)."""
    facts = Facts()
    tables: dict[str, dict[str, Any]] = {
        "prompt": facts.prompts,
        "instruction": facts.instructions,
        "partial": facts.partials,
        "eval": facts.evals,
    }
    diags: list[Diagnostic] = list(extra)
    models_facts: dict[str, Any] = {}
    for path, res in results.items():
        diags.extend(res.diagnostics)
        if res.kind in tables:
            tables[res.kind][_key(path, res.kind)] = (path, res.facts)
        elif res.kind == "models":
            facts.models = ModelsFile.model_validate(res.data)
            models_facts = res.facts
        elif res.kind == "tools":
            facts.tools = set(ToolsFile.model_validate(res.data).tools)
    if "models.yaml" in results:
        diags.extend(check_pins(facts.models, models_facts, rules.require_dated_model))
    diags.extend(
        cross_check(facts, rules, today, tools_known="policies/tools.yaml" in results or True)
    )
    failed = {d.path for d in diags if d.level == "error"}
    entries: dict[str, dict[str, tuple[str, str, Any]]] = {k: {} for k in tables}
    paths: dict[str, str] = {}
    digests: dict[str, str] = {}
    fixed: dict[str, Any] = {}
    for path, res in results.items():
        if res.kind is None or path in failed:
            continue
        key = _key(path, res.kind)
        paths[key] = path
        digests[key] = snap.files[path]
        if res.kind in entries:
            entries[res.kind][key] = (path, snap.files[path], res.data)
        else:
            fixed[res.kind] = res.data
    return Repository(
        root=root,
        source=snap.source,
        models=ModelsFile.model_validate(fixed["models"]) if "models" in fixed else ModelsFile(),
        prompts=LazyModels(Prompt, entries["prompt"]),
        instructions=LazyModels(Instruction, entries["instruction"]),
        partials=LazyModels(Partial, entries["partial"]),
        tools=ToolsFile.model_validate(fixed["tools"]) if "tools" in fixed else ToolsFile(),
        rules=_rules_file(fixed),
        signers=SignersFile.model_validate(fixed["signers"]) if "signers" in fixed else None,
        evals=LazyModels(EvalSet, entries["eval"]),
        paths=paths,
        digests=digests,
        diagnostics=tuple(sorted(set(diags))),
    )


def _rules_file(fixed: dict[str, Any]) -> Any:
    from promptops.spec import RulesFile

    return RulesFile.model_validate(fixed["rules"]) if "rules" in fixed else RulesFile()
