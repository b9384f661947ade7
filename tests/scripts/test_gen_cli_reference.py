from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click

from promptops.cli.main import cli
from tests.helpers import generated_with_locked

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
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- cli:start -->\nSTALE-ROW\n<!-- cli:end -->\n\nafter\n")
    paths = ["--out", str(out), "--readme", str(readme)]
    assert script.main(["--check", *paths]) == 1
    assert not out.exists()
    assert "STALE-ROW" in readme.read_text()
    assert script.main(paths) == 0
    text = readme.read_text()
    assert "STALE-ROW" not in text and text.endswith("<!-- cli:end -->\n\nafter\n")
    assert "| [`promptops validate [PATH]`](docs/readme/cli-reference.md#promptops-validate) |" in (
        text
    )
    assert script.main(["--check", *paths]) == 0
    out.write_text(out.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert script.main(["--check", *paths]) == 1


@generated_with_locked("click")
def test_committed_reference_and_readme_table_are_fresh() -> None:
    assert _script().main(["--check"]) == 0, "run: python scripts/gen_cli_reference.py"
