"""What a load keeps of per-file results without decoding them all at once: the fact
tables cross-file checks read (decoded per entry, when asked for) and the summary a
repository state keeps of each file (its kind, own diagnostics, eval and experiment
targets).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from promptops.repo.kinds import usual_kind
from promptops.repo.state import DiagMap, raw
from promptops.repo.store import Record

__all__ = ["FactTable", "Summary"]


class FactTable(MutableMapping[str, tuple[str, dict[str, Any]]]):
    """key -> (path, facts) over encoded records, each decoded when asked for: cross-file
    checks walk every document once, never holding all their facts at the same time."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, Record | dict[str, Any]]] = {}

    def add(self, key: str, path: str, record: Record) -> None:
        self._items[key] = (path, record)

    def __getitem__(self, key: str) -> tuple[str, dict[str, Any]]:
        path, value = self._items[key]
        return path, value.result.facts if isinstance(value, Record) else value

    def __setitem__(self, key: str, value: tuple[str, dict[str, Any]]) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def paths(self) -> list[str]:
        """The path of every entry, without decoding any."""
        return [path for path, _ in self._items.values()]


class Summary:
    """What a state keeps of each file's result, gathered decoding each record once."""

    def __init__(self, results: Mapping[str, Record]) -> None:
        self.kinds: dict[str, str | None] = {}
        self.own: DiagMap = {}
        self.evals: dict[str, tuple[str, int]] = {}  # path -> (target, cases; -1: unusable)
        self.experiments: dict[str, str] = {}
        for path, record in results.items():
            kind = record.kind
            if kind != usual_kind(path):
                self.kinds[path] = kind
            result = record.result
            if result.diagnostics:
                self.own[path] = tuple(raw(d) for d in result.diagnostics)
            facts = result.facts
            if path.startswith("evals/") and "prompt" in facts:
                cases = len(facts["cases"]) if kind == "eval" else -1
                self.evals[path] = (str(facts["prompt"]), cases)
            elif kind == "experiment":
                self.experiments[path] = str(facts["prompt"])
