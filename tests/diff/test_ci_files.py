"""The shipped CI integration: the pre-commit hook and the composite GitHub Action."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from promptops.diff import FAIL_ON, MARKER
from tests.helpers import MINIMAL_REPO, commit_all, git, init_repo, write_files

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_pre_commit_hook_validates_prompt_files() -> None:
    (hook,) = _load(".pre-commit-hooks.yaml")
    assert hook["id"] == "promptops-validate"
    assert hook["entry"] == "promptops validate"
    assert hook["pass_filenames"] is False
    pattern = re.compile(hook["files"])
    for path in ("prompts/a/b.yaml", "policies/tools.yaml", "evals/x.yaml", "models.yaml"):
        assert pattern.search(path), path
    for path in ("README.md", "src/models.yaml.bak.py", "docs/prompts.md"):
        assert not pattern.search(path), path


def test_action_runs_validate_then_diff_and_gates() -> None:
    action = _load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"base-ref", "fail-on", "provider", "python-version"}
    assert action["inputs"]["fail-on"]["default"] in FAIL_ON
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    runs = [s.get("run", "") for s in steps]
    validate = next(i for i, r in enumerate(runs) if "promptops validate" in r)
    diff = next(i for i, r in enumerate(runs) if "--behaviour --format markdown" in r)
    assert validate < diff
    assert "pip install" in runs[1]
    # The comment step finds its previous comment by the same marker the report starts with.
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert f"const marker = '{MARKER}';" in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]
    # The last step turns the diff's exit code into the job's result.
    assert "exit 1" in runs[-1] and "steps.diff.outputs.exit-code" in str(steps[-1]["env"])


def test_action_uploads_the_html_report_and_links_it() -> None:
    steps = _load("action.yml")["runs"]["steps"]
    diff = next(s for s in steps if s.get("id") == "diff")
    assert "hargs[4]=html" in diff["run"] and 'echo "html=$html"' in diff["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"] == "${{ steps.diff.outputs.html }}"
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert comment["env"]["HTML_URL"] == "${{ steps.html.outputs.artifact-url }}"
    assert "process.env.HTML_URL" in comment["with"]["script"]
    # Replaced in the args the markdown run uses: index 4 is the format's value.
    args = re.search(r"args=\((.*)\)", diff["run"])
    assert args is not None and args.group(1).split()[4] == "markdown"


# -- pre-commit in a monorepo --------------------------------------------------------


def _documented_hook() -> dict[str, Any]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- monorepo-hook:start -->")[1].split("<!-- monorepo-hook:end -->")[0]
    config = yaml.safe_load(block.split("```yaml")[1].split("```")[0])
    (hook,) = config["repos"][0]["hooks"]
    return dict(hook)


def _pre_commit(top: Path, hook: dict[str, Any]) -> subprocess.CompletedProcess[str] | None:
    """What pre-commit does with one hook: match the staged files against ``files`` (the
    documented override, else the shipped pattern), then run entry + args from the top of
    the git repository, without file names. None when no staged file matches."""
    (shipped,) = _load(".pre-commit-hooks.yaml")
    spec = {**shipped, **hook}
    staged = git(top, "diff", "--cached", "--name-only").splitlines()
    if not any(re.search(spec["files"], path) for path in staged):
        return None
    entry = spec["entry"].split()
    assert entry[0] == "promptops" and spec["pass_filenames"] is False
    argv = [sys.executable, "-m", "promptops", *entry[1:], *spec.get("args", [])]
    return subprocess.run(argv, cwd=top, capture_output=True, text=True, check=False)


def test_pre_commit_hook_in_a_monorepo_subdirectory(tmp_path: Path) -> None:
    """The issue's case: the shipped `files:` never matched `sub/dir/prompts/...`."""
    hook = _documented_hook()
    top = tmp_path / "monorepo"
    sub = top / hook["args"][1]
    init_repo(top, {"README.md": "monorepo\n", "app/main.py": "print(1)\n"})
    write_files(sub, MINIMAL_REPO)
    git(top, "add", "-A")
    result = _pre_commit(top, hook)
    assert result is not None and result.returncode == 0, result
    assert "ok: 0 error(s)" in result.stdout
    # The shipped pattern alone matches sources at any depth, too.
    assert _pre_commit(top, {}) is not None
    # A broken prompt fails the commit, naming the file.
    git(top, "commit", "-q", "-m", "prompts")
    greet = sub / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("params:", "parms:"))
    git(top, "add", "-A")
    result = _pre_commit(top, hook)
    assert result is not None and result.returncode == 1
    assert "prompts/greet.yaml:5:1: error: unknown key 'parms'" in result.stdout
    # Unrelated changes do not run the documented hook.
    git(top, "reset", "-q", "--hard")
    write_files(top, {"app/main.py": "print(2)\n"})
    git(top, "add", "-A")
    assert _pre_commit(top, hook) is None
    # Without --root, the hook says what to do instead of failing obscurely.
    write_files(sub, {"prompts/greet.yaml": MINIMAL_REPO["prompts/greet.yaml"] + "\n"})
    git(top, "add", "-A")
    result = _pre_commit(top, {})
    assert result is not None and result.returncode == 2
    assert "args: [--root, DIR]" in result.stderr


# -- the GitHub Action, its shell steps run as a runner would --------------------------


def _expression(expr: str, context: dict[str, str]) -> str:
    """The action's ``${{ }}`` expressions, each resolved from ``context`` (the test says
    what every expression is; an unknown one fails the test)."""
    assert expr in context, f"add {expr!r} to the test's context"
    return context[expr]


def _run_action(
    workspace: Path, runner: Path, context: dict[str, str]
) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """Run every `run:` step of action.yml in order with GitHub's bash flags; `uses:` steps
    other than the comment are skipped (setup-python, and install: promptops is installed).
    Returns (step name, outcome) and each step's outputs."""
    action = _load("action.yml")
    env_base = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(runner / "summary.md"),
    }
    outputs: dict[str, dict[str, str]] = {}
    trail: list[tuple[str, str]] = []
    failed = False

    def resolve(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1).strip()
            step = re.fullmatch(r"steps\.(\w+)\.outputs\.([\w-]+)( != '')?", expr)
            if step:
                value = outputs.get(step.group(1), {}).get(step.group(2), "")
                return ("true" if value else "false") if step.group(3) else value
            return _expression(expr, context)

        return re.sub(r"\$\{\{(.*?)\}\}", one, text)

    for step in action["runs"]["steps"]:
        name = step.get("name", step.get("uses", ""))
        condition = str(step.get("if", ""))
        if failed and "always()" not in condition:
            trail.append((name, "skipped"))
            continue
        if "run" not in step or name == "Install promptops":
            ran = condition == "" or resolve("${{ " + condition + " }}") == "true"
            trail.append((name, "would run" if ran else "skipped"))
            continue
        out_file = runner / f"out-{len(trail)}"
        out_file.write_text("")
        env = {**env_base, "GITHUB_OUTPUT": str(out_file)}
        env.update({k: resolve(str(v)) for k, v in step.get("env", {}).items()})
        cwd = workspace / resolve(step.get("working-directory", "."))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=cwd, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        pairs = [line.split("=", 1) for line in out_file.read_text().splitlines() if "=" in line]
        outputs[step.get("id", name)] = dict(pairs)
        failed = proc.returncode != 0
        trail.append((name, f"exit {proc.returncode}"))
    return trail, outputs


def _context(base: str) -> dict[str, str]:
    return {
        "inputs.python-version": "3.11",
        "inputs.install": "",
        "inputs.path": ".",
        "inputs.fail-on": "regression",
        "inputs.provider": "echo",
        "inputs.base-ref || github.event.pull_request.base.sha": base,
        "github.base_ref && format('origin/{0}', github.base_ref) || 'HEAD~1'": "origin/main",
        # The comment step's condition, as GitHub evaluates it on a pull request.
        "inputs.comment == 'true' && github.event.pull_request.number": "true",
    }


def test_action_posts_the_validate_diagnostics_then_fails(tmp_path: Path) -> None:
    """The issue's case: a failing validate stopped the job before the comment."""
    workspace = tmp_path / "repo"
    base = init_repo(workspace, MINIMAL_REPO)
    greet = workspace / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("params:", "parms:"))
    commit_all(workspace, "typo")
    runner = tmp_path / "runner"
    runner.mkdir()
    trail, outputs = _run_action(workspace, runner, _context(base))
    assert trail == [
        ("actions/setup-python@v5", "would run"),
        ("Install promptops", "would run"),
        ("promptops validate", "exit 0"),
        ("promptops diff", "exit 0"),
        ("Upload the HTML report", "skipped"),
        ("Create or update the PR comment", "would run"),
        ("Gate", "exit 1"),
    ]
    report = Path(outputs["diff"]["report"]).read_text()
    assert report.startswith(f"{MARKER}\n## promptops validate failed\n")
    assert "prompts/greet.yaml:5:1: error: unknown key 'parms'; did you mean 'params'?" in report
    assert outputs["diff"]["exit-code"] == "1"


def test_action_posts_the_diff_when_validate_passes(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    base = init_repo(workspace, MINIMAL_REPO)
    greet = workspace / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello to", "Say hi to"))
    commit_all(workspace, "shorter")
    runner = tmp_path / "runner"
    runner.mkdir()
    trail, outputs = _run_action(workspace, runner, _context(base))
    assert trail[2:] == [
        ("promptops validate", "exit 0"),
        ("promptops diff", "exit 0"),
        ("Upload the HTML report", "would run"),
        ("Create or update the PR comment", "would run"),
        ("Gate", "exit 0"),
    ]
    report = Path(outputs["diff"]["report"]).read_text()
    assert report.startswith(f"{MARKER}\n## promptops diff `merge base of ")
