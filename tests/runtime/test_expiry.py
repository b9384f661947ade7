"""Availability past expiry: a source serving expired metadata is refused (freeze
protection), but the last verified release in the cache keeps being served, flagged, until
``max_staleness``; ``expiry="strict"`` never serves an expired release."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from promptops.errors import ExpiredError, ExpiredReleaseWarning, RollbackError
from promptops.runtime import Registry, RuntimeConfig
from tests.runtime.fixtures import CONFIG, EXPIRES, TRUST, publish

LATER = EXPIRES + dt.timedelta(days=60)


def at(when: dt.datetime, **changes: object) -> RuntimeConfig:
    return CONFIG._replace(clock=lambda: when, **changes)  # type: ignore[arg-type]


def _warm(site: Path, cache: Path) -> None:
    publish(site)
    Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG)


def _open(site: Path, cache: Path | None, config: RuntimeConfig) -> Registry:
    return Registry.open(site, trust=TRUST, channel="production", cache_dir=cache, config=config)


def test_an_app_with_a_warm_cache_starts_60_days_after_expiry_flagged(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _warm(site, cache)
    # The publisher stopped refreshing: the source serves the same, now expired, pointer.
    with pytest.warns(ExpiredReleaseWarning, match=r"serving release v1 \(serial 1\), expired"):
        reg = _open(site, cache, at(LATER))
    st = reg.status
    assert (st.release, st.expired, st.from_cache, st.stale) == ("v1", True, True, True)
    assert st.error is not None and "expired at 2026-08-01T00:00:00Z" in st.error
    provenance = reg.prompt("greet").render(name="Ada").provenance
    assert (provenance.expired, provenance.from_cache) == (True, True)
    assert provenance.to_dict()["expired"] is True


def test_the_same_with_the_source_down(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _warm(site, cache)
    shutil.rmtree(site)
    with pytest.warns(ExpiredReleaseWarning):
        reg = _open(site, cache, at(LATER))
    assert reg.status.expired and reg.status.error is not None
    assert reg.status.error.endswith(
        f"channels/production.json: not found ({site} is not a directory)"
    )


def test_an_expired_source_without_a_cache_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "site")
    with pytest.raises(ExpiredError, match=r"expired at 2026-08-01T00:00:00Z") as info:
        _open(tmp_path / "site", None, at(LATER))
    assert isinstance(info.value, RollbackError)  # one class, still a RollbackError


def test_past_max_staleness_the_cached_release_is_refused(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _warm(site, cache)
    with pytest.raises(
        ExpiredError, match=r"the cached copy is past max_staleness \(10 days, 0:00:00 after "
    ):
        _open(site, cache, at(EXPIRES + dt.timedelta(days=11), max_staleness=dt.timedelta(10)))


def test_strict_expiry_keeps_the_old_behaviour(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    _warm(site, cache)
    with pytest.raises(ExpiredError, match=r"pointer \(release v1, serial 1\) expired at"):
        _open(site, cache, at(LATER, expiry="strict"))


def test_a_fresh_pointer_for_the_same_release_clears_the_flag(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    publish(site, pointer_expires=EXPIRES - dt.timedelta(days=30))
    _open(site, cache, CONFIG)
    late = EXPIRES - dt.timedelta(days=10)
    with pytest.warns(ExpiredReleaseWarning):
        assert _open(site, cache, at(late)).status.expired
    publish(site)  # publish --refresh: the same release, a pointer valid until EXPIRES
    reg = _open(site, cache, at(late))
    assert (reg.status.expired, reg.status.from_cache) == (False, False)


def test_a_long_running_registry_flags_its_release_when_it_expires(tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish(site)
    now = [EXPIRES - dt.timedelta(hours=1)]
    reg = _open(site, None, CONFIG._replace(clock=lambda: now[0]))
    assert not reg.status.expired
    now[0] = EXPIRES + dt.timedelta(days=1)
    assert reg.status.expired  # read against the clock, before any refresh
    with pytest.warns(ExpiredReleaseWarning):
        status = reg.refresh()
    assert (status.expired, status.stale) == (True, True)
    assert reg.prompt("greet").render(name="x").provenance.expired
    now[0] = EXPIRES + dt.timedelta(days=91)  # past the default max_staleness
    with pytest.raises(ExpiredError, match="past max_staleness"):
        reg.refresh()
    with pytest.raises(ExpiredError, match="past max_staleness"):
        reg.prompt("greet")


def test_an_unknown_expiry_mode_is_a_usage_error(tmp_path: Path) -> None:
    from promptops.errors import UsageError

    publish(tmp_path / "site")
    with pytest.raises(UsageError, match=r"expiry must be one of \('available', 'strict'\)"):
        _open(tmp_path / "site", None, CONFIG._replace(expiry="lenient"))
