"""``promptops release``: build a clean commit, sign it, write the artifacts, tag it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.compile import Bundle, build
from promptops.errors import SignatureError, UsageError
from promptops.fsutil import atomic_write_bytes
from promptops.release import _git
from promptops.release.layout import BUNDLE_NAME, MANIFEST_NAME, release_dir
from promptops.release.manifest import ReleaseSpec, sign_manifest
from promptops.release.tagsig import tag_message
from promptops.runtime.dsse import STATEMENT_PAYLOAD_TYPE, TrustRoot, parse_envelope
from promptops.runtime.trust import RELEASE_NAME, verify_release

__all__ = ["ReleaseResult", "create_release", "models_of", "write_release"]


@dataclass(frozen=True)
class ReleaseResult:
    """What ``create_release`` produced."""

    name: str
    serial: int
    commit: str
    bundle_sha256: str
    bundle_size: int
    prompts: int
    directory: Path
    expires: dt.datetime


def models_of(bundle: Bundle) -> dict[str, str]:
    """Model pins the bundle's prompts use: name -> ``provider/model``."""
    models: dict[str, str] = {}
    for prompt_id in bundle.prompts:
        model = bundle.prompt(prompt_id).get("model") or {}
        if isinstance(model, dict) and isinstance(model.get("name"), str):
            models[model["name"]] = f"{model.get('provider')}/{model.get('model')}"
    return models


def _check_clean(root: Path, name: str) -> str:
    if not RELEASE_NAME.match(name):
        raise UsageError(f"release name {name!r} must match {RELEASE_NAME.pattern}")
    if _git.toplevel(root) is None:
        raise UsageError(f"{root}: not inside a git repository; releases are git tags")
    dirty = _git.dirty_sources(root)
    if dirty:
        shown = ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else "")
        raise UsageError(
            f"uncommitted changes to prompt sources ({shown}); commit them first: a release "
            "must be exactly a reviewed commit"
        )
    if _git.tag_exists(root, name):
        raise UsageError(f"tag {name!r} already exists; choose a new release name")
    return _git.head_commit(root)


def write_release(
    directory: Path,
    bundle: Bundle,
    name: str,
    serial: int,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    trust: TrustRoot | None,
) -> tuple[ReleaseSpec, bytes]:
    """Sign ``bundle`` as release ``name``/``serial`` and write both files into ``directory``;
    returns the spec and the manifest envelope.

    The signatures are checked against ``trust``'s release role first (when given), and the
    bundle is written before the manifest: a manifest is never visible without the bytes
    it signs.

    Raises:
        SignatureError: if the keys do not satisfy the release role of ``trust``.
    """
    spec = ReleaseSpec(
        release=name,
        serial=serial,
        commit=bundle.source.commit,
        tree=bundle.source.tree,
        prompts=bundle.prompts,
        models=models_of(bundle),
        created=now,
        expires=now + expires_in,
    )
    envelope = sign_manifest(spec, bundle.data, keys)
    if trust is not None:
        try:
            verify_release(envelope, bundle.data, trust, now=now)
        except SignatureError as exc:
            raise SignatureError(
                f"these keys do not satisfy the release role of the trust policy in force "
                f"(policies/signers.yaml, version {trust.version}): {exc}; list the key under "
                "roles.release (promptops keygen prints its entry), or sign with more --key"
            ) from exc
    atomic_write_bytes(directory / BUNDLE_NAME, bundle.data)
    atomic_write_bytes(directory / MANIFEST_NAME, envelope)
    return spec, envelope


def create_release(
    root: Path,
    name: str,
    keys: Sequence[Ed25519PrivateKey],
    *,
    now: dt.datetime,
    expires_in: dt.timedelta,
    out: Path,
    trust: TrustRoot | None = None,
) -> ReleaseResult:
    """Release HEAD of the repository at ``root`` as ``name``.

    Builds HEAD, signs a manifest with serial = highest release tag serial + 1, checks the
    signatures against ``trust`` (the trust policy in force, when the repository has one),
    writes ``out/releases/<name>/{bundle.json,release.dsse.json}`` and tags HEAD with a
    message that carries the signatures (ADR 0012), so CI can publish exactly what was
    signed.

    Raises:
        UsageError: dirty prompt sources, bad name, existing tag, not a git repository.
        ValidationError: if HEAD does not validate.
        SignatureError: if the keys do not satisfy ``trust``.
    """
    commit = _check_clean(root, name)
    bundle = build(root, ref=commit)
    serial = max((t.serial for t in _git.release_tags(root).values()), default=0) + 1
    directory = release_dir(out, name)
    spec, envelope = write_release(
        directory, bundle, name, serial, keys, now=now, expires_in=expires_in, trust=trust
    )
    parsed = parse_envelope(envelope, expected_type=STATEMENT_PAYLOAD_TYPE)
    signatures = [(str(s.keyid), s.b64) for s in parsed.signatures]
    _git.create_tag(root, name, commit, tag_message(spec, bundle.sha256, signatures))
    return ReleaseResult(
        name=name,
        serial=serial,
        commit=commit,
        bundle_sha256=bundle.sha256,
        bundle_size=len(bundle.data),
        prompts=len(bundle.prompts),
        directory=directory,
        expires=spec.expires,
    )
