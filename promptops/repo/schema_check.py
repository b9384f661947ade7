"""Validate plain data against a spec model; map pydantic errors and unknown keys to
positions in the YAML source."""

from __future__ import annotations

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


@functools.cache
def _children(cls: type[SpecModel]) -> dict[str, _Child]:
    out: dict[str, _Child] = {}
    for name, field in cls.model_fields.items():
        key = field.alias or name
        ann = field.annotation
        origin = typing.get_origin(ann)
        args = typing.get_args(ann)
        if origin in (typing.Union, types.UnionType):
            for arg in args:
                if (sub := _model_in(arg)) is not None:
                    out[key] = ("model", sub)
        elif (sub := _model_in(ann)) is not None:
            out[key] = ("model", sub)
        elif origin is list and args and (sub := _model_in(args[0])) is not None:
            out[key] = ("list", sub)
        elif origin is dict and len(args) == 2 and (sub := _model_in(args[1])) is not None:
            out[key] = ("dict", sub)
    return out


@functools.cache
def _known(cls: type[SpecModel]) -> list[str]:
    return [f.alias or n for n, f in cls.model_fields.items()]


def _unknown(
    cls: type[SpecModel],
    data: Any,
    loc: tuple[object, ...],
    path: str,
    root: yaml.Node | None,
    out: list[Diagnostic],
) -> None:
    if not isinstance(data, dict):
        return
    known = _known(cls)
    children = _children(cls)
    for key, value in data.items():
        if key not in known:
            where = f" in '{dotted(loc)}'" if loc else ""
            out.append(
                diagnostic_at(
                    path,
                    root,
                    (*loc, key),
                    "warning",
                    "unknown-key",
                    f"unknown key '{key}'{where}{did_you_mean(str(key), known)}",
                    key=True,
                )
            )
            continue
        child = children.get(key)
        if child is None:
            continue
        shape, sub = child
        if shape == "model":
            _unknown(sub, value, (*loc, key), path, root, out)
        elif shape == "list" and isinstance(value, list):
            for i, item in enumerate(value):
                _unknown(sub, item, (*loc, key, i), path, root, out)
        elif shape == "dict" and isinstance(value, dict):
            for name, item in value.items():
                _unknown(sub, item, (*loc, key, name), path, root, out)


def _message(err: Any) -> tuple[str, tuple[object, ...], bool]:
    loc = tuple(err["loc"])
    if err["type"] == "missing":
        where = f" in '{dotted(loc[:-1])}'" if len(loc) > 1 else ""
        return f"missing required key '{loc[-1]}'{where}", loc[:-1], False
    msg = str(err["msg"])
    msg = msg[:1].lower() + msg[1:]
    found = describe(err.get("input"))
    if loc:
        return f"{dotted(loc)}: {msg}; found {found}", loc, False
    return f"{msg}; found {found}", loc, False


def check_model(
    cls: type[M], data: Any, path: str, root: yaml.Node | None
) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data`` as ``cls``; return the model (or None) and positioned diagnostics.

    Unknown keys are warnings with a did-you-mean; schema violations are errors.
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
    _unknown(cls, data, (), path, root, out)
    try:
        model = cls.model_validate(data)
    except pydantic.ValidationError as exc:
        for err in exc.errors(include_url=False):
            message, loc, key = _message(err)
            out.append(diagnostic_at(path, root, loc, "error", "schema", message, key=key))
        return None, out
    return model, out
