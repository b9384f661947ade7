"""The worked examples of the migration guides (docs/migrate/) are run, not just shown.

A guide marks an example with ``<!-- example: PATH... -->`` (files of this project, copied
into a scratch directory); after it, every ``console`` block is executed there (``$
promptops ...`` commands, with an optional ``> FILE``; ``$ cd DIR``) and its output must be
what the guide prints (``...`` stands for any lines), and the block after ``<!-- file: REL
-->`` must be exactly that file of the scratch directory, source or generated (trailing
blanks of a line aside).
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
GUIDES = sorted((ROOT / "docs" / "migrate").glob("*.md"))
_EXAMPLE = re.compile(r"<!-- example: (.+?) -->")
_FILE = re.compile(r"<!-- file: (.+?) -->")
_FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass
class Step:
    kind: str  # "console" or "file"
    text: str
    line: int
    target: str = ""


@dataclass
class Example:
    sources: list[str]
    line: int
    steps: list[Step] = field(default_factory=list)


def _examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    examples: list[Example] = []
    pending_file: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if m := _EXAMPLE.search(line):
            examples.append(Example(m.group(1).split(), i + 1))
        elif m := _FILE.search(line):
            pending_file = m.group(1).strip()
        elif (m := _FENCE.match(line)) and line.strip() != "```":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
            body = "\n".join(lines[i + 1 : end]) + "\n"
            if examples and pending_file is not None:
                examples[-1].steps.append(Step("file", body, i + 1, pending_file))
            elif examples and m.group(1) == "console":
                examples[-1].steps.append(Step("console", body, i + 1))
            pending_file = None
            i = end
        i += 1
    return examples


def _lines(text: str) -> list[str]:
    """Lines without trailing blanks (a Markdown editor may strip them)."""
    return [line.rstrip() for line in text.rstrip("\n").split("\n")]


def _cases() -> Iterator[object]:
    for guide in GUIDES:
        for example in _examples(guide):
            yield pytest.param(guide, example, id=f"{guide.stem}:{example.line}")


def _matches(expected: list[str], got: list[str]) -> bool:
    """``expected`` equals ``got``, where a line ``...`` matches any run of lines."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(_matches(expected[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and expected[0] == got[0] and _matches(expected[1:], got[1:])


def _run_console(
    step: Step, cwd: Path, work: Path, capsys: pytest.CaptureFixture[str], where: str
) -> Path:
    commands: list[tuple[str, list[str]]] = []
    for line in step.text.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    for command, expected in commands:
        argv = shlex.split(command)
        if argv[0] == "cd":
            cwd = (cwd / argv[1]).resolve()
            assert cwd.is_relative_to(work), f"{where}: cd leaves the example"
            continue
        assert argv[0] == "promptops", f"{where}: only promptops and cd run here: {command}"
        redirect = None
        if len(argv) > 2 and argv[-2] == ">":
            redirect, argv = argv[-1], argv[:-2]
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(cwd)
            code, out, err = run_cli(argv[1:], capsys)
        if redirect is not None:
            (cwd / redirect).write_text(out, encoding="utf-8")
            out = ""
        got = out.splitlines() + err.splitlines()
        assert _matches(expected, got), (
            f"{where}: `{command}` (exit {code}) printed:\n" + "\n".join(got)
        )
    return cwd


def test_every_guide_has_a_worked_example() -> None:
    assert {g.stem for g in GUIDES} >= {
        "github-models",
        "prompty",
        "dotprompt",
        "promptfoo",
        "langfuse",
        "python",
        "openai-prompt-objects",
    }
    for guide in GUIDES:
        if guide.stem != "README":
            examples = _examples(guide)
            assert examples, f"{guide.name} has no <!-- example: ... --> section"
            assert all(e.steps for e in examples), guide.name


@pytest.mark.parametrize(("guide", "example"), list(_cases()))
def test_worked_example_is_what_promptops_does(
    guide: Path, example: Example, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for source in example.sources:
        src = ROOT / source
        if src.is_dir():
            shutil.copytree(src, work / src.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, work / src.name)
    cwd = work
    for step in example.steps:
        where = f"{guide.relative_to(ROOT)}:{step.line}"
        if step.kind == "console":
            cwd = _run_console(step, cwd, work, capsys, where)
        else:
            target = cwd / step.target
            assert target.is_file(), f"{where}: no file {step.target}"
            assert _lines(target.read_text(encoding="utf-8")) == _lines(step.text), where
