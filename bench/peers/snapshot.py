"""Measure promptops at one commit instead of the shared, changing working tree.

``--at-commit REV`` exports REV's ``promptops/`` package (``git archive``) into a temporary
directory, makes a plain venv that imports it with the project's dependencies, and re-runs
the same benchmark script (from the checkout: the bench code is not what is measured) in
that venv. The figures then belong to a known commit even while others edit the checkout.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.peers.timing import PEERS_DIR, ROOT, make_plain_venv, project_site

__all__ = ["rerun_at_commit", "strip_at_commit"]


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


def rerun_at_commit(rev: str, script: str, argv: Sequence[str]) -> int:
    """Export ``rev``, then run ``bench/<script>`` from it with ``argv``; its exit code."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", sha, "promptops"],
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        snap = Path(tmp) / "src"
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(snap, filter="data")
        python = make_plain_venv(Path(tmp) / "venv", code_root=snap)
        env = {
            **os.environ,
            "BENCH_PEERS_DIR": str(PEERS_DIR),
            "BENCH_PROJECT_SITE": project_site(),
            "BENCH_PROJECT_PYTHON": str(python),
            "BENCH_SNAPSHOT_OF": f"{rev} ({sha[:12]})",
            "BENCH_CODE_ROOT": str(snap),
        }
        print(f"measuring promptops at {rev} ({sha[:12]}), exported to {snap}", flush=True)
        return subprocess.run(
            [str(python), str(ROOT / "bench" / script), *argv], env=env, check=False
        ).returncode
