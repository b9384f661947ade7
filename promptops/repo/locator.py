"""Positions for diagnostics found across files, computed only for the files that get one.

Cached per-file facts carry names, not positions: re-parsing the handful of files that need a
cross-file diagnostic is far cheaper than storing positions for every file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from promptops.repo.config import Limits

if TYPE_CHECKING:
    from promptops.repo.yamlload import Parsed

__all__ = ["Anchor", "Locator"]

# ("value", loc) | ("key", loc) | ("tvar", name) | ("tinc", name)
Anchor = tuple[str, object]


class Locator:
    """``where(path, anchor) -> (line, col)``, parsing each file at most once."""

    def __init__(self, read: Callable[[list[str]], dict[str, bytes]], limits: Limits) -> None:
        self._read = read
        self._limits = limits
        self._parsed: dict[str, Parsed | None] = {}
        self._templates: dict[str, dict[tuple[str, str], tuple[int, int]]] = {}

    def parsed(self, path: str) -> Parsed | None:
        """The parsed file (parsed once, shared with positioning), or None if unreadable."""
        return self._parse(path)

    def _parse(self, path: str) -> Parsed | None:
        if path not in self._parsed:
            # PyYAML loads with the first file that needs a position, not with every load.
            from promptops.repo.yamlload import YamlProblem, parse_yaml

            data = self._read([path]).get(path)
            try:
                self._parsed[path] = None if data is None else parse_yaml(data, self._limits)
            except YamlProblem:
                self._parsed[path] = None
        return self._parsed[path]

    def __call__(self, path: str, anchor: Anchor) -> tuple[int, int]:
        parsed = self._parse(path)
        if parsed is None:
            return 1, 1
        from promptops.repo.positions import locate
        from promptops.repo.templatecheck import template_positions

        kind, arg = anchor
        if kind in ("value", "key"):
            assert isinstance(arg, tuple)
            return locate(parsed.root, arg, key=kind == "key")
        if path not in self._templates:
            self._templates[path] = template_positions(parsed)
        assert isinstance(arg, str)
        return self._templates[path].get((kind, arg), (1, 1))
