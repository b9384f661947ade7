"""Eval targets for prompt variants (ADR 0018): every case of a prompt runs on each of its
variants too, as the target ``prompt@variant`` (``@`` is in no prompt id).

A variant's compiled object is the runtime's (``runtime.served.prompt_variant``): what is
evaluated is exactly what an experiment arm serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "SEP",
    "base_id",
    "chosen_targets",
    "split_target",
    "suffix",
    "target_object",
    "variant_targets",
]

SEP = "@"


def split_target(target: str) -> tuple[str, str | None]:
    """``"p@v"`` -> ``("p", "v")``; ``"p"`` -> ``("p", None)``."""
    prompt_id, sep, variant = target.partition(SEP)
    return prompt_id, variant if sep else None


def chosen_targets(selected: Iterable[str]) -> dict[str, frozenset[str] | None]:
    """What ``--prompt`` selected: prompt id -> the variant names asked for (``base`` is the
    prompt as written), or None for the prompt with all its variants (a plain ``p``
    wins over any ``p@v``)."""
    out: dict[str, frozenset[str] | None] = {}
    for target in selected:
        prompt_id, variant = split_target(target)
        if variant is None:
            out[prompt_id] = None
        elif prompt_id not in out or out[prompt_id] is not None:
            out[prompt_id] = (out.get(prompt_id) or frozenset()) | {variant}
    return out


def suffix(target: str) -> str:
    """`` @NAME`` for a variant target ``prompt@NAME`` (how reports label its cases), else
    ""."""
    _, at, name = target.partition(SEP)
    return f" {SEP}{name}" if at else ""


def base_id(target: str) -> str:
    """The prompt id of an eval target."""
    return target.partition(SEP)[0]


def variant_targets(obj: Mapping[str, Any]) -> list[str]:
    """``prompt@variant`` for each variant of a compiled prompt object, sorted."""
    variants = obj.get("variants")
    names = sorted(variants) if isinstance(variants, dict) else []
    return [f"{obj['id']}{SEP}{name}" for name in names]


def target_object(obj: Mapping[str, Any], target: str) -> tuple[dict[str, Any], str | None]:
    """The compiled object evaluated for ``target`` (its variant's, or the prompt's own
    without its variants and experiment) and the variant name.

    Raises:
        BundleError: if the prompt has no such variant.
    """
    # Imported here: eval starts without the runtime's verifier (tests/cli/test_imports.py).
    from promptops.runtime.served import prompt_variant

    _, variant = split_target(target)
    return prompt_variant(obj, variant), variant
