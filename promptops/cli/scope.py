"""What commands that need only some prompts say about the rest of the repository."""

from __future__ import annotations

import click

from promptops.compile import Selection

__all__ = ["report_scope"]


def report_scope(selection: Selection, what: str) -> None:
    """On stderr: the findings in the files ``what`` needs that did not stop it (warnings,
    policy errors), in full; the other files' findings, counted on one line."""
    for diagnostic in selection.in_scope:
        click.echo(str(diagnostic), err=True)
    if selection.other_errors or selection.other_warnings:
        click.echo(
            f"note: other files have {selection.other_errors} error(s) and "
            f"{selection.other_warnings} warning(s) that do not affect {what}; "
            "run `promptops validate` for them",
            err=True,
        )
