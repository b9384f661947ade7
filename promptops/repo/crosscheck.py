"""Checks across files, from cached per-file facts: references, variables, pins, coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from promptops.repo.pins import pin_use
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.spec import ModelsFile, Rules

__all__ = ["Facts", "cross_check"]

FactMap = dict[str, tuple[str, dict[str, Any]]]


@dataclass
class Facts:
    """Per-kind facts of every usable document: id -> (path, facts)."""

    prompts: FactMap = field(default_factory=dict)
    instructions: FactMap = field(default_factory=dict)
    partials: FactMap = field(default_factory=dict)
    evals: FactMap = field(default_factory=dict)
    tools: set[str] = field(default_factory=set)
    models: ModelsFile = field(default_factory=ModelsFile)


def _diag(path: str, pos: tuple[Any, ...], level: str, code: str, msg: str) -> Diagnostic:
    return Diagnostic(path, pos[0], pos[1], "error" if level == "error" else "warning", code, msg)


def _kind_of(facts: Facts, ref: str) -> str | None:
    for kind, table in (
        ("prompt", facts.prompts),
        ("instruction", facts.instructions),
        ("partial", facts.partials),
    ):
        if ref in table:
            return kind
    return None


def _unknown(
    facts: Facts,
    path: str,
    ref: tuple[str, int, int],
    kind: str,
    table: Mapping[str, Any],
    out: list[Diagnostic],
) -> None:
    name = ref[0]
    if name in table:
        return
    other = _kind_of(facts, name)
    msg = (
        f"'{name}' is a {other}, not an {kind}"
        if other and kind[0] in "aeiou"
        else f"'{name}' is a {other}, not a {kind}"
        if other
        else f"unknown {kind} '{name}'{did_you_mean(name, table)}"
    )
    out.append(_diag(path, ref[1:], "error", f"unknown-{kind}", msg))


def _partial_vars(facts: Facts, pid: str, seen: set[str]) -> dict[str, str]:
    """Variables a partial needs (its own and those of partials it includes) -> partial id."""
    if pid in seen or pid not in facts.partials:
        return {}
    seen.add(pid)
    _, pf = facts.partials[pid]
    out = dict.fromkeys(pf.get("variables", {}), pid)
    for inc in pf.get("includes", []):
        for name, owner in _partial_vars(facts, inc[0], seen).items():
            out.setdefault(name, owner)
    return out


def _prompt(
    facts: Facts,
    pid: str,
    path: str,
    pf: dict[str, Any],
    today: dt.date,
    tools_known: bool,
    out: list[Diagnostic],
) -> None:
    model, line, col = pf["model"]
    pin = facts.models.models.get(model)
    if pin is None:
        out.append(
            _diag(
                path,
                (line, col),
                "error",
                "unknown-model",
                f"unknown model '{model}'{did_you_mean(model, facts.models.models)}",
            )
        )
    elif (use := pin_use(model, pin, today)) is not None:
        out.append(_diag(path, (line, col), *use))
    for ref in pf["system"]:
        _unknown(facts, path, ref, "instruction", facts.instructions, out)
    if tools_known:
        for ref in pf["tools"]:
            if ref[0] not in facts.tools:
                out.append(
                    _diag(
                        path,
                        ref[1:],
                        "error",
                        "unknown-tool",
                        f"unknown tool '{ref[0]}'{did_you_mean(ref[0], facts.tools)}",
                    )
                )
    inputs: dict[str, tuple[int, int, bool]] = pf["inputs"]
    used = set(pf["variables"])
    for name, pos in pf["variables"].items():
        if name not in inputs:
            out.append(
                _diag(
                    path,
                    pos,
                    "error",
                    "undeclared-variable",
                    f"variable '{name}' is not a declared input; declare it under "
                    f"'inputs'{did_you_mean(name, inputs)}",
                )
            )
    for inc in pf["includes"]:
        _unknown(facts, path, inc, "partial", facts.partials, out)
        for name, owner in sorted(_partial_vars(facts, inc[0], set()).items()):
            used.add(name)
            if name not in inputs and name not in pf["variables"]:
                out.append(
                    _diag(
                        path,
                        inc[1:],
                        "error",
                        "undeclared-variable",
                        f"variable '{name}' (used by partial '{owner}') is not a "
                        f"declared input; declare it under 'inputs'",
                    )
                )
    for name, (line, col, _) in inputs.items():
        if name not in used:
            out.append(
                _diag(
                    path,
                    (line, col),
                    "warning",
                    "unused-input",
                    f"input '{name}' is declared but no template uses it; remove it or use it",
                )
            )


def _evals(facts: Facts, out: list[Diagnostic]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path, ef in facts.evals.values():
        target, line, col = ef["prompt"]
        if target not in facts.prompts:
            out.append(
                _diag(
                    path,
                    (line, col),
                    "error",
                    "unknown-prompt",
                    f"unknown prompt '{target}'{did_you_mean(target, facts.prompts)}",
                )
            )
            continue
        counts[target] = counts.get(target, 0) + len(ef["cases"])
        inputs = facts.prompts[target][1]["inputs"]
        for case in ef["cases"]:
            given = {k for k, _, _ in case["inputs"]}
            for key, kl, kc in case["inputs"]:
                if key not in inputs:
                    out.append(
                        _diag(
                            path,
                            (kl, kc),
                            "error",
                            "unknown-input",
                            f"input '{key}' is not declared by prompt '{target}'"
                            f"{did_you_mean(key, inputs)}",
                        )
                    )
            for name, (_, _, has_default) in inputs.items():
                if not has_default and name not in given:
                    out.append(
                        _diag(
                            path,
                            case["pos"],
                            "error",
                            "missing-input",
                            f"required input '{name}' of prompt '{target}' is not "
                            "set; add it under 'inputs'",
                        )
                    )
    return counts


def cross_check(
    facts: Facts, rules: Rules, today: dt.date, tools_known: bool = True
) -> list[Diagnostic]:
    """Every diagnostic that needs more than one file."""
    out: list[Diagnostic] = []
    for pid, (path, pf) in facts.prompts.items():
        _prompt(facts, pid, path, pf, today, tools_known, out)
    for _, (path, pf) in facts.partials.items():
        for inc in pf.get("includes", []):
            _unknown(facts, path, inc, "partial", facts.partials, out)
    counts = _evals(facts, out)
    cov = rules.eval_coverage
    if cov is not None and cov.tags:
        for pid, (path, pf) in facts.prompts.items():
            hit = next((t for t in pf["tags"] if t in cov.tags), None)
            if hit is not None and counts.get(pid, 0) < cov.min_cases:
                out.append(
                    _diag(
                        path,
                        pf["tags_pos"],
                        "error",
                        "eval-coverage",
                        f"prompt '{pid}' is tagged '{hit}' and needs at least "
                        f"{cov.min_cases} eval case(s) (rules.eval_coverage); "
                        f"found {counts.get(pid, 0)}",
                    )
                )
    return out
