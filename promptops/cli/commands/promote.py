"""``promptops promote NAME --channel C``: move a channel forward with a signed pointer;
``--canary PERCENT`` splits it with the current release, ``--abort`` ends a canary."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import (
    DEFAULT_POINTER_EXPIRY,
    abort_canary,
    canary_weight,
    parse_duration,
    promote,
    promote_oci,
)


@click.command("promote")
@click.argument("name", required=False)
@click.option("--channel", required=True, help="The channel to move, e.g. production.")
@click.option(
    "--canary",
    type=float,
    metavar="PERCENT",
    help="Send only this share of the traffic (e.g. 10, 0.5) to NAME and the rest to the "
    "channel's current release; run again with another share to move it, without --canary "
    "to send everything.",
)
@click.option(
    "--abort",
    is_flag=True,
    help="End the channel's canary: everything back to its stable release (no NAME).",
)
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
    name: str | None,
    channel: str,
    canary: float | None,
    abort: bool,
    root: str,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Point CHANNEL at release NAME with a pointer signed by the channel key. A lower
    serial than the channel serves is refused: roll back with `promptops rollback` and a
    new release instead. A canary (`--canary 10`) gives NAME 10% of the traffic, assigned
    by each application's key (a user id) so a user stays on one release."""
    if abort and (name is not None or canary is not None):
        raise click.UsageError("--abort ends the canary; give it no NAME and no --canary")
    if not abort and name is None:
        raise click.UsageError("give the release NAME to promote (or --abort)")
    weight = canary_weight(canary) if canary is not None else None
    keys, now, valid = signing_keys(key_files), utc_now(), parse_duration(expires)
    trusted = optional_trust(trust, Path("."))
    if root.startswith("oci://"):
        moved = promote_oci(root, name, channel, keys, now=now, expires_in=valid, trust=trusted,
                            canary=weight)  # fmt: skip
    else:
        if not Path(root).is_dir():
            raise click.BadParameter(f"directory {root!r} does not exist", param_hint="'--dir'")
        if name is None:
            moved = abort_canary(Path(root), channel, keys, now=now, expires_in=valid,
                                 trust=trusted)  # fmt: skip
        else:
            moved = promote(Path(root), name, channel, keys, now=now, expires_in=valid,
                            trust=trusted, canary=weight)  # fmt: skip
    before = f"{moved.previous_release}, serial {moved.previous_serial}"
    if moved.previous_canary is not None:
        before += f", canary {moved.previous_canary}"
    was = f" (was {before})" if moved.previous_release else ""
    click.echo(f"channel {moved.channel} -> {moved.describe()}{was}")
