"""``promptops publish DEST``: releases, the trust chain and channel pointers as a static
tree or in an OCI registry; ``--refresh`` re-signs the pointers DEST has."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, optional_trust, signing_keys, utc_now
from promptops.errors import UsageError
from promptops.release import (
    DEFAULT_POINTER_EXPIRY,
    default_branch,
    load_trust,
    parse_duration,
    policy_in_force,
    publish,
    publish_oci,
    refresh_oci,
    refresh_pointers,
)
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import format_time


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
    help="Re-assemble every release tag of the current repository from the signatures it "
    "carries (a fresh CI clone has tags but no dist/); signs channel pointers only.",
)
@click.option(
    "--branch",
    help="With --from-tags: the reviewed branch every tagged commit must be on, and whose "
    "trust policy is in force (default: the repository's default branch).",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Re-sign every channel pointer of DESTINATION (a tree or oci://HOST/REPOSITORY) "
    "with a new expiry, pointing at the same release (a scheduled job).",
)
@click.option(
    "--expires",
    default=DEFAULT_POINTER_EXPIRY,
    show_default=True,
    help="Channel pointer validity: 12h, 1d, 2w.",
)
@click.option(
    "--trust",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Verify against this trust policy (default: the repository's policy in force).",
)
@key_option
def command(
    destination: str,
    channel: str | None,
    source: Path,
    from_tags: bool,
    branch: str | None,
    refresh: bool,
    expires: str,
    trust: Path | None,
    key_files: tuple[Path, ...],
) -> None:
    """Publish the releases of --from into DESTINATION, a tree any static host can serve:
    releases/NAME/{bundle.json,release.dsse.json}, digests/SHA256, trust/N.json,
    channels/CHANNEL.json. Or push them to an OCI registry: DESTINATION
    oci://HOST/REPOSITORY, releases tagged release-NAME (and sha256-BUNDLEHEX), channels
    tagged channel-CHANNEL; credentials from PROMPTOPS_OCI_USERNAME /
    PROMPTOPS_OCI_PASSWORD or docker login.
    """
    now, expires_in = utc_now(), parse_duration(expires)
    oci = destination.startswith("oci://")
    if refresh:
        if from_tags or channel is not None:
            raise UsageError("--refresh re-signs the pointers DESTINATION has; run it alone")
        _refresh(destination, key_files, trust, now, expires_in)
        return
    policy, branch = _policy(from_tags, branch, trust)
    keys = signing_keys(key_files) if channel is not None else []
    tags_from = Path(".") if from_tags else None
    if oci:
        pushed = publish_oci(source, destination, channel=channel, keys=keys, now=now,
                             expires_in=expires_in, trust=policy, tags_from=tags_from,
                             branch=branch, repo=Path("."))  # fmt: skip
        click.echo(f"published {len(pushed.releases)} release(s) to {pushed.destination}")
        click.echo(f"  tags written: {', '.join(pushed.tags) or 'none (all up to date)'}")
        moved_channels, skipped = pushed.channels, pushed.skipped
    else:
        result = publish(source, Path(destination), channel=channel, keys=keys, now=now,
                         expires_in=expires_in, trust=policy, tags_from=tags_from,
                         branch=branch, repo=Path("."))  # fmt: skip
        click.echo(f"published {len(result.releases)} release(s) to {result.destination}")
        if result.trust_versions:
            click.echo(f"  trust chain: versions 1..{result.trust_versions}")
        moved_channels, skipped = result.channels, result.skipped
    for name, why in skipped:
        click.echo(f"  not published: {name}: {why}", err=True)
    for moved in moved_channels:
        click.echo(f"  channel {moved.channel} -> {moved.release} (serial {moved.serial})")


def _policy(
    from_tags: bool, branch: str | None, trust: Path | None
) -> tuple[TrustRoot | None, str | None]:
    """The trust policy to check against, and the branch publishing from tags reads."""
    if from_tags:
        branch = branch or default_branch(Path("."))
        policy = load_trust(trust) if trust is not None else policy_in_force(Path("."), branch)
        if policy is None:
            raise UsageError(f"no trust policy on {branch}: policies/signers.yaml lists no signers")
        return policy, branch
    if branch is not None:
        raise UsageError("--branch applies to --from-tags")
    return optional_trust(trust, Path(".")), None


def _refresh(
    destination: str,
    key_files: tuple[Path, ...],
    trust: Path | None,
    now: dt.datetime,
    expires_in: dt.timedelta,
) -> None:
    policy, keys = optional_trust(trust, Path(".")), signing_keys(key_files)
    if destination.startswith("oci://"):
        refreshed = refresh_oci(destination, keys, now=now, expires_in=expires_in, trust=policy)
    else:
        refreshed = refresh_pointers(Path(destination), keys, now=now, expires_in=expires_in,
                                     trust=policy)  # fmt: skip
    for moved in refreshed.refreshed:
        click.echo(
            f"re-signed channel {moved.channel} -> {moved.describe()}, "
            f"expires {format_time(moved.expires) if moved.expires else '?'}"
        )
    for problem in refreshed.problems:
        click.echo(f"error: {problem}", err=True)
    if refreshed.problems:
        sys.exit(1)
