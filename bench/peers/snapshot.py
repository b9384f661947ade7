"""Measure an installed-like copy of promptops, not the shared, changing working tree.

Every run of a peer benchmark first exports the ``promptops/`` package (REV's with
``--at-commit REV``, via ``git archive``; else the working tree's files) into a temporary
directory and byte-compiles it, as ``pip install`` does for a wheel. The peers' packages were
byte-compiled by pip too, while a source checkout under PYTHONDONTWRITEBYTECODE (set on this
machine) would recompile promptops at every interpreter start: comparing those would measure
the compiler, not the runtime. A plain venv then imports the copy with the project's
dependencies, and the same benchmark script (from the checkout: the bench code is not what
is measured) runs again in it. The figures belong to one fixed copy of the code even while
others edit the checkout, and the run prints which.
"""

from __future__ import annotations

import compileall
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.peers.timing import PEERS_DIR, ROOT, make_plain_venv, project_site

__all__ = ["rerun_on_copy", "strip_at_commit"]


def strip_at_commit(argv: Sequence[str]) -> list[str]:
    """``argv`` without ``--at-commit REV`` / ``--at-commit=REV``."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--at-commit":
            skip = True
        elif not arg.startswith("--at-commit="):
            out.append(arg)
    return out


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True).stdout


def export_promptops(rev: str | None, dest: Path) -> str:
    """Copy promptops (at ``rev``, or the working tree's) into ``dest`` and byte-compile it;
    return a description of what was copied."""
    if rev is None:
        shutil.copytree(
            ROOT / "promptops",
            dest / "promptops",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        head = _git("rev-parse", "--short=12", "HEAD").decode().strip()
        dirty = _git("status", "--porcelain", "--", "promptops").decode().strip()
        what = f"the working tree (HEAD {head}{', with uncommitted changes' if dirty else ''})"
    else:
        sha = _git("rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()
        archive = _git("archive", "--format=tar", sha, "promptops")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        what = f"{rev} ({sha[:12]})"
    if not compileall.compile_dir(str(dest / "promptops"), quiet=1):
        raise RuntimeError(f"promptops from {what} does not byte-compile")
    return what


def rerun_on_copy(rev: str | None, script: str, argv: Sequence[str]) -> int:
    """Export promptops (see module docstring), then run ``bench/<script>`` with ``argv`` in
    a plain venv that imports the copy; return its exit code."""
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        snap = Path(tmp) / "src"
        what = export_promptops(rev, snap)
        python = make_plain_venv(Path(tmp) / "venv", code_root=snap)
        env = {
            **os.environ,
            "BENCH_PEERS_DIR": str(PEERS_DIR),
            "BENCH_PROJECT_SITE": project_site(),
            "BENCH_PROJECT_PYTHON": str(python),
            "BENCH_SNAPSHOT_OF": what,
            "BENCH_CODE_ROOT": str(snap),
        }
        print(f"measuring promptops from {what}, byte-compiled copy in {snap}", flush=True)
        return subprocess.run(
            [str(python), str(ROOT / "bench" / script), *argv], env=env, check=False
        ).returncode
