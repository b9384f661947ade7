"""Issue 15's "done when" for canaries: from 10% to 100% and an abort, end to end, against a
static site served over HTTP and against a real OCI registry; the promotions through the
CLI, the application a long-running Registry refreshing over the network with a cache."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from promptops.release import create_release, publish, publish_oci
from promptops.runtime import Registry, RuntimeConfig
from tests.helpers import commit_all, run_cli
from tests.oci_registry import USERS, TokenRegistry
from tests.release.conftest import DAYS_90, Signed
from tests.runtime.conftest import Served, http_root

__all__ = ["http_root"]  # the fixture, imported for this module

KEYS = [f"user-{i}" for i in range(100_000)]
_names = itertools.count()


def _releases(s: Signed, now: dt.datetime) -> None:
    greet = s.root / "prompts" / "greet.yaml"
    for name in ("v1", "v2", "v3"):
        if name != "v1":
            greet.write_text(greet.read_text().replace("Say hello to", f"[{name}] Say hello to"))
            commit_all(s.root, f"greet: {name}")
        create_release(s.root, name, [s.key], now=now, expires_in=DAYS_90, out=s.dist)


def _share(reg: Registry, release: str) -> tuple[set[str], float]:
    """The keys served ``release``, and their share of all keys."""
    keys = {k for k in KEYS if reg.prompt("greet", key=k).provenance.release == release}
    return keys, len(keys) / len(KEYS)


@pytest.fixture
def published_site(signed: Signed, http_root: Served) -> Iterator[tuple[Signed, str, str]]:
    now = dt.datetime.now(dt.UTC)  # the CLI signs with the real clock
    _releases(signed, now)
    publish(signed.dist, http_root.root, channel=None, keys=[], now=now, expires_in=DAYS_90)
    yield signed, str(http_root.root), http_root.url


@pytest.fixture
def published_oci(
    signed: Signed, oci_registry: TokenRegistry, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Signed, str, str]]:
    monkeypatch.setenv("PROMPTOPS_OCI_USERNAME", "alice")
    monkeypatch.setenv("PROMPTOPS_OCI_PASSWORD", USERS["alice"][0])
    now = dt.datetime.now(dt.UTC)
    _releases(signed, now)
    url = oci_registry.registry.url(f"tests/canary-{next(_names)}")
    publish_oci(signed.dist, url, channel=None, keys=[], now=now, expires_in=DAYS_90)
    yield signed, url, url


def _run(capsys: pytest.CaptureFixture[str], s: Signed, where: str) -> Callable[..., str]:
    def promote(*args: str) -> str:
        policy = str(s.root / "policies" / "signers.yaml")
        argv = ["promote", *args, "--channel", "production", "--dir", where,
                "--key", str(s.key_file), "--trust", policy]  # fmt: skip
        code, out, err = run_cli(argv, capsys)
        assert code == 0, err
        return out.strip()

    return promote


def _scenario(
    s: Signed, where: str, url: str, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    promote = _run(capsys, s, where)
    assert promote("v1") == "channel production -> v1 (serial 1)"
    reg = Registry.open(url, trust=s.trust, channel="production", cache_dir=cache,
                        config=RuntimeConfig())  # fmt: skip
    assert reg.status.release == "v1" and reg.status.canary is None

    out = promote("v2", "--canary", "10")
    assert (
        out == "channel production -> v1 (serial 1), canary v2 (serial 2) at 10% (was v1, serial 1)"
    )
    status = reg.refresh()
    assert (status.release, status.canary, status.canary_weight) == ("v1", "v2", 1000)
    policy = str(s.root / "policies" / "signers.yaml")
    verify = ["verify", url, "--channel", "production", "--trust", policy]
    code, out, err = run_cli(verify, capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "verified release v1 (serial 1)"
    assert out.splitlines()[-1].startswith("  canary   v2 (serial 2) at 10%, bundle sha256:")
    ten, share = _share(reg, "v2")
    assert abs(share - 0.10) < 0.005  # within half a percentage point, over 100,000 keys
    arm = reg.prompt("greet", key=next(iter(ten))).provenance
    assert (arm.release, arm.arm, arm.channel) == ("v2", "canary", "production")
    assert (
        "[v2]" in reg.prompt("greet", key=next(iter(ten))).render(name="A").messages[-1]["content"]
    )

    promote("v2", "--canary", "50")
    assert reg.refresh().canary_weight == 5000
    fifty, share = _share(reg, "v2")
    assert ten <= fifty and abs(share - 0.50) < 0.005  # nobody left the canary

    assert promote("v2") == "channel production -> v2 (serial 2) (was v1, serial 1, canary v2)"
    status = reg.refresh()
    assert (status.release, status.canary) == ("v2", None)
    assert _share(reg, "v2")[1] == 1.0
    assert reg.prompt("greet", key="anyone").provenance.arm is None

    promote("v3", "--canary", "10")
    assert reg.refresh().canary == "v3"
    assert 0.095 < _share(reg, "v3")[1] < 0.105
    assert promote("--abort") == "channel production -> v2 (serial 2) (was v2, serial 2, canary v3)"
    status = reg.refresh()
    assert (status.release, status.canary) == ("v2", None)
    assert _share(reg, "v2")[1] == 1.0

    # A new process with the same cache refuses a replayed canary pointer and, with the
    # source down, serves the last release verified.
    offline = Registry.open(url, trust=s.trust, channel="production", cache_dir=cache,
                            config=RuntimeConfig(offline=True))  # fmt: skip
    assert (offline.status.release, offline.status.canary) == ("v2", None)


def test_a_canary_on_a_published_site(
    published_site: tuple[Signed, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, where, url = published_site
    _scenario(s, where, url, tmp_path / "cache", capsys)


def test_a_canary_on_an_oci_registry(
    published_oci: tuple[Signed, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s, where, url = published_oci
    _scenario(s, where, url, tmp_path / "cache", capsys)
