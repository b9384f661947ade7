"""``promptops trust rotate | revoke | sign``: write the next version of the trust policy.

A trust change is a reviewed commit of two files: ``policies/signers.yaml`` (the policy,
edited by hand or by ``revoke``) and ``policies/trust/N.json`` (that policy signed by the
root role of version N-1 and of version N). Applications walk the chain, so rotating a
key needs no redeploy. A version whose signatures are incomplete is written anyway, for the
other root key holders to ``sign``; until then ``validate`` reports it and ``publish``
leaves it out.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.errors import BundleError, SignatureError, UsageError
from promptops.fsutil import atomic_write_bytes, atomic_write_text
from promptops.release import _git
from promptops.release.trust_versions import add_signatures, next_root, sign_trust
from promptops.release.trustfile import (
    SIGNERS_PATH,
    TRUST_DIR,
    parse_signers,
    read_chain,
    verify_chain,
)
from promptops.runtime.policy import TrustRoot, keyid_of, trust_document
from promptops.runtime.trust_chain import (
    read_trust_unverified,
    verify_next_version,
    verify_trust_root,
)

__all__ = ["TrustResult", "revoke", "rotate", "sign"]

_NUMBERING = ("version", "chain")


@dataclass(frozen=True)
class TrustResult:
    """A trust version written (or signed), and what it still lacks."""

    version: int
    path: Path
    started: bool = False  # policies/trust/1.json was written first (the chain starts)
    missing: str | None = None  # why it does not verify yet: signatures still needed


def _policy(repo: Path) -> tuple[str, TrustRoot]:
    path = repo / SIGNERS_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror})") from exc
    model = parse_signers(text, str(path))
    if not model.signers:
        raise UsageError(f"{path}: lists no signers; add them with promptops keygen's entries")
    return text, _root(model.document(), str(path))


def _root(document: dict[str, object], where: str) -> TrustRoot:
    """The policy ``document`` as a version 1 (its version and chain are set on rotation)."""
    try:
        return TrustRoot.from_dict({k: v for k, v in document.items() if k not in _NUMBERING})
    except SignatureError as exc:
        raise UsageError(f"{where}: {exc}") from None


def _root_keys(keys: Sequence[Ed25519PrivateKey], *roots: TrustRoot) -> list[Ed25519PrivateKey]:
    """The keys that hold a root role of ``roots``; others sign nothing here."""
    ids = {k for root in roots for k in root.root.keys}
    return [k for k in keys if keyid_of(k.public_key()) in ids]


def _check(previous: TrustRoot | None, envelope: bytes) -> str | None:
    try:
        if previous is None:
            verify_trust_root(envelope)
        else:
            verify_next_version(previous, envelope)
    except BundleError as exc:
        return str(exc)
    return None


def _edit(text: str, change: Callable[[Any], None]) -> str:
    """``signers.yaml`` changed by ``change`` (on ruamel's round-trip data), comments kept."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)  # the layout keygen prints entries in
    data = yaml.load(text)
    change(data)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _set_version(text: str, version: int, chain: str | None) -> str:
    """``signers.yaml`` with ``version:`` and ``chain:`` (removed when None) set."""

    def change(data: Any) -> None:
        for at, (key, value) in enumerate((("version", version), ("chain", chain))):
            if value is None:
                data.pop(key, None)
            elif key in data:
                data[key] = value
            else:
                data.insert(at, key, value)

    return _edit(text, change)


def _start(repo: Path, text: str, keys: Sequence[Ed25519PrivateKey]) -> TrustRoot:
    """Write ``policies/trust/1.json``: the committed policy (what applications ship), or
    the working copy when it is unchanged or there is no commit yet."""
    committed = _git.blob(repo, f"HEAD:./{SIGNERS_PATH}")
    source = committed.decode("utf-8", "replace") if committed is not None else text
    first = _root(parse_signers(source, f"HEAD:{SIGNERS_PATH}").document(), SIGNERS_PATH)
    envelope = sign_trust(first, _root_keys(keys, first))
    problem = _check(None, envelope)
    if problem is not None:
        # Name the root role's signers: the key passed is most often a release or CI key.
        roots = ", ".join(sorted({k.name for k in first.root.keys.values()}))
        raise UsageError(
            f"cannot start the trust chain: version 1 (the committed policies/signers.yaml) "
            f"must be signed by its own root role: {problem}; pass the root keys with --key "
            f"(root role: {roots})"
        )
    atomic_write_bytes(repo / TRUST_DIR / "1.json", envelope)
    return first


def rotate(repo: Path, keys: Sequence[Ed25519PrivateKey]) -> TrustResult:
    """Sign ``policies/signers.yaml`` as the next trust version.

    Starts the chain first when there is none (version 1 is the committed policy). Only
    ``keys`` of the previous or the new root role sign; if they do not meet both
    thresholds the version is written with what they signed, and ``missing`` says what
    is still needed.

    Raises:
        UsageError: if the policy is unchanged or invalid, a version is still waiting for
            signatures, or the chain cannot be started with ``keys``.
    """
    text, wanted = _policy(repo)
    chain = read_chain(repo)
    started = False
    if chain:
        previous = verify_chain(chain)
        assert previous is not None
        if previous.version + 1 in chain:
            raise UsageError(
                f"{TRUST_DIR}/{previous.version + 1}.json is still waiting for signatures; "
                f"finish it with promptops trust sign {previous.version + 1} --key KEY, or "
                "delete it"
            )
    else:
        previous = _start(repo, text, keys)
        started = True
        if trust_document(wanted) == trust_document(previous):
            atomic_write_text(repo / SIGNERS_PATH, _set_version(text, 1, None))
            return TrustResult(1, repo / TRUST_DIR / "1.json", started=True)
    new = next_root(previous, trust_document(wanted))
    same = previous._replace(version=new.version, chain=new.chain)
    if trust_document(new) == trust_document(same):
        raise UsageError(
            f"{SIGNERS_PATH} does not differ from {TRUST_DIR}/{previous.version}.json; edit it "
            "first (or use promptops trust revoke NAME)"
        )
    envelope = sign_trust(new, _root_keys(keys, previous, new))
    path = repo / TRUST_DIR / f"{new.version}.json"
    atomic_write_bytes(path, envelope)
    atomic_write_text(repo / SIGNERS_PATH, _set_version(text, new.version, new.chain))
    return TrustResult(new.version, path, started, _check(previous, envelope))


def revoke(repo: Path, name: str, keys: Sequence[Ed25519PrivateKey]) -> TrustResult:
    """Mark signer ``name`` revoked in ``policies/signers.yaml`` and :func:`rotate`.

    Raises:
        UsageError: if there is no such signer, or as :func:`rotate`.
    """
    path = repo / SIGNERS_PATH
    text, _ = _policy(repo)

    def change(data: Any) -> None:
        entries = [s for s in data.get("signers") or [] if s.get("name") == name]
        if not entries:
            known = ", ".join(str(s.get("name")) for s in data.get("signers") or []) or "none"
            raise UsageError(f"{path}: no signer named {name!r} (signers: {known})")
        entries[0]["revoked"] = True

    atomic_write_text(path, _edit(text, change))
    return rotate(repo, keys)


def sign(repo: Path, version: int, keys: Sequence[Ed25519PrivateKey]) -> TrustResult:
    """Add ``keys``' signatures to ``policies/trust/<version>.json``.

    Raises:
        UsageError: if there is no such version, or the versions before it do not verify.
    """
    chain = read_chain(repo)
    path = repo / TRUST_DIR / f"{version}.json"
    if version not in chain:
        raise UsageError(f"{path}: no such trust version")
    earlier = {n: data for n, data in chain.items() if n < version}
    previous = verify_chain(earlier) if earlier else None
    if version > 1 and (previous is None or previous.version != version - 1):
        raise UsageError(f"{TRUST_DIR}/{version - 1}.json does not verify yet; sign it first")
    try:
        this = read_trust_unverified(chain[version])
    except BundleError as exc:
        raise UsageError(f"{path}: {exc}") from None
    roots = (this,) if previous is None else (previous, this)
    envelope = add_signatures(chain[version], _root_keys(keys, *roots))
    atomic_write_bytes(path, envelope)
    return TrustResult(version, path, missing=_check(previous, envelope))
