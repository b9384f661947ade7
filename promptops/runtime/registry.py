"""``Registry``: open a published release, keep it fresh, hand out prompts.

All served state lives in one :class:`~promptops.runtime.served.Snapshot` (verified
release(s) + compiled prompts); a refresh builds a new one and swaps the reference, so a
render, which reads the reference once, can never see half of one release and half of
another. During a canary the snapshot holds both releases and each ``prompt(id, key=...)``
picks one by hashing the key with the pointer's signed salt (ADR 0018).
"""

import contextlib
import datetime as dt
import os
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from promptops.errors import (
    BundleError,
    ExpiredError,
    ExpiredReleaseWarning,
    FetchError,
    PromptopsError,
    UsageError,
)
from promptops.runtime.assign import Key
from promptops.runtime.cache import Cache
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.loader import Loader, resolve_mode
from promptops.runtime.render import Prompt
from promptops.runtime.request import Provenance, Request
from promptops.runtime.served import CANARY, STABLE, Assigned, Served, Snapshot, check_name
from promptops.runtime.sources import open_source
from promptops.runtime.state import Verified, check_serving
from promptops.runtime.tools import ToolDecision, ToolPolicy
from promptops.runtime.trust import format_time
from promptops.runtime.trust_input import TrustInput, coerce_trust

if TYPE_CHECKING:
    from promptops.runtime.otel import Call, Telemetry

__all__ = ["Registry", "RegistryStatus"]

_EXPIRY_MODES = ("available", "strict")
_MAX_BACKOFF = 32  # refresh intervals


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


class Registry:
    """A verified release of prompts, loaded from a published layout.

    Use :meth:`open`; see "Runtime API" in the README.
    """

    def __init__(self, loader: Loader, config: RuntimeConfig, snapshot: Snapshot) -> None:
        self._loader = loader
        self._config = config
        self._snapshot = snapshot
        self._key = config.assignment_key
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._attempts = threading.Condition()
        self._attempted = 0  # background refresh attempts, for tests to wait on
        self._thread: threading.Thread | None = None
        # Imported only when asked for: applications without tracing never load opentelemetry.
        self._telemetry: Telemetry | None = _telemetry(config) if config.otel else None
        if config.refresh_interval is not None:
            self._thread = threading.Thread(
                target=self._refresh_loop, name="promptops-refresh", daemon=True
            )
            self._thread.start()

    @classmethod
    def open(
        cls,
        source: str | os.PathLike[str],
        *,
        trust: TrustInput,
        channel: str | None = None,
        pin: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        config: RuntimeConfig | None = None,
    ) -> "Registry":
        """Load and verify a release.

        ``source`` is the root of a published layout (then give ``channel`` or ``pin``)
        or one ``releases/NAME`` directory, as a path, ``file://`` or ``http(s)://`` URL.
        ``pin="sha256:HEX"`` loads exactly that bundle and skips rollback and expiry
        checks. Without ``cache_dir`` nothing is written and there is no offline fallback.

        Raises:
            UsageError: if the arguments contradict each other or the source, or the cache
                directory is unsafe (writable by every user, another user's).
            FetchError: if the source cannot be read and the cache has no release.
            BundleError, SignatureError, RollbackError: if what it serves does not verify.
            ExpiredError: if the release is expired and no cached copy may be served.
        """
        cfg = config or RuntimeConfig()
        if cfg.expiry not in _EXPIRY_MODES:
            raise UsageError(
                f"RuntimeConfig.expiry must be one of {_EXPIRY_MODES}, not {cfg.expiry!r}"
            )
        root = coerce_trust(trust)
        cache = Cache(cache_dir) if cache_dir is not None else None
        src = open_source(source, cfg, cache)
        loader = Loader(src, resolve_mode(src, os.fspath(source), channel, pin), root, cfg, cache)
        return cls(loader, cfg, _load(loader, cfg, cfg.clock(), current=None))

    # -- serving --------------------------------------------------------------------
    @property
    def status(self) -> RegistryStatus:
        """What is served now, whether it came from the cache, may be stale, or has
        expired (checked against the clock now, not only at the last refresh)."""
        status = self._snapshot.status
        if not status.expired:
            try:
                expired = check_serving(self._snapshot.verified, self._config, self._config.clock())
            except ExpiredError:
                expired = True
            if expired:
                return status._replace(expired=True)
        return status

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id in the served release."""
        return self._snapshot.verified.bundle.ids

    def prompt(self, prompt_id: str, key: Key | None = None, variant: str | None = None) -> Prompt:
        """The prompt ``prompt_id`` of the release served now, compiled on first use.

        ``key`` (a user id, say; else ``RuntimeConfig.assignment_key``) assigns this request
        to an arm where there is a choice (ADR 0018): during a canary, to the stable or the
        canary release; for a prompt with an experiment, to one of its variants. The same
        key always gets the same arm for the same signed salt; without any key, each call
        is assigned on its own. ``prompt.provenance`` names the release, ``arm``,
        ``variant`` and ``experiment_arm`` chosen.

        ``variant`` asks for one variant by name instead (``"base"``: the prompt as
        written), whether or not an experiment runs on the prompt: for a preview, a
        support tool, or an assignment made elsewhere. Its provenance names the variant
        and no experiment.

        Call it per request (a dict lookup once warm, plus a hash where there is a choice)
        to pick up refreshes; a held :class:`Prompt` keeps rendering the release it came
        from.

        Raises:
            UsageError: if the release has no such prompt (or no such ``variant``), the
                id or variant is not a str, or the key is not a str or int.
            BundleError: if its bytes do not hash to the signed digest.
            ExpiredError: if a refresh found the release past ``max_staleness`` (or
                expired, with ``expiry="strict"``) and nothing newer verifies.
        """
        check_name(prompt_id, "prompt id")
        snap = self._snapshot
        if key is None:
            key = self._key
        split = snap.split
        served = snap.stable if split is None else split.choose(key)  # a canary: two releases
        if variant is not None:
            check_name(variant, "variant name")
            if snap.refused is not None:
                raise ExpiredError(snap.refused)
            return served.variant(
                prompt_id, variant, self._config.max_prompt_bytes, self._config.validate_inputs,
                self._observe(),
            )  # fmt: skip
        prompt = served.prompts.get(prompt_id)
        if prompt is None:
            assigned = served.assigned.get(prompt_id)
            if assigned is not None:
                return assigned.choose(key)
            if snap.refused is not None:
                raise ExpiredError(snap.refused)
            found = served.compile(
                prompt_id, self._config.max_prompt_bytes, self._config.validate_inputs,
                self._observe(),
            )  # fmt: skip
            return found.choose(key) if isinstance(found, Assigned) else found
        return prompt

    def check_tool_call(
        self, prompt_id: str, tool: str, args: Any, key: Key | None = None
    ) -> ToolDecision:
        """May ``prompt_id``'s model call ``tool`` with ``args``? See :class:`ToolDecision`.

        ``key``: as for :meth:`prompt`, so that during a canary the policy checked is that
        of the release the request was rendered from (pass the same key).

        Raises:
            UsageError: if the release has no such prompt, or the id is not a str.
        """
        check_name(prompt_id, "prompt id")
        snap = self._snapshot
        served = snap.serve(key if key is not None else self._key)
        policy = served.policies.get(prompt_id)
        if policy is None:
            obj = served.load(prompt_id, self._config.max_prompt_bytes)
            policy = served.policies[prompt_id] = ToolPolicy(prompt_id, obj.get("tools") or [])
        return policy.check(tool, args)

    def _observe(self) -> Any:
        return self._telemetry.render_hook if self._telemetry is not None else None

    @contextlib.contextmanager
    def trace(
        self, request: Request, attributes: Mapping[str, Any] | None = None
    ) -> Iterator["Call"]:
        """An OpenTelemetry GenAI client span around the model call for ``request``::

            with reg.trace(req) as call:
                response = client.chat.completions.create(**req.to_openai_chat())
                call.record(response)          # usage, latency, cost from the pin's pricing

        The span (``chat MODEL``, kind client, ``gen_ai.operation.name = chat``) carries the
        prompt's name, release, digests, channel, model and params; ``attributes`` are
        added as given. Works with or without ``RuntimeConfig(otel=True)``.

        Raises:
            UsageError: if ``opentelemetry-api`` is not installed.
        """
        if self._telemetry is None:
            self._telemetry = _telemetry(self._config)
        with self._telemetry.trace(request, attributes) as call:
            yield call

    # -- refreshing -----------------------------------------------------------------
    def refresh(self) -> RegistryStatus:
        """Check the source for a newer release now and swap it in if it verifies.

        An unreachable source, or one serving an expired release, keeps the current
        release (flagged ``stale``, and ``expired`` once it is).

        Raises:
            BundleError, SignatureError, RollbackError: if the source serves something
                that does not verify (the current release stays served).
            ExpiredError: if the current release may no longer be served and nothing newer
                verifies (``prompt`` raises it too from then on).
        """
        with self._lock:
            current = self._snapshot
            try:
                self._snapshot = _load(self._loader, self._config, self._config.clock(), current)
            except ExpiredError as exc:
                self._snapshot = _marked(
                    self._loader, current, stale=True, error=str(exc), refused=str(exc)
                )
                raise
            except BundleError as exc:
                self._snapshot = _marked(self._loader, current, stale=True, error=str(exc))
                raise
            return self._snapshot.status

    def _refresh_loop(self) -> None:
        interval = self._config.refresh_interval
        assert interval is not None
        failures = 0
        while not self._stop.wait(backoff(interval, failures)):
            try:
                status = self.refresh()
                failures = status.failures
            except Exception as exc:  # the thread must outlive any error
                failures += 1
                self._record_failure(exc, failures)
            with self._attempts:
                self._attempted += 1
                self._attempts.notify_all()

    def _record_failure(self, exc: Exception, failures: int) -> None:
        """Say in status why the background refresh failed; the release stays served."""
        what = str(exc) if isinstance(exc, PromptopsError) else f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._snapshot = _marked(
                self._loader,
                self._snapshot,
                stale=True,
                error=f"refresh failed: {what}",
                failures=failures,
            )

    def _wait_for_refreshes(self, count: int, timeout: float) -> bool:
        """Block until the background thread made ``count`` attempts (for tests)."""
        with self._attempts:
            return self._attempts.wait_for(lambda: self._attempted >= count, timeout)

    def close(self) -> None:
        """Stop the background refresh thread, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _telemetry(config: RuntimeConfig) -> "Telemetry":
    from promptops.runtime.otel import Telemetry

    return Telemetry(config.otel_aliases, config.otel_capture_content)


def backoff(interval: float, failures: int) -> float:
    """Seconds to wait after ``failures`` failed refreshes in a row: the interval, doubled
    per failure, at most 32 intervals (a host that is down is not hammered)."""
    return float(interval * min(2 ** min(failures, 5), _MAX_BACKOFF))


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


def _marked(loader: Loader, snap: Snapshot, refused: str | None = None, **flags: Any) -> Snapshot:
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


def _load(
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
            return _marked(
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
