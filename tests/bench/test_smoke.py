"""Every bench script runs: each with ``--smoke`` (tiny sizes, one run), so none can rot
unnoticed. Peers that are not installed (bench/setup_peers.sh, ``make chromium``) are skipped
by the script itself, which says so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("bench_*.py"))


def test_every_bench_script_is_smoked() -> None:
    assert "bench_scale.py" in SCRIPTS and len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_runs(script: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), "--smoke"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    for line in proc.stdout.splitlines() + proc.stderr.splitlines():
        if "not installed" in line:
            print(line)  # the reason a peer was skipped, shown with -s / on failure
