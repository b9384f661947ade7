"""Durations such as ``90d`` for ``--expires``."""

from __future__ import annotations

import datetime as dt
import re

from promptops.errors import UsageError

__all__ = ["MAX_EXPIRY", "parse_duration"]

_DURATION = re.compile(r"^(\d{1,6})([hdw])$")
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
# A signature that never expires gives no freeze protection; cap it at about two years.
MAX_EXPIRY = dt.timedelta(days=731)


def parse_duration(text: str) -> dt.timedelta:
    """Parse ``<n>h``, ``<n>d`` or ``<n>w``.

    Raises:
        UsageError: if ``text`` is not such a duration, is zero, or exceeds MAX_EXPIRY.
    """
    match = _DURATION.match(text.strip())
    if match is None:
        raise UsageError(f"expires: expected a duration like 90d, 12h or 4w, found {text!r}")
    value = int(match.group(1)) * _UNITS[match.group(2)]
    if not dt.timedelta(0) < value <= MAX_EXPIRY:
        raise UsageError(
            f"expires: {text} is outside 1h..{MAX_EXPIRY.days}d; releases must expire to keep "
            "freeze protection"
        )
    return value
