"""Issue 16's table (part A) in one run: a prompt repository at scale, whole CLI processes.

    python bench/bench_scale.py [--sizes 10000,50000] [--runs 3] [--work DIR] [--eval]

Every figure is the median of interleaved runs, min and max beside; every target is judged
on whole CLI processes (``python -m promptops ...``, start-up included), in-process figures
shown beside where they say where the time goes. Repositories come from bench/gen_repo.py
(a realistic mix: prompts, instructions, partials, tools, eval sets on every fifth prompt);
above promptops' default cap on files read, the generated policies/rules.yaml raises it
(``limits: {max_files: N}``), the documented setting for 50,000 prompts.

Rows:

- fresh-clone CI pass: in a fresh ``git clone`` (empty caches) of a repository whose last
  commit changes 50 prompts (a pull request), ``promptops validate .``, ``promptops build
  .`` and ``promptops diff HEAD~1 --format markdown`` (structural), as the GitHub Action
  runs them, against one parse of the same files by PyYAML's C loader in 2 processes, as
  many as promptops' workers (bench/peers/pyyaml_parse.py, start-up included). <= 1.5x.
- error path: a cold validate of the repository with every eighth prompt renamed while its
  eval set still names the old id (an unknown-prompt error with a suggestion each), and of
  the clean repository with ``--limit max_files`` under its file count, against the clean
  repository's cold validate. <= 2x.
- re-validate after 50 changed files (working tree, CLI): <= 0.35 s at 10k, 0.5 s at 50k.
- rebuild after 50 changed files (CLI): <= 0.6 s at 10k.
- peak RSS of a cold build, its worker processes included: <= 250 MB at 50k.
- eval, 2,000 echo cases against promptfoo ``--no-write`` (>= 20x): ``--eval`` runs
  bench_eval_vs_promptfoo.py (it needs bench/setup_peers.sh) and prints its ratios.

promptops runs from a byte-compiled copy of the checkout (or of ``--at-commit REV``) in a
plain venv, as an installed wheel does (bench/peers/snapshot.py): this machine sets
PYTHONDONTWRITEBYTECODE, so the editable checkout would recompile itself at every start.
``--smoke`` runs every row on tiny repositories once, from the checkout (``make test`` does,
so this script cannot rot); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repo import change, generate, git, rename_prompts
from measure import (
    PY,
    Samples,
    cli,
    describe,
    interleaved,
    on_installed_copy,
    peak_rss_mb,
    process,
)

BENCH = Path(__file__).resolve().parent
PYYAML_PARSE = BENCH / "peers" / "pyyaml_parse.py"
CACHE = Path(".git") / "promptops-cache"
# Targets of issue 16, part A.
CI_RATIO = 1.5
ERROR_RATIO = 2.0
REVALIDATE = {10_000: 0.35, 50_000: 0.5}
REBUILD = {10_000: 0.6}
RSS_MB = {50_000: 250.0}

_notes = count()


TABLE: list[tuple[str, str, str, str]] = []  # (figure, measured, target, verdict)


def _row(figure: str, measured: str, target: str, met: bool | None) -> None:
    verdict = "" if met is None else ("met" if met else "NOT met")
    TABLE.append((figure, measured, target, verdict))


def _at_most(value: float, limit: float | None, unit: str) -> tuple[str, bool | None]:
    """(the target's wording, whether ``value`` meets it) for an optional upper limit."""
    if limit is None:
        return "", None
    return f"<= {limit:g}{unit}", value <= limit


def _size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def _clone(source: Path, into: Path) -> Path:
    if into.exists():
        shutil.rmtree(into)
    git(into.parent, "clone", "-q", str(source), str(into))
    return into


def _fresh(path: Path) -> None:
    shutil.rmtree(path / CACHE, ignore_errors=True)
    shutil.rmtree(path / "dist", ignore_errors=True)


def _repos(work: Path, n: int) -> tuple[Path, Path, Path]:
    """(clean, pull request, broken) repositories of ``n`` prompts, made once per work dir."""
    clean = work / f"r{n}"
    if not (clean / "models.yaml").exists():
        shutil.rmtree(clean, ignore_errors=True)
        generate(clean, n)
    pr = work / f"pr{n}"
    if not (pr / "models.yaml").exists():
        _clone(clean, pr)
        change(pr, 50, "(pull request)")
        git(pr, "commit", "-qam", "change 50 prompts")
    broken = work / f"b{n}"
    if not (broken / "models.yaml").exists():
        _clone(clean, broken)
        rename_prompts(broken)
    return clean, pr, broken


def _files(root: Path) -> int:
    out = subprocess.run(
        ["git", "ls-files", "--", "models.yaml", "prompts", "policies", "evals"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return len(out.split())


def ci_pass(n: int, pr: Path, scratch: Path, runs: int) -> None:
    parts: dict[str, list[float]] = {"validate": [], "build": [], "diff": []}

    def clone() -> Path:
        return _clone(pr, scratch / "ci")

    def pyyaml() -> float:
        root = clone()
        return process([PY, str(PYYAML_PARSE), str(root), "--processes", "2"])[0]

    def promptops() -> float:
        root = clone()
        v = cli("validate", ".", cwd=root)
        b = cli("build", ".", cwd=root)
        d = cli("diff", "HEAD~1", "--format", "markdown", "--fail-on", "never", cwd=root)
        for name, t in (("validate", v), ("build", b), ("diff", d)):
            parts[name].append(t)
        return v + b + d

    got = interleaved({"pyyaml": pyyaml, "promptops": promptops}, runs)
    ratio = got["promptops"].median / got["pyyaml"].median
    print(f"\nfresh-clone CI pass, {n} prompts ({_files(pr)} files), whole processes")
    print(f"  PyYAML C loader, 2 processes  {describe(got['pyyaml'])}")
    print(f"  validate + build + diff        {describe(got['promptops'])}")
    for name, values in parts.items():
        print(f"    {name:9s}                    {describe(Samples(tuple(values)))}")
    print(f"  ratio {ratio:.2f}x one 2-process PyYAML parse (target <= {CI_RATIO}x)")
    measured = (
        f"{got['promptops'].median:.2f} s = {ratio:.2f}x PyYAML x2 ({got['pyyaml'].median:.2f} s)"
    )
    _row(f"fresh-clone CI pass, {_size(n)}", measured, *_at_most(ratio, CI_RATIO, "x"))


def error_path(n: int, clean: Path, broken: Path, runs: int) -> None:
    files = _files(clean)
    cap = f"max_files={files * 7 // 8}"

    def cold(root: Path, *extra: str, ok: tuple[int, ...] = (0,)) -> Callable[[], float]:
        def run() -> float:
            _fresh(root)
            return cli("validate", str(root), *extra, ok=ok)

        return run

    got = interleaved(
        {
            "clean": cold(clean),
            "broken": cold(broken, ok=(0, 1)),  # tiny repositories may have no eval set hit
            "max_files": cold(clean, "--limit", cap, ok=(1,)),
        },
        runs,
    )
    ratio = got["broken"].median / got["clean"].median
    capped = got["max_files"].median / got["clean"].median
    print(f"\nerror path, {n} prompts, cold validate (empty cache), whole processes")
    print(f"  clean                          {describe(got['clean'])}")
    print(f"  1/8 of prompts renamed         {describe(got['broken'])}  {ratio:.2f}x")
    print(f"  --limit {cap:20s}   {describe(got['max_files'])}  {capped:.2f}x")
    measured = (
        f"{got['broken'].median:.2f} s = {ratio:.2f}x clean ({got['clean'].median:.2f} s); "
        f"over max_files {capped:.2f}x"
    )
    _row(f"error path, 1/8 broken, {_size(n)}", measured,
         *_at_most(max(ratio, capped), ERROR_RATIO, "x"))  # fmt: skip


_INPROC = (
    "import sys, time\n"
    "from promptops.repo import load_repository\n"
    "t = time.perf_counter(); r = load_repository(sys.argv[1])\n"
    "print(time.perf_counter() - t)\n"
)


def after_change(n: int, clean: Path, scratch: Path, runs: int) -> None:
    work = _clone(clean, scratch / "work")
    cli("validate", str(work))
    cli("build", str(work))

    def edited(run: Callable[[], float]) -> Callable[[], float]:
        def timed() -> float:
            change(work, 50, f"(edit {next(_notes)})")
            return run()

        return timed

    got = interleaved(
        {
            "validate": edited(lambda: cli("validate", str(work))),
            "validate in-process": edited(
                lambda: float(process([PY, "-c", _INPROC, str(work)])[1])
            ),
            "build": edited(lambda: cli("build", str(work))),
        },
        runs,
    )
    print(f"\nafter 50 changed files, {n} prompts, working tree")
    print(f"  re-validate, CLI               {describe(got['validate'])}")
    print(f"  re-validate, in process        {describe(got['validate in-process'])}")
    print(f"  rebuild, CLI                   {describe(got['build'])}")
    seconds = got["validate"].median
    _row(f"re-validate after 50 changes, {_size(n)}, CLI", f"{seconds:.3f} s",
         *_at_most(seconds, REVALIDATE.get(n), " s"))  # fmt: skip
    seconds = got["build"].median
    _row(f"rebuild after 50 changes, {_size(n)}, CLI", f"{seconds:.3f} s",
         *_at_most(seconds, REBUILD.get(n), " s"))  # fmt: skip


def memory(n: int, clean: Path, scratch: Path, runs: int) -> None:
    root = _clone(clean, scratch / "rss")
    samples: list[tuple[float, float]] = []
    for _ in range(runs):
        _fresh(root)
        samples.append(peak_rss_mb([PY, "-m", "promptops", "build", str(root)]))
    rss = Samples(tuple(mb for _, mb in samples))
    wall = Samples(tuple(t for t, _ in samples))
    print(f"\ncold build, {n} prompts (empty caches), whole process and its workers")
    print(f"  wall                           {describe(wall)}")
    print(f"  peak RSS                       {rss.median:.0f} MB (min {rss.min:.0f}, "
          f"max {rss.max:.0f}, n={len(rss.values)})")  # fmt: skip
    _row(f"peak RSS, cold build {_size(n)}", f"{rss.median:.0f} MB ({wall.median:.1f} s)",
         *_at_most(rss.median, RSS_MB.get(n), " MB"))  # fmt: skip


def evals(runs: int) -> None:
    proc = subprocess.run(
        [PY, str(BENCH / "bench_eval_vs_promptfoo.py"), "--runs", str(runs)],
        capture_output=True, text=True,
    )  # fmt: skip
    print("\neval, 2,000 echo cases vs promptfoo (bench_eval_vs_promptfoo.py)")
    print("  " + "\n  ".join((proc.stdout + proc.stderr).strip().splitlines()))
    for line in proc.stdout.splitlines():
        if "promptops / promptfoo --no-write" in line:
            ratio = float(line.split(":")[1].split("x")[0])
            _row("eval 2,000 echo cases vs promptfoo --no-write", f"{ratio:.1f}x", ">= 20x",
                 ratio >= 20)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000", help="prompt counts")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs per figure")
    parser.add_argument("--rss-runs", type=int, default=2, help="cold builds for peak RSS")
    parser.add_argument("--work", type=Path, help="keep the generated repositories here")
    parser.add_argument("--eval", action="store_true", help="also the promptfoo comparison")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--at-commit", metavar="REV", help="measure promptops at this commit")
    args = parser.parse_args()
    print(f"promptops code: {on_installed_copy('bench_scale.py', sys.argv[1:], args.smoke)}")
    sizes = [40] if args.smoke else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.smoke else args.runs
    tmp = tempfile.TemporaryDirectory(prefix="bench-scale-")
    work = args.work or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=work))
    try:
        for n in sizes:
            clean, pr, broken = _repos(work, n)
            ci_pass(n, pr, scratch, runs)
            after_change(n, clean, scratch, runs)
            if n == max(sizes):
                error_path(n, clean, broken, runs)
                memory(n, clean, scratch, 1 if args.smoke else args.rss_runs)
        if args.eval and not args.smoke:
            evals(runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        tmp.cleanup()
    print("\nissue 16, part A (this machine, this run; whole CLI processes):")
    width = max(len(r[0]) for r in TABLE)
    for figure, measured, target, verdict in TABLE:
        print(f"  {figure:{width}s}  {measured:52s} {target:12s} {verdict}")


if __name__ == "__main__":
    main()
