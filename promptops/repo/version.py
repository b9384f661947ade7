"""``minimum_promptops_version``: checked before anything else."""

from __future__ import annotations

import re

from promptops import __version__
from promptops.repo.types import Diagnostic

__all__ = ["check_min_version"]

_VERSION = re.compile(r"^\d+(\.\d+){0,3}$")


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4])


def check_min_version(
    required: object, pos: tuple[int, int], current: str = __version__
) -> Diagnostic | None:
    """An error when ``required`` is malformed or newer than ``current``."""
    if required is None:
        return None
    text = str(required)
    if not _VERSION.match(text):
        return Diagnostic(
            "models.yaml",
            pos[0],
            pos[1],
            "error",
            "min-version",
            f"minimum_promptops_version: expected a version such as '0.1.0'; found '{text}'",
        )
    if _parts(text) > _parts(current):
        return Diagnostic(
            "models.yaml",
            pos[0],
            pos[1],
            "error",
            "min-version",
            f"this repository needs promptops >= {text} "
            f"(minimum_promptops_version); this is promptops {current}; "
            "upgrade promptops",
        )
    return None
