"""The console entry point: what it starts before the CLI loads, and that ``promptops
verify`` answers the same with it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from promptops.cli.launch import release_dir_arg, start_early
from promptops.release.trustfile import load_trust
from promptops.release.verify import verify_target
from promptops.runtime import blob
from promptops.runtime.digest import sha256_hex
from tests.helpers import init_repo
from tests.runtime.fixtures import release_and_signers


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["dist/releases/v1"], "dist/releases/v1"),
        (["dist/releases/v1", "--trust", "s.yaml", "--format", "json"], "dist/releases/v1"),
        (["--trust", "s.yaml", "rel"], "rel"),
        (["--trust=s.yaml", "--format=json", "rel"], "rel"),
        (["--format", "json", "--trust"], None),  # no target: click explains
        (["site", "--channel", "production"], None),  # the release is not known yet
        (["site", "--channel=production"], None),
        (["rel", "--help"], None),
        (["rel", "other"], None),
        (["rel", "--unknown"], None),
        (["https://example.com/releases/v1"], None),
        (["oci://localhost:5000/prompts:release-v1"], None),
        (["file:///srv/releases/v1"], None),
        ([], None),
    ],
)
def test_the_release_directory_verify_reads_is_recognised_or_nothing_starts(
    argv: list[str], target: str | None
) -> None:
    assert release_dir_arg(argv) == target


def _verify(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "promptops", "verify", *argv],
        capture_output=True,
        text=True,
        check=False,
    )


def test_verify_through_the_entry_point_verifies_the_bundle_it_hashed_ahead(
    tmp_path: Path,
) -> None:
    release, signers = release_and_signers(tmp_path)
    done = _verify(str(release), "--trust", str(signers))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "verified release v1 (serial 1)"
    bundle = release / "bundle.json"
    data = bundle.read_bytes()
    assert f"sha256:{sha256_hex(data)} ({len(data)} bytes" in done.stdout

    # One byte changed: the digest computed ahead is the one that fails.
    bundle.write_bytes(data.replace(b'"', b"'", 1))
    done = _verify(str(release), "--trust", str(signers))
    assert done.returncode == 1
    assert done.stderr.startswith("error: bundle: sha256 ")
    assert done.stderr.rstrip().endswith("the bundle was modified after signing")


def test_the_hash_started_ahead_is_the_one_verify_takes(tmp_path: Path) -> None:
    release, signers = release_and_signers(tmp_path)
    blob._AHEAD.clear()
    start_early(["verify", str(release), "--trust", str(signers)])
    assert len(blob._AHEAD) == 1
    report = verify_target(str(release), load_trust(signers), now=dt.datetime.now(dt.UTC))
    assert report.manifest.release == "v1"
    assert blob._AHEAD == {}  # same path, flags and limit as the loader's own read
    start_early(["verify", str(tmp_path / "site"), "--channel", "production"])
    start_early(["verify", str(tmp_path)])  # not a release directory
    start_early(["render", str(release)])
    assert blob._AHEAD == {}


def test_verify_exits_with_the_cli_s_codes_and_all_of_its_output(tmp_path: Path) -> None:
    release, signers = release_and_signers(tmp_path)
    done = _verify(str(release), "--trust", str(signers), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["release"] == "v1"  # the whole document was flushed
    done = _verify("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: promptops verify [OPTIONS] TARGET")
    assert done.stdout.rstrip().endswith("Show this message and exit.")
    done = _verify(str(release), "--format", "yaml")
    assert done.returncode == 2
    assert "Invalid value for '--format': 'yaml' is not one of 'text', 'json'." in done.stderr
    done = _verify(str(tmp_path / "nowhere"), "--trust", str(signers))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {tmp_path / 'nowhere'}: not a release directory")


def _promptops(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "promptops", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_every_command_runs_through_the_entry_point_as_through_the_cli(tmp_path: Path) -> None:
    # The launcher imports the command first (its heap then frozen): answers are the CLI's.
    done = _promptops("valdate")
    assert (done.returncode, done.stderr.splitlines()[-1]) == (
        2,
        "Error: No such command 'valdate'. Did you mean 'validate'?",
    )
    init_repo(tmp_path / "repo")
    greet = tmp_path / "repo" / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("messages:", "mesages:"))
    done = _promptops("validate", ".", cwd=tmp_path / "repo")
    assert done.returncode == 1
    assert "prompts/greet.yaml:" in done.stdout + done.stderr
    assert "did you mean 'messages'" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    done = _promptops()  # click's answer to no command: its help, as a usage error
    assert done.returncode == 2
    assert done.stderr.startswith("Usage: promptops [OPTIONS] COMMAND [ARGS]...")
