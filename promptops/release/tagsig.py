"""The signed release carried by its git tag, so a fresh clone has the human signatures.

``promptops release`` writes, after the serial and bundle lines ADR 0003 defined, every
field of the manifest that rebuilding the tagged commit cannot give back (``created``,
``expires``, the promptops version) and each release signature::

    promptops-created: 2026-06-01T12:00:00Z
    promptops-expires: 2026-08-30T12:00:00Z
    promptops-version: 0.1.0
    promptops-predicate: https://promptops.dev/release/v2
    promptops-signature: <keyid> <base64 Ed25519 signature>

(``promptops-predicate`` names the manifest format; a tag without it was signed over a
``release/v1`` manifest, which is rebuilt as such.) The bundle is deterministic, so the
statement, and with it the DSSE envelope the people signed, is rebuilt byte for byte from
the tagged commit: ``publish --from-tags`` never signs a release itself, it re-assembles
what people signed and verifies it (ADR 0012).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from promptops.canonical import canonical_bytes
from promptops.compile import Bundle
from promptops.errors import BundleError, UsageError
from promptops.release._git import ReleaseTag
from promptops.release.manifest import ReleaseSpec
from promptops.runtime.dsse import STATEMENT_PAYLOAD_TYPE, sign_envelope
from promptops.runtime.trust import PREDICATE_TYPE, PREDICATE_TYPE_V1, format_time, parse_time

__all__ = ["SignedTag", "envelope_from_tag", "parse_tag", "tag_message"]

_FIELD = re.compile(r"^promptops-(created|expires|version|predicate): (\S+)$", re.M)
_SIGNATURE = re.compile(r"^promptops-signature: ([0-9a-f]{64}) ([A-Za-z0-9+/=]+)$", re.M)


@dataclass(frozen=True)
class SignedTag:
    """What a release tag records besides its commit."""

    tag: ReleaseTag
    created: dt.datetime
    expires: dt.datetime
    promptops_version: str
    signatures: tuple[tuple[str, str], ...]  # (keyid, base64 signature)
    predicate_type: str = PREDICATE_TYPE_V1  # tags made before the line existed


def tag_message(spec: ReleaseSpec, bundle_sha256: str, signatures: list[tuple[str, str]]) -> str:
    """The annotated tag message of a release signed with ``signatures``."""
    lines = [
        f"promptops release {spec.release}",
        "",
        f"promptops-serial: {spec.serial}",
        f"promptops-bundle: sha256:{bundle_sha256}",
        f"promptops-created: {format_time(spec.created)}",
        f"promptops-expires: {format_time(spec.expires)}",
        f"promptops-version: {spec.promptops_version}",
        f"promptops-predicate: {spec.predicate_type}",
        *(f"promptops-signature: {keyid} {sig}" for keyid, sig in signatures),
    ]
    return "\n".join(lines) + "\n"


def parse_tag(tag: ReleaseTag) -> SignedTag | None:
    """The signed release ``tag`` records, or None for a tag written before tags carried
    signatures.

    Raises:
        UsageError: if a field is malformed.
    """
    fields = dict(_FIELD.findall(tag.message))
    signatures = tuple(_SIGNATURE.findall(tag.message))
    if not signatures or not {"created", "expires", "version"} <= fields.keys():
        return None
    try:
        created = parse_time(fields["created"], f"tag {tag.name}: promptops-created")
        expires = parse_time(fields["expires"], f"tag {tag.name}: promptops-expires")
    except BundleError as exc:  # a hand-edited tag: the user's input, not an artifact
        raise UsageError(str(exc)) from None
    predicate = fields.get("predicate", PREDICATE_TYPE_V1)
    if predicate not in (PREDICATE_TYPE, PREDICATE_TYPE_V1):
        raise UsageError(
            f"tag {tag.name}: promptops-predicate {predicate!r} is a manifest format this "
            "promptops does not know (made by a newer promptops?): upgrade promptops"
        )
    return SignedTag(tag, created, expires, fields["version"], signatures, predicate)


def envelope_from_tag(signed: SignedTag, bundle: Bundle, models: dict[str, str]) -> bytes:
    """The release manifest the tag's signatures were made over, rebuilt from ``bundle``
    (the tagged commit, built again) with the tag's signatures attached."""
    spec = ReleaseSpec(
        release=signed.tag.name,
        serial=signed.tag.serial,
        commit=bundle.source.commit,
        tree=bundle.source.tree,
        prompts=bundle.prompts,
        models=models,
        created=signed.created,
        expires=signed.expires,
        promptops_version=signed.promptops_version,
        predicate_type=signed.predicate_type,
    )
    envelope = sign_envelope(spec.statement(bundle.data), STATEMENT_PAYLOAD_TYPE, [])
    envelope["signatures"] = [{"keyid": k, "sig": s} for k, s in signed.signatures]
    return canonical_bytes(envelope) + b"\n"
