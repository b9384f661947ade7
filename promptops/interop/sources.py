"""Read source files safely: size, encoding, front matter, YAML with positions.

Every failure is a positioned diagnostic, never an exception: a truncated front matter,
a YAML bomb (refused from its node graph by the repository's own loader), invalid UTF-8
or a file of another format all stop that file and name the place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from promptops.interop.types import Where, diag
from promptops.repo.config import DEFAULT_LIMITS, Limits
from promptops.repo.positions import find_node, locate
from promptops.repo.textpos import text_position
from promptops.repo.types import Diagnostic
from promptops.repo.yamlload import YamlProblem, parse_yaml

__all__ = ["Loaded", "SourceError", "front_matter", "load_yaml", "read_text", "where_in"]


class SourceError(Exception):
    """A source file that cannot be read; carries the diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def read_text(path: Path, shown: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The UTF-8 text of ``path`` (a leading BOM dropped, CRLF kept as is).

    Raises:
        SourceError: unreadable, too large, binary or not UTF-8 (positioned at the byte).
    """
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise SourceError(
                diag(
                    Where(shown),
                    "error",
                    "too-large",
                    f"file is {size} bytes, over the limit of {limits.max_file_bytes}; split it",
                )
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(
            diag(Where(shown), "error", "unreadable", f"cannot read: {exc.strerror}")
        ) from None
    if b"\x00" in data:
        raise SourceError(
            diag(
                Where(shown),
                "error",
                "not-text",
                "binary file (contains NUL bytes); expected UTF-8 text",
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, col = text_position(before, len(before))
        raise SourceError(
            diag(
                Where(shown, line, col),
                "error",
                "encoding",
                f"invalid UTF-8 byte 0x{data[exc.start]:02x}; save the file as UTF-8",
            )
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


@dataclass(frozen=True)
class Loaded:
    """YAML data with its node graph; ``line_offset`` places node lines in the file."""

    data: Any
    root: yaml.Node | None
    shown: str
    line_offset: int = 0

    def where(self, loc: Sequence[object], *, key: bool = False) -> Where:
        return where_in(self.root, loc, self.shown, self.line_offset, key=key)

    def is_block(self, loc: Sequence[object]) -> bool:
        """True when the scalar at ``loc`` is a block scalar (``|`` or ``>``)."""
        node = find_node(self.root, loc)
        return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")

    def template_where(self, loc: Sequence[object], text: str) -> Any:
        """``offset -> Where`` for positions inside the template string at ``loc``."""
        from promptops.interop.common import in_template

        start = self.where(loc)
        block = self.is_block(loc)
        indent = self._indent(start) if block else 0
        return lambda offset: in_template(start, text, offset, block=block, indent=indent)

    def _indent(self, start: Where) -> int:
        # A block scalar's lines are indented past its key; two columns is YAML's habit.
        return start.col + 1


def where_in(
    root: yaml.Node | None,
    loc: Sequence[object],
    shown: str,
    line_offset: int = 0,
    *,
    key: bool = False,
) -> Where:
    """The file position of ``loc`` in a YAML node graph."""
    line, col = locate(root, loc, key=key)
    return Where(shown, line + line_offset, col)


_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def _scalar12(node: yaml.ScalarNode) -> Any:
    """A scalar as a YAML 1.2 core-schema reader (Go's yaml.v3, JavaScript's yaml) sees it:
    ``yes``, ``on`` and ``2024-01-01`` stay text, unlike in PyYAML's YAML 1.1."""
    value = node.value
    if node.style not in (None, "") or node.tag not in (
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:timestamp",
    ):
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


def _build12(node: yaml.Node, depth: int = 0) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar12(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build12(n, depth + 1) for n in node.value]
    out: dict[str, Any] = {}
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "<<" and not k.style:
            merged = _build12(v, depth + 1)
            for m in merged if isinstance(merged, list) else [merged]:
                if isinstance(m, dict):
                    for mk, mv in m.items():
                        out.setdefault(mk, mv)
            continue
        key = _build12(k, depth + 1)
        out[key if isinstance(key, str) else _key_text(key)] = _build12(v, depth + 1)
    return out


def _key_text(key: Any) -> str:
    if key is True or key is False:
        return "true" if key else "false"
    return "null" if key is None else str(key)


def _plain11(value: Any) -> Any:
    """PyYAML's YAML 1.1 values with dates as ISO text (JSON has no dates)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain11(v) for v in value]
    if isinstance(value, dict):
        return {k if isinstance(k, str) else _key_text(k): _plain11(v) for k, v in value.items()}
    return value


def load_yaml(
    text: str,
    shown: str,
    *,
    line_offset: int = 0,
    core12: bool = True,
    limits: Limits = DEFAULT_LIMITS,
) -> Loaded:
    """Parse one YAML document with the repository loader's caps (size, depth, aliases,
    duplicate keys). ``core12`` reads scalars as YAML 1.2 does (Go, JavaScript), else as
    PyYAML's YAML 1.1 (Python tools).

    Raises:
        SourceError: positioned in the file.
    """
    try:
        parsed = parse_yaml(text.encode("utf-8"), limits)
    except YamlProblem as exc:
        raise SourceError(
            diag(Where(shown, exc.line + line_offset, exc.col), "error", exc.code, exc.message)
        ) from None
    if parsed.root is None:
        return Loaded(None, None, shown, line_offset)
    data = _build12(parsed.root) if core12 else _plain11(parsed.data)
    return Loaded(data, parsed.root, shown, line_offset)


_FRONT = re.compile(r"^[ \t]*(?:---|\+\+\+)[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\+\+\+)[ \t]*$", re.M)


def front_matter(text: str, shown: str, *, lead: str = r"") -> tuple[str, int, str, int] | None:
    """``(yaml, yaml_line_offset, body, body_offset)`` of a ``---`` front matter, or None
    when ``text`` has none. ``lead`` matches what may precede the opening line (Dotprompt
    allows comment lines).

    Raises:
        SourceError: an opening ``---`` that is never closed (a truncated file).
    """
    skip = re.match(lead, text) if lead else None
    start = skip.end() if skip else 0
    opening = _FRONT.match(text, start)
    if opening is None:
        return None
    close = _CLOSE.search(text, opening.end())
    if close is None:
        line, col = text_position(text, opening.start())
        raise SourceError(
            diag(
                Where(shown, line, col),
                "error",
                "front-matter",
                "front matter opened with '---' is never closed: expected a "
                "line '---' after the YAML (is the file truncated?)",
            )
        )
    yaml_text = text[opening.end() : close.start()]
    yaml_line = text[: opening.end()].count("\n")
    body_start = close.end()
    if text.startswith("\r\n", body_start):
        body_start += 2
    elif text.startswith("\n", body_start):
        body_start += 1
    return yaml_text, yaml_line, text[body_start:], body_start
