"""``--limit NAME=N``: raise or lower one of the repository limits for this run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["limit_option", "parse_limits"]

F = TypeVar("F", bound=Callable[..., Any])

# The names and ceilings live in the spec (promptops.spec.LIMIT_CEILINGS); listed here too
# so that --help needs no pydantic import. A test holds the two lists equal.
NAMES = (
    "max_files",
    "max_file_bytes",
    "max_depth",
    "max_aliases",
    "max_nodes",
    "max_prompts",
    "max_bundle_bytes",
    "max_include_depth",
)


def parse_limits(values: tuple[str, ...]) -> dict[str, int]:
    """``("max_files=100000", ...)`` -> ``{"max_files": 100000}``, checked against the same
    bounds as rules.yaml's ``limits:``.

    Raises:
        click.BadParameter: an unknown name, a value that is not an integer, or out of bounds.
    """
    out: dict[str, int] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in NAMES:
            raise click.BadParameter(
                f"expected NAME=N with NAME one of: {', '.join(NAMES)}; found {item!r}",
                param_hint="--limit",
            )
        try:
            out[name] = int(raw.replace("_", ""))
        except ValueError:
            raise click.BadParameter(
                f"{name}: expected an integer, found {raw!r}", param_hint="--limit"
            ) from None
    if out:
        from promptops.spec import LIMIT_CEILINGS

        for name, value in out.items():
            if not 1 <= value <= LIMIT_CEILINGS[name]:
                raise click.BadParameter(
                    f"{name}: expected 1 to {LIMIT_CEILINGS[name]}, found {value}",
                    param_hint="--limit",
                )
    return out


def limit_option(command: F) -> F:
    """Add ``--limit NAME=N`` (repeatable) to a command reading a repository."""
    return click.option(
        "--limit",
        "limits",
        multiple=True,
        metavar="NAME=N",
        help="Override a limit for this run (over policies/rules.yaml's limits:), e.g. "
        "--limit max_files=100000. Names: " + ", ".join(NAMES) + ".",
    )(command)
