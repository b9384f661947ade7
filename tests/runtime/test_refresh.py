"""The background refresh survives any error, says so in ``status``, backs off, and picks
up the next good release; a total fetch deadline bounds a dripping server."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptops.errors import BundleError, FetchError
from promptops.runtime import Registry
from promptops.runtime.registry import backoff
from tests.runtime.fixtures import CONFIG, TRUST, publish

DEEP = b"[" * 20000 + b"]" * 20000


def _wait(reg: Registry, attempts: int) -> None:
    assert reg._wait_for_refreshes(attempts, timeout=120), "the refresh thread stopped"


def test_a_hostile_pointer_neither_crashes_open_nor_kills_the_refresh_thread(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    publish(site)
    config = CONFIG._replace(refresh_interval=0.01)
    with Registry.open(site, trust=TRUST, channel="production", config=config) as reg:
        (site / "channels" / "production.json").write_bytes(DEEP)
        _wait(reg, 2)
        st = reg.status
        assert (st.release, st.stale) == ("v1", True)
        assert st.failures >= 1
        assert st.error == ("refresh failed: envelope: JSON nested more than 128 levels deep")
        publish(site, release="v2", serial=2, commit="b" * 40)
        done = reg._attempted
        while reg.status.release != "v2":
            _wait(reg, done + 1)
            done += 1
        assert (reg.status.stale, reg.status.failures, reg.status.error) == (False, 0, None)
    with pytest.raises(BundleError, match="nested more than 128 levels deep"):
        (site / "channels" / "production.json").write_bytes(DEEP)
        Registry.open(site, trust=TRUST, channel="production", config=CONFIG)


def test_the_refresh_thread_survives_an_unexpected_error(tmp_path: Path) -> None:
    publish(tmp_path / "site")
    config = CONFIG._replace(refresh_interval=0.01)
    with Registry.open(tmp_path / "site", trust=TRUST, channel="production", config=config) as reg:
        real = reg._loader.fetch
        calls = []

        def broken(now: dt.datetime) -> object:
            calls.append(now)
            if len(calls) == 1:
                raise RuntimeError("a bug nobody foresaw")
            return real(now)

        reg._loader.fetch = broken  # type: ignore[method-assign,assignment]
        _wait(reg, 1)
        assert reg.status.error == "refresh failed: RuntimeError: a bug nobody foresaw"
        _wait(reg, 2)
        assert reg.status.error is None and len(calls) >= 2


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(10, n) for n in (0, 1, 2, 5, 9)] == [10, 20, 40, 320, 320]


@pytest.fixture
def dripping() -> Iterator[str]:
    """An HTTP server that sends headers, then one byte every 20 ms, for ever."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # so the accept loop sees `stop` (close() does not wake it)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not stop.wait(0.02):
                try:
                    conn.sendall(b"[")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    thread.join()
    listener.close()


def test_a_dripping_server_cannot_hold_open_past_the_deadline(
    tmp_path: Path, dripping: str
) -> None:
    publish(tmp_path / "site")
    cache = tmp_path / "cache"
    Registry.open(tmp_path / "site", trust=TRUST, channel="production", cache_dir=cache,
                  config=CONFIG)  # fmt: skip
    slow = CONFIG._replace(http_timeout=60.0, fetch_deadline=0.3)
    reg = Registry.open(dripping, trust=TRUST, channel="production", cache_dir=cache, config=slow)
    st = reg.status
    assert (st.release, st.from_cache, st.stale) == ("v1", True, True)
    assert st.error is not None and "the fetch deadline passed (fetch_deadline)" in st.error
    with pytest.raises(FetchError, match=r"the fetch deadline passed"):
        Registry.open(dripping, trust=TRUST, channel="production", config=slow)


def test_a_dripping_registry_cannot_hold_open_past_the_deadline(dripping: str) -> None:
    host = dripping.removeprefix("http://").rstrip("/")
    slow = CONFIG._replace(http_timeout=60.0, fetch_deadline=0.3)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"the fetch deadline passed"):
        Registry.open(f"oci://{host}/acme/prompts", trust=TRUST, channel="production",
                      config=slow)  # fmt: skip
    assert time.monotonic() - started < 5
