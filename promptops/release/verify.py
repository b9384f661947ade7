"""``promptops verify``: load a release (directory or URL) exactly as an application does.

The runtime's own loader runs, without a cache and with strict expiry: it walks the trust
chain from the given trust root, checks the channel pointer was signed for the channel
asked for, binds a release directory to the release it is named after, and verifies the
manifest and the bundle. Nothing here decides trust; ``promptops verify`` and applications
cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.errors import UsageError
from promptops.release.layout import MANIFEST_NAME, check_name
from promptops.runtime.config import MAX_BUNDLE_BYTES, RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.loader import Loader, resolve_mode
from promptops.runtime.sources import open_source
from promptops.runtime.trust import ReleaseManifest, format_time

__all__ = ["FetchConfig", "VerifyReport", "verify_target"]


@dataclass(frozen=True)
class FetchConfig:
    """Caps on what verification will read."""

    timeout_s: float = 10.0
    max_bundle_bytes: int = MAX_BUNDLE_BYTES
    max_manifest_bytes: int = 16 * 1024 * 1024
    deadline_s: float = 120.0


@dataclass(frozen=True)
class VerifyReport:
    """What was verified."""

    target: str
    manifest: ReleaseManifest
    signer_names: tuple[str, ...]
    channel: str | None = None
    pointer_expires: dt.datetime | None = None
    trust_version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    canary: ReleaseManifest | None = None  # a canary pointer's second release (ADR 0018)
    canary_weight: int = 0  # its share, in basis points
    pointer_version: int = 0

    def to_dict(self) -> dict[str, Any]:
        m = self.manifest
        return {
            "ok": True,
            "target": self.target,
            "release": m.release,
            "serial": m.serial,
            "commit": m.commit,
            "tree": m.tree,
            "bundle": {"sha256": m.bundle_sha256, "size": m.bundle_size},
            "prompts": m.prompt_count,
            "models": dict(m.models),
            "signers": list(self.signer_names),
            "created": format_time(m.created),
            "expires": format_time(m.expires),
            "channel": self.channel,
            "channel_expires": format_time(self.pointer_expires) if self.pointer_expires else None,
            "trust_version": self.trust_version,
            "pointer_version": self.pointer_version if self.channel else None,
            "canary": None
            if self.canary is None
            else {
                "release": self.canary.release,
                "serial": self.canary.serial,
                "commit": self.canary.commit,
                "bundle": {"sha256": self.canary.bundle_sha256, "size": self.canary.bundle_size},
                "weight": self.canary_weight,
                "expires": format_time(self.canary.expires),
            },
        }


def _is_url(target: str) -> bool:
    return urllib.parse.urlsplit(target).scheme in ("http", "https", "oci")


def verify_target(
    target: str,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    channel: str | None = None,
    config: FetchConfig | None = None,
) -> VerifyReport:
    """Verify a release directory (``releases/NAME``) or, with ``channel``, a published
    root's channel pointer and the release it names (during a canary, both releases);
    either may be an http(s) URL, and either an OCI registry (``oci://HOST/REPO`` with
    ``channel``, or a release artifact ``oci://HOST/REPO:release-NAME``).

    Raises:
        FetchError: if a file cannot be read or the fetch deadline passes.
        BundleError, SignatureError, RollbackError: from the trusted core.
        ExpiredError: if the pointer or the release expired.
        UsageError: if a local target is neither a release directory nor, with a
            channel, a published root.
    """
    fetch = config or FetchConfig()
    if channel is not None:
        check_name(channel, "channel")
    elif not _is_url(target) and not (Path(target) / MANIFEST_NAME).is_file():
        hint = (
            "it is a published root: pass --channel"
            if (Path(target) / "channels").is_dir()
            else f"expected a release directory holding {MANIFEST_NAME}"
        )
        raise UsageError(f"{target}: not a release directory; {hint}")
    runtime = RuntimeConfig(
        max_bundle_bytes=fetch.max_bundle_bytes,
        max_envelope_bytes=fetch.max_manifest_bytes,
        http_timeout=fetch.timeout_s,
        fetch_deadline=fetch.deadline_s,
        expiry="strict",
        clock=lambda: now,
        user_agent="promptops-verify",
    )
    source = open_source(target, runtime, None)
    loader = Loader(source, resolve_mode(source, target, channel, None), trust, runtime, None)
    verified = loader.fetch(now)
    manifest, pointer = verified.manifest, verified.pointer
    return VerifyReport(
        target=target,
        manifest=manifest,
        signer_names=tuple(verified.trust.name_of(k) for k in manifest.signers),
        channel=channel,
        pointer_expires=pointer.expires if pointer else None,
        trust_version=verified.trust.version,
        canary=verified.canary.manifest if verified.canary else None,
        canary_weight=pointer.canary.weight if pointer and pointer.canary else 0,
        pointer_version=pointer.version if pointer else 0,
    )
