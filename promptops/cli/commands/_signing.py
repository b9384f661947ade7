"""Options shared by the commands that sign (release, publish, promote)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.release import load_signing_keys, load_trust, policy_in_force
from promptops.runtime.dsse import TrustRoot

F = TypeVar("F", bound=Callable[..., Any])

SIGNERS_FILE = Path("policies") / "signers.yaml"


def key_option(func: F) -> F:
    """``--key FILE`` (repeatable), falling back to PROMPTOPS_SIGNING_KEY."""
    return click.option(
        "--key",
        "key_files",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Ed25519 private key PEM; repeat for a threshold above 1. "
        "Default: PROMPTOPS_SIGNING_KEY (PEM text or a path).",
    )(func)


def signing_keys(key_files: tuple[Path, ...]) -> list[Ed25519PrivateKey]:
    passphrase = os.environ.get("PROMPTOPS_KEY_PASSPHRASE")
    return load_signing_keys(
        list(key_files),
        os.environ.get("PROMPTOPS_SIGNING_KEY"),
        passphrase.encode("utf-8") if passphrase else None,
    )


def optional_trust(explicit: Path | None, repo: Path) -> TrustRoot | None:
    """``--trust`` if given, else the repository's trust policy in force (its newest
    verified trust version, else policies/signers.yaml) if it has one."""
    if explicit is not None:
        return load_trust(explicit)
    return policy_in_force(repo)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
