"""Baseline: parse every YAML source of a repository once with PyYAML's C loader.

    python bench/peers/pyyaml_parse.py REPO [--processes N]

The files are the ones promptops reads (models.yaml, prompts/, policies/, evals/,
experiments/), listed with ``git ls-files``; each process reads its share from disk and
loads it with ``yaml.load(..., Loader=yaml.CSafeLoader)``, as promptops' workers read and
parse theirs. A fresh process, start-up included: the same shape as a CLI run, so the two
compare whole process against whole process on the same cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import subprocess
import sys
from pathlib import Path

import yaml

ROOTS = ["models.yaml", "prompts", "policies", "evals", "experiments"]


def _load(paths: list[str]) -> int:
    n = 0
    for path in paths:
        with open(path, "rb") as fh:
            yaml.load(fh.read(), Loader=yaml.CSafeLoader)
        n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--", *ROOTS],
        cwd=args.repo,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = [str(args.repo / p) for p in listing.split("\0") if p.endswith((".yaml", ".yml"))]
    if args.processes <= 1:
        done = _load(paths)
    else:
        size = max(1, len(paths) // (args.processes * 4))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            done = sum(pool.map(_load, chunks))
    print(f"parsed {done} files")
    if done != len(paths):
        sys.exit("not every file was parsed")


if __name__ == "__main__":
    main()
