"""``promptops init``: scaffold a prompt repository that validates cleanly."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from promptops.scaffold import init_repository


@click.command("init")
@click.argument(
    "directory", required=False, default=".", type=click.Path(path_type=Path, file_okay=False)
)
def command(directory: Path) -> None:
    """Create a prompt repository in DIRECTORY (default: the current directory).

    Writes models.yaml, a prompt using an instruction and a partial, tools of low, medium
    and high risk, lint rules, a signers placeholder, an eval set and the editor schemas.
    Runs `git init` when DIRECTORY is not inside a git repository; commits nothing.
    Refuses to overwrite any existing file (exit 1, nothing written).
    """
    result = init_repository(directory)
    click.echo(f"Created a prompt repository in {directory} ({len(result.files)} files):")
    for rel in result.files:
        click.echo(f"  {rel}")
    if result.git_initialized:
        click.echo(f"Initialised an empty git repository in {directory} (nothing committed).")
    click.echo("\nNext steps:")
    if directory != Path("."):
        click.echo(f"  cd {shlex.quote(str(directory))}")
    click.echo("  promptops validate                 # check everything, with positions")
    click.echo("  promptops eval --provider echo     # offline: echo never calls tools, so the")
    click.echo("                                     # tool case fails until a model answers")
    click.echo("  git add -A && git commit -m 'Add prompt repository'")
    click.echo("  promptops keygen                   # paste its entry under signers: in")
    click.echo("                                     # policies/signers.yaml, name it in each role")
