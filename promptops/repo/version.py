"""Version requirements, checked before anything else: ``minimum_promptops_version`` in
models.yaml (the whole repository) and the ``promptops: ">=X"`` header of any file."""

from __future__ import annotations

import re

from promptops import __version__
from promptops.repo.types import Diagnostic
from promptops.spec.header import HEADER_KEY, parse_requirement

__all__ = ["check_header", "check_min_version", "version_parts"]

_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


def version_parts(version: str) -> tuple[int, ...]:
    """``"0.3.1+local"`` -> ``(0, 3, 1)``, padded so ``0.3`` equals ``0.3.0``."""
    parts = tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4])
    return parts + (0,) * (4 - len(parts))


def check_min_version(
    required: object, pos: tuple[int, int], current: str = __version__
) -> Diagnostic | None:
    """An error when models.yaml's ``minimum_promptops_version`` is malformed or newer
    than ``current``."""
    if required is None:
        return None
    text = str(required)
    line, col = pos
    if not _VERSION.match(text):
        return Diagnostic(
            "models.yaml",
            line,
            col,
            "error",
            "min-version",
            f"minimum_promptops_version: expected a version such as '0.1.0'; found '{text}'",
        )
    if version_parts(text) > version_parts(current):
        return Diagnostic(
            "models.yaml",
            line,
            col,
            "error",
            "min-version",
            f"this repository needs promptops >= {text} "
            f"(minimum_promptops_version); this is promptops {current}; "
            "upgrade promptops",
        )
    return None


def check_header(
    path: str, value: object, pos: tuple[int, int], current: str = __version__
) -> Diagnostic | None:
    """An error when a file's ``promptops:`` header is malformed or asks for a promptops
    newer than ``current``."""
    line, col = pos
    wanted = parse_requirement(value)
    if wanted is None:
        return Diagnostic(
            path,
            line,
            col,
            "error",
            "min-version",
            f"{HEADER_KEY}: expected a minimum version such as '>=0.1'; found {value!r}",
        )
    if wanted + (0,) * (4 - len(wanted)) > version_parts(current):
        needed = ".".join(str(p) for p in wanted)
        return Diagnostic(
            path,
            line,
            col,
            "error",
            "min-version",
            f"this file needs promptops >= {needed}; this is promptops {current}; "
            "upgrade promptops (pip install -U promptops)",
        )
    return None
