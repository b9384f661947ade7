"""Ed25519 signing keys: generate, store, load, and keep them out of the repository.

A private key inside a git work tree is one ``git add -A`` away from being published,
so both writing and reading one there is refused unless git ignores that path.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from promptops.errors import UsageError
from promptops.fsutil import atomic_write_bytes
from promptops.release._git import is_ignored, toplevel
from promptops.runtime.dsse import keyid_of, raw_public_bytes

__all__ = [
    "MAX_KEY_BYTES",
    "SignerEntry",
    "check_key_location",
    "generate_key",
    "load_private_key",
    "load_signing_keys",
    "signer_entry",
]

MAX_KEY_BYTES = 64 * 1024
_PEM_MARK = "-----BEGIN"


@dataclass(frozen=True)
class SignerEntry:
    """The public half, as listed in ``policies/signers.yaml``."""

    name: str
    keyid: str
    public_key: str

    def to_yaml(self) -> str:
        """The entry as YAML list item lines, ready to paste under ``signers:``."""
        return (
            f"  - name: {self.name}\n"
            # Quoted: an all-digit hex key id would otherwise load as a YAML number.
            f'    keyid: "{self.keyid}"\n'
            f'    public_key: "{self.public_key}"\n'
            "    scheme: ed25519\n"
        )


def signer_entry(key: Ed25519PrivateKey, name: str) -> SignerEntry:
    """The ``signers.yaml`` entry of ``key``'s public half."""
    public = key.public_key()
    return SignerEntry(
        name=name,
        keyid=keyid_of(public),
        public_key=base64.b64encode(raw_public_bytes(public)).decode("ascii"),
    )


def check_key_location(path: Path, action: str) -> None:
    """Refuse a private key path inside a git work tree unless git ignores it.

    Raises:
        UsageError: if ``path`` is inside a work tree and not ignored.
    """
    root = toplevel(path.resolve())
    if root is not None and not is_ignored(root, path.resolve()):
        raise UsageError(
            f"{path}: refusing to {action} a private key inside the git work tree {root} "
            "where it could be committed; keep it outside the repository, or add its path "
            "to .gitignore"
        )


def _write_new(path: Path, data: bytes) -> None:
    # Mode 0600 from the first byte, and never over an existing key.
    try:
        atomic_write_bytes(path, data, mode=0o600, overwrite=False)
    except FileExistsError as exc:
        raise UsageError(f"{path}: already exists; refusing to overwrite a key") from exc


def generate_key(out: Path, name: str, passphrase: bytes | None = None) -> SignerEntry:
    """Generate an Ed25519 key, write its PKCS8 PEM to ``out`` (mode 0600, encrypted when a
    passphrase is given) and return its public entry.

    Raises:
        UsageError: if ``out`` exists, or is inside a work tree and not ignored by git.
    """
    check_key_location(out, "write")
    if out.exists():
        raise UsageError(f"{out}: already exists; refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    encryption = BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    _write_new(out, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption))
    return signer_entry(key, name)


def load_private_key(pem: bytes, source: str, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Parse an Ed25519 private key PEM.

    Raises:
        UsageError: if it is not one, or the passphrase is missing or wrong.
    """
    try:
        key = load_pem_private_key(pem, password=passphrase)
    except TypeError as exc:
        hint = (
            "set PROMPTOPS_KEY_PASSPHRASE"
            if passphrase is None
            else "unset PROMPTOPS_KEY_PASSPHRASE (the key is not encrypted)"
        )
        raise UsageError(f"{source}: {exc}; {hint}") from exc
    except ValueError as exc:
        raise UsageError(
            f"{source}: not a readable private key PEM, or wrong passphrase ({exc})"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(f"{source}: expected an Ed25519 private key, found {type(key).__name__}")
    return key


def _read_key_file(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    # A mistyped path is the commoner mistake: say the file is missing before judging
    # where it would be.
    if not path.exists():
        raise UsageError(
            f"{path}: no such signing key file; pass the path keygen wrote "
            "(default ~/.config/promptops/keys/NAME.pem), or create one with promptops keygen"
        )
    check_key_location(path, "use")
    try:
        size = path.stat().st_size
        if size > MAX_KEY_BYTES:
            raise UsageError(f"{path}: {size} bytes is too large for a key file")
        pem = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the signing key ({exc.strerror})") from exc
    return load_private_key(pem, str(path), passphrase)


def load_signing_keys(
    key_files: Sequence[Path], env_key: str | None, passphrase: bytes | None
) -> list[Ed25519PrivateKey]:
    """The signing keys from ``--key`` files, else from PROMPTOPS_SIGNING_KEY (PEM text or
    the path of an existing key file).

    The variable usually holds a secret: its value is never echoed in a message and never
    passed on a command line. It is taken as a path only if it names an existing file.

    Raises:
        UsageError: if no key is given or a key cannot be used.
    """
    if key_files:
        return [_read_key_file(p, passphrase) for p in key_files]
    if not env_key:
        raise UsageError(
            "no signing key: pass --key FILE or set PROMPTOPS_SIGNING_KEY "
            "(create one with promptops keygen)"
        )
    if env_key.lstrip().startswith(_PEM_MARK):
        return [load_private_key(env_key.encode("utf-8"), "PROMPTOPS_SIGNING_KEY", passphrase)]
    if not os.path.isfile(env_key):
        raise UsageError(
            "PROMPTOPS_SIGNING_KEY is neither PEM nor a file: set it to the key's PEM text "
            "(-----BEGIN PRIVATE KEY----- ...) or to the path of an existing key file"
        )
    return [_read_key_file(Path(env_key), passphrase)]
