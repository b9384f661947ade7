"""Child-process bodies for the cache tests. Kept import-light on purpose: spawned
children import only this module and the runtime, not the test fixtures."""

from __future__ import annotations

import datetime as dt
import os
from multiprocessing.connection import Connection

from promptops.runtime import Registry, RuntimeConfig

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _config(offline: bool = False) -> RuntimeConfig:
    return RuntimeConfig(clock=lambda: NOW, offline=offline)


def reader(pub: str, cache: str, trust: list[str], rounds: int) -> list[int]:
    """Open, refresh and open offline ``rounds`` times; every read must verify and match."""
    seen = []
    for _ in range(rounds):
        reg = Registry.open(
            pub, trust=trust, channel="production", cache_dir=cache, config=_config()
        )
        reg.refresh()
        off = Registry.open(
            pub, trust=trust, channel="production", cache_dir=cache, config=_config(offline=True)
        )
        for r in (reg, off):
            req = r.prompt("greet").render(name="x")
            serial = req.provenance.serial
            # The text is that release's own: no torn reads, no mixed releases.
            assert req.messages[0]["content"] == f"Hello v{serial} x.", req.messages
            assert serial is not None
            seen.append(serial)
    return seen


def writer_killed_before_replace(
    pub: str, cache: str, trust: list[str], ready: Connection, hold: Connection
) -> None:
    """Open with a cache whose first ``os.replace`` blocks forever (the parent kills us)."""
    real_replace = os.replace

    def blocking_replace(src: str, dst: str) -> None:
        ready.send(str(src))  # the temp file is fully written and fsynced
        hold.recv()  # never answered
        real_replace(src, dst)

    os.replace = blocking_replace  # type: ignore[assignment]
    Registry.open(pub, trust=trust, channel="production", cache_dir=cache, config=_config())
