"""Headless Chromium for the HTML report tests: installed by `make chromium`, started with
the flags this machine's closed network needs, a fresh profile each time."""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")  # fmt: skip


@functools.cache
def _install() -> str | None:
    """The chromium binary, installed by the Makefile target if need be; None if it cannot."""
    found = shutil.which("chromium")
    if found:
        return found
    proc = subprocess.run(["make", "-C", str(ROOT), "chromium"], capture_output=True, text=True)
    return shutil.which("chromium") if proc.returncode == 0 else None


def chromium() -> str:
    """The chromium binary, or skip the test saying why."""
    binary = _install()
    if binary is None:
        pytest.skip("Debian's chromium is not installed and `make chromium` could not install it")
    return binary


def dom(page: Path, fragment: str = "") -> str:
    """The page's DOM after its script ran (``fragment``: e.g. ``#filter=fail``)."""
    return run_uri(page.as_uri() + fragment, "--dump-dom")


def run_uri(uri: str, *args: str) -> str:
    """Load ``uri`` headless with ``args`` in a fresh profile; Chromium's stdout."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, uri],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def screenshot(page: Path, png: Path, size: str = "1280,1400") -> Path:
    """Save a screenshot of ``page`` to ``png``."""
    run_uri(page.as_uri(), f"--screenshot={png}", f"--window-size={size}", "--hide-scrollbars")
    assert png.is_file() and png.stat().st_size > 0
    return png
