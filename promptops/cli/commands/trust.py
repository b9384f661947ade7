"""``promptops trust rotate | revoke | sign``: the next version of the trust policy."""

from __future__ import annotations

from pathlib import Path

import click

from promptops.cli.commands._signing import key_option, signing_keys
from promptops.release.trust_admin import TrustResult, revoke, rotate, sign

_REPO = click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)


def _report(result: TrustResult) -> None:
    if result.started:
        click.echo("started the trust chain: wrote policies/trust/1.json (the committed policy)")
    if result.version > 1 or not result.started:
        click.echo(f"wrote policies/trust/{result.version}.json (trust version {result.version})")
    if result.missing is not None:
        click.echo(
            f"  not valid yet: {result.missing}\n  the other root key owners add theirs with: "
            f"promptops trust sign {result.version} --key KEY",
            err=True,
        )
    click.echo(
        "  commit policies/signers.yaml and policies/trust/ for review; once published, "
        "applications walk to the new version without a redeploy"
    )


@click.group("trust")
def command() -> None:
    """Change the trust policy: rotate, revoke or add keys, applied without redeploys.

    Each change is a new version of policies/signers.yaml signed by the root role of the
    version before it (and its own), written to policies/trust/N.json for review.
    """


@command.command("rotate")
@key_option
@_REPO
def rotate_command(key_files: tuple[Path, ...], repo: Path) -> None:
    """Sign the edited policies/signers.yaml as the next trust version.

    Edit signers.yaml first (add a signer, move one between roles, change a threshold),
    then sign with keys of the current root role (and of the new one, if it changes).
    """
    _report(rotate(repo, signing_keys(key_files)))


@command.command("revoke")
@click.argument("name")
@key_option
@_REPO
def revoke_command(name: str, key_files: tuple[Path, ...], repo: Path) -> None:
    """Mark signer NAME revoked in policies/signers.yaml and sign the next trust version.

    Its signatures stop counting in every role as soon as applications walk to it.
    """
    _report(revoke(repo, name, signing_keys(key_files)))


@command.command("sign")
@click.argument("version", type=click.IntRange(min=1))
@key_option
@_REPO
def sign_command(version: int, key_files: tuple[Path, ...], repo: Path) -> None:
    """Add your root key's signature to policies/trust/VERSION.json (a root threshold above
    one is met by each owner of a root key signing in turn)."""
    result = sign(repo, version, signing_keys(key_files))
    click.echo(f"signed policies/trust/{version}.json")
    if result.missing is not None:
        click.echo(f"  not valid yet: {result.missing}", err=True)
    else:
        click.echo("  complete: every required signature is there")
