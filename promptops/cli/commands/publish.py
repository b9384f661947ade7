"""``promptops publish DIR``: lay releases and channel pointers out as a static tree."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import parse_duration, publish


@click.command("publish")
@click.argument("destination", type=click.Path(file_okay=False, path_type=Path))
@click.option("--channel", help="Point this channel at the highest-serial release.")
@click.option(
    "--from",
    "source",
    default=Path("dist"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where promptops release wrote its releases.",
)
@click.option(
    "--from-tags",
    "from_tags",
    is_flag=True,
    help="First rebuild and sign release tags of the current repository missing from --from "
    "(a fresh CI clone has tags but no dist/).",
)
@click.option("--expires", default="30d", show_default=True, help="Channel pointer validity.")
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Verify releases against this signers file (default: policies/signers.yaml).",
)
@key_option
def command(
    destination: Path,
    channel: str | None,
    source: Path,
    from_tags: bool,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Publish the releases of --from into DESTINATION, a tree any static host can serve:
    releases/NAME/{bundle.json,release.dsse.json}, digests/SHA256, channels/CHANNEL.json.
    """
    keys = signing_keys(key_files) if channel is not None or from_tags else []
    result = publish(
        source,
        destination,
        channel=channel,
        keys=keys,
        now=utc_now(),
        expires_in=parse_duration(expires),
        trust=optional_trust(trust, Path(".")),
        tags_from=Path(".") if from_tags else None,
    )
    click.echo(f"published {len(result.releases)} release(s) to {result.destination}")
    for moved in result.channels:
        click.echo(f"  channel {moved.channel} -> {moved.release} (serial {moved.serial})")
