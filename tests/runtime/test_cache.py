from __future__ import annotations

import base64
import multiprocessing
import os
import signal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from promptops.errors import FetchError
from promptops.runtime import Registry
from promptops.runtime.cache import Cache
from tests.runtime._workers import reader, writer_killed_before_replace
from tests.runtime.fixtures import CONFIG, KEY, TRUST, cache_files, compiled, publish

KEYS = [base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()]
# fork: children inherit the imported runtime (spawn re-imports pytest in each of 8
# children, which costs seconds on a loaded 2-core CI box). No threads run in these tests.
_START = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
OFFLINE = CONFIG._replace(offline=True)


def _release(root: Path, serial: int) -> None:
    greet = compiled(
        "greet",
        [("user", f"Hello v{serial} {{{{ name }}}}.", "substitute")],
        properties={"name": {"type": "string"}},
    )
    publish(root, {"greet": greet}, release=f"v{serial}", serial=serial, commit=f"{serial:040x}")


def test_blob_round_trip_and_corruption_reads_as_missing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put(b"hello")
    assert cache.get(digest, 100) == b"hello"
    assert cache.get(digest, 4) is None  # over the cap: not served
    (tmp_path / "blobs" / digest).write_bytes(b"hellO")
    assert cache.get(digest, 100) is None
    assert not (tmp_path / "blobs" / digest).exists()


def test_serial_record_keeps_the_highest_with_its_signers(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.highest_serial("k") is None
    cache.record_serial("k", 7, ("a" * 64,))
    cache.record_serial("k", 6, ("b" * 64,))  # a slower process finishing late
    assert cache.highest_serial("k") == (7, ("a" * 64,))
    assert sorted(os.listdir(tmp_path / "serials" / "k")) == ["6", "7"]
    cache.record_serial("k", 8, ())
    assert sorted(os.listdir(tmp_path / "serials" / "k")) == ["8"]
    (tmp_path / "serials" / "k" / "9").write_bytes(b"")  # written by an older promptops
    assert cache.highest_serial("k") == (9, None)


def test_eight_processes_refreshing_one_cache_never_read_a_torn_release(tmp_path: Path) -> None:
    pub, cache = tmp_path / "pub", tmp_path / "cache"
    _release(pub, 1)
    ctx = multiprocessing.get_context(_START)
    with ctx.Pool(8) as pool:
        jobs = [pool.apply_async(reader, (str(pub), str(cache), KEYS, 10)) for _ in range(8)]
        for serial in range(2, 6):  # publish while they read
            _release(pub, serial)
        results = [job.get(timeout=300) for job in jobs]
    assert all(len(r) == 20 for r in results)
    record = Cache(cache).highest_serial(next(iter(os.listdir(cache / "serials"))))
    assert record is not None and record[0] == 5
    assert not [f for f in cache_files(cache) if f.endswith(".tmp")]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_during_a_cache_write_leaves_nothing_served(tmp_path: Path) -> None:
    pub, cache = tmp_path / "pub", tmp_path / "cache"
    _release(pub, 1)
    ctx = multiprocessing.get_context(_START)
    ready_r, ready_w = ctx.Pipe(duplex=False)
    hold_r, _hold_w = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=writer_killed_before_replace, args=(str(pub), str(cache), KEYS, ready_w, hold_r)
    )
    child.start()
    temp = ready_r.recv()
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL
    assert Path(temp).exists() and [f for f in cache_files(cache)] == [
        str(Path(temp).relative_to(cache))
    ]
    with pytest.raises(FetchError, match="offline: the cache holds no verified release"):
        Registry.open(pub, trust=TRUST, channel="production", cache_dir=cache, config=OFFLINE)
    reg = Registry.open(pub, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)
    assert reg.prompt("greet").render(name="x").messages[0]["content"] == "Hello v1 x."
    again = Registry.open(pub, trust=TRUST, channel="production", cache_dir=cache, config=OFFLINE)
    assert again.status.from_cache and again.status.release == "v1"


def test_open_blob_gives_a_blob_to_read_where_needed_unhashed(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    digest = cache.put(b'{"format":"x"}')
    blob = cache.open_blob(digest, 100)
    assert blob is not None and bytes(blob) == b'{"format":"x"}' and blob[2:8] == b"format"
    (tmp_path / "blobs" / digest).write_bytes(b"not what was put")  # the caller checks
    again = cache.open_blob(digest, 100)
    assert again is not None and bytes(again) == b"not what was put"
    assert cache.open_blob("0" * 64, 100) is None
    assert cache.open_blob("../etc/passwd", 100) is None
    assert cache.open_blob(digest, 4) is None  # over the cap


def test_a_large_cached_bundle_is_read_only_where_a_prompt_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import promptops.runtime.blob as blob_module
    from promptops.runtime.blob import FileBlob
    from promptops.runtime.bundle import Bundle
    from promptops.runtime.pages import cut_pages
    from tests.release.tamper_cases import make_bundle

    prompts = {f"p{i:04d}": compiled(f"p{i:04d}", [("user", "x" * 2000, "text")])
               for i in range(2500)}  # fmt: skip
    data = make_bundle(prompts, "a" * 40)
    cache = Cache(tmp_path)
    digest = cache.put(data)
    read: list[int] = []
    real = os.pread
    monkeypatch.setattr(
        blob_module.os, "pread", lambda fd, n, at: read.append(n) or real(fd, n, at)
    )
    blob = cache.open_blob(digest, 10**8)
    assert isinstance(blob, FileBlob) and len(blob) == len(data)
    bundle = Bundle.parse(blob, max_prompts=10**6, signed=cut_pages(data))
    assert bundle.load("p2499", max_bytes=10**6)["id"] == "p2499"
    assert sum(read) < 40_000 < len(data) // 100  # the header, one index page, one prompt
    assert bundle.source == {"commit": "a" * 40, "dirty": False, "tree": None}
