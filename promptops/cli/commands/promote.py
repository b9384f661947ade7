"""``promptops promote NAME --channel C``: move a channel forward with a signed pointer."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import DEFAULT_POINTER_EXPIRY, parse_duration, promote, promote_oci


@click.command("promote")
@click.argument("name")
@click.option("--channel", required=True, help="The channel to move, e.g. production.")
@click.option(
    "--dir",
    "root",
    default="dist",
    show_default=True,
    help="The published tree (or dist/) holding releases/NAME, or oci://HOST/REPOSITORY.",
)
@click.option(
    "--expires",
    default=DEFAULT_POINTER_EXPIRY,
    show_default=True,
    help="Pointer validity; keep it short and re-sign with publish --refresh on a schedule.",
)
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Trust policy to check the release and the channel key against "
    "(default: the repository's policy in force).",
)
@key_option
def command(
    name: str,
    channel: str,
    root: str,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Point CHANNEL at release NAME with a pointer signed by the channel key. A lower
    serial than the channel serves is refused: roll back with `promptops rollback` and a
    new release instead."""
    keys, now, valid = signing_keys(key_files), utc_now(), parse_duration(expires)
    trusted = optional_trust(trust, Path("."))
    if root.startswith("oci://"):
        moved = promote_oci(root, name, channel, keys, now=now, expires_in=valid, trust=trusted)
    else:
        if not Path(root).is_dir():
            raise click.BadParameter(f"directory {root!r} does not exist", param_hint="'--dir'")
        moved = promote(Path(root), name, channel, keys, now=now, expires_in=valid, trust=trusted)
    before = (
        f" (was {moved.previous_release}, serial {moved.previous_serial})"
        if moved.previous_release
        else ""
    )
    click.echo(f"channel {moved.channel} -> {moved.release} (serial {moved.serial}){before}")
