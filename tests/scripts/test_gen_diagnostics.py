"""docs/readme/diagnostics.md: every code, a bad example that yields it, a good one that
does not, and the page fresh."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from promptops.repo.codes import CODES
from tests.helpers import generated_with_locked

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_diagnostics.py"


def _script() -> ModuleType:
    name = "gen_diagnostics"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SCRIPT)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while executing it
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_every_code_has_an_example() -> None:
    assert list(_script().EXAMPLES) == list(CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_bad_example_yields_the_code_and_good_one_does_not(code: str) -> None:
    script = _script()
    example = script.EXAMPLES[code]
    bad = script.run(example, "bad")
    assert [d for d in bad if d.code == code], [str(d) for d in bad]
    assert all(d.level == CODES[code].level for d in bad if d.code == code)
    good = script.run(example, "good")
    assert not [d for d in good if d.code == code or d.level == "error"], [str(d) for d in good]


@generated_with_locked("pyyaml")
@generated_with_locked("jinja2")
def test_the_page_is_fresh() -> None:
    script = _script()
    assert script.main(["--check"]) == 0, "run python scripts/gen_diagnostics.py and commit"


def test_check_fails_when_stale(tmp_path: Path) -> None:
    out = tmp_path / "diagnostics.md"
    out.write_text("old\n")
    assert _script().main(["--check", "--out", str(out)]) == 1
