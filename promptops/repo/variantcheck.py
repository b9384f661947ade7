"""Prompt variants and the experiments that split traffic between them (ADR 0018).

One file: variant names (the pattern, ``base`` reserved). Across files: a variant's model
pin exists (and is not retired), every experiment arm serves a declared variant (or
``base``), and a prompt is under one experiment at most (the runtime assigns one split
per prompt). A variant's templates are checked with the prompt's (``templatecheck.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from promptops.repo.pins import pin_use
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic, Level
from promptops.spec import BASE_VARIANT, VARIANT_PATTERN, ModelsFile, Prompt

if TYPE_CHECKING:
    from promptops.repo.yamlload import Parsed

__all__ = [
    "check_experiments",
    "check_variant_names",
    "check_variant_pins",
    "experiment_facts",
]

Add = Callable[[str, Any, Level, str, str], None]
_NAME = re.compile(VARIANT_PATTERN)


def check_variant_names(path: str, parsed: Parsed, model: Prompt, out: list[Diagnostic]) -> None:
    """Append a diagnostic for each variant name that is reserved or malformed."""
    from promptops.repo.positions import diagnostic_at  # a file check: PyYAML is loaded

    for name in model.variants:
        if name == BASE_VARIANT:
            message = (
                "variant name 'base' is reserved for the prompt as written (an experiment "
                "arm serves it with variant: base); rename this variant"
            )
        elif _NAME.match(name) is None:
            message = f"variant name '{name}' must match {VARIANT_PATTERN}"
        else:
            continue
        out.append(
            diagnostic_at(path, parsed.root, ("variants", name), "error", "variant-name",
                          message, key=True)
        )  # fmt: skip


def check_variant_pins(
    models: ModelsFile, models_ok: bool, path: str, pf: dict[str, Any], today: dt.date, add: Add
) -> None:
    """Each variant's ``model:`` names a pin of models.yaml that is still in service."""
    for name, model in (pf.get("variants") or {}).items():
        if model is None:
            continue
        anchor = ("value", ("variants", name, "model"))
        pin = models.models.get(model)
        if pin is None:
            if models_ok:
                message = f"unknown model '{model}' in variant '{name}'"
                add(path, anchor, "error", "unknown-model",
                    message + did_you_mean(model, models.models))  # fmt: skip
        elif (use := pin_use(model, pin, today)) is not None:
            add(path, anchor, *use)


def experiment_facts(data: Any) -> dict[str, Any]:
    """Facts of an experiment file for cross-file checks: its prompt and, per arm, the
    variant it serves and where that name is written."""
    target = data.get("prompt") if isinstance(data, dict) else None
    arms = data.get("arms") if isinstance(data, dict) else None
    served: dict[str, tuple[str, bool]] = {}
    for arm, spec in (arms if isinstance(arms, dict) else {}).items():
        variant = spec.get("variant") if isinstance(spec, dict) else None
        served[str(arm)] = (str(variant), True) if variant is not None else (str(arm), False)
    return {"prompt": str(target), "arms": served}


def check_experiments(
    experiments: Mapping[str, tuple[str, dict[str, Any]]],
    prompts: Mapping[str, tuple[str, dict[str, Any]]],
    add: Add,
) -> None:
    """Arms serve declared variants; no prompt is under two experiments."""
    owner: dict[str, str] = {}
    for name in sorted(experiments):
        path, xf = experiments[name]
        target = xf["prompt"]
        if target not in prompts:
            continue  # reported as unknown-prompt
        if target in owner:
            add(path, ("value", ("prompt",)), "error", "duplicate-experiment",
                f"prompt '{target}' is already under experiment '{owner[target]}' "
                f"({experiments[owner[target]][0]}); a prompt takes part in one experiment "
                "at a time: end one of them")  # fmt: skip
            continue
        owner[target] = name
        declared: dict[str, Any] = prompts[target][1].get("variants") or {}
        for arm, (variant, explicit) in xf.get("arms", {}).items():
            if variant == BASE_VARIANT or variant in declared:
                continue
            anchor = ("value", ("arms", arm, "variant")) if explicit else ("key", ("arms", arm))
            names = ", ".join(f"'{v}'" for v in declared) or "none"
            fix = did_you_mean(variant, declared) or (
                f"; declare it under 'variants:' in {prompts[target][0]}, or serve the "
                "prompt as written with 'variant: base'"
            )
            add(path, anchor, "error", "unknown-variant",
                f"arm '{arm}' serves variant '{variant}', which prompt '{target}' does not "
                f"declare (its variants: {names}){fix}")  # fmt: skip
