"""The hashed locks in requirements/ agree with pyproject.toml (run `make lock` if not)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)")


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for every pinned requirement of a lock file."""
    pins: dict[str, tuple[str, int]] = {}
    name = ""
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        if m := PIN.match(line):
            name = canonicalize_name(m.group(1))
            pins[name] = (m.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and name:
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def _requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += project["optional-dependencies"][extra]
    build = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8").splitlines()
    reqs += [ln for ln in build if ln.strip() and not ln.startswith("#")]
    return [Requirement(r) for r in reqs]


@pytest.mark.parametrize(("lock", "extras"), [("base.lock", ()), ("dev.lock", ("dev",))])
def test_every_requirement_is_pinned_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(lock)
    for req in _requirements(*extras):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is not in requirements/{lock}: run `make lock`"
        version = pins[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, outside '{req}': run `make lock`"
        )


@pytest.mark.parametrize("lock", ["base.lock", "dev.lock", "tools.lock"])
def test_every_pin_carries_hashes(lock: str) -> None:
    pins = _pins(lock)
    assert pins
    assert not [n for n, (_, hashes) in pins.items() if hashes == 0]


def test_base_lock_agrees_with_dev_lock() -> None:
    dev = _pins("dev.lock")
    base = _pins("base.lock")
    assert {n: v for n, (v, _) in base.items()} == {n: dev[n][0] for n in base}
