"""The cache holds only signed bytes, canonically, prunes what no record names, and treats
hostile files (FIFOs, symlinks, truncated bundles, a world-writable directory) as missing
or refuses them: never a hang, a write elsewhere, or a crash."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.runtime import Registry
from promptops.runtime.cache import PRUNE_GRACE_SECONDS, Cache
from promptops.runtime.digest import sha256_hex
from tests.runtime.fixtures import CONFIG, TRUST, cache_files, compiled, publish

POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes, FIFOs and signals")


def _open(site: Path, cache: Path) -> Registry:
    return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)


def _release(site: Path, serial: int) -> str:
    greet = compiled("greet", [("user", f"v{serial} {{{{ name }}}}", "substitute")],
                     properties={"name": {"type": "string"}})  # fmt: skip
    return publish(
        site, {"greet": greet}, release=f"v{serial}", serial=serial, commit=f"{serial:040x}"
    )


def _pad(path: Path) -> None:
    """What a mirror may do to an envelope without breaking its signature: add a field,
    re-indent it."""
    env = json.loads(path.read_bytes())
    env["mirror"] = "x" * 1000
    path.write_text(json.dumps(env, indent=4) + "\n" * 100)


def test_only_the_signed_bytes_are_cached_canonically(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site)
    _pad(site / "releases/v1/release.dsse.json")
    _pad(site / "channels/production.json")
    _open(site, cache)
    blobs = {p.name: p.read_bytes() for p in (cache / "blobs").iterdir()}
    envelopes = [b for b in blobs.values() if b.startswith(b'{"payload":')]
    assert len(envelopes) == 2 and all(b"mirror" not in b and b"    " not in b for b in envelopes)
    for _ in range(4):  # four refreshes of re-padded envelopes: nothing new is stored
        _pad(site / "channels/production.json")
        _open(site, cache)
    assert {p.name for p in (cache / "blobs").iterdir()} == set(blobs)


def test_blobs_no_record_names_are_pruned(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    first = _release(site, 1)
    _open(site, cache)
    old = (cache / "blobs" / first).stat().st_mtime - PRUNE_GRACE_SECONDS - 1
    for blob in (cache / "blobs").iterdir():
        os.utime(blob, (old, old))
    for serial in (2, 3, 4):
        _release(site, serial)
        _open(site, cache)
    names = {p.name for p in (cache / "blobs").iterdir()}
    assert first not in names
    assert len(names) == 3 + 2 * 3  # v4's bundle, manifest and pointer; v2, v3 still fresh


def test_a_blob_just_written_by_another_process_is_not_pruned(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    digest = cache.put(b"a release another process is about to record")
    assert cache.prune() == 0 and cache.open_blob(digest, 100) is not None


@POSIX
def test_a_world_writable_cache_directory_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "site")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(UsageError, match=r"is writable by every user \(mode 777\).*chmod 700"):
        _open(tmp_path / "site", shared)


@POSIX
def test_cache_directories_are_private(tmp_path: Path) -> None:
    publish(tmp_path / "site")
    _open(tmp_path / "site", tmp_path / "cache")
    for path in [tmp_path / "cache", *(tmp_path / "cache").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


@POSIX
def test_a_symlinked_serials_directory_never_makes_the_runtime_write_elsewhere(
    tmp_path: Path,
) -> None:
    site, cache, elsewhere = tmp_path / "site", tmp_path / "cache", tmp_path / "elsewhere"
    publish(site)
    elsewhere.mkdir()
    (cache).mkdir(mode=0o700)
    (cache / "serials").symlink_to(elsewhere)
    reg = _open(site, cache)
    assert reg.status.release == "v1"
    assert list(elsewhere.iterdir()) == []
    assert reg.status.error is not None and "not a directory (a symlink?)" in reg.status.error


@POSIX
def test_a_symlink_planted_at_a_blob_is_not_followed(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site)
    (cache / "blobs").mkdir(parents=True, mode=0o700)
    secret = tmp_path / "secret"
    secret.write_bytes(b"not yours")
    (cache / "blobs" / digest).symlink_to(secret)
    assert _open(site, cache).status.release == "v1"
    assert not (cache / "blobs" / digest).is_symlink()  # replaced by the verified bytes
    assert secret.read_bytes() == b"not yours"


def _in_child(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # A separate process: before the fixes below, these hung forever or died of SIGBUS.
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )


_CHILD = """
    import os, sys
    from pathlib import Path
    from promptops.runtime import Registry
    from tests.runtime.fixtures import CONFIG, TRUST
    site, cache = Path(sys.argv[1] if len(sys.argv) > 1 else {site!r}), Path({cache!r})
    def open_():
        return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache,
                             config=CONFIG)
"""


@POSIX
def test_a_fifo_planted_at_the_bundle_blob_does_not_hang_open(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site)
    (cache / "blobs").mkdir(parents=True, mode=0o700)
    os.mkfifo(cache / "blobs" / digest)
    code = (
        _CHILD.format(site=str(site), cache=str(cache))
        + """
    print(open_().status.release)
    """
    )
    result = _in_child(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "v1"


@POSIX
def test_truncating_the_cached_bundle_under_a_running_app_cannot_kill_it(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = publish(site)
    _open(site, cache)  # warm: the next open reads the bundle from the cache
    code = (
        _CHILD.format(site=str(site), cache=str(cache))
        + f"""
    reg = open_()
    os.truncate(cache / "blobs" / {digest!r}, 10)  # someone truncates it in place
    print(reg.prompt("support/loop").render(name="Ada").messages[0]["content"][-12:])
    """
    )
    result = _in_child(code)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.strip() == "Thanks, Ada."


def test_nothing_but_verified_files_is_ever_in_the_cache(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site)
    _open(site, cache)
    files = cache_files(cache)
    assert {f.split("/")[0] for f in files} == {"blobs", "lkg", "serials"}
    assert not [f for f in files if f.endswith(".tmp")]


def _large(site: Path) -> str:
    prompts = {f"p{i:04d}": compiled(f"p{i:04d}", [("user", "x" * 2000, "text")])
               for i in range(2500)}  # fmt: skip
    return publish(site, prompts)  # about 6 MB: prompts read from the file when served


def test_a_large_bundle_truncated_under_a_running_app_is_fetched_again(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = _large(site)
    _open(site, cache)
    reg = _open(site, cache)
    assert reg.prompt("p0001").render().messages[0]["content"] == "x" * 2000
    os.truncate(cache / "blobs" / digest, 1000)
    # The truncation is caught by the checks of the prompt served; the bundle is fetched
    # again, verified whole, stored, and the prompt served from those bytes.
    assert reg.prompt("p1500").render().messages[0]["content"] == "x" * 2000
    assert sha256_hex((cache / "blobs" / digest).read_bytes()) == digest


def test_a_large_bundle_truncated_with_the_source_gone_gives_an_error_not_a_crash(
    tmp_path: Path,
) -> None:
    from promptops.errors import BundleError

    site, cache = tmp_path / "site", tmp_path / "cache"
    digest = _large(site)
    _open(site, cache)
    reg = _open(site, cache)
    os.truncate(cache / "blobs" / digest, 1000)
    shutil.rmtree(site)
    with pytest.raises(BundleError, match=r"^bundle: .*\(the cached copy of the bundle is "
                       r"damaged; fetching it again failed: .*not found \(.*site is not a "
                       r"directory\)\)$"):  # fmt: skip
        reg.prompt("p1500")
    assert not (cache / "blobs" / digest).exists()
