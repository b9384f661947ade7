"""Build a generated 10,000-prompt repository: cold, warm, and after a 50-file change.

    python bench/bench_build.py [--prompts 10000] [--repo DIR]

Each build runs in a fresh interpreter, split into load (read + validate, issue 2's work)
and compile (this bench's subject). Baselines measured in the same run on the same bundle:
``json.dumps`` of the whole bundle object with canonical options (what re-serialising
everything would cost) and a compile of the same Repository with no cache.
Targets (issue 3): cold build <= 10 s; after 50 changed files <= 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repo import change, generate, git

PY = sys.executable

# Runs in a fresh interpreter: times load and compile separately, and the baselines.
_PROBE = """
import json, sys, time
T, C = time.perf_counter, time.process_time
t0 = T()
from promptops.compile import compile_repository, build
from promptops.repo import load_repository
t1, c1 = T(), C()
repo = load_repository(sys.argv[1], sys.argv[2] or None)
t2, c2 = T(), C()
bundle = compile_repository(repo)
t3, c3 = T(), C()
out = {"import": t1 - t0, "load": t2 - t1, "compile": t3 - t2, "compiled": bundle.compiled,
       "load_cpu": c2 - c1, "compile_cpu": c3 - c2,
       "prompts": len(bundle.prompts), "bytes": len(bundle.data), "sha256": bundle.sha256}
if sys.argv[3] == "baselines":
    from promptops.canonical import canonical_bytes
    obj = json.loads(bundle.data)
    t = time.perf_counter(); data = canonical_bytes(obj); out["dumps"] = time.perf_counter() - t
    assert data == bundle.data, "assembled bundle differs from canonical_bytes of its object"
    t = time.perf_counter(); nocache = compile_repository(repo, cache=False)
    out["nocache"] = time.perf_counter() - t
    assert nocache.data == bundle.data
print(json.dumps(out))
"""


def _probe(root: Path, ref: str | None = None, baselines: bool = False) -> dict[str, float]:
    proc = subprocess.run(
        [PY, "-c", _PROBE, str(root), ref or "", "baselines" if baselines else ""],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"build probe failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def _cli(root: Path, *extra: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [PY, "-m", "promptops", "build", str(root), "--out", str(root / "dist"), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return elapsed


def _git_dir(root: Path) -> Path:
    out = subprocess.run(
        ["git", "rev-parse", "--absolute-git-dir"], cwd=root, capture_output=True, text=True
    )
    return Path(out.stdout.strip())


def _row(name: str, r: dict[str, float]) -> None:
    total = r["load"] + r["compile"]
    print(
        f"{name:<34} total {total:6.3f} s = load {r['load']:6.3f} + compile {r['compile']:6.3f}"
        f"   (recompiled {int(r['compiled'])} of {int(r['prompts'])})"
    )
    # CPU time of this process: far less sensitive than wall time to a machine shared with
    # other work (git subprocesses are not counted, so it is a lower bound for load).
    print(
        f"{'':<34} cpu   {r['load_cpu'] + r['compile_cpu']:6.3f} s = load "
        f"{r['load_cpu']:6.3f} + compile {r['compile_cpu']:6.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--repo", type=Path, help="reuse (or create) the repository here")
    args = parser.parse_args()
    tmp = None
    if args.repo is not None and (args.repo / "models.yaml").exists():
        root = args.repo
    else:
        tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
        root = args.repo or tmp / "repo"
        t = time.perf_counter()
        generate(root, args.prompts)
        print(f"generated {args.prompts} prompts in {time.perf_counter() - t:.1f} s")
    load1, _, _ = os.getloadavg()
    start = time.perf_counter()
    subprocess.run([PY, "-c", "pass"], check=True)
    print(
        f"machine: load average {load1:.1f} on {os.cpu_count()} cores; "
        f"`python -c pass` {1000 * (time.perf_counter() - start):.0f} ms"
    )
    try:
        cache = _git_dir(root) / "promptops-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cold = _probe(root, baselines=False)
        _row("cold (no caches at all)", cold)
        warm = _probe(root, baselines=True)
        _row("warm, nothing changed", warm)
        print(f"  bundle: {int(warm['bytes'])} bytes, sha256 {str(warm['sha256'])[:16]}...")
        print(
            f"  baseline json.dumps of the whole bundle object: {warm['dumps']:.3f} s; "
            f"warm compile / dumps = {warm['compile'] / warm['dumps']:.2f}x"
        )
        print(
            f"  baseline compile without cache (same process): {warm['nocache']:.3f} s; "
            f"warm compile is {warm['nocache'] / warm['compile']:.1f}x faster"
        )
        changed = change(root, 50)
        after = _probe(root)
        _row("after 50 changed files (worktree)", after)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "bench")
        change(root, 100)  # another 50 beyond the first: --ref HEAD must not see them
        ref = _probe(root, "HEAD")
        _row("--ref HEAD after the commit", ref)
        print(f"  changed {len(changed)} files, e.g. {changed[0]}")
        shutil.rmtree(cache, ignore_errors=True)
        print(f"CLI `promptops build` cold:             {_cli(root):6.3f} s (incl. interpreter)")
        print(f"CLI `promptops build` warm:             {_cli(root):6.3f} s")
        change(root, 150)
        print(f"CLI `promptops build` after 50 changes: {_cli(root):6.3f} s")
        print(
            f"targets: cold <= 10 s: {cold['load'] + cold['compile']:.2f} s wall, "
            f"{cold['load_cpu'] + cold['compile_cpu']:.2f} s cpu; after 50 changes <= 1 s: "
            f"{after['load'] + after['compile']:.2f} s wall, "
            f"{after['load_cpu'] + after['compile_cpu']:.2f} s cpu"
        )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
