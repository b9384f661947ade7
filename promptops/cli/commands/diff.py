"""``promptops diff``: the pull-request gate (structural and behaviour diff of two refs)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from promptops.cli.limits import limit_option, parse_limits
from promptops.diff import FAIL_ON, DiffOptions, diff_refs, evaluate_gate, render
from promptops.diff.gate import FailOn
from promptops.diff.render import Format
from promptops.spec import PROVIDERS

if TYPE_CHECKING:
    from promptops.evals import Progress

_STYLES = {
    "HIGH": "bold red",
    "MEDIUM": "yellow",
    "LOW": "green",
    "REGRESSION": "bold red",
    "ERROR": "bold red",
    "FIXED": "green",
}


def _print_text(text: str) -> None:
    # Colour only on a terminal; pipes and files get the plain report.
    if not sys.stdout.isatty():
        click.echo(text, nl=False)
        return
    from rich.console import Console
    from rich.text import Text

    styled = Text(text)
    for word, style in _STYLES.items():
        # Whole upper-case words only: the report's labels, not text inside templates.
        styled.highlight_regex(rf"\b{word}\b", style=style)
    Console(highlight=False, soft_wrap=True).print(styled, end="")


@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--path",
    "root",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The prompt repository (the directory holding models.yaml).",
)
@click.option("--behaviour", "--behavior", is_flag=True, help="Run eval cases of changed prompts.")
@click.option(
    "--provider",
    type=click.Choice(PROVIDERS),
    help="Answer every eval case with this provider instead of each model pin's.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="regression",
    show_default=True,
    help="never < error < regression < high-risk < any: each level includes the previous.",
)
@limit_option
def command(
    base: str,
    head: str | None,
    root: Path,
    behaviour: bool,
    provider: str | None,
    fmt: Format,
    fail_on: FailOn,
    limits: tuple[str, ...],
) -> None:
    """Compare BASE with HEAD (default: the working tree).

    Reports added, removed and changed prompts and repository files, each change with a
    risk level and its reason; with --behaviour, eval flips and token/cost/latency deltas.

    Exit codes: 0 the gate passed, 1 the gate failed (or a side does not validate),
    2 usage error.
    """
    progress_bar: contextlib.AbstractContextManager[Progress | None] = contextlib.nullcontext()
    if behaviour:
        from promptops.cli.commands.eval import _progress_bar

        progress_bar = _progress_bar()
    with progress_bar as progress:
        options = DiffOptions(
            behaviour=behaviour,
            provider=provider,
            env=dict(os.environ),
            progress=progress,
            limits=parse_limits(limits),
        )
        result = diff_refs(root, base, head, options)
    text = render(result, fmt, options.config)
    if fmt == "text":
        _print_text(text)
    else:
        click.echo(text, nl=False)
    outcome = evaluate_gate(result, fail_on)
    if outcome.failed:
        click.echo(f"promptops diff: gate failed: {outcome.reason}", err=True)
    sys.exit(1 if outcome.failed else 0)
