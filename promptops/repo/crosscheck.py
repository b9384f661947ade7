"""Checks across files, from cached per-file facts: references, variables, pins, coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from promptops.repo.locator import Anchor
from promptops.repo.pins import pin_use
from promptops.repo.suggest import Suggester, did_you_mean
from promptops.repo.types import Diagnostic, Level
from promptops.repo.variantcheck import check_experiments, check_variant_pins
from promptops.spec import ModelsFile, Rules

__all__ = ["Facts", "Where", "case_counts", "cross_check"]

FactMap = MutableMapping[str, tuple[str, dict[str, Any]]]
Where = Callable[[str, Anchor], tuple[int, int]]


@dataclass
class Facts:
    """Per-kind facts of usable documents: key -> (path, facts). The tables hold the
    documents to check (all of them, or what a change reaches); ``ids`` holds every id of
    each kind when the tables hold fewer."""

    prompts: FactMap = field(default_factory=dict)
    instructions: FactMap = field(default_factory=dict)
    partials: FactMap = field(default_factory=dict)
    evals: FactMap = field(default_factory=dict)
    experiments: FactMap = field(default_factory=dict)
    tools: set[str] = field(default_factory=set)
    models: ModelsFile = field(default_factory=ModelsFile)
    # Ids of files under prompts/ that failed on their own, and whether tools.yaml and
    # models.yaml loaded: references to broken documents are not reported twice.
    broken: Collection[str] = field(default_factory=set)
    tools_ok: bool = True
    models_ok: bool = True
    partial_vars: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: Mapping[str, Collection[str]] | None = None
    # One suggestion index per candidate set, built on the first miss: a repository with an
    # error in every eighth file must not score every id once per error (O(N^2)).
    _suggesters: dict[str, Suggester] = field(default_factory=dict)

    def hint(self, table: str, word: str) -> str:
        """``"; did you mean 'x'?"`` among the names of ``table`` (prompt, instruction,
        partial, tool or model), or ``""``."""
        if table not in self._suggesters:
            names = {"tool": self.tools, "model": self.models.models}.get(table)
            self._suggesters[table] = Suggester(self.names(table) if names is None else names)
        return self._suggesters[table].hint(word)

    def names(self, kind: str) -> Collection[str]:
        """Every id of ``kind`` (prompt, instruction or partial)."""
        if self.ids is not None:
            return self.ids[kind]
        table: FactMap = {
            "prompt": self.prompts,
            "instruction": self.instructions,
            "partial": self.partials,
        }[kind]
        return table.keys()


class _Out:
    def __init__(self, where: Where) -> None:
        self.where = where
        self.items: list[Diagnostic] = []

    def add(self, path: str, anchor: Anchor, level: Level, code: str, message: str) -> None:
        line, col = self.where(path, anchor)
        self.items.append(Diagnostic(path, line, col, level, code, message))


def _kind_of(facts: Facts, ref: str) -> str | None:
    for kind in ("prompt", "instruction", "partial"):
        if ref in facts.names(kind):
            return kind
    return None


def _ref(
    facts: Facts,
    path: str,
    anchor: Anchor,
    name: str,
    kind: str,
    out: _Out,
) -> None:
    if name in facts.names(kind) or name in facts.broken:
        return
    other = _kind_of(facts, name)
    article = "an" if kind[0] in "aeiou" else "a"
    msg = (
        f"'{name}' is a {other}, not {article} {kind}"
        if other
        else f"unknown {kind} '{name}'{facts.hint(kind, name)}"
    )
    out.add(path, anchor, "error", f"unknown-{kind}", msg)


def _partial_vars(facts: Facts, pid: str, seen: set[str]) -> dict[str, str]:
    """Variables a partial needs (its own and those of partials it includes) -> partial id."""
    if pid in seen or pid not in facts.partials:
        return {}
    if pid in facts.partial_vars:
        return facts.partial_vars[pid]
    seen.add(pid)
    pf = facts.partials[pid][1]
    out = dict.fromkeys(pf["variables"], pid)
    for inc in pf["includes"]:
        for name, owner in _partial_vars(facts, inc, seen).items():
            out.setdefault(name, owner)
    facts.partial_vars[pid] = out
    return out


def _unknown_model(facts: Facts, name: str) -> str:
    # A raw provider model id where a pin name belongs: name the pin(s) that hold it.
    pins = sorted(p for p, pin in facts.models.models.items() if pin.model == name)
    if pins:
        named = " or ".join(f"'{p}'" for p in pins)
        return (
            f"unknown model '{name}': prompts name a pin of models.yaml, not a model id; "
            f"'{name}' is the model of pin {named}: write 'model: {pins[0]}'"
        )
    return f"unknown model '{name}'{facts.hint('model', name)}"


def _prompt(facts: Facts, path: str, pf: dict[str, Any], today: dt.date, out: _Out) -> None:
    model = pf["model"]
    pin = facts.models.models.get(model)
    if pin is None and facts.models_ok:
        out.add(path, ("value", ("model",)), "error", "unknown-model", _unknown_model(facts, model))
    elif pin is not None and (use := pin_use(model, pin, today)) is not None:
        out.add(path, ("value", ("model",)), *use)
    check_variant_pins(facts.models, facts.models_ok, path, pf, today, out.add)
    for i, name in enumerate(pf["system"]):
        _ref(facts, path, ("value", ("system", i)), name, "instruction", out)
    for i, name in enumerate(pf["tools"]):
        if facts.tools_ok and name not in facts.tools:
            out.add(
                path,
                ("value", ("tools", i)),
                "error",
                "unknown-tool",
                f"unknown tool '{name}'{facts.hint('tool', name)}",
            )
    inputs: dict[str, bool] = pf["inputs"]
    used = set(pf["variables"]) | set(pf.get("uses", ()))  # templates, history and parts
    for name in pf["variables"]:
        if name not in inputs:
            out.add(
                path,
                ("tvar", name),
                "error",
                "undeclared-variable",
                f"variable '{name}' is not a declared input; declare it under "
                f"'inputs'{did_you_mean(name, inputs)}",
            )
    for inc in pf["includes"]:
        _ref(facts, path, ("tinc", inc), inc, "partial", out)
        for name, owner in sorted(_partial_vars(facts, inc, set()).items()):
            used.add(name)
            if name not in inputs and name not in pf["variables"]:
                out.add(
                    path,
                    ("tinc", inc),
                    "error",
                    "undeclared-variable",
                    f"variable '{name}' (used by partial '{owner}') is not a declared "
                    "input; declare it under 'inputs'",
                )
    quiet = set(pf.get("single_brace", ()))  # warned about as {name} already
    for name in inputs:
        if name not in used and name not in quiet and pf.get("complete", True):
            out.add(
                path,
                ("key", ("inputs", name)),
                "warning",
                "unused-input",
                f"input '{name}' is declared but no template uses it; remove it or use it",
            )


def case_counts(facts: Facts) -> dict[str, int]:
    """Eval cases per prompt id, from every usable eval set whose target is a usable prompt
    (what the coverage rule counts)."""
    counts: dict[str, int] = {}
    for _, ef in facts.evals.values():
        target = ef["prompt"]
        if target in facts.prompts:
            counts[target] = counts.get(target, 0) + len(ef["cases"])
    return counts


def _evals(facts: Facts, out: _Out) -> None:
    prompts = facts.names("prompt")
    for path, ef in facts.evals.values():
        target = ef["prompt"]
        if target in facts.broken:
            continue
        if target not in prompts:
            out.add(
                path,
                ("value", ("prompt",)),
                "error",
                "unknown-prompt",
                f"unknown prompt '{target}'{facts.hint('prompt', target)}",
            )
            continue
        inputs: dict[str, bool] = facts.prompts[target][1]["inputs"]
        shared: list[str] = ef.get("defaults", [])
        owners: list[tuple[tuple[object, ...], list[str]]] = [
            (("defaults",), shared),
            *((("cases", index), keys) for index, keys in ef["cases"]),
        ]
        for where, keys in owners:
            for key in keys:
                if key not in inputs:
                    out.add(
                        path,
                        ("key", (*where, "inputs", key)),
                        "error",
                        "unknown-input",
                        f"input '{key}' is not declared by prompt "
                        f"'{target}'{did_you_mean(key, inputs)}",
                    )
        for index, keys in ef["cases"]:
            for name, has_default in inputs.items():
                if not has_default and name not in keys and name not in shared:
                    out.add(
                        path,
                        ("value", ("cases", index)),
                        "error",
                        "missing-input",
                        f"required input '{name}' of prompt '{target}' is not set; "
                        "add it under 'inputs'",
                    )


def cross_check(
    facts: Facts,
    rules: Rules,
    today: dt.date,
    where: Where,
    counts: Mapping[str, int] | None = None,
) -> list[Diagnostic]:
    """Every diagnostic that needs more than one file, for the documents in ``facts``'
    tables; ``where`` positions them. ``counts`` (eval cases per prompt id, see
    :func:`case_counts`) must cover the whole repository when the tables do not."""
    out = _Out(where)
    for path, pf in facts.prompts.values():
        _prompt(facts, path, pf, today, out)
    for path, pf in facts.partials.values():
        for inc in pf["includes"]:
            _ref(facts, path, ("tinc", inc), inc, "partial", out)
    _evals(facts, out)
    counts = case_counts(facts) if counts is None else counts
    for path, xf in facts.experiments.values():
        target = xf["prompt"]
        if target not in facts.names("prompt") and target not in facts.broken:
            out.add(path, ("value", ("prompt",)), "error", "unknown-prompt",
                    f"unknown prompt '{target}'{facts.hint('prompt', target)}")  # fmt: skip
    check_experiments(facts.experiments, facts.prompts, out.add)
    cov = rules.eval_coverage
    if cov is not None and cov.tags:
        for pid, (path, pf) in facts.prompts.items():
            hit = next((t for t in pf["tags"] if t in cov.tags), None)
            if hit is not None and counts.get(pid, 0) < cov.min_cases:
                out.add(
                    path,
                    ("key", ("tags",)),
                    "error",
                    "eval-coverage",
                    f"prompt '{pid}' is tagged '{hit}' and needs at least "
                    f"{cov.min_cases} eval case(s) (rules.eval_coverage); "
                    f"found {counts.get(pid, 0)}",
                )
    return out.items
