"""Runtime cold start and warm render against peers, measured in the same run (issue 4).

Cold start = the wall time of a fresh process, from spawn to exit, that imports a prompt
library, loads one 2-message, 3-variable chat prompt and renders it once. Each contestant
runs ``--runs`` times (default 20), interleaved round-robin after one untimed warm-up; the
median is reported. Contestants (programs in bench/peers/):

  python -c pass            the interpreter alone, in each venv
  json.load + str.format    stdlib baseline: read the prompt as JSON, format_map per message
  prompty                   prompty.load(.prompty) + prompty.prepare (render + parse)
  dotpromptz                Dotprompt().render(.prompt source) (Google's Dotprompt, Python)
  langfuse                  import langfuse, parse a stored API response with the SDK's own
                            parse_obj_as(Prompt), ChatPromptClient(...).compile(**inputs);
                            no client, no network (see bench/peers/cold_langfuse.py)
  promptops 1k / 10k        from promptops.runtime import Registry; Registry.open(site,
                            trust=..., channel="production", cache_dir=warm cache) with full
                            signature verification of the channel pointer and manifest and
                            the bundle's sha256; reg.prompt(id).render(**inputs)

The promptops releases are built first: a generated repository (bench/gen_repo.py) of 1,000
and 10,000 prompts plus the benchmark prompt, signed, released and published with the
project's own release code (bench/peers/release_fixture.py); the warm-up run fills the cache.

Targets: promptops 1k <= 0.25 x the fastest peer; promptops 10k <= 1.3 x promptops 1k.

Trust (issue 11): ``promptops N +10 trust`` opens the same release from a site whose
publisher rotated keys 10 times (trust/2.json ... trust/11.json) while the application still
ships trust version 1: every start walks the 10 versions again from the warm cache (each
verified, as TUF does) and asks the site for version 12. With ``--baseline REV`` the same
releases are also opened by promptops at commit REV (e.g. the commit before roles and the
trust chain), interleaved with the rest, so the ratio checkout / REV is measured in one run
(target: <= 1.10 with the trust walk included).
Then, for each release, where promptops' cold start goes (peers/phases_promptops.py: import,
open = fetch + verify, first render; in-process, median of 5 fresh processes).
Warm render (in-process, us per call, best of 9 interleaved timeit rounds): langfuse compile
and str.format_map (peers' venv), promptops render with and without input validation next to
str.format_map again (project venv). Targets: render <= 2 x format_map, faster than
langfuse's compile; validated render <= 10 us.

Usage: bench/setup_peers.sh; .venv/bin/python bench/bench_cold_start.py [--runs N]
       [--sizes 1000,10000] [--at-commit REV]   (REV: measure that commit, not the checkout)
       [--baseline REV] [--trust-versions 10]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Appended, not prepended: promptops must come from the byte-compiled copy on the venv's
# path (bench/peers/snapshot.py), not from this checkout.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from bench.peers.release_fixture import (
    PublishedRelease,
    add_trust_versions,
    build_published_release,
)
from bench.peers.snapshot import export_promptops, rerun_on_copy, strip_at_commit
from bench.peers.timing import (
    PEERS_PYTHON,
    SNAPSHOT_OF,
    Contestant,
    bench_env,
    describe_ms,
    interleaved,
    make_plain_venv,
    median_ms,
    promptops_location,
    run_once,
)

PEERS = Path(__file__).resolve().parent / "peers"
EXPECTED = ("support agent for Acme", "Ada asks: How do I reset my password?")
PEER_NAMES = ("prompty", "dotpromptz", "langfuse")
TARGET_PEER_RATIO = 0.25
TARGET_GROWTH = 1.3


def peer_contestants() -> list[Contestant]:
    py = str(PEERS_PYTHON)
    return [
        Contestant("python -c pass (peers venv)", [py, "-c", "pass"]),
        Contestant("prompty", [py, str(PEERS / "cold_prompty.py")]),
        Contestant("dotpromptz", [py, str(PEERS / "cold_dotpromptz.py")]),
        Contestant("langfuse", [py, str(PEERS / "cold_langfuse.py")]),
    ]


def baseline_contestants(python: Path) -> list[Contestant]:
    py = str(python)
    return [
        Contestant("python -c pass", [py, "-c", "pass"]),
        Contestant("json.load + str.format", [py, str(PEERS / "cold_json_format.py")]),
    ]


def release_args(rel: PublishedRelease, cache: Path) -> list[str]:
    return [str(rel.site), str(rel.trust_file), str(cache), rel.channel, rel.prompt_id]


def promptops_contestant(
    label: str, python: Path, rel: PublishedRelease, cache: Path
) -> Contestant:
    argv = [str(python), str(PEERS / "cold_promptops.py"), *release_args(rel, cache)]
    return Contestant(label, argv)


def check_output(c: Contestant) -> None:
    """Refuse to time a contestant that does not render the expected messages."""
    if c.name.startswith("python -c"):
        return
    _, out = run_once(Contestant(c.name, [*c.argv, "--show"], c.cwd, c.env), capture=True)
    missing = [text for text in EXPECTED if text not in out]
    if missing:
        raise SystemExit(f"{c.name}: output lacks {missing}:\n{out[-1500:]}")


def warm_json(argv: list[str]) -> dict[str, float]:
    proc = subprocess.run(argv, env=bench_env(), capture_output=True, check=False, cwd=PEERS)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[1]} failed:\n{proc.stderr.decode(errors='replace')[-2000:]}")
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per contestant")
    parser.add_argument("--sizes", default="1000,10000", help="prompt counts of the releases")
    parser.add_argument("--skip-promptops", action="store_true")
    parser.add_argument(
        "--at-commit", metavar="REV", help="measure promptops at this commit (default: checkout)"
    )
    parser.add_argument("--baseline", metavar="REV", help="also time promptops at REV")
    parser.add_argument("--trust-versions", type=int, default=10, help="0: no trust walk")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.sizes = 1, "20"
        os.environ["BENCH_SMOKE"] = "1"  # the helper scripts time one short round
    if SNAPSHOT_OF is None:
        argv = strip_at_commit(sys.argv[1:])
        return rerun_on_copy(args.at_commit, "bench_cold_start.py", argv)
    print(f"promptops code: {SNAPSHOT_OF}")
    have_peers = PEERS_PYTHON.exists()
    if not have_peers:
        print("peers not installed (run bench/setup_peers.sh): timing baselines only")
    sizes = [int(s) for s in args.sizes.split(",") if s]

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        work = Path(tmp)
        # Ours and the stdlib baselines run where promptops is importable the way a wheel
        # install makes it: a byte-compiled copy, no editable hook (snapshot.py, timing.py).
        plain = make_plain_venv(work / "plain-venv")
        print(f"promptops imported from {promptops_location(plain)}")
        contestants = baseline_contestants(plain) + (peer_contestants() if have_peers else [])
        releases: dict[int, PublishedRelease] = {}
        base_python = None
        if args.baseline:
            what = export_promptops(args.baseline, work / "baseline-src")
            base_python = make_plain_venv(work / "baseline-venv", code_root=work / "baseline-src")
            print(f"baseline promptops: {what}, from {promptops_location(base_python)}")
        if not args.skip_promptops:
            for n in sizes:
                start = time.perf_counter()
                rel = build_published_release(work / f"release-{n}", n)
                releases[n] = rel
                print(
                    f"built release: {rel.prompts} prompts, bundle {rel.bundle_bytes / 1e6:.1f} MB,"
                    f" in {time.perf_counter() - start:.1f} s"
                )
                cache = work / f"cache-{n}"
                contestants.append(promptops_contestant(f"promptops {n}", plain, rel, cache))
                if base_python is not None:
                    base_cache = work / f"cache-{n}-base"
                    contestants.append(
                        promptops_contestant(f"promptops {n} @base", base_python, rel, base_cache)
                    )
                if args.trust_versions:
                    rotated = work / f"release-{n}" / "site-rotated"
                    shutil.copytree(rel.site, rotated)
                    add_trust_versions(rel, rotated, args.trust_versions)
                    walked = dataclasses.replace(rel, site=rotated)
                    label = f"promptops {n} +{args.trust_versions} trust"
                    cache = work / f"cache-{n}-trust"
                    contestants.append(promptops_contestant(label, plain, walked, cache))
        for c in contestants:
            check_output(c)

        print(
            f"\ncold start: fresh process, import + load + first render; median of {args.runs} "
            "interleaved runs"
        )
        times = interleaved(contestants, args.runs)
        for c in contestants:
            print(f"  {c.name:30s} {describe_ms(times[c.name])}")
        med = {name: median_ms(samples) for name, samples in times.items()}

        print()
        peers_present = [p for p in PEER_NAMES if p in med]
        if peers_present:
            fastest = min(peers_present, key=lambda p: med[p])
            print(f"  fastest peer: {fastest} {med[fastest]:.1f} ms")
            for n in releases:
                ratio = med[f"promptops {n}"] / med[fastest]
                verdict = "OK" if ratio <= TARGET_PEER_RATIO else "ABOVE TARGET"
                print(
                    f"  promptops {n} / {fastest}: {ratio:.3f} (target <= {TARGET_PEER_RATIO})"
                    f" {verdict}"
                )
        for n in releases:
            if f"promptops {n} @base" in med:
                base = med[f"promptops {n} @base"]
                print(f"  promptops {n} / {n} @base: {med[f'promptops {n}'] / base:.3f}")
                walked = f"promptops {n} +{args.trust_versions} trust"
                if walked in med:
                    ratio = med[walked] / base
                    verdict = "OK" if ratio <= 1.10 else "ABOVE TARGET"
                    print(f"  {walked} / {n} @base: {ratio:.3f} (target <= 1.10) {verdict}")
        if len(releases) >= 2:
            small, large = min(releases), max(releases)
            growth = med[f"promptops {large}"] / med[f"promptops {small}"]
            verdict = "OK" if growth <= TARGET_GROWTH else "ABOVE TARGET"
            print(
                f"  promptops {large} / {small}: {growth:.3f} (target <= {TARGET_GROWTH}) {verdict}"
            )

        if releases:
            print("\npromptops cold start by phase (in-process perf_counter, median of 5), ms")
            for n, rel in releases.items():
                argv = [str(plain), str(PEERS / "phases_promptops.py")]
                samples = [
                    warm_json([*argv, *release_args(rel, work / f"cache-{n}")])
                    for _ in range(1 if args.smoke else 5)
                ]
                phases = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
                shown = ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
                print(f"  promptops {n}: {shown}")

        print("\nwarm render: 2-message, 3-variable chat prompt; us per call, best of 9 rounds")
        if have_peers:
            peer = warm_json([str(PEERS_PYTHON), str(PEERS / "warm_render.py"), "--langfuse"])
            print(f"  str.format_map (peers venv)      {peer['format_map']:7.2f} us")
            print(f"  langfuse ChatPromptClient.compile {peer['langfuse_compile']:7.2f} us")
        if releases:
            n = min(releases)
            ours = warm_json(
                [
                    str(plain),
                    str(PEERS / "warm_promptops.py"),
                    *release_args(releases[n], work / f"cache-{n}"),
                ]
            )
            base = ours["format_map"]
            print(f"  str.format_map                   {base:7.2f} us")
            for key, label in (
                ("render_unvalidated", "promptops render, no validation"),
                ("render_validated", "promptops render, validated"),
                ("held_render", "promptops held Prompt.render"),
            ):
                print(f"  {label:32s} {ours[key]:7.2f} us  ({ours[key] / base:.2f} x format_map)")
            fast = ours["render_unvalidated"]
            print(f"  target: unvalidated <= 2 x format_map: {'OK' if fast <= 2 * base else 'NO'}")
            if have_peers:
                lf = peer["langfuse_compile"]
                print(f"  target: faster than langfuse compile: {'OK' if fast < lf else 'NO'}")
            validated = ours["render_validated"]
            print(f"  target: validated <= 10 us: {'OK' if validated <= 10 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
