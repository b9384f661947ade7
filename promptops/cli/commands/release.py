"""``promptops release NAME``: build HEAD, sign it, write dist/releases/NAME, tag it."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.release import DEFAULT_POINTER_EXPIRY, create_release, parse_duration, promote
from promptops.runtime.trust import format_time


@click.command("release")
@click.argument("name")
@click.option("--channel", help="Also point this channel of OUT at the new release.")
@click.option("--expires", default="90d", show_default=True, help="Validity: 12h, 90d, 4w.")
@key_option
@click.option(
    "--out",
    default=Path("dist"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory receiving releases/NAME/.",
)
@click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)
def command(
    name: str,
    channel: str | None,
    expires: str,
    key_files: tuple[Path, ...],
    out: Path,
    repo: Path,
) -> None:
    """Release HEAD as NAME: a signed manifest and an annotated git tag.

    Refuses uncommitted prompt sources, a repository that does not validate, an existing
    tag, and keys that do not satisfy policies/signers.yaml.
    """
    keys = signing_keys(key_files)
    now = utc_now()
    expires_in = parse_duration(expires)
    trust = optional_trust(None, repo)
    if trust is None:
        click.echo(
            "warning: policies/signers.yaml lists no signers, so the signatures were not "
            "checked against a trust policy; add the key's entry (promptops keygen prints it)",
            err=True,
        )
    result = create_release(repo, name, keys, now=now, expires_in=expires_in, out=out, trust=trust)
    click.echo(
        f"released {result.name}: serial {result.serial}, commit {result.commit[:12]}, "
        f"{result.prompts} prompt{'' if result.prompts == 1 else 's'}, "
        f"bundle sha256:{result.bundle_sha256}"
    )
    click.echo(f"  wrote {result.directory}/ (expires {format_time(result.expires)})")
    click.echo(
        f"  tagged {result.name} (the tag carries the release signatures); push it with: "
        f"git push origin {result.name}"
    )
    if channel is not None:
        pointer_expiry = parse_duration(DEFAULT_POINTER_EXPIRY)
        moved = promote(out, name, channel, keys, now=now, expires_in=pointer_expiry, trust=trust)
        click.echo(f"  channel {moved.channel} -> {moved.release} (serial {moved.serial})")
