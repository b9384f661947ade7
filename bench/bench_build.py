"""Build a generated 10,000-prompt repository: cold, after validate, warm, after 50 changes.

    python bench/bench_build.py [--prompts 10000] [--runs 5] [--repo DIR] [--smoke]

Every figure is the median of interleaved runs (min and max beside) of whole ``promptops
build`` processes, start-up included, with peak RSS of the process and its workers; beside
it, the same build in process split into load (read + validate) and compile. Cold: no cache
at all. After validate: what CI pays (validate left its per-file results and documents, the
compile cache is empty). After 50 changes: the first build that sees new content in 50
files. Baselines in the same run: ``json.dumps`` of the whole bundle object with canonical
options (what re-serialising everything costs) and a compile with no cache at all.
Targets (issues 3 and 16): cold <= 10 s; after 50 changes <= 0.6 s (CLI).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_repo import change, generate, git
from measure import PY, Samples, cli, describe, interleaved, on_installed_copy, peak_rss_mb

# Runs in a fresh interpreter: times load and compile separately, and the baselines.
_PROBE = """
import json, sys, time
from pathlib import Path
T = time.perf_counter
from promptops.compile import compile_repository
from promptops.repo import load_repository
t1 = T()
repo = load_repository(sys.argv[1])
t2 = T()
bundle = compile_repository(repo, out=Path(sys.argv[1]) / "dist")
t3 = T()
out = {"load": t2 - t1, "compile": t3 - t2, "compiled": bundle.compiled,
       "prompts": len(bundle.prompts), "bytes": bundle.size}
if sys.argv[2] == "baselines":
    from promptops.canonical import canonical_bytes
    obj = json.loads(bundle.data)
    t = T(); data = canonical_bytes(obj); out["dumps"] = T() - t
    assert data == bundle.data, "the bundle differs from canonical_bytes of its object"
    t = T(); nocache = compile_repository(repo, cache=False); out["nocache"] = T() - t
    assert nocache.data == bundle.data
print(json.dumps(out))
"""


def _probe(root: Path, baselines: bool = False) -> dict[str, float]:
    import subprocess

    proc = subprocess.run(
        [PY, "-c", _PROBE, str(root), "baselines" if baselines else ""],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"build probe failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="reuse (or create) the repository here")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    parser.add_argument("--at-commit", metavar="REV", help="measure promptops at this commit")
    args = parser.parse_args()
    print(f"promptops code: {on_installed_copy('bench_build.py', sys.argv[1:], args.smoke)}")
    n, runs = (30, 1) if args.smoke else (args.prompts, args.runs)
    tmp = tempfile.TemporaryDirectory(prefix="bench-build-")
    root = args.repo or Path(tmp.name) / "repo"
    if not (root / "models.yaml").exists():
        generate(root, n)
    git(root, "checkout", "-q", "--", ".")
    cache = root / ".git" / "promptops-cache"
    rss: dict[str, list[float]] = {}
    notes = count()

    def build(name: str, before: Callable[[], None] = lambda: None) -> Callable[[], float]:
        def timed() -> float:
            before()
            seconds, mb = peak_rss_mb([PY, "-m", "promptops", "build", str(root)])
            rss.setdefault(name, []).append(mb)
            return seconds

        return timed

    def no_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(root / "dist", ignore_errors=True)

    def validated() -> None:
        no_cache()
        cli("validate", str(root))

    got = interleaved(
        {
            "cold (no cache at all)": build("cold", no_cache),
            "after validate (CI)": build("after validate", validated),
        },
        runs,
    )
    cli("build", str(root))
    got.update(
        interleaved(
            {
                "warm, nothing changed": build("warm"),
                "after 50 changed files": build(
                    "after 50", lambda: change(root, 50, f"(edit {next(notes)})")
                ),
            },
            runs,
        )
    )
    print(f"{n} prompts; whole `promptops build` processes, median of {runs} interleaved runs")
    for name, samples in got.items():
        key = name.split(" (")[0].replace(", nothing changed", "").replace(" changed files", "")
        peak = Samples(tuple(rss.get(key, [0.0])))
        print(f"  {name:26s} {describe(samples)}  peak RSS {peak.median:.0f} MB")
    git(root, "checkout", "-q", "--", ".")
    shutil.rmtree(cache, ignore_errors=True)
    phases = _probe(root)
    change(root, 50, f"(edit {next(notes)})")
    after = _probe(root)
    warm = _probe(root, baselines=True)
    for name, r in (("cold", phases), ("after 50 changes", after), ("warm", warm)):
        print(f"  in process, {name:17s} load {r['load']:6.3f} s + compile {r['compile']:6.3f} s"
              f"  (compiled {int(r['compiled'])} of {int(r['prompts'])})")  # fmt: skip
    print(f"  bundle: {int(warm['bytes'])} bytes")
    print(f"  baseline json.dumps of the whole bundle object: {warm['dumps']:.3f} s; "
          f"compile without any cache (in process): {warm['nocache']:.3f} s")  # fmt: skip
    cold, fifty = got["cold (no cache at all)"].median, got["after 50 changed files"].median
    verdicts = ["met" if ok else "NOT met" for ok in (cold <= 10, fifty <= 0.6)]
    print(f"targets: cold <= 10 s: {cold:.2f} s {verdicts[0]}; "
          f"after 50 changes <= 0.6 s: {fifty:.3f} s {verdicts[1]}")  # fmt: skip
    tmp.cleanup()


if __name__ == "__main__":
    main()
