"""A small JSONPath subset for eval assertions: ``$``, ``.name``, ``['name']``, ``[index]``.

Part of the eval file format: ``promptops validate`` checks paths with it and the eval
runner resolves them with it.

Enough to reach one value (``$.answer.sources[0]``, ``$['a key'][-1]``); filters,
wildcards and slices are out of scope and rejected with a message.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MISSING", "JsonPathError", "parse_json_path", "resolve_json_path"]

Step = str | int

_TOKEN = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*'(?P<sq>(?:[^'\\]|\\.)*)'\s*\]
      | \[\s*"(?P<dq>(?:[^"\\]|\\.)*)"\s*\]""",
    re.VERBOSE,
)


class JsonPathError(ValueError):
    """A path outside the supported subset."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def parse_json_path(path: str) -> tuple[Step, ...]:
    """Split ``path`` into keys (str) and list indexes (int).

    Raises:
        JsonPathError: if the path does not start with ``$`` or uses unsupported syntax.
    """
    if not path.startswith("$"):
        raise JsonPathError(f"JSONPath must start with '$', found {path!r}")
    steps: list[Step] = []
    pos = 1
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None:
            raise JsonPathError(
                f"unsupported JSONPath syntax at position {pos} of {path!r}; "
                "supported: $.key, $['key'], $[0]"
            )
        if match["name"] is not None:
            steps.append(match["name"])
        elif match["index"] is not None:
            steps.append(int(match["index"]))
        else:
            quoted = match["sq"] if match["sq"] is not None else match["dq"]
            steps.append(re.sub(r"\\(.)", r"\1", quoted))
        pos = match.end()
    return tuple(steps)


def resolve_json_path(document: Any, steps: tuple[Step, ...]) -> Any:
    """The value at ``steps`` in ``document``, or :data:`MISSING`."""
    value = document
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return MISSING
            value = value[step]
    return value
