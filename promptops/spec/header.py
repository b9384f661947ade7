"""The ``promptops:`` file header: the oldest promptops that may read a file.

Any file of a prompt repository may start with ``promptops: ">=0.3"``. It is not part of the
document (models never see it): the repository reader checks it before anything else, so a
file written for a newer promptops gets "this file needs promptops >= 0.3" instead of a wall
of unknown keys, and then strips it (ADR 0014).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["HEADER_KEY", "HEADER_SCHEMA", "parse_requirement", "split_header"]

HEADER_KEY = "promptops"

# ">=0.3", ">= 0.3.1" or a bare "0.3" (read as a minimum).
_REQUIREMENT = re.compile(r"^\s*(?:>=\s*)?(\d+(?:\.\d+){0,3})\s*$")

HEADER_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^\s*(>=\s*)?\d+(\.\d+){0,3}\s*$",
    "description": 'Oldest promptops that may read this file, e.g. ">=0.3".',
    "examples": [">=0.1"],
}


def split_header(data: Any) -> tuple[Any, Any]:
    """``(header value or None, data without the header)``; non-mappings pass through."""
    if isinstance(data, dict) and HEADER_KEY in data:
        rest = {k: v for k, v in data.items() if k != HEADER_KEY}
        return data[HEADER_KEY], rest
    return None, data


def parse_requirement(value: Any) -> tuple[int, ...] | None:
    """The minimum version a header asks for, or None when it is not ``>=X.Y[.Z]``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    match = _REQUIREMENT.match(str(value))
    if match is None:
        return None
    return tuple(int(p) for p in match.group(1).split("."))
