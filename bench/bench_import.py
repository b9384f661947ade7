"""Import 1,000 GitHub Models prompt files with ``promptops import`` (issue 12).

    python bench/bench_import.py [--files 1000] [--runs 5]

Times whole CLI processes as a user runs them: ``promptops import github-models SRC --into
NEW`` into a fresh directory each run (read, translate, assemble pins, instructions and
eval sets, validate the result, render every test case against gh-models' semantics and
write ~2,000 files). Baselines in the same run, interleaved round-robin with it, medians
reported: a process that only parses the same files with PyYAML's C loader (the floor of
reading them in Python), and ``python -c pass``. Target: under 5 s for 1,000 files.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
_SYSTEMS = [
    "You are a helpful assistant that answers briefly.",
    "You are a support agent for Acme. Be polite and precise.",
    "You are a translator. Keep names and numbers unchanged.",
]
_MODELS = ["openai/gpt-4o-mini", "openai/gpt-4o", "microsoft/phi-4"]


def generate(root: Path, n: int) -> None:
    """``n`` realistic .prompt.yml files: 2 messages, 2-4 variables, 3 test rows, evaluators."""
    for i in range(n):
        names = ["topic", "audience", "tone", "length"][: 2 + i % 3]
        user = "Write about {{topic}} for {{audience}}." + "".join(
            f" Keep the {v} as {{{{{v}}}}}." for v in names[2:]
        )
        rows = "".join(
            "  - {" + ", ".join(f"{v}: {v} value {r}" for v in names) + "}\n" for r in range(3)
        )
        text = (
            f"name: prompt {i}\n"
            f"description: Generated prompt number {i} for the import benchmark\n"
            f"model: {_MODELS[i % len(_MODELS)]}\n"
            "modelParameters:\n  temperature: 0.3\n  maxTokens: 400\n"
            "messages:\n"
            f"  - role: system\n    content: {_SYSTEMS[i % len(_SYSTEMS)]}\n"
            f"  - role: user\n    content: '{user}'\n"
            "testData:\n"
            + rows
            + "evaluators:\n  - name: mentions topic\n    string:\n      contains: '{{topic}}'\n"
        )
        folder = root / f"team{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"prompt{i:04d}.prompt.yml").write_text(text)


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{argv[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.files, args.runs = 20, 1
    tmp = Path(tempfile.mkdtemp(prefix="promptops-bench-import-"))
    try:
        src = tmp / "src"
        generate(src, args.files)
        files = sorted(str(p) for p in src.rglob("*.prompt.yml"))
        listing = tmp / "files.txt"
        listing.write_text("\n".join(files))
        pyyaml = [
            PY,
            "-c",
            "import sys, yaml\n"
            "for f in open(sys.argv[1]).read().split():\n"
            "    yaml.load(open(f, 'rb'), Loader=yaml.CSafeLoader)",
            str(listing),
        ]
        bare = [PY, "-c", "pass"]

        def import_into(target: Path) -> list[str]:
            command = ["import", "github-models", str(src), "--into", str(target)]
            return [PY, "-m", "promptops", *command]

        results: dict[str, list[float]] = {"import": [], "pyyaml": [], "python": []}
        # One untimed warm-up of each (bytecode and page caches, as for any rerun).
        for argv in (pyyaml, bare):
            _time(argv)
        _time(import_into(tmp / "warm"))
        for run in range(args.runs):
            target = tmp / f"repo{run}"
            results["import"].append(_time(import_into(target)))
            results["pyyaml"].append(_time(pyyaml))
            results["python"].append(_time(bare))
            shutil.rmtree(target)
        written = sum(1 for _ in (tmp / "warm").rglob("*.yaml"))
        print(f"{args.files} .prompt.yml files -> {written} repository files")
        print(f"{args.runs} runs of each, interleaved; medians")
        for name, label in (
            ("import", "promptops import (whole CLI)"),
            ("pyyaml", "PyYAML C loader, same files"),
            ("python", "python -c pass"),
        ):
            xs = results[name]
            spread = f"(min {min(xs):.2f}, max {max(xs):.2f})"
            print(f"  {label:30s} median {statistics.median(xs):6.2f} s  {spread}")
        ratio = statistics.median(results["import"]) / statistics.median(results["pyyaml"])
        median = statistics.median(results["import"])
        print(f"  import / PyYAML parse: {ratio:.1f}x; {args.files / median:.0f} files/s")
        if args.files == 1000:
            print(f"  target: under 5 s for 1,000 files -> {'met' if median < 5 else 'MISSED'}")
        else:
            print("  target: under 5 s for 1,000 files -> not judged (run with --files 1000)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
