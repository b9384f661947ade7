"""Structural diff of a prompt's variants and its experiment (ADR 0018).

A variant added or removed is one change; a changed variant is reported by what it
overrides (its model, params, messages and partials), each change labelled
``variants.NAME.…``: a change to the prompt itself is reported once, with the prompt.
A new, ended or reweighted experiment moves traffic between variants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from promptops.diff.types import Change

__all__ = ["variant_changes"]

Compiled = Mapping[str, Any]
Compare = Callable[[Compiled, Compiled], list[Change]]


def _overrides(prompt: Compiled) -> Mapping[str, Mapping[str, Any]]:
    variants = prompt.get("variants")
    return variants if isinstance(variants, Mapping) else {}


def variant_changes(base: Compiled, head: Compiled, compare: Mapping[str, Compare]) -> list[Change]:
    """Changes to the variants and the experiment of one prompt; ``compare`` maps an
    overridden field (``model``, ``params``, ``messages``, ``partials``) to the prompt
    diff's comparison of it."""
    b, h = _overrides(base), _overrides(head)
    out: list[Change] = []
    for name in sorted(b.keys() | h.keys()):
        if name not in b or name not in h:
            what = "added" if name not in b else "removed"
            keys = ", ".join(sorted((h if name in h else b)[name])) or "nothing"
            out.append(
                Change("variants", f"variants.{name}", f"variant {name} {what} (overrides {keys})",
                       "medium", "a variant is what an experiment arm serves: review it whole")
            )  # fmt: skip
            continue
        if b[name] == h[name]:
            continue
        # The runtime (and cryptography with it) only when a variant changed: diff starts
        # without it (tests/cli/test_imports.py).
        from promptops.runtime.served import prompt_variant

        vb, vh = prompt_variant(base, name), prompt_variant(head, name)
        for key in sorted(b[name].keys() | h[name].keys()):
            for c in compare[key](vb, vh) if key in compare else []:
                out.append(
                    dataclasses.replace(
                        c, path=f"variants.{name}.{c.path}", summary=f"variant {name}: {c.summary}"
                    )
                )
    out.extend(_experiment(base.get("experiment"), head.get("experiment")))
    return out


def _arms(experiment: Any) -> dict[str, tuple[Any, Any]]:
    arms = experiment.get("arms", []) if isinstance(experiment, Mapping) else []
    return {str(a.get("name")): (a.get("variant") or "base", a.get("weight")) for a in arms}


def _experiment(b: Any, h: Any) -> list[Change]:
    if b == h:
        return []
    reason = "traffic moves between variants"
    if b is None or h is None:
        what, side = ("started", h) if b is None else ("ended", b)
        arms = ", ".join(f"{a} ({v}, {w / 100:g}%)" for a, (v, w) in _arms(side).items())
        return [Change("experiment", "experiment", f"experiment {side.get('name')} {what}: {arms}",
                       "medium", reason, b, h)]  # fmt: skip
    ba, ha = _arms(b), _arms(h)
    parts = []
    for arm in [*ba, *(a for a in ha if a not in ba)]:
        if ba.get(arm) != ha.get(arm):
            before = "absent" if arm not in ba else f"{ba[arm][0]} {ba[arm][1] / 100:g}%"
            after = "absent" if arm not in ha else f"{ha[arm][0]} {ha[arm][1] / 100:g}%"
            parts.append(f"{arm} {before} -> {after}")
    if b.get("salt") != h.get("salt") or b.get("name") != h.get("name"):
        parts.append("assignment reshuffled (new salt)")
    summary = f"experiment {h.get('name')}: " + "; ".join(parts)
    return [Change("experiment", "experiment", summary, "medium", reason, b, h)]
