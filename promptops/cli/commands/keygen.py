"""``promptops keygen``: a new Ed25519 signing key and its signers.yaml entry."""

from __future__ import annotations

import os
from pathlib import Path

import click

from promptops.release import generate_key


def _default_out(name: str) -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "promptops" / "keys" / f"{name}.pem"


@click.command("keygen")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the private key PEM (default: ~/.config/promptops/keys/NAME.pem).",
)
@click.option("--name", default="release", show_default=True, help="The signer's name.")
def command(out: Path | None, name: str) -> None:
    """Generate an Ed25519 release signing key.

    Writes the private key (PKCS8 PEM, mode 0600, encrypted when PROMPTOPS_KEY_PASSPHRASE
    is set) and prints the entry to add under `signers:` in policies/signers.yaml. Refuses
    to overwrite a key, or to write one inside a git work tree unless git ignores it.
    """
    path = out or _default_out(name)
    passphrase = os.environ.get("PROMPTOPS_KEY_PASSPHRASE")
    entry = generate_key(path, name, passphrase.encode("utf-8") if passphrase else None)
    click.echo(f"wrote private key {path} (keep it secret; never commit it)", err=True)
    click.echo("# add under `signers:` in policies/signers.yaml", err=True)
    click.echo(entry.to_yaml(), nl=False)
