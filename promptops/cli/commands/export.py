"""``promptops export FORMAT [PROMPT...] --out DIR``: write prompts in another tool's format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from promptops.fsutil import atomic_write_text
from promptops.interop import FORMATS
from promptops.interop.export import export_prompts


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(list(FORMATS)))
@click.argument("prompt_ids", nargs=-1, metavar="[PROMPT]...")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the files into (created if missing).",
)
@click.option(
    "--repo",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The prompt repository to export from (its working tree).",
)
def command(fmt: str, prompt_ids: tuple[str, ...], out: Path, repo: Path) -> None:
    """Export compiled prompts (all, or the PROMPT ids given) as FORMAT files.

    Each exported file is imported back into a scratch repository and compared with the
    original: a prompt marked 'same' gives back the same bundle digest; for the others the
    fields that do not come back are listed, and prompts the format cannot hold at all
    are named with the reason.

    Exit status: 0 when anything was exported, 1 when nothing could be.
    """
    result = export_prompts(fmt, repo, prompt_ids)
    for rel, text in sorted(result.files.items()):
        atomic_write_text(out / rel, text)
        click.echo(f"wrote {out / rel}")
    for pid, same in sorted(result.same.items()):
        if same:
            click.echo(f"same: {pid} (export then import gives the same bundle digest)")
    for pid, lost in sorted(result.lost.items()):
        click.echo(f"not expressible in {fmt}: {pid}: {', '.join(lost)}")
    for pid, reason in sorted(result.skipped.items()):
        click.echo(f"not exported: {pid}: {reason}")
    for note in result.notes:
        click.echo(f"never carried by {fmt}: {note}")
    sys.exit(0 if result.files else 1)
