"""promptfoo test data: test rows, ``defaultTest``, variable files and expansion, and how
promptfoo prepares variables before it renders a prompt."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

from promptops.interop.common import as_mapping
from promptops.interop.sources import SourceError, load_yaml, read_text
from promptops.interop.types import Where, diag
from promptops.repo.types import Diagnostic

__all__ = ["Row", "load_tests", "prepare_vars"]

_REF = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_MAX_ROWS = 10_000


class Row:
    """One promptfoo test: its variables, assertions and where it is written."""

    def __init__(
        self,
        name: str,
        variables: dict[str, Any],
        asserts: list[Any],
        where: Where,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.vars = variables
        self.asserts = asserts
        self.where = where
        self.options = options or {}


def _file(ref: str, folder: Path, where: Where, out: list[Diagnostic]) -> Any:
    rel = ref.removeprefix("file://")
    path = (folder / rel).resolve()
    shown = str(Path(where.path).parent / rel)
    if not path.is_file():
        out.append(diag(where, "error", "file-ref", f"'{ref}': no file {rel} next to the config"))
        return None
    try:
        text = read_text(path, shown)
        if path.suffix in (".yaml", ".yml"):
            return load_yaml(text, shown).data
        if path.suffix == ".json":
            return json.loads(text)
        if path.suffix == ".csv":
            return list(csv.DictReader(io.StringIO(text)))
        return text
    except SourceError as exc:
        out.append(exc.diagnostic)
    except ValueError as exc:
        out.append(diag(Where(shown), "error", "file-ref", f"not JSON: {exc}"))
    return None


def _csv_asserts(row: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for key, value in row.items():
        if not key.startswith("__expected") or not value:
            continue
        text = str(value)
        kind, sep, rest = text.partition(":")
        if sep and kind.strip() in (
            "contains",
            "icontains",
            "regex",
            "starts-with",
            "equals",
            "not-contains",
            "javascript",
            "python",
            "llm-rubric",
            "similar",
            "is-json",
            "contains-any",
            "contains-all",
        ):
            out.append({"type": kind.strip(), "value": rest.strip()})
        elif text.strip() == "is-json":
            out.append({"type": "is-json"})
        else:
            out.append({"type": "equals", "value": text})
    return out


def load_tests(
    config: dict[str, Any], folder: Path, where_of: Any, out: list[Diagnostic]
) -> list[Row]:
    """Every test row, ``defaultTest`` merged in and list-valued variables expanded."""
    default = as_mapping(config.get("defaultTest"))
    default_vars = as_mapping(default.get("vars"))
    raw_default = default.get("assert")
    default_asserts: list[Any] = raw_default if isinstance(raw_default, list) else []
    raw = config.get("tests")
    entries: list[tuple[Any, Where]] = []
    if isinstance(raw, str) and raw.startswith("file://"):
        loaded = _file(raw, folder, where_of(("tests",)), out)
        raw = loaded if isinstance(loaded, list) else []
        entries = [(r, where_of(("tests",))) for r in raw]
    elif isinstance(raw, list):
        for i, entry in enumerate(raw):
            if isinstance(entry, str) and entry.startswith("file://"):
                loaded = _file(entry, folder, where_of(("tests", i)), out)
                entries.extend(
                    (r, where_of(("tests", i)))
                    for r in (loaded if isinstance(loaded, list) else [])
                )
            else:
                entries.append((entry, where_of(("tests", i))))
    rows: list[Row] = []
    for n, (entry, where) in enumerate(entries, 1):
        if not isinstance(entry, dict):
            continue
        if (
            "vars" not in entry
            and "assert" not in entry
            and not any(k.startswith("__") for k in entry)
        ):
            # A CSV row: every column is a variable.
            entry = {"vars": entry}
        elif any(str(k).startswith("__") for k in entry):
            entry = {
                "vars": {k: v for k, v in entry.items() if not str(k).startswith("__")},
                "assert": _csv_asserts(entry),
                "description": entry.get("__description"),
            }
        variables = {**default_vars, **as_mapping(entry.get("vars"))}
        own = entry.get("assert")
        asserts: list[Any] = [*default_asserts, *(own if isinstance(own, list) else [])]
        name = str(entry.get("description") or f"test-{n}")
        lists = {
            k: v
            for k, v in variables.items()
            if isinstance(v, list) and v and all(isinstance(x, str | int | float) for x in v)
        }
        combos = (
            [dict(zip(lists, values, strict=True)) for values in itertools.product(*lists.values())]
            if lists
            else [{}]
        )
        for c, combo in enumerate(combos, 1):
            label = name if len(combos) == 1 else f"{name}-{c}"
            rows.append(
                Row(label, {**variables, **combo}, asserts, where, as_mapping(entry.get("options")))
            )
            if len(rows) > _MAX_ROWS:
                out.append(diag(where, "error", "too-many-tests", f"more than {_MAX_ROWS} tests"))
                return rows
    return rows


def prepare_vars(
    variables: dict[str, Any], folder: Path, where: Where, out: list[Diagnostic]
) -> dict[str, Any]:
    """Variables as promptfoo passes them to a template: ``file://`` values loaded, one
    trailing newline dropped, ``{{other}}`` references between variables resolved."""
    prepared: dict[str, Any] = {}
    for key, value in variables.items():
        if isinstance(value, str) and value.startswith("file://"):
            loaded = _file(value, folder, where, out)
            if isinstance(loaded, str):
                value = loaded.strip()
            elif loaded is not None:
                value = json.dumps(loaded, separators=(",", ":"), ensure_ascii=False)
        prepared[key] = value
    for key, value in prepared.items():
        if isinstance(value, str) and value.endswith("\n"):
            prepared[key] = value[:-1]
    for _ in range(5):
        changed = False
        for key, value in prepared.items():
            if not isinstance(value, str):
                continue
            m = _REF.search(value)
            if m and m.group(1) in prepared:
                other = prepared[m.group(1)]
                prepared[key] = value.replace(
                    m.group(0), other if isinstance(other, str) else json.dumps(other), 1
                )
                changed = True
        if not changed:
            break
    return prepared
