"""``promptops publish DEST``: releases and channel pointers as a static tree or in an OCI
registry."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import parse_duration, publish, publish_oci


@click.command("publish")
@click.argument("destination")
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
    destination: str,
    channel: str | None,
    source: Path,
    from_tags: bool,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Publish the releases of --from into DESTINATION, a tree any static host can serve:
    releases/NAME/{bundle.json,release.dsse.json}, digests/SHA256, channels/CHANNEL.json.
    Or push them to an OCI registry: DESTINATION oci://HOST/REPOSITORY, releases tagged
    release-NAME (and sha256-BUNDLEHEX), channels tagged channel-CHANNEL; credentials from
    PROMPTOPS_OCI_USERNAME / PROMPTOPS_OCI_PASSWORD or docker login.
    """
    keys = signing_keys(key_files) if channel is not None or from_tags else []
    now, valid, trusted = utc_now(), parse_duration(expires), optional_trust(trust, Path("."))
    tags_from = Path(".") if from_tags else None
    if destination.startswith("oci://"):
        pushed = publish_oci(source, destination, channel=channel, keys=keys, now=now,
                             expires_in=valid, trust=trusted, tags_from=tags_from)  # fmt: skip
        click.echo(f"published {len(pushed.releases)} release(s) to {pushed.destination}")
        click.echo(f"  tags written: {', '.join(pushed.tags) or 'none (all up to date)'}")
        moved_channels = pushed.channels
    else:
        result = publish(source, Path(destination), channel=channel, keys=keys, now=now,
                         expires_in=valid, trust=trusted, tags_from=tags_from)  # fmt: skip
        click.echo(f"published {len(result.releases)} release(s) to {result.destination}")
        moved_channels = result.channels
    for moved in moved_channels:
        click.echo(f"  channel {moved.channel} -> {moved.release} (serial {moved.serial})")
