"""``Registry``: open a published release, keep it fresh, hand out prompts.

All served state lives in one :class:`~promptops.runtime.served.Snapshot` (verified
release(s) + compiled prompts); a refresh builds a new one and swaps the reference, so a
render, which reads the reference once, can never see half of one release and half of
another. During a canary the snapshot holds both releases and each ``prompt(id, key=...)``
picks one by hashing the key with the pointer's signed salt (ADR 0018).
"""

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from promptops.errors import (
    BundleError,
    ExpiredError,
    PromptopsError,
    UsageError,
)
from promptops.runtime.assign import Key
from promptops.runtime.cache import Cache
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.loader import Loader, resolve_mode
from promptops.runtime.render import Prompt
from promptops.runtime.request import Request
from promptops.runtime.served import Assigned, Snapshot, check_name
from promptops.runtime.snapshots import RegistryStatus, load_snapshot, marked
from promptops.runtime.sources import open_source
from promptops.runtime.state import check_serving
from promptops.runtime.tools import ToolDecision, ToolPolicy
from promptops.runtime.trust_input import TrustInput, coerce_trust

if TYPE_CHECKING:
    from promptops.runtime.otel import Call, Telemetry

__all__ = ["Registry", "RegistryStatus"]

_EXPIRY_MODES = ("available", "strict")
_MAX_BACKOFF = 32  # refresh intervals


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
        return cls(loader, cfg, load_snapshot(loader, cfg, cfg.clock(), current=None))

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
                self._snapshot = load_snapshot(
                    self._loader, self._config, self._config.clock(), current
                )
            except ExpiredError as exc:
                self._snapshot = marked(
                    self._loader, current, stale=True, error=str(exc), refused=str(exc)
                )
                raise
            except BundleError as exc:
                self._snapshot = marked(self._loader, current, stale=True, error=str(exc))
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
            self._snapshot = marked(
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
