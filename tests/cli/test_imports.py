"""Start-up: each command imports only what it uses, checked in a fresh interpreter.

A command's module is what ``promptops COMMAND`` imports before doing anything (the CLI
group loads commands lazily); its import set is held against a list of modules it has no
use for. Two commands are also run on a repository, warm, since what they import while
working matters as much: a validate answered from the cache parses nothing and builds no
bundle, a rebuild with unchanged prompts compiles nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from promptops.cli.main import COMMANDS

# Never needed to start any command: SDKs, the behaviour-diff and report stack, other tools.
NEVER = ["openai", "anthropic", "httpx", "deepdiff", "rich", "git", "ruamel", "securesystemslib"]
# Only for writing JSON Schemas (`promptops schema`, `init`): never for reading a repository.
SCHEMA_EXPORT = ["promptops.spec.export"]
# Only for checking a file: a load whose files the store knows parses nothing.
CHECKING = [
    "yaml",
    "promptops.repo.filecheck",
    "promptops.repo.yamlload",
    "promptops.repo.positions",
]
AUTHORING = ["pydantic", "yaml", "promptops.spec", "promptops.repo", "promptops.compile"]
SIGNING = ["cryptography", "promptops.release", "promptops.runtime"]
WORK = ["promptops.evals", "promptops.diff", "jinja2", "jsonschema"]

# command -> modules its start-up must not import (beyond NEVER).
_SIGNING_WRITERS = [
    "promptops.release.create",
    "promptops.release.channels",
    "promptops.release.keys",
]
# What evaluating imports (promptops.evals.names is all the command's options need).
_EVAL_RUN = [
    "promptops.evals.api",
    "promptops.evals.runner",
    "promptops.evals.formats",
    "promptops.evals.providers",
]
MUST_NOT: dict[str, list[str]] = {
    "init": ["yaml", "promptops.repo", "promptops.compile", *SIGNING, *WORK],
    "schema": ["yaml", "promptops.repo", "promptops.compile", *SIGNING, *WORK],
    "validate": ["promptops.compile", *SIGNING, *WORK],
    "build": [*SIGNING, *WORK],
    "keygen": [*AUTHORING, *WORK, "promptops.release.create", "promptops.release.verify"],
    "rollback": [*AUTHORING, "cryptography", "promptops.runtime", *WORK],
    "log": ["cryptography", "promptops.runtime", *WORK],
    "explain": ["cryptography", "promptops.runtime", *WORK],
    "experiment": ["yaml", "promptops.repo", "promptops.compile", *SIGNING, *WORK],
    "render": ["promptops.release", "cryptography", *WORK],
    # Its options need the provider and format names alone: the reader, the models and the
    # runner load in the command, under a paused collector (promptops/cli/heap.py).
    "eval": [*AUTHORING, *SIGNING, *[w for w in WORK if w != "promptops.evals"], *_EVAL_RUN],
    "diff": [*SIGNING, "promptops.evals", "jinja2", "jsonschema"],
    "migrate": ["promptops.release", "cryptography", "promptops.diff", "jinja2", "jsonschema"],
    "models": [*AUTHORING, *SIGNING, *WORK],
    # These build releases: the authoring chain is theirs to use.
    "release": [*WORK],
    "publish": [*WORK],
    "promote": [*WORK],
    # Trust administration signs and reads signers.yaml: never the reader or the compiler.
    "trust": ["promptops.repo", "promptops.compile", *WORK],
    # Interop converts documents; it has no use for releases or behaviour diffs.
    "import": ["promptops.release", "promptops.diff", "jsonschema"],
    "export": ["promptops.release", "promptops.diff", "jsonschema"],
    # Verification is the runtime's: never the models, the reader, the compiler or signing
    # (PyYAML, for signers.yaml, is all it takes of the authoring chain).
    "verify": [*[m for m in AUTHORING if m != "yaml"], *WORK, *_SIGNING_WRITERS],
}
# Modules of NEVER a command still loads at start-up, to be made lazy: promptops.interop
# imports every format module eagerly, and the merge of YAML files needs ruamel.
TOLERATED: dict[str, set[str]] = {"import": {"ruamel"}, "export": {"ruamel"}}
PENDING: set[str] = set()


def _loaded(code: str, cwd: Path | None = None) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def _hits(modules: set[str], forbidden: list[str]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


def test_every_command_has_a_row() -> None:
    assert set(MUST_NOT) | PENDING == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_start_up_imports(name: str) -> None:
    loaded = _loaded(f"""
        import json, sys
        from promptops.cli.main import cli
        cli.get_command(None, {name!r})
        print(json.dumps(sorted(sys.modules)))
    """)
    never = [m for m in NEVER if m not in TOLERATED.get(name, set())]
    assert _hits(loaded, [*never, *MUST_NOT.get(name, [])]) == []


def test_release_package_names_all_resolve() -> None:
    import promptops.release as release

    for name in release.__all__:
        assert getattr(release, name) is not None


def _run_twice(argv: list[str], cwd: Path) -> set[str]:
    """Modules a second (warm) run of ``promptops ARGV`` imported."""
    code = f"""
        import json, sys
        from promptops.cli.main import main
        try:
            main({argv!r})
        except SystemExit as exc:
            assert not exc.code, exc.code
        print(json.dumps(sorted(sys.modules)))
    """
    _loaded(code, cwd)
    return _loaded(code, cwd)


def test_warm_validate_parses_nothing_and_builds_nothing(repo: Path) -> None:
    loaded = _run_twice(["validate", str(repo)], repo)
    assert (
        _hits(loaded, [*NEVER, *SCHEMA_EXPORT, *CHECKING, "promptops.compile", *SIGNING, *WORK])
        == []
    )


def test_warm_rebuild_compiles_nothing(repo: Path) -> None:
    loaded = _run_twice(["build", str(repo)], repo)
    assert _hits(loaded, [*NEVER, *SCHEMA_EXPORT, *CHECKING, *SIGNING, *WORK]) == []


def test_warm_echo_eval_imports_only_what_it_runs(repo: Path) -> None:
    # An echo run of plain assertions: no threads, no batches, no judges or python: checks,
    # no junit writer, no HTML, no side-by-side tables.
    loaded = _run_twice(["eval", "--provider", "echo", "--no-cache"], repo)
    assert "promptops.evals.runner" in loaded
    idle = [
        "concurrent.futures",
        "xml",
        "promptops.evals.batch",
        "promptops.evals.judges",
        "promptops.evals.grading",
        "promptops.evals.pychecks",
        "promptops.evals.html",
        "promptops.evals.matrix",
        "promptops.evals.prune",
    ]
    forbidden = [
        *NEVER,
        *SCHEMA_EXPORT,
        "cryptography",
        "promptops.release",
        "promptops.diff",
        *idle,
    ]
    assert _hits(loaded, forbidden) == []


def test_release_functions_win_over_their_submodules() -> None:
    # The submodules are imported first, as another module may do: the names still give
    # the functions (as the eager imports promptops.release used to have did).
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import promptops.release.rollback, promptops.release.explain\n"
            "from promptops.release import explain, rollback\n"
            "print(callable(rollback), callable(explain), type(rollback).__name__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.split() == ["True", "True", "function"]


def test_verify_of_a_release_with_a_plain_signers_file_never_imports_the_models(
    tmp_path: Path,
) -> None:
    from tests.runtime.fixtures import release_and_signers

    release, signers = release_and_signers(tmp_path)
    argv = ["verify", str(release), "--trust", str(signers)]
    loaded = _run_twice(argv, tmp_path)
    assert "promptops.release.verify" in loaded
    assert _hits(loaded, [*NEVER, *MUST_NOT["verify"]]) == []
