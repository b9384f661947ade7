"""Free-form YAML values (params, schemas) as plain JSON values, or a precise error."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

__all__ = ["NotJsonError", "plain"]


class NotJsonError(TypeError):
    """A free-form value that JSON cannot hold (NaN, a non-string key, an object)."""


class _NotJson(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = ""


def _plain(value: Any) -> Any:
    # Exact type checks first: this walks every free-form value of 10,000 prompts.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float or isinstance(value, float):
        if not math.isfinite(value):
            raise _NotJson(f"{value!r} is not a JSON number")
        return float(value)
    if kind is dict or isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _NotJson(f"key {k!r} must be a string")
            try:
                out[k] = _plain(v)
            except _NotJson as exc:
                exc.path = f".{k}{exc.path}"
                raise
        return out
    if kind is list or isinstance(value, list | tuple):
        items = []
        for i, v in enumerate(value):
            try:
                items.append(_plain(v))
            except _NotJson as exc:
                exc.path = f"[{i}]{exc.path}"
                raise
        return items
    if isinstance(value, str | int):  # subclasses (bool is caught above)
        return value
    if isinstance(value, dt.date):  # datetime is a date subclass
        return value.isoformat()
    raise _NotJson(f"{type(value).__name__} is not a JSON value")


def plain(value: Any, where: str = "") -> Any:
    """``value`` as plain JSON values: YAML dates become ISO strings (the user wrote text).

    Raises:
        NotJsonError: for a value JSON cannot hold (NaN, a non-string key, an arbitrary
            object), naming where it is below ``where``.
    """
    try:
        return _plain(value)
    except _NotJson as exc:
        raise NotJsonError(f"{where}{exc.path}: {exc.reason}") from None
