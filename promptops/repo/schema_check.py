"""Validate plain data against a spec model; map pydantic errors (unknown keys included) to
positions in the YAML source."""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections.abc import Sequence
from typing import Any, TypeVar

import pydantic
import yaml

from promptops.repo.positions import diagnostic_at
from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Diagnostic
from promptops.spec._base import SpecModel

__all__ = ["check_model", "describe", "dotted"]

M = TypeVar("M", bound=SpecModel)

# What a field holds, for walking unknown keys: ("model"|"list"|"dict", model class).
_Child = tuple[str, type[SpecModel]]


def dotted(loc: Sequence[object]) -> str:
    """``('messages', 0, 'role')`` -> ``messages[0].role``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def describe(value: object) -> str:
    """A short, user-facing rendering of a found value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    return str(value)


def _model_in(annotation: Any) -> type[SpecModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, SpecModel):
        return annotation
    return None


def _child(ann: Any) -> _Child | None:
    """What an annotation holds, looking through Optional, unions and Annotated."""
    if (sub := _model_in(ann)) is not None:
        return ("model", sub)
    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is typing.Annotated:
        return _child(args[0])
    if origin in (typing.Union, types.UnionType):
        found = [c for arg in args if (c := _child(arg)) is not None]
        return found[-1] if found else None
    if origin is list and args and (sub := _model_in(args[0])) is not None:
        return ("list", sub)
    if origin is dict and len(args) == 2 and (sub := _model_in(args[1])) is not None:
        return ("dict", sub)
    return None


@functools.cache
def _children(cls: type[SpecModel]) -> dict[str, _Child]:
    out: dict[str, _Child] = {}
    for name, field in cls.model_fields.items():
        if (child := _child(field.annotation)) is not None:
            out[field.alias or name] = child
    return out


def _clean(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """``loc`` without pydantic's union tags (``'parts'``, ``'str'``...): the path through
    the user's data. The last part stays even when absent (a missing key)."""
    out: list[int | str] = []
    current = data
    for i, part in enumerate(loc):
        found, child = _child_of(current, part)
        if found:
            current = child
        elif not (i == len(loc) - 1 and isinstance(current, dict)):
            continue  # a tag naming a union member, not a key of the data
        out.append(part)
    return tuple(out)


def _child_of(current: Any, part: int | str) -> tuple[bool, Any]:
    if isinstance(current, dict) and part in current:
        return True, current[part]
    if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
        return True, current[part]
    return False, None


@functools.cache
def _known(cls: type[SpecModel]) -> list[str]:
    return [f.alias or n for n, f in cls.model_fields.items()]


def _model_at(cls: type[SpecModel], loc: Sequence[object]) -> type[SpecModel] | None:
    """The model class whose mapping sits at ``loc`` below ``cls``, or None (free-form)."""
    current: type[SpecModel] | None = cls
    parts = list(loc)
    while parts and current is not None:
        child = _children(current).get(str(parts.pop(0)))
        if child is None:
            return None
        shape, sub = child
        if shape in ("list", "dict"):
            if not parts:
                return None
            parts.pop(0)  # the index or the mapping key
        current = sub
    return current


def _suggestion(cls: type[SpecModel], loc: tuple[object, ...]) -> str | None:
    """The known key an unknown key at ``loc`` is closest to, if any."""
    owner = _model_at(cls, loc[:-1])
    if owner is None:
        return None
    close = difflib.get_close_matches(str(loc[-1]), _known(owner), n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key(cls: type[SpecModel], loc: tuple[object, ...]) -> str:
    key = str(loc[-1])
    where = f" in '{dotted(loc[:-1])}'" if len(loc) > 1 else ""
    owner = _model_at(cls, loc[:-1])
    if owner is None:
        return f"unknown key '{key}'{where}"
    known = _known(owner)
    hint = did_you_mean(key, known) or f"; expected one of: {', '.join(sorted(known))}"
    return f"unknown key '{key}'{where}{hint}"


def _message(cls: type[SpecModel], err: Any) -> tuple[str, str, tuple[object, ...], bool]:
    """(code, message, loc, whether to point at the key rather than the value)."""
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        return "unknown-key", _unknown_key(cls, loc), loc, True
    if err["type"] == "missing":
        where = f" in '{dotted(loc[:-1])}'" if len(loc) > 1 else ""
        return "schema", f"missing required key '{loc[-1]}'{where}", loc[:-1], False
    msg = str(err["msg"])
    if err["type"] == "value_error":  # our own validators say what they found
        text = msg.removeprefix("Value error, ")
        return "schema", f"{dotted(loc)}: {text}" if loc else text, loc, False
    msg = msg[:1].lower() + msg[1:]
    found = describe(err.get("input"))
    if loc:
        return "schema", f"{dotted(loc)}: {msg}; found {found}", loc, False
    return "schema", f"{msg}; found {found}", loc, False


def check_model(
    cls: type[M], data: Any, path: str, root: yaml.Node | None
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data`` as ``cls``; return the model (or None) and positioned diagnostics.

    Unknown keys (the models forbid them) are errors with a did-you-mean, as are schema
    violations.
    """
    out: list[Diagnostic] = []
    if not isinstance(data, dict):
        out.append(
            diagnostic_at(
                path,
                root,
                (),
                "error",
                "schema",
                f"expected a mapping at the top of the file; found "
                f"{describe(data) if data is not None else 'an empty document'}",
            )
        )
        return None, out
    try:
        model = cls.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt required key (``txt:`` for ``text:``) is one mistake: the unknown key's
        # did-you-mean says it all, so the "missing required key" it causes is not repeated.
        meant: set[tuple[object, ...]] = set()
        for err in errors:
            err["loc"] = _clean(data, tuple(err["loc"]))
        for err in errors:
            where: tuple[object, ...] = tuple(err["loc"])
            if err["type"] == "extra_forbidden" and (hint := _suggestion(cls, where)):
                meant.add((*where[:-1], hint))
        for err in errors:
            if err["type"] == "missing" and tuple(err["loc"]) in meant:
                continue
            code, message, loc, key = _message(cls, err)
            out.append(diagnostic_at(path, root, loc, "error", code, message, key=key))
        return None, out
    return model, out
