"""Every limit and knob of the runtime loader, in one frozen object.

Standard library only. The clock lives here too so tests (and replays) inject time; each
operation reads it exactly once.
"""

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["RuntimeConfig", "utc_now"]


def utc_now() -> dt.datetime:
    """The default clock: the current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class RuntimeConfig(NamedTuple):
    """Limits, timeouts and policy of a :class:`~promptops.runtime.Registry`.

    Attributes:
        max_bundle_bytes: largest ``bundle.json`` fetched or read from the cache.
        max_envelope_bytes: largest ``release.dsse.json`` or channel pointer.
        max_prompts: most prompts a bundle index may list.
        max_prompt_bytes: largest single compiled prompt the runtime will parse.
        max_name_bytes: largest ``digests/<hex>`` file (it holds a release name).
        http_timeout: seconds for connecting and for each read of an HTTP fetch.
        expiry_grace: how long after ``expires`` a pointer or manifest is still accepted
            (freeze protection starts after it). Pins by digest never expire.
        validate_inputs: validate render inputs against the prompt's input schema.
        offline: never contact the source; serve the verified last-known-good from the cache.
        refresh_interval: seconds between background refreshes; ``None`` disables the thread.
        clock: returns the current UTC time; read once per operation.
        user_agent: sent with every HTTP request.
        otel: add each render's prompt attributes to the current OpenTelemetry span
            (needs ``pip install 'promptops[otel]'``; see ``runtime/otel.py``).
        otel_aliases: also write the attributes under these vendors' names:
            ``langfuse``, ``openinference``, ``traceloop``.
        otel_capture_content: record template text, variables and messages; ``None``
            follows ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``.
    """

    max_bundle_bytes: int = 64 * 1024 * 1024
    max_envelope_bytes: int = 16 * 1024 * 1024
    max_prompts: int = 100_000
    max_prompt_bytes: int = 4 * 1024 * 1024
    max_name_bytes: int = 256
    http_timeout: float = 10.0
    expiry_grace: dt.timedelta = dt.timedelta(0)
    validate_inputs: bool = True
    offline: bool = False
    refresh_interval: float | None = None
    clock: Callable[[], dt.datetime] = utc_now
    user_agent: str = "promptops-runtime"
    otel: bool = False
    otel_aliases: tuple[str, ...] = ()
    otel_capture_content: bool | None = None
