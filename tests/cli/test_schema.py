from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.spec.export import SCHEMA_KINDS, export_schemas, render_schema
from tests.helpers import run_cli


def test_out_writes_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["schema", "--out", str(tmp_path / "s")], capsys)
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert names == sorted(f"{kind}.schema.json" for kind in SCHEMA_KINDS)
    assert out.splitlines()[0] == f"wrote {tmp_path / 's' / 'prompt-file.schema.json'}"
    models = json.loads((tmp_path / "s" / "models.schema.json").read_text(encoding="utf-8"))
    assert models == export_schemas()["models"]


def test_kind_prints_one_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["schema", "tools"], capsys)
    assert code == 0
    assert out == render_schema(export_schemas()["tools"])


def test_neither_kind_nor_out_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["schema"], capsys)
    assert code == 2
    assert err.endswith(
        "Error: give a KIND to print (prompt-file, models, tools, rules, signers, eval, "
        "experiment) or --out DIR to write them all\n"
    )


def test_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["schema", "prompt"], capsys)
    assert code == 2
    assert "'prompt' is not one of" in err


def test_unwritable_out_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "f").write_text("", encoding="utf-8")
    code, _, err = run_cli(["schema", "--out", str(tmp_path / "f" / "sub")], capsys)
    assert code == 1
    assert err.startswith(f"error: cannot write {tmp_path / 'f' / 'sub' / 'prompt-file'}")
    assert "Traceback" not in err
