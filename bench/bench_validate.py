"""Validate a generated 10,000-prompt repository: cold, warm, and after a 50-file change.

    python bench/bench_validate.py [--prompts 10000] [--repo DIR]

Baselines measured in the same run on the same files: PyYAML's C loader (CSafeLoader) and
ruamel's round-trip loader (on a sample; it is about 20x slower).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repo import change, generate, git

PY = sys.executable


def _yaml_files(root: Path) -> list[bytes]:
    out = subprocess.run(
        ["git", "ls-files", "*.yaml"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    return [(root / p).read_bytes() for p in out]


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.0f} files/s ({seconds:.3f} s for {n} files)"


def _pyyaml(blobs: list[bytes]) -> float:
    import yaml

    start = time.perf_counter()
    for data in blobs:
        yaml.load(data, Loader=yaml.CSafeLoader)
    return time.perf_counter() - start


def _ruamel(blobs: list[bytes]) -> float:
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    start = time.perf_counter()
    for data in blobs:
        rt.load(data)
    return time.perf_counter() - start


def _cli(root: Path, *extra: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [PY, "-m", "promptops", "validate", str(root), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"validate failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr}")
    return elapsed


def _best(times: int, run: object, *args: object) -> float:
    """The best of ``times`` runs: the figure least disturbed by other load on the machine."""
    assert callable(run)
    return min(float(run(*args)) for _ in range(times))


def _inproc(root: Path, ref: str | None = None) -> float:
    code = (
        "import time, sys; from promptops.repo import load_repository; "
        "t = time.perf_counter(); r = load_repository(sys.argv[1], sys.argv[2] or None); "
        "assert r.ok, r.errors[:3]; print(time.perf_counter() - t)"
    )
    proc = subprocess.run(
        [PY, "-c", code, str(root), ref or ""], capture_output=True, text=True, check=True
    )
    return float(proc.stdout)


def _cli_startup() -> float:
    start = time.perf_counter()
    subprocess.run([PY, "-c", "import promptops.cli.commands.validate"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--repo", type=Path, help="reuse (or create) the repository here")
    args = parser.parse_args()
    tmp = None
    root = args.repo
    if root is None:
        tmp = tempfile.mkdtemp(prefix="promptops-bench-")
        root = Path(tmp) / "repo"
    if not (root / "models.yaml").exists():
        print(f"generating {args.prompts} prompts in {root} ...")
        generate(root, args.prompts)
    git(root, "checkout", "-q", "--", ".")
    cache = root / ".git" / "promptops-cache"
    blobs = _yaml_files(root)
    n = len(blobs)
    print(f"{n} YAML files, {sum(map(len, blobs)) / 1e6:.1f} MB")

    t_pyyaml = _best(2, _pyyaml, blobs)
    sample = blobs[:500]
    t_ruamel = _ruamel(sample)
    t_cold = t_cold_in = float("inf")
    for _ in range(2):
        shutil.rmtree(cache, ignore_errors=True)
        t_cold = min(t_cold, _cli(root))
        shutil.rmtree(cache, ignore_errors=True)
        t_cold_in = min(t_cold_in, _inproc(root))
    t_warm = _best(3, _cli, root)
    t_warm_in = _best(3, _inproc, root)
    # Each figure after a change is the first run that sees it: every measurement edits the
    # same 50 files again with a new note, so their content is new to the cache each time.
    notes = iter(f"(edit {i})" for i in range(100))

    def after_change(run: object, *args: object, commit: bool = False) -> float:
        assert callable(run)
        best = float("inf")
        for _ in range(3):
            change(root, 50, next(notes))
            if commit:
                git(root, "commit", "-qam", "change 50")
            best = min(best, float(run(*args)))
        return best

    base = git(root, "rev-parse", "HEAD").strip()
    t_change = after_change(_cli, root)
    t_change_in = after_change(_inproc, root)
    t_ref = after_change(_cli, root, "--ref", "HEAD", commit=True)
    t_ref_in = after_change(_inproc, root, "HEAD", commit=True)
    git(root, "reset", "-q", "--hard", base)
    t_python = _best(3, _cli_startup)

    print(f"PyYAML CSafeLoader (1 core) : {_rate(n, t_pyyaml)}")
    print(f"ruamel round-trip (sample)  : {_rate(len(sample), t_ruamel)}")
    print(
        f"cold validate, CLI          : {_rate(n, t_cold)}  "
        f"= {t_pyyaml / t_cold:.2f}x PyYAML load alone"
    )
    print(f"cold validate, in-process   : {_rate(n, t_cold_in)}")
    print(f"CLI start-up (imports)      : {t_python:.3f} s")
    print(f"warm validate, CLI          : {t_warm:.3f} s (in-process {t_warm_in:.3f} s)")
    print(f"50 files changed, worktree  : {t_change:.3f} s CLI (in-process {t_change_in:.3f} s)")
    print(f"50 files changed, --ref HEAD: {t_ref:.3f} s CLI (in-process {t_ref_in:.3f} s)")
    print(
        f"re-validate after 50 changes / cold: {t_change_in / t_cold_in:.3f} (worktree), "
        f"{t_ref_in / t_cold_in:.3f} (--ref)"
    )
    print(
        f"goal: cold >= 1250 files/s -> {'met' if n / t_cold >= 1250 else 'NOT met'}; "
        f"re-validate <= 0.5 s -> "
        f"{'met' if max(t_change, t_ref) <= 0.5 else 'NOT met'} (CLI, start-up included)"
    )
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
