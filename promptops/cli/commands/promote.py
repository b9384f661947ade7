"""``promptops promote NAME --channel C``: move a channel forward with a signed pointer."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import parse_duration, promote


@click.command("promote")
@click.argument("name")
@click.option("--channel", required=True, help="The channel to move, e.g. production.")
@click.option(
    "--dir",
    "root",
    default=Path("dist"),
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The published tree (or dist/) holding releases/NAME.",
)
@click.option("--expires", default="30d", show_default=True, help="Pointer validity.")
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Verify the release against this signers file (default: policies/signers.yaml).",
)
@key_option
def command(
    name: str,
    channel: str,
    root: Path,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Point CHANNEL at release NAME. A lower serial than the channel serves is refused:
    roll back with `promptops rollback` and a new release instead."""
    moved = promote(
        root,
        name,
        channel,
        signing_keys(key_files),
        now=utc_now(),
        expires_in=parse_duration(expires),
        trust=optional_trust(trust, Path(".")),
    )
    before = (
        f" (was {moved.previous_release}, serial {moved.previous_serial})"
        if moved.previous_release
        else ""
    )
    click.echo(f"channel {moved.channel} -> {moved.release} (serial {moved.serial}){before}")
