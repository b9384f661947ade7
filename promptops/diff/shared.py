"""Link changes to shared files with the changed prompts they reach.

A one-word edit of an instruction used by three prompts is one change: reported with the
instruction, listing the three prompts (``Change.affects``), each of which names it in
``PromptDiff.via``. What a prompt references is read off its compiled objects on both
sides, so a prompt that stopped using a pin or a tool is linked too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from promptops.diff.types import Change, PromptDiff

__all__ = ["link_shared"]

Ref = tuple[str, str]  # (area of the shared file's changes, name in it)


def _refs(obj: Mapping[str, Any] | None) -> set[Ref]:
    if obj is None:
        return set()
    out: set[Ref] = {("instructions", str(i)) for i in obj.get("system", [])}
    out |= {("partials", str(p)) for p in obj.get("partials") or {}}
    out |= {("policies/tools.yaml", str(t.get("name"))) for t in obj.get("tools", [])}
    # The pins it is sent to: its own, its variants' and each of their fallbacks (ADR 0018).
    variants = obj.get("variants") or {}
    holders = [obj, *(v for v in variants.values() if isinstance(v, Mapping))]
    for holder in holders:
        for fallback in holder.get("fallbacks") or []:
            holders.append(fallback)
        model = holder.get("model") or {}
        if model.get("name") is not None:
            out.add(("models.yaml", str(model["name"])))
    return out


def _named(path: str, prefix: str, names: Iterable[str]) -> str | None:
    """The name ``path`` (``prefix.NAME`` or ``prefix.NAME.more``) is about; names may
    hold dots, so known names are matched, longest first."""
    for name in sorted(names, key=len, reverse=True):
        head = f"{prefix}.{name}"
        if path == head or path.startswith(head + "."):
            return name
    return None


def _target(change: Change, names: Mapping[str, set[str]]) -> Ref | None:
    if change.area in ("instructions", "partials"):
        return change.area, change.path
    prefix = {"models.yaml": "models", "policies/tools.yaml": "tools"}.get(change.area)
    if prefix is None:
        return None
    name = _named(change.path, prefix, names.get(change.area, set()))
    return None if name is None else (change.area, name)


def link_shared(
    prompts: list[PromptDiff],
    repository: list[Change],
    base: Mapping[str, Mapping[str, Any]],
    head: Mapping[str, Mapping[str, Any]],
) -> tuple[list[PromptDiff], list[Change]]:
    """``prompts`` with ``via`` and ``repository`` with ``affects`` filled in; ``base`` and
    ``head`` are the compiled objects of the changed prompts."""
    refs = {p.id: _refs(base.get(p.id)) | _refs(head.get(p.id)) for p in prompts}
    names: dict[str, set[str]] = {}
    for found in refs.values():
        for area, name in found:
            names.setdefault(area, set()).add(name)
    linked: list[Change] = []
    via: dict[str, list[str]] = {}
    for change in repository:
        target = _target(change, names)
        affects = tuple(sorted(pid for pid, r in refs.items() if target in r)) if target else ()
        for pid in affects:
            via.setdefault(pid, []).append(change.path)
        linked.append(dataclasses.replace(change, affects=affects) if affects else change)
    out = [
        dataclasses.replace(p, via=tuple(dict.fromkeys(via[p.id]))) if p.id in via else p
        for p in prompts
    ]
    return out, linked
