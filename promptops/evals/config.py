"""Every limit and knob of an eval run, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EvalConfig", "RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter on 429, 5xx, timeouts and dropped connections.

    The delay before retry ``n`` (1-based) is uniform in ``[0, min(max_delay,
    base_delay * 2**(n-1))]``, raised to the server's ``Retry-After`` when it sends one
    (capped by ``max_delay``).
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0


@dataclass(frozen=True)
class EvalConfig:
    """Caps on what an eval run reads and sends, and how it talks to providers."""

    concurrency: int = 8
    timeout_s: float = 60.0
    retry: RetryPolicy = RetryPolicy()
    max_cases: int = 100_000
    max_repeat: int = 100
    max_output_chars: int = 1_000_000
    max_recording_bytes: int = 4_000_000
    excerpt_chars: int = 200
    max_regex_chars: int = 1_000
    # --batch: seconds between polls of a provider's batch.
    batch_poll_s: float = 10.0
