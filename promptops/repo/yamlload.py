"""Parse YAML bytes fast (libyaml via PyYAML's C parser), safely and with positions.

libyaml composes the node graph in C; this module constructs Python values from it in one
iterative-enough walk that also checks duplicate keys, nesting depth and alias expansion.
The node graph keeps every key's and value's position, so no second, round-trip parse is
needed to place a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]

from promptops.repo.config import Limits
from promptops.repo.textpos import text_position
from promptops.repo.yamlbuild import Builder, YamlProblem, too_deep

__all__ = ["Parsed", "YamlProblem", "parse_yaml"]

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_IMPLICIT = {k: tuple(v) for k, v in yaml.resolver.Resolver.yaml_implicit_resolvers.items()}


class _Loader(yaml.CSafeLoader):
    """libyaml's composer with a leaner tag resolver.

    libyaml calls back into Python to resolve every scalar's tag and around every node for
    path resolvers (which the safe loader never has); same results, fewer calls.
    """

    def __init__(self, stream: str) -> None:
        # Only the C parser's state: values are built by _Builder, not by a constructor.
        CParser.__init__(self, stream)

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[0] if value else "", ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # libyaml calls these around every node for path resolvers, which we never have, and
    # ignores what they return: builtins taking the same arguments cost no Python frame.
    descend_resolver = staticmethod(slice)  # type: ignore[assignment]
    ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]


@dataclass(frozen=True)
class Parsed:
    """A loaded document: plain Python data plus the node graph (for positions)."""

    data: Any
    root: yaml.Node | None
    text: str


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise YamlProblem("not-text", "binary file (contains NUL bytes); expected UTF-8 YAML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8")
        line, col = text_position(before, len(before))
        raise YamlProblem(
            "encoding",
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}; save the file as UTF-8",
            line,
            col,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _depth_bound(text: str) -> int:
    # Block nesting needs strictly growing indentation, and each flow level a bracket,
    # so this cheaply bounds the composer's recursion from above. splitlines() breaks at
    # every YAML line break (LF, CRLF, CR) and a few more, which can only raise the bound.
    indent = max((len(ln) - len(ln.lstrip(" ")) for ln in text.splitlines()), default=0)
    compact = text.count("- ") + text.count("? ")
    return indent + compact + text.count("[") + text.count("{") + 1


def _scan_depth(text: str, limits: Limits) -> None:
    """Iteratively walk the event stream; refuse nesting beyond the cap before composing."""
    loader = yaml.CSafeLoader(text)
    try:
        if (mark := _too_deep_at(loader, limits)) is not None:
            raise YamlProblem("too-deep", too_deep(limits), *mark)
    except yaml.YAMLError as exc:
        raise _problem(exc, text, limits) from None
    finally:
        loader.dispose()


def _too_deep_at(
    loader: yaml.SafeLoader | yaml.CSafeLoader, limits: Limits
) -> tuple[int, int] | None:
    """The (line, col) of the first collection nested beyond the cap, or None."""
    depth = 0
    while (event := loader.get_event()) is not None:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limits.max_depth:
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1) if mark else (1, 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _problem(exc: yaml.YAMLError, text: str, limits: Limits) -> YamlProblem:
    """Map a PyYAML error to a diagnostic; libyaml's own nesting cap becomes ``too-deep``.

    Since PyYAML 6.0.4, libyaml refuses flow nesting beyond 1,000 levels itself, and its
    scanner reads far ahead of the events in flow context, so that refusal can come before
    our walk sees the level that breaks our (lower) cap. The pure-Python parser looks ahead
    at most 1,024 characters for a simple key, so it finds the first offending bracket;
    this only runs on a document that is being refused anyway.
    """
    if isinstance(exc, yaml.MarkedYAMLError) and "maximum nesting depth" in str(exc.problem):
        loader = yaml.SafeLoader(text)
        try:
            mark = _too_deep_at(loader, limits)
        except yaml.YAMLError:
            mark = None
        finally:
            loader.dispose()
        if mark is None and exc.problem_mark is not None:
            mark = (exc.problem_mark.line + 1, exc.problem_mark.column + 1)
        return YamlProblem("too-deep", too_deep(limits), *(mark or (1, 1)))
    return _syntax(exc, text)


def _tab_at(text: str, line: int, column: int) -> bool:
    lines = text.split("\n")
    return 0 <= line < len(lines) and lines[line][column : column + 1] == "\t"


# libyaml's words for the usual indentation slips, and what fixes them (its message alone
# names a parser state, not the line to move).
_FIXES = {
    "did not find expected '-' indicator": "indent this line like the items of the list "
    "above it: each item starts with '- ' at the same column, its keys line up",
    "did not find expected key": "indent this line like the keys of the mapping above it, "
    "or quote a value that starts with a special character",
    "mapping values are not allowed in this context": "quote a value that contains ': ', "
    "or indent this key like the keys above it",
}


def _syntax(exc: yaml.YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and _tab_at(text, mark.line, mark.column):
            # libyaml says "found character that cannot start any token"; the character
            # is a tab, and a newcomer needs to hear that word.
            return YamlProblem(
                "yaml-tab",
                "invalid YAML: a tab character is used for indentation; YAML indents with "
                "spaces only: replace the tab with spaces",
                mark.line + 1,
                mark.column + 1,
            )
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        if fix := _FIXES.get(exc.problem or ""):
            problem = f"{problem}; {fix}"
        if mark is not None:
            return YamlProblem(
                "yaml-syntax", f"invalid YAML: {problem}", mark.line + 1, mark.column + 1
            )
        return YamlProblem("yaml-syntax", f"invalid YAML: {problem}")
    return YamlProblem("yaml-syntax", f"invalid YAML: {exc}")


def parse_yaml(data: bytes, limits: Limits) -> Parsed:
    """Load one YAML document from ``data``.

    Raises:
        YamlProblem: the bytes are not UTF-8 text, not YAML, too large, too deep, use too
            many aliases or contain duplicate keys.
    """
    if len(data) > limits.max_file_bytes:
        raise YamlProblem(
            "too-large",
            f"file is larger than the limit of {limits.max_file_bytes} bytes; "
            "split it into smaller files",
        )
    text = _decode(data)
    # A document nests at most one level per character: short ones need no bound.
    if len(text) > limits.compose_depth_guard and _depth_bound(text) > limits.compose_depth_guard:
        _scan_depth(text, limits)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        line, col = text_position(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        raise YamlProblem(
            "yaml-syntax", f"invalid YAML: character #x{char:04x} is not allowed", line, col
        ) from None
    except yaml.YAMLError as exc:
        raise _problem(exc, text, limits) from None
    finally:
        loader.dispose()
    if root is None:
        return Parsed(None, None, text)
    builder = Builder(limits)
    # Without an anchor ('&') there can be no alias: skip the bookkeeping that bounds them.
    value = builder.build(root, 1)[0] if "&" in text else builder.plain(root, 1)
    return Parsed(value, root, text)
