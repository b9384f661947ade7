"""``promptops migrate PIN --to MODEL``: side by side on the prompts using PIN; --apply
writes the models.yaml change on a branch."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from promptops.evals import PROVIDER_NAMES


@click.command("migrate")
@click.argument("pin")
@click.option("--to", "to", required=True, metavar="MODEL",
              help="A pin of models.yaml or provider:model-id.")  # fmt: skip
@click.option(
    "--path",
    "root",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The prompt repository (the directory holding models.yaml).",
)
@click.option("--apply", is_flag=True, help="Commit the models.yaml change on a new branch.")
@click.option("--branch", help="Branch name (default promptops/migrate-PIN-to-MODEL).")
@click.option(
    "--provider",
    type=click.Choice(PROVIDER_NAMES),
    help="Answer every case with this provider (replay in CI, echo offline).",
)
@click.option("--no-cache", is_flag=True, help="Send every request; bypass the response cache.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the report (Markdown) to this file.")  # fmt: skip
def command(
    pin: str,
    to: str,
    root: Path,
    apply: bool,
    branch: str | None,
    provider: str | None,
    no_cache: bool,
    out: Path | None,
) -> None:
    """Run every eval case of the prompts using PIN on PIN and on MODEL, side by side.

    Prints the table (pass rate, judge scores, tokens, cost, latency, disagreeing cases).
    With --apply, commits PIN -> MODEL in models.yaml on a new branch (the working tree is
    not touched), the report and the behaviour diff in its message, ready for review.
    Exit codes: 0 done, 1 the repository does not validate, 2 usage error.
    """
    from promptops.cli.commands.eval import _progress_bar
    from promptops.fsutil import atomic_write_text
    from promptops.models import migrate_pin

    with _progress_bar() as progress:
        migration = migrate_pin(
            root, pin, to, apply=apply, branch=branch, provider=provider,
            use_cache=not no_cache, progress=progress, env=dict(os.environ),
        )  # fmt: skip
    click.echo(migration.report, nl=False)
    if out is not None:
        atomic_write_text(out, migration.report)
    if migration.branch is not None:
        assert migration.commit is not None
        click.echo(
            f"branch {migration.branch} ({migration.commit[:12]}): models.yaml pin {pin} -> "
            f"{to}; review it with `git show {migration.branch}` and open a pull request",
            err=True,
        )
    sys.exit(0)
