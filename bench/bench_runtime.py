"""Issue 16's runtime table (part B) in one run: cold start at scale, with the page cache
evicted and with a Jinja prompt, the trust walk, and ``promptops verify`` through the CLI.

    python bench/bench_runtime.py [--sizes 1000,10000,50000] [--runs 15]
        [--baseline REV] [--trust-baseline REV] [--trust-versions 10] [--work DIR] [--smoke]

Every figure is a whole fresh process, spawn to exit; contestants run round-robin (one
untimed warm-up each, then ``--runs`` rounds) and each is reported as median (min, max).
promptops runs from byte-compiled copies of the code measured, in plain venvs, as an
installed wheel does (bench/peers/snapshot.py): the checkout ("now") and, with
``--baseline REV``, commit REV ("before"), so before/after come from the same run on the
same machine. Each code version signs its own releases (bench/peers/scale_release.py),
in the manifest format it writes, from one pool of prompts the compiler built from a
generated repository (bench/gen_repo.py plus two benchmark prompts), so every version
serves the same prompts at every size.

Rows:

- cold start (bench/peers/cold_runtime.py): import the runtime, ``Registry.open`` a
  channel of a published site from a warm cache (pointer and manifest verified, bundle
  checked), render ``bench/support-answer`` (three substituted inputs) once. At each size;
  target ``50k / 1k <= 1.2x``. Peers (bench/setup_peers.sh: prompty, dotpromptz,
  langfuse) cold-start the same chat prompt as baselines.
- the same with the page cache evicted before every run: ``posix_fadvise(DONTNEED)`` on
  every file of the site, the cache, the promptops copy and the site-packages of
  cryptography, cffi, jinja2 and markupsafe (``/proc/sys/vm/drop_caches`` needs more
  privilege than a benchmark should have, and would slow every other job on the host).
  The interpreter and its standard library stay cached.
- the same with ``bench/jinja-answer``, whose template loops over a list (Jinja).
- trust walk: the 10,000-prompt release from a copy of the site whose publisher rotated
  keys ``--trust-versions`` times while the application ships trust version 1; target
  ``<= 1.10x`` the same start without a walk; with ``--trust-baseline REV`` (the code
  before roles and the trust chain) also against that, as issue 11 stated it.
- ``promptops verify`` of the 10,000-prompt release directory (``python -m promptops
  verify DIR --trust signers.yaml``, a YAML trust root as in a repository), target
  <= 80 ms; in-process ``verify_target`` beside it (median of 20 in one process).

``--smoke`` runs every row once on tiny releases from the checkout (``make test`` does);
its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Appended, not prepended: promptops must come from the byte-compiled copy on the venv's
# path (bench/peers/snapshot.py), not from this checkout.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from bench.peers.release_fixture import PublishedRelease, add_trust_versions
from bench.peers.scale_release import JINJA_PROMPT_ID, SUBSTITUTE_PROMPT_ID, build_pool
from bench.peers.snapshot import export_promptops, rerun_on_copy, strip_at_commit
from bench.peers.timing import (
    PEERS_PYTHON,
    SNAPSHOT_OF,
    Contestant,
    make_plain_venv,
    run_once,
)

PEERS = Path(__file__).resolve().parent / "peers"
EXPECTED = ("support agent for Acme", "Ada asks: How do I reset my password?")
PEER_PROGRAMS = {"prompty": "cold_prompty.py", "dotpromptz": "cold_dotpromptz.py",
                 "langfuse": "cold_langfuse.py"}  # fmt: skip
GROWTH = 1.2
TRUST_RATIO = 1.10
VERIFY_MS = 80.0
MIB = 1024 * 1024


@dataclass
class Timed:
    """A contestant and what runs, untimed, before each of its runs."""

    contestant: Contestant
    prepare: Callable[[], None] | None = None


def evict(paths: list[Path]) -> None:
    """Drop every regular file under ``paths`` from the page cache (clean pages only)."""
    for top in paths:
        for root, _, files in os.walk(top):
            for name in files:
                try:
                    fd = os.open(os.path.join(root, name), os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.fdatasync(fd)
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def site_packages(python: Path) -> list[Path]:
    code = (
        "import cryptography, cffi, jinja2, markupsafe, os\n"
        "print('\\n'.join(os.path.dirname(m.__file__) for m in "
        "(cryptography, cffi, jinja2, markupsafe)))"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return [Path(p) for p in out.stdout.split()]


def interleaved(timed: list[Timed], runs: int) -> dict[str, list[float]]:
    for t in timed:
        if t.prepare is not None:
            t.prepare()
        run_once(t.contestant)
    times: dict[str, list[float]] = {t.contestant.name: [] for t in timed}
    for _ in range(runs):
        for t in timed:
            if t.prepare is not None:
                t.prepare()
            times[t.contestant.name].append(run_once(t.contestant)[0])
    return times


def check_output(c: Contestant) -> None:
    """Refuse to time a contestant that does not render the expected messages."""
    _, out = run_once(Contestant(c.name, [*c.argv, "--show"], c.cwd, c.env), capture=True)
    missing = [text for text in EXPECTED if text not in out]
    if missing:
        raise SystemExit(f"{c.name}: output lacks {missing}:\n{out[-1500:]}")


def ms(samples: list[float]) -> str:
    med = statistics.median(samples) * 1000
    return f"{med:7.1f} ms (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})"


def med(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def yaml_trust(trust_json: Path) -> Path:
    """The same trust root as signers.yaml, as a repository holds it."""
    import yaml

    doc = json.loads(trust_json.read_text(encoding="utf-8"))
    path = trust_json.with_name("signers.yaml")
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


INPROC_VERIFY = """
import datetime as dt, json, pathlib, statistics, sys, time
from promptops.release.verify import verify_target
from promptops.release.trustfile import load_trust
trust = load_trust(pathlib.Path(sys.argv[2]))
now = dt.datetime.now(dt.UTC)
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); verify_target(sys.argv[1], trust, now=now)
    times.append(time.perf_counter() - t)
print(json.dumps([statistics.median(times) * 1e3, min(times) * 1e3, max(times) * 1e3]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="prompt counts")
    parser.add_argument("--runs", type=int, default=15, help="timed rounds")
    parser.add_argument("--baseline", metavar="REV", help="also time promptops at REV")
    parser.add_argument("--trust-baseline", metavar="REV", help="code before the trust chain")
    parser.add_argument("--trust-versions", type=int, default=10)
    parser.add_argument("--work", type=Path, help="keep releases here (reused if present)")
    parser.add_argument("--at-commit", metavar="REV", help="measure this commit as 'now'")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if SNAPSHOT_OF is None and not args.smoke:
        return rerun_on_copy(args.at_commit, "bench_runtime.py", strip_at_commit(sys.argv[1:]))
    print(f"promptops code: {SNAPSHOT_OF or 'the checkout (smoke run: figures mean nothing)'}")
    sizes = [30, 60] if args.smoke else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.smoke else args.runs
    pool_n = 20 if args.smoke else 1000
    walk = 2 if args.smoke else args.trust_versions
    mid = 10_000 if 10_000 in sizes else sizes[len(sizes) // 2]
    small, large = min(sizes), max(sizes)

    tmp = tempfile.TemporaryDirectory(prefix="bench-runtime-")
    work = args.work or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    try:
        versions = {"now": make_plain_venv(scratch / "venv-now")}
        if args.baseline:
            what = export_promptops(args.baseline, scratch / "src-before")
            versions["before"] = make_plain_venv(scratch / "venv-before",
                                                 code_root=scratch / "src-before")  # fmt: skip
            print(f"before: {what}")
        if args.trust_baseline:
            what = export_promptops(args.trust_baseline, scratch / "src-pretrust")
            versions["pre-trust"] = make_plain_venv(scratch / "venv-pretrust",
                                                    code_root=scratch / "src-pretrust")  # fmt: skip
            print(f"pre-trust: {what}")
        pool = work / f"pool-{pool_n}.json"
        if not pool.exists():
            pool.write_bytes(build_pool(scratch / "pool-repo", pool_n))
        sites: dict[tuple[str, int], Path] = {}
        for label, python in versions.items():
            for n in sizes:
                out = work / f"{label}-{n}"
                if not (out / "site").exists():
                    shutil.rmtree(out, ignore_errors=True)
                    start = time.perf_counter()
                    made = subprocess.run(
                        [str(python), str(PEERS / "scale_release.py"), str(pool), str(n), str(out)],
                        capture_output=True, text=True, check=True,
                    ).stdout  # fmt: skip
                    info = json.loads(made)
                    print(f"{label}: signed a release of {info['prompts']} prompts, bundle "
                          f"{info['bundle_bytes'] / 1e6:.1f} MB, in "
                          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
                sites[label, n] = out
        rotated = work / f"now-{mid}-rotated"
        if walk and not rotated.exists():
            base = sites["now", mid]
            shutil.copytree(base / "site", rotated)
            rel = PublishedRelease(rotated, base / "trust.json", "production",
                                   SUBSTITUTE_PROMPT_ID, mid, 0,
                                   (base / "key.pem").read_bytes())  # fmt: skip
            add_trust_versions(rel, rotated, walk)

        def cold(label: str, n: int, prompt: str = SUBSTITUTE_PROMPT_ID,
                 site: Path | None = None, tag: str = "") -> Contestant:  # fmt: skip
            out = sites[label, n]
            cache = scratch / f"cache-{label}-{n}-{prompt.rsplit('/', 1)[-1]}{tag}"
            argv = [str(versions[label]), str(PEERS / "cold_runtime.py"), str(site or out / "site"),
                    str(out / "trust.json"), str(cache), prompt]  # fmt: skip
            name = f"{label} {size_label(n)}{' jinja' if prompt == JINJA_PROMPT_ID else ''}{tag}"
            return Contestant(name, argv)

        timed: list[Timed] = []
        python = versions["now"]
        timed.append(Timed(Contestant("python -c pass", [str(python), "-c", "pass"])))
        if PEERS_PYTHON.exists():
            for peer, program in PEER_PROGRAMS.items():
                timed.append(Timed(Contestant(peer, [str(PEERS_PYTHON), str(PEERS / program)])))
        else:
            print("peers not installed (run bench/setup_peers.sh): no peer baselines")
        for label in versions:
            for n in sizes:
                timed.append(Timed(cold(label, n)))
            timed.append(Timed(cold(label, mid, JINJA_PROMPT_ID)))
            libs = site_packages(versions[label])
            for n in (small, large):
                c = cold(label, n, tag=" evicted")
                cache = Path(c.argv[4])
                # The copy of promptops a venv imports is listed in its .pth file.
                pth = next(versions[label].parent.parent.glob("lib/*/site-packages/*.pth"))
                code = Path(pth.read_text().split()[0]) / "promptops"
                paths = [sites[label, n], cache, code, *libs]
                timed.append(Timed(c, lambda paths=paths: evict(paths)))
        if walk:
            timed.append(Timed(cold("now", mid, site=rotated, tag=f" +{walk} trust")))
        for label in versions:
            where = subprocess.run(
                [str(versions[label]), "-c", "import promptops; print(promptops.__file__)"],
                capture_output=True, text=True, check=True, cwd=scratch,
            ).stdout.strip()  # fmt: skip
            print(f"{label}: promptops imported from {where}")
            trust_file = yaml_trust(sites[label, mid] / "trust.json")
            directory = sites[label, mid] / "site" / "releases" / "bench-1"
            argv = [str(versions[label]), "-m", "promptops", "verify", str(directory),
                    "--trust", str(trust_file)]  # fmt: skip
            # Run from the scratch directory: `-m` (and `-c`) put the working directory
            # first on sys.path, and from the checkout they would import its promptops,
            # not the byte-compiled copy measured.
            timed.append(Timed(Contestant(f"{label} verify {size_label(mid)} CLI", argv,
                                          cwd=scratch)))  # fmt: skip
        for t in timed:
            c = t.contestant
            if " verify " not in c.name and not c.name.startswith("python -c"):
                check_output(c)
        print(f"\n{runs} interleaved rounds; every figure a whole process: median (min, max)")
        times = interleaved(timed, runs)
        for name, samples in times.items():
            print(f"  {name:28s} {ms(samples)}")

        print("\nin-process promptops verify (verify_target, median of 20 in one process):")
        inproc = {}
        for label in versions:
            directory = sites[label, mid] / "site" / "releases" / "bench-1"
            got = subprocess.run(
                [str(versions[label]), "-c", INPROC_VERIFY, str(directory),
                 str(yaml_trust(sites[label, mid] / "trust.json")), "3" if args.smoke else "20"],
                capture_output=True, text=True, check=True, cwd=scratch,
            ).stdout  # fmt: skip
            inproc[label] = json.loads(got)
            print(f"  {label} verify {size_label(mid):4s}  {inproc[label][0]:6.1f} ms "
                  f"(min {inproc[label][1]:.1f}, max {inproc[label][2]:.1f})")  # fmt: skip

        m = {name: med(samples) for name, samples in times.items()}
        rows: list[tuple[str, str, str, str]] = []

        def row(figure: str, measured: str, target: str = "", ok: bool | None = None) -> None:
            rows.append((figure, measured, target, "" if ok is None else ("met" if ok else
                                                                          "NOT met")))  # fmt: skip

        for label in versions:
            growth = m[f"{label} {size_label(large)}"] / m[f"{label} {size_label(small)}"]
            row(f"cold start {size_label(large)} / {size_label(small)}, {label}",
                f"{growth:.2f}x ({m[f'{label} {size_label(large)}']:.1f} / "
                f"{m[f'{label} {size_label(small)}']:.1f} ms)",
                f"<= {GROWTH}x" if label == "now" else "",
                growth <= GROWTH if label == "now" else None)  # fmt: skip
            evicted = [f"{label} {size_label(n)} evicted" for n in (small, large)]
            row(f"cold start, page cache evicted, {label}",
                " / ".join(f"{m[e]:.1f}" for e in evicted) + f" ms ({size_label(small)} / "
                f"{size_label(large)})")  # fmt: skip
            jinja = m[f"{label} {size_label(mid)} jinja"] / m[f"{label} {size_label(mid)}"]
            row(f"cold start {size_label(mid)}, Jinja prompt, {label}",
                f"{m[f'{label} {size_label(mid)} jinja']:.1f} ms = {jinja:.2f}x the "
                f"substitute prompt")  # fmt: skip
            cli = m[f"{label} verify {size_label(mid)} CLI"]
            row(f"promptops verify {size_label(mid)}, CLI, {label}",
                f"{cli:.1f} ms (in process {inproc[label][0]:.1f} ms)",
                f"<= {VERIFY_MS:g} ms" if label == "now" else "",
                cli <= VERIFY_MS if label == "now" else None)  # fmt: skip
        if walk:
            walked = m[f"now {size_label(mid)} +{walk} trust"]
            ratio = walked / m[f"now {size_label(mid)}"]
            row(f"cold start {size_label(mid)} walking {walk} trust versions, now",
                f"{ratio:.3f}x the same start without a walk", f"<= {TRUST_RATIO}x",
                ratio <= TRUST_RATIO)  # fmt: skip
            if "pre-trust" in versions:
                ratio = walked / m[f"pre-trust {size_label(mid)}"]
                row(f"cold start {size_label(mid)} walking {walk} versions vs pre-trust code",
                    f"{ratio:.3f}x", f"<= {TRUST_RATIO}x", ratio <= TRUST_RATIO)  # fmt: skip
        peers = [p for p in PEER_PROGRAMS if p in m]
        if peers:
            fastest = min(peers, key=lambda p: m[p])
            for label in versions:
                ratio = m[f"{label} {size_label(small)}"] / m[fastest]
                row(f"cold start {size_label(small)} / {fastest}, {label}", f"{ratio:.3f}x")
        print("\nissue 16, part B (this machine, this run; whole processes):")
        width = max(len(r[0]) for r in rows)
        for figure, measured, target, verdict in rows:
            print(f"  {figure:{width}s}  {measured:48s} {target:10s} {verdict}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
