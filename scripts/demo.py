"""`make demo`: the whole promptops flow on the example repository, offline.

Copies the example repository (prompts/, models.yaml, policies/, evals/) into a temporary
git repository so the demo never touches this checkout, then: validate, show a diagnostic on a
deliberately broken copy, generate a signing key, release (build + sign + tag), publish, verify,
load with the runtime and render, and diff two commits structurally and behaviourally.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROMPTOPS = str(BIN / "promptops")
EXAMPLE = ("models.yaml", "prompts", "policies", "evals")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
ENV = {**os.environ, **GIT_ENV}


def step(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def run(
    *args: str, cwd: Path, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> str:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"$ {shown}", flush=True)
    proc = subprocess.run(args, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).rstrip()
    if out:
        print(textwrap.indent(out, "  "), flush=True)
    if proc.returncode not in ok:
        print(f"demo: step failed with exit code {proc.returncode}", file=sys.stderr)
        sys.exit(1)
    return proc.stdout


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def copy_example(dest: Path) -> None:
    dest.mkdir(parents=True)
    for name in EXAMPLE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="promptops-demo-"))
    repo = work / "prompts-repo"
    copy_example(repo)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text("dist/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Example prompt repository")

    step("1. Validate the example repository")
    run(PROMPTOPS, "validate", ".", cwd=repo)

    step("2. A deliberately broken copy: precise diagnostics, exit 1")
    broken = work / "broken"
    copy_example(broken)
    answer = broken / "prompts" / "support" / "answer.yaml"
    text = answer.read_text(encoding="utf-8")
    answer.write_text(text.replace("model: support-", "model: suport-", 1), encoding="utf-8")
    run(PROMPTOPS, "validate", str(broken), cwd=work, ok=(1,))

    print("\n(demo: later steps are added as the layers land)")
    print(f"\nDemo workspace: {work}")


if __name__ == "__main__":
    main()
