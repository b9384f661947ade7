"""Explain why a bundle is not the one a manifest signs.

Runs only after the size or sha256 check failed, so its cost (a full parse) never touches
the happy path. The refusal itself does not depend on this module: it only chooses the
words, so that a truncated download, an appended payload, a flipped byte, a bundle from
another release and a manifest signed over other bytes each say what happened.
"""

import json
from typing import TYPE_CHECKING, Any, NamedTuple

from promptops.errors import BundleError
from promptops.runtime.digest import sha256_hex
from promptops.runtime.jsonparse import parse_json

if TYPE_CHECKING:
    from promptops.runtime.trust import ReleaseManifest

__all__ = ["diagnose_mismatch"]

_PREFIX = b'{"format":"promptops.bundle/v1","index":'
_PROMPTS_KEY = ',"prompts":'
# Diagnosing means parsing; past this size just report the digest mismatch.
_MAX_DIAGNOSE_BYTES = 256 * 1024 * 1024


class _Inspection(NamedTuple):
    commit: str | None
    digests: dict[str, str]
    consistent: bool  # every prompt slice hashes to its index entry


def _inspect(bundle: bytes) -> _Inspection | None:
    """Parse a bundle per ADR 0002, or None if it is not one."""
    if len(bundle) > _MAX_DIAGNOSE_BYTES or not bundle.startswith(_PREFIX):
        return None
    try:
        # Bounded: this runs on bytes that failed verification, which anyone may have made.
        obj = parse_json(bundle, where="bundle", max_bytes=_MAX_DIAGNOSE_BYTES)
        text = bundle.decode("utf-8")
        # The prefix and the index are ASCII, so character and byte offsets agree here.
        _, end = json.JSONDecoder().raw_decode(text, len(_PREFIX))
    except (BundleError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(obj, dict) or text[end : end + len(_PROMPTS_KEY)] != _PROMPTS_KEY:
        return None
    index: Any = obj.get("index")
    source: Any = obj.get("source")
    if not isinstance(index, dict) or not isinstance(source, dict):
        return None
    base = end + len(_PROMPTS_KEY)
    digests: dict[str, str] = {}
    consistent = True
    for pid, entry in index.items():
        if not (isinstance(entry, list) and len(entry) == 3):
            return None
        offset, length, digest = entry
        if not (isinstance(offset, int) and isinstance(length, int) and isinstance(digest, str)):
            return None
        digests[pid] = digest
        piece = bundle[base + offset : base + offset + length]
        consistent = consistent and sha256_hex(piece) == digest
    commit = source.get("commit")
    return _Inspection(
        commit=commit if isinstance(commit, str) else None, digests=digests, consistent=consistent
    )


def _same_prompts(manifest: "ReleaseManifest", bundle: bytes, seen: _Inspection) -> bool:
    """Whether the bundle holds exactly the prompts the manifest signs."""
    from promptops.runtime.pages import PageTable, cut_pages

    if isinstance(manifest.prompts, PageTable):
        try:
            return cut_pages(bundle) == manifest.prompts
        except BundleError:
            return False
    return seen.digests == dict(manifest.prompts)


def diagnose_mismatch(manifest: "ReleaseManifest", bundle: bytes) -> str:
    """The message for a bundle whose size or sha256 differs from ``manifest``'s subject."""
    name, size, signed = manifest.release, manifest.bundle_size, manifest.bundle_sha256
    found = len(bundle)
    seen = _inspect(bundle)
    if (
        seen is not None
        and seen.consistent
        and manifest.commit is not None
        and seen.commit is not None
        and seen.commit != manifest.commit
    ):
        return (
            f"bundle: built from commit {seen.commit[:12]}, but release {name} is for commit "
            f"{manifest.commit[:12]}: the bundle belongs to another release (mix-and-match)"
        )
    if found < size:
        return (
            f"bundle: {found} bytes, but release {name} signs {size} bytes: "
            "the bundle is truncated (an incomplete download?)"
        )
    if found > size:
        if sha256_hex(bundle[:size]) == signed:
            return (
                f"bundle: {found - size} unsigned bytes appended after the {size} bytes "
                f"release {name} signs"
            )
        return (
            f"bundle: {found} bytes, but release {name} signs {size} bytes: "
            "the bundle was replaced after signing"
        )
    actual = sha256_hex(bundle)
    if seen is not None and seen.consistent and _same_prompts(manifest, bundle, seen):
        return (
            f"manifest: release {name} signs sha256 {signed[:16]}..., but the bundle's sha256 "
            f"is {actual[:16]}... although its prompts match the manifest: the manifest was "
            "signed over different bytes"
        )
    return (
        f"bundle: sha256 {actual[:16]}... does not match {signed[:16]}... signed by "
        f"release {name}: the bundle was modified after signing"
    )
