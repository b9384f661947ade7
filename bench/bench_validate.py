"""Validate a generated 10,000-prompt repository: cold, warm, and after a 50-file change.

    python bench/bench_validate.py [--prompts 10000] [--runs 5] [--repo DIR] [--smoke]

Every figure is the median of interleaved runs (min and max beside), whole
``promptops validate`` processes, with the same load in process beside it (a fresh
interpreter, imports left out). Baselines in the same run, on the same files, in whole
processes: PyYAML's C loader on one process and on two (as many as promptops' workers;
bench/peers/pyyaml_parse.py), and ruamel's round-trip loader on a sample (it is ~20x
slower). Each figure after a change is the first run that sees it: the same 50 files get
new content before every run. promptops runs from a byte-compiled copy (measure.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repo import change, generate, git
from measure import PY, cli, describe, interleaved, on_installed_copy, process

PYYAML = Path(__file__).resolve().parent / "peers" / "pyyaml_parse.py"
_INPROC = (
    "import sys, time\n"
    "from promptops.repo import load_repository\n"
    "t = time.perf_counter(); r = load_repository(sys.argv[1], sys.argv[2] or None)\n"
    "assert r.ok, r.errors[:3]; print(time.perf_counter() - t)\n"
)


def _inproc(root: Path, ref: str | None = None) -> float:
    return float(process([PY, "-c", _INPROC, str(root), ref or ""])[1])


def _ruamel_rate(root: Path) -> float:
    from ruamel.yaml import YAML

    blobs = [p.read_bytes() for p in sorted((root / "prompts").rglob("*.yaml"))[:300]]
    rt = YAML(typ="rt")
    start = time.perf_counter()
    for data in blobs:
        rt.load(data)
    return len(blobs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="reuse (or create) the repository here")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--at-commit", metavar="REV", help="measure promptops at this commit")
    args = parser.parse_args()
    print(f"promptops code: {on_installed_copy('bench_validate.py', sys.argv[1:], args.smoke)}")
    n, runs = (30, 1) if args.smoke else (args.prompts, args.runs)
    tmp = tempfile.TemporaryDirectory(prefix="bench-validate-")
    root = args.repo or Path(tmp.name) / "repo"
    if not (root / "models.yaml").exists():
        print(f"generating {n} prompts in {root} ...")
        generate(root, n)
    git(root, "checkout", "-q", "--", ".")
    cache = root / ".git" / "promptops-cache"
    files = len(git(root, "ls-files", "*.yaml").split())
    notes = count()

    def cold(run: Callable[[], float]) -> Callable[[], float]:
        def timed() -> float:
            shutil.rmtree(cache, ignore_errors=True)
            return run()

        return timed

    def edited(run: Callable[[], float], commit: bool = False) -> Callable[[], float]:
        def timed() -> float:
            change(root, 50, f"(edit {next(notes)})")
            if commit:
                git(root, "commit", "-qam", "change 50")
            return run()

        return timed

    def pyyaml(processes: int) -> Callable[[], float]:
        return lambda: process([PY, str(PYYAML), str(root), "--processes", str(processes)])[0]

    got = interleaved(
        {
            "PyYAML, 1 process": pyyaml(1),
            "PyYAML, 2 processes": pyyaml(2),
            "cold, CLI": cold(lambda: cli("validate", str(root))),
            "cold, in process": cold(lambda: _inproc(root)),
        },
        runs,
    )  # fmt: skip
    cli("validate", str(root))
    base = git(root, "rev-parse", "HEAD").strip()
    got.update(
        interleaved(
            {
                "warm, CLI": lambda: cli("validate", str(root)),
                "warm, in process": lambda: _inproc(root),
                "50 changed, CLI": edited(lambda: cli("validate", str(root))),
                "50 changed, in process": edited(lambda: _inproc(root)),
                "50 changed, --ref HEAD, CLI": edited(
                    lambda: cli("validate", str(root), "--ref", "HEAD"), commit=True
                ),
            },
            runs,
        )
    )
    git(root, "reset", "-q", "--hard", base)
    print(f"{files} YAML files; median of {runs} interleaved runs (min, max)")
    for name, samples in got.items():
        print(f"  {name:30s} {describe(samples)}")
    cold_cli = got["cold, CLI"].median
    print(f"  ruamel round-trip (sample, in process): {_ruamel_rate(root):.0f} files/s")
    print(
        f"cold validate: {files / cold_cli:.0f} files/s; "
        f"{cold_cli / got['PyYAML, 2 processes'].median:.2f}x PyYAML on 2 processes, "
        f"{cold_cli / got['PyYAML, 1 process'].median:.2f}x on 1"
    )
    after = max(got["50 changed, CLI"].median, got["50 changed, --ref HEAD, CLI"].median)
    print(
        f"goals: cold >= 1250 files/s -> {'met' if files / cold_cli >= 1250 else 'NOT met'}; "
        f"re-validate after 50 changes <= 0.35 s at 10k -> {'met' if after <= 0.35 else 'NOT met'}"
        " (CLI, start-up included)"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
