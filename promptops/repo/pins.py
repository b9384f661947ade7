"""Model pin checks: floating aliases, lifecycle (deprecated / retired), replacements."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from promptops.repo.locator import Anchor
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic, Level
from promptops.spec import MAX_FALLBACKS, ModelPin, ModelsFile

__all__ = ["check_pins", "is_dated", "pin_use"]

# A dated snapshot ends in a date: -2024-08-06, -20241022, @20241022 or OpenAI's old -0613,
# optionally followed by a provider revision such as -v2:0 (Bedrock).
_DATED = re.compile(r"[-@_](?:20\d\d-\d\d-\d\d|20\d{6}|\d{4})(?:-v\d+(?::\d+)?)?$")


def is_dated(model: str) -> bool:
    """True for a dated snapshot (``gpt-4o-2024-08-06``), False for ``gpt-4o`` or ``*-latest``."""
    return "latest" not in model and _DATED.search(model) is not None


def check_pins(
    models: ModelsFile, where: Callable[[str, Anchor], tuple[int, int]], require_dated: bool
) -> list[Diagnostic]:
    """Floating aliases (errors when rules require dated pins, warnings otherwise) and
    replacements that name no pin."""
    out: list[Diagnostic] = []
    for name, pin in models.models.items():
        if not is_dated(pin.model):
            base = pin.model.removesuffix("-latest")
            line, col = where("models.yaml", ("value", ("models", name, "model")))
            # A floating alias changes behaviour without a commit: always worth a warning,
            # an error where the repository's rules say so.
            rule = (
                "rules.require_dated_model" if require_dated else "rules.require_dated_model is off"
            )
            out.append(
                Diagnostic(
                    "models.yaml",
                    line,
                    col,
                    "error" if require_dated else "warning",
                    "floating-model",
                    f"model '{pin.model}' of pin '{name}' is a floating alias; "
                    f"pin a dated snapshot such as '{base}-YYYY-MM-DD' ({rule})",
                )
            )
        repl = pin.lifecycle.replacement if pin.lifecycle else None
        if repl is not None and repl not in models.models:
            line, col = where(
                "models.yaml", ("value", ("models", name, "lifecycle", "replacement"))
            )
            out.append(
                Diagnostic(
                    "models.yaml",
                    line,
                    col,
                    "error",
                    "unknown-model",
                    f"unknown model '{repl}' as replacement of '{name}'"
                    f"{did_you_mean(repl, models.models)}",
                )
            )
    out.extend(_fallback_problems(models, where))
    return out


def _fallback_problems(
    models: ModelsFile, where: Callable[[str, Anchor], tuple[int, int]]
) -> list[Diagnostic]:
    """Each ``fallback:`` names another pin, and its chain ends, within MAX_FALLBACKS."""
    out: list[Diagnostic] = []
    for name, pin in models.models.items():
        if pin.fallback is None:
            continue
        chain, nxt = [name], pin.fallback
        while nxt in models.models and nxt not in chain:
            chain.append(nxt)
            nxt = models.models[nxt].fallback  # type: ignore[assignment]
            if nxt is None:
                break
        if nxt is not None and nxt not in models.models:
            if nxt != pin.fallback:
                continue  # reported at the pin that names it
            code = "unknown-model"
            message = (
                f"unknown model '{nxt}' as fallback of '{name}'{did_you_mean(nxt, models.models)}"
            )
        elif nxt == name:
            code = "fallback-cycle"
            message = (
                f"the fallbacks of pin '{name}' lead back to it: {' -> '.join([*chain, name])}; "
                "end the chain at a pin without a fallback"
            )
        elif nxt is not None:
            continue  # runs into a cycle further on: reported there
        elif len(chain) - 1 > MAX_FALLBACKS:
            code = "fallback-chain"
            message = (
                f"pin '{name}' has {len(chain) - 1} fallbacks in a chain "
                f"({' -> '.join(chain)}); at most {MAX_FALLBACKS} are allowed: shorten it"
            )
        else:
            continue
        line, col = where("models.yaml", ("value", ("models", name, "fallback")))
        out.append(Diagnostic("models.yaml", line, col, "error", code, message))
    return out


def pin_use(name: str, pin: ModelPin, today: dt.date) -> tuple[Level, str, str] | None:
    """(level, code, message) for a prompt using a retired or deprecated pin, else None."""
    life = pin.lifecycle
    if life is None:
        return None
    repl = f"switch to '{life.replacement}'" if life.replacement else "pin a current model"
    if life.retires is not None and today >= life.retires:
        return (
            "error",
            "retired-model",
            f"model '{name}' ({pin.model}) retired on {life.retires}; {repl}",
        )
    if life.deprecated is not None and today >= life.deprecated:
        until = f" and retires on {life.retires}" if life.retires else ""
        return (
            "warning",
            "deprecated-model",
            f"model '{name}' ({pin.model}) is deprecated since {life.deprecated}{until}; {repl}",
        )
    return None
