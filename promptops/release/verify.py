"""``promptops verify``: fetch a release (directory or URL) and run the trusted core on it.

The I/O shell around ``promptops.runtime.trust``: read bytes with caps, hand them over,
report what was verified. Nothing here decides trust.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.errors import FetchError, UsageError
from promptops.release.layout import BUNDLE_NAME, MANIFEST_NAME, check_name
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.source_oci import OciSource
from promptops.runtime.trust import (
    ReleaseManifest,
    check_pointer_matches,
    format_time,
    verify_channel_pointer,
    verify_release,
)

__all__ = ["FetchConfig", "VerifyReport", "verify_target"]


@dataclass(frozen=True)
class FetchConfig:
    """Caps on what verification will read."""

    timeout_s: float = 10.0
    max_bundle_bytes: int = 256 * 1024 * 1024
    max_manifest_bytes: int = 16 * 1024 * 1024
    max_pointer_bytes: int = 64 * 1024


@dataclass(frozen=True)
class VerifyReport:
    """What was verified."""

    target: str
    manifest: ReleaseManifest
    signer_names: tuple[str, ...]
    channel: str | None = None
    pointer_expires: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

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
            "prompts": len(m.prompts),
            "models": dict(m.models),
            "signers": list(self.signer_names),
            "created": format_time(m.created),
            "expires": format_time(m.expires),
            "channel": self.channel,
            "channel_expires": format_time(self.pointer_expires) if self.pointer_expires else None,
        }


def _is_url(target: str) -> bool:
    return urllib.parse.urlsplit(target).scheme in ("http", "https", "oci")


def _reader(target: str, config: FetchConfig) -> Callable[[str, int], bytes]:
    """``read(rel, cap)`` for files below ``target``: a directory, URL or OCI registry."""
    if target.startswith("oci://"):
        source = OciSource(target, RuntimeConfig(http_timeout=config.timeout_s), None)

        def read_oci(rel: str, cap: int) -> bytes:
            data = source.read(rel, cap).data
            if len(data) > cap:
                raise FetchError(f"{target}/{rel}: more than the limit of {cap} bytes")
            return data

        return read_oci
    return lambda rel, cap: _fetch(target, rel, cap, config)


def _fetch(base: str, rel: str, cap: int, config: FetchConfig) -> bytes:
    if not _is_url(base):
        path = Path(base) / rel
        try:
            size = path.stat().st_size
            if size > cap:
                raise FetchError(f"{path}: {size} bytes exceeds the limit of {cap} bytes")
            return path.read_bytes()
        except OSError as exc:
            raise FetchError(f"{path}: cannot read ({exc.strerror})") from exc
    url = base.rstrip("/") + "/" + rel
    try:
        with urllib.request.urlopen(url, timeout=config.timeout_s) as response:
            data: bytes = response.read(cap + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: cannot fetch ({reason})") from exc
    if len(data) > cap:
        raise FetchError(f"{url}: more than the limit of {cap} bytes")
    return data


def _names(trust: TrustRoot, keyids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(trust.keys[k].name or k[:12] for k in keyids)


def verify_target(
    target: str,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    channel: str | None = None,
    config: FetchConfig | None = None,
) -> VerifyReport:
    """Verify a release directory (``releases/NAME``) or, with ``channel``, a published
    root's channel pointer and the release it names; either may be an http(s) URL, and
    either an OCI registry (``oci://HOST/REPO`` with ``channel``, or a release artifact
    ``oci://HOST/REPO:release-NAME``).

    Raises:
        FetchError: if a file cannot be read or exceeds its cap.
        BundleError, SignatureError, RollbackError: from the trusted core.
        UsageError: if a local target is neither a release directory nor, with a
            channel, a published root.
    """
    config = config or FetchConfig()
    read = _reader(target, config)
    prefix = ""
    pointer = None
    if channel is not None:
        raw = read(f"channels/{check_name(channel, 'channel')}.json", config.max_pointer_bytes)
        pointer = verify_channel_pointer(raw, trust, now=now)
        prefix = f"releases/{pointer.release}/"
    elif not _is_url(target) and not (Path(target) / MANIFEST_NAME).is_file():
        hint = (
            "it is a published root: pass --channel"
            if (Path(target) / "channels").is_dir()
            else f"expected a release directory holding {MANIFEST_NAME}"
        )
        raise UsageError(f"{target}: not a release directory; {hint}")
    envelope = read(prefix + MANIFEST_NAME, config.max_manifest_bytes)
    bundle = read(prefix + BUNDLE_NAME, config.max_bundle_bytes)
    manifest = verify_release(envelope, bundle, trust, now=now)
    if pointer is not None:
        check_pointer_matches(pointer, manifest)
    return VerifyReport(
        target=target,
        manifest=manifest,
        signer_names=_names(trust, manifest.signers),
        channel=channel,
        pointer_expires=pointer.expires if pointer else None,
    )
