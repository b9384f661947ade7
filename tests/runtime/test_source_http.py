from __future__ import annotations

import socket
from pathlib import Path

import pytest

from promptops.errors import FetchError
from promptops.runtime import Registry
from promptops.runtime.cache import Cache
from promptops.runtime.source_http import HttpSource
from tests.runtime.conftest import Served
from tests.runtime.fixtures import CONFIG, TRUST, publish


def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    with socket.socket() as listener:  # accepts connections (backlog), never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        # The first thing fetched is the next trust version.
        with pytest.raises(FetchError, match=r"/trust/2.json: cannot fetch \(timed out\)"):
            Registry.open(
                url,
                trust=TRUST,
                channel="production",
                config=CONFIG._replace(http_timeout=0.2),
            )


def test_reads_stop_at_the_cap(http_root: Served) -> None:
    (http_root.root / "big").write_bytes(b"x" * 10_000)
    fetched = HttpSource(http_root.url, CONFIG, None).read("big", 100)
    assert len(fetched.data) == 101  # cap + 1: enough to say "too big", no more


def test_a_304_for_a_blob_no_longer_cached_is_fetched_again(
    tmp_path: Path, http_root: Served
) -> None:
    publish(http_root.root)
    cache = tmp_path / "c"
    Registry.open(http_root.url, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)
    for blob in (cache / "blobs").iterdir():
        blob.unlink()
    http_root.log.clear()
    reg = Registry.open(
        http_root.url, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG
    )
    assert reg.status.release == "v1"
    assert http_root.log == [
        ("/trust/2.json", 404),
        ("/channels/production.json", 304),
        ("/channels/production.json", 200),
        ("/releases/v1/release.dsse.json", 304),
        ("/releases/v1/release.dsse.json", 200),
        ("/releases/v1/bundle.json", 304),
        ("/releases/v1/bundle.json", 200),
    ]
    assert Cache(cache).etag(http_root.url + "channels/production.json") is not None
