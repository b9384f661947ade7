"""One load of what a :class:`~promptops.runtime.registry.Registry` serves: the source
first (pins and ``offline``: the cache first), the cache's last-known-good second, the
current snapshot kept and marked stale when nothing newer verifies. Each load yields a
:class:`~promptops.runtime.served.Snapshot` with its :class:`RegistryStatus`.
"""

import datetime as dt
import warnings
from typing import Any, NamedTuple

from promptops.errors import ExpiredError, ExpiredReleaseWarning, FetchError
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.loader import Loader
from promptops.runtime.request import Provenance
from promptops.runtime.served import CANARY, STABLE, Served, Snapshot
from promptops.runtime.state import Verified, check_serving
from promptops.runtime.trust import format_time

__all__ = ["RegistryStatus", "load_snapshot", "marked"]


class RegistryStatus(NamedTuple):
    """What is being served and how fresh it is.

    ``from_cache``: loaded from the cache's last-known-good because the source could not be
    read, served an expired release (or ``offline`` is set). ``stale``: the latest attempt
    to reach the source failed, so a newer release may exist; ``error`` says why and
    ``failures`` counts the failed attempts in a row. ``expired``: the release served is
    past its expiry (kept available until ``max_staleness``). ``trust_version``: the newest
    trust version verified. During a canary (ADR 0018), ``release``/``serial``/
    ``bundle_sha256``/``commit`` are the stable release's and ``canary`` names the other
    release, ``canary_serial`` its serial and ``canary_weight`` its share of the traffic in
    basis points (1000 = 10%).
    """

    source: str
    mode: str
    release: str
    serial: int
    bundle_sha256: str
    commit: str | None
    expires: dt.datetime
    verified_at: dt.datetime
    from_cache: bool = False
    stale: bool = False
    error: str | None = None
    expired: bool = False
    trust_version: int = 1
    failures: int = 0
    canary: str | None = None
    canary_serial: int | None = None
    canary_weight: int = 0


def _status(loader: Loader, v: Verified, now: dt.datetime, **flags: Any) -> RegistryStatus:
    m, pointer = v.manifest, v.pointer
    expires = v._replace(pinned=False).expires
    assert expires is not None
    canary = pointer.canary if pointer is not None else None
    return RegistryStatus(
        source=loader.source.id,
        mode=loader.mode.describe(),
        release=m.release,
        serial=m.serial,
        bundle_sha256=m.bundle_sha256,
        commit=m.commit,
        expires=expires,
        verified_at=now,
        trust_version=v.trust.version,
        canary=canary.release if canary is not None else None,
        canary_serial=canary.serial if canary is not None else None,
        canary_weight=canary.weight if canary is not None else 0,
        **flags,
    )


def _snapshot(
    loader: Loader,
    v: Verified,
    status: RegistryStatus,
    keep: Snapshot | None = None,
    refused: str | None = None,
) -> Snapshot:
    """A snapshot of ``v``. From ``keep`` (a snapshot served with the same provenance
    flags), each release that is served again under the same arm keeps its compiled
    prompts: a re-signed pointer or a canary weight moved recompiles nothing."""
    channel = loader.mode.channel

    def served(manifest: Any, bundle: Any, arm: str | None, old: Served | None) -> Served:
        if old is not None and old.manifest == manifest and old.arm == arm:
            return old

        def provenance(**fields: Any) -> Provenance:
            return Provenance(
                release=manifest.release,
                serial=manifest.serial,
                bundle_sha256=manifest.bundle_sha256,
                commit=manifest.commit,
                from_cache=status.from_cache,
                stale=status.stale,
                channel=channel,
                expired=status.expired,
                **fields,
            )

        return Served(manifest, bundle, arm, provenance)

    canary = v.canary
    old_stable = keep.stable if keep is not None else None
    old_canary = keep.canary if keep is not None else None
    stable = served(v.manifest, v.bundle, STABLE if canary else None, old_stable)
    second = None
    if canary is not None:
        # A canary promoted to stable is a new arm: compiled again, with its new label.
        second = served(canary.manifest, canary.bundle, CANARY, old_canary)
    return Snapshot(v, status, stable, second, refused)


def marked(loader: Loader, snap: Snapshot, refused: str | None = None, **flags: Any) -> Snapshot:
    status = snap.status._replace(**flags)
    old = snap.status
    refused = refused or snap.refused
    same = (status.from_cache, status.stale, status.expired) == (
        old.from_cache,
        old.stale,
        old.expired,
    )
    if same and refused == snap.refused:
        # Same provenance flags: keep the compiled prompts, just update the status.
        return Snapshot(snap.verified, status, snap.stable, snap.canary, refused)
    return _snapshot(loader, snap.verified, status, None, refused)


def _warn_expired(v: Verified, why: str | None) -> None:
    expires = v.expires
    when = format_time(expires) if expires is not None else "?"
    warnings.warn(
        f"promptops: serving release {v.manifest.release} (serial {v.manifest.serial}), "
        f"expired at {when}, from the cache: nothing newer verifies" + (f" ({why})" if why else ""),
        ExpiredReleaseWarning,
        stacklevel=2,
    )


def _from_cache(
    loader: Loader, now: dt.datetime, error: str | None, **flags: Any
) -> Snapshot | None:
    found = loader.from_cache(now)
    if found is None:
        return None
    cached, expired = found
    if expired:
        _warn_expired(cached, error)
    status = _status(loader, cached, now, error=error, expired=expired, **flags)
    return _snapshot(loader, cached, status)


def load_snapshot(
    loader: Loader, config: RuntimeConfig, now: dt.datetime, current: Snapshot | None
) -> Snapshot:
    """One load: source first (pins: cache first, their bytes never change), cache second."""
    if loader.mode.pin is not None or config.offline:
        cached = _from_cache(loader, now, None, from_cache=config.offline)
        if cached is not None:
            return cached
        if config.offline:
            raise FetchError(f"offline: the cache holds no verified release for {loader.source.id}")
    try:
        v = loader.fetch(now)
    except (FetchError, ExpiredError) as exc:
        if isinstance(exc, ExpiredError) and config.expiry == "strict":
            raise
        if current is not None:
            expired = check_serving(current.verified, config, now)  # raises past staleness
            if expired and not current.status.expired:
                _warn_expired(current.verified, str(exc))
            failures = current.status.failures + 1
            return marked(
                loader, current, stale=True, error=str(exc), expired=expired, failures=failures
            )
        cached = _from_cache(loader, now, str(exc), from_cache=True, stale=True)
        if cached is not None:
            return cached
        if isinstance(exc, ExpiredError):
            raise
        where = f"in {loader.cache.root}" if loader.cache else "(no cache_dir given)"
        raise FetchError(f"{exc}; and no last-known-good release {where}") from exc
    status = _status(loader, v, now, error=loader.cache_error)
    clean = current is not None and not (
        current.status.stale or current.status.from_cache or current.status.expired
    )
    return _snapshot(loader, v, status, current if clean else None)
