from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click

from promptops.cli.main import cli

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_cli_reference.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_registered_command_has_a_section() -> None:
    text = _script().render()
    names = cli.list_commands(click.Context(cli))
    assert "init" in names and "schema" in names
    for name in names:
        assert f"\n## `promptops {name}`\n" in text
    assert (
        "| `--out DIRECTORY` | Write every schema into this directory as <kind>.schema.json. |"
        in (text)
    )


def test_check_fails_when_stale_and_passes_after_writing(tmp_path: Path) -> None:
    script = _script()
    out = tmp_path / "ref.md"
    assert script.main(["--check", "--out", str(out)]) == 1
    assert not out.exists()
    assert script.main(["--out", str(out)]) == 0
    assert script.main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert script.main(["--check", "--out", str(out)]) == 1
