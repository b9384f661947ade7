"""Every limit and knob of the runtime loader, in one frozen object.

Standard library only. The clock lives here too so tests (and replays) inject time; each
operation reads it exactly once.
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

# The default cap on a bundle fetched, read from the cache or verified (ADR 0019).
MAX_BUNDLE_BYTES = 256 * 1024 * 1024

__all__ = ["RuntimeConfig", "utc_now"]


def utc_now() -> dt.datetime:
    """The default clock: the current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class RuntimeConfig(NamedTuple):
    """Limits, timeouts and policy of a :class:`~promptops.runtime.Registry`.

    Attributes:
        max_bundle_bytes: largest ``bundle.json`` fetched or read from the cache. 256 MiB
            holds a 50,000-prompt release (~77 MB) with room; a cached bundle is never
            read whole (ADR 0019), so the cap costs memory only on a fetch.
        max_envelope_bytes: largest ``release.dsse.json`` or channel pointer.
        max_prompts: most prompts a bundle index may list.
        max_prompt_bytes: largest single compiled prompt the runtime will parse.
        max_name_bytes: largest ``digests/<hex>`` file (it holds a release name).
        http_timeout: seconds for connecting and for each read of an HTTP fetch.
        fetch_deadline: seconds one load (open or refresh: trust versions, pointer,
            manifest, bundle) may spend fetching in total; past it the load fails as
            unreachable and the cache fallback starts.
        expiry_grace: how long after ``expires`` a pointer or manifest is still accepted
            from a source (freeze protection starts after it). Pins by digest never expire.
        expiry: ``"available"`` (default): a source serving an expired pointer or release is
            refused, but the last verified release in the cache keeps being served, flagged
            ``expired``, until ``max_staleness`` past its expiry. ``"strict"``: an expired
            release is never served.
        max_staleness: how long past expiry a cached release may still be served.
        max_trust_rotations: most trust versions one load walks.
        validate_inputs: validate render inputs against the prompt's input schema.
        offline: never contact the source; serve the verified last-known-good from the cache.
        refresh_interval: seconds between background refreshes; ``None`` disables the thread.
            After a failure the wait doubles (up to 32 intervals) until one succeeds.
        clock: returns the current UTC time; read once per operation.
        user_agent: sent with every HTTP request.
        otel: add each render's prompt attributes to the current OpenTelemetry span
            (needs ``pip install 'promptops[otel]'``; see ``runtime/otel.py``).
        otel_aliases: also write the attributes under these vendors' names:
            ``langfuse``, ``openinference``, ``traceloop``.
        otel_capture_content: record template text, variables and messages; ``None``
            follows ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``.
        assignment_key: the key every ``prompt(id)`` without ``key=`` is assigned by
            (a tenant, a host; ADR 0018): during a canary it decides the release, for a
            prompt with an experiment the variant. ``None``: each request on its own.
    """

    max_bundle_bytes: int = MAX_BUNDLE_BYTES
    max_envelope_bytes: int = 16 * 1024 * 1024
    max_prompts: int = 100_000
    max_prompt_bytes: int = 4 * 1024 * 1024
    max_name_bytes: int = 256
    http_timeout: float = 10.0
    fetch_deadline: float = 60.0
    expiry_grace: dt.timedelta = dt.timedelta(0)
    expiry: str = "available"
    max_staleness: dt.timedelta = dt.timedelta(days=90)
    max_trust_rotations: int = 256
    validate_inputs: bool = True
    offline: bool = False
    refresh_interval: float | None = None
    clock: Callable[[], dt.datetime] = utc_now
    user_agent: str = "promptops-runtime"
    otel: bool = False
    otel_aliases: tuple[str, ...] = ()
    otel_capture_content: bool | None = None
    assignment_key: str | int | None = None
