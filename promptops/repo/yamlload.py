"""Parse YAML bytes fast (libyaml via PyYAML's C parser), safely and with positions.

libyaml composes the node graph in C; this module constructs Python values from it in one
iterative-enough walk that also checks duplicate keys, nesting depth and alias expansion.
The node graph keeps every key's and value's position, so no second, round-trip parse is
needed to place a diagnostic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser  # type: ignore[attr-defined]

from promptops.repo.config import Limits

__all__ = ["Parsed", "YamlProblem", "parse_yaml"]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_CONSTRUCTOR = SafeConstructor()
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

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class YamlProblem(Exception):
    """A document that cannot be loaded; carries a 1-based position and a code."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True)
class Parsed:
    """A loaded document: plain Python data plus the node graph (for positions)."""

    data: Any
    root: yaml.Node | None
    text: str


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise YamlProblem("not-text", "binary file (contains NUL bytes); expected UTF-8 YAML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            "encoding",
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}; save the file as UTF-8",
            line,
            col,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _depth_bound(text: str) -> int:
    # Block nesting needs strictly growing indentation, and each flow level a bracket,
    # so this cheaply bounds the composer's recursion from above.
    indent = max((len(ln) - len(ln.lstrip(" ")) for ln in text.split("\n")), default=0)
    compact = text.count("- ") + text.count("? ")
    return indent + compact + text.count("[") + text.count("{") + 1


def _scan_depth(text: str, limits: Limits) -> None:
    """Iteratively walk the event stream; refuse nesting beyond the cap before composing."""
    loader = yaml.CSafeLoader(text)
    try:
        depth = 0
        while True:
            event = loader.get_event()
            if event is None:
                return
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    raise YamlProblem("too-deep", _too_deep(limits), line, col)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        raise _syntax(exc) from None
    finally:
        loader.dispose()


def _too_deep(limits: Limits) -> str:
    return f"nesting deeper than {limits.max_depth} levels; flatten the document"


def _syntax(exc: yaml.YAMLError) -> YamlProblem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        if mark is not None:
            return YamlProblem(
                "yaml-syntax", f"invalid YAML: {problem}", mark.line + 1, mark.column + 1
            )
        return YamlProblem("yaml-syntax", f"invalid YAML: {problem}")
    return YamlProblem("yaml-syntax", f"invalid YAML: {exc}")


class _Builder:
    """Constructs values from a node graph, enforcing the caps."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.done: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()
        self.aliases = 0

    def plain(self, node: yaml.Node, depth: int) -> Any:
        """Construct a document without anchors: no alias bookkeeping is needed."""
        if depth > self.limits.max_depth:
            raise YamlProblem("too-deep", _too_deep(self.limits), *_pos(node))
        cls = node.__class__
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._scalar(node)
        if cls is yaml.SequenceNode:
            if node.tag != _SEQ:
                raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *_pos(node))
            return [
                c.value if c.__class__ is yaml.ScalarNode and c.tag == _STR else self.plain(c, d)
                for c, d in zip(node.value, repeat(depth + 1))
            ]
        if node.tag != _MAP:
            raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *_pos(node))
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            k = self._key(key_node)
            if k in out:
                self._duplicate(node, key_node, k)
            if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR:
                out[k] = value_node.value
            else:
                out[k] = self.plain(value_node, depth + 1)
        return out

    def _key(self, key_node: yaml.Node) -> Any:
        if key_node.__class__ is not yaml.ScalarNode:
            raise YamlProblem("yaml-syntax", "mapping keys must be plain scalars", *_pos(key_node))
        if key_node.tag == _STR:
            return key_node.value
        if key_node.tag == _MERGE:
            raise YamlProblem(
                "yaml-syntax",
                "merge keys ('<<') are not supported; write the keys out",
                *_pos(key_node),
            )
        k = self._scalar(key_node)
        try:
            hash(k)
        except TypeError:
            raise YamlProblem(
                "yaml-syntax", "mapping keys must be plain scalars", *_pos(key_node)
            ) from None
        return k

    def _duplicate(self, node: yaml.Node, key_node: yaml.Node, k: Any) -> None:
        first = next(kn for kn, _ in node.value if self._key(kn) == k)
        raise YamlProblem(
            "duplicate-key",
            f"duplicate key '{k}' (first defined at line {first.start_mark.line + 1}); "
            "remove one of them",
            *_pos(key_node),
        )

    def build(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        """Return (value, expanded node count)."""
        key = id(node)
        if key in self.done:
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                raise YamlProblem(
                    "too-many-aliases",
                    f"more than {self.limits.max_aliases} alias references; "
                    "write the values out instead of repeating anchors",
                    *_pos(node),
                )
            return self.done[key], self.sizes[key]
        if key in self.active:
            raise YamlProblem(
                "too-many-aliases", "recursive alias: a node contains itself", *_pos(node)
            )
        if depth > self.limits.max_depth:
            raise YamlProblem("too-deep", _too_deep(self.limits), *_pos(node))
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            self.done[key] = value
            self.sizes[key] = 1
            return value, 1
        self.active.add(key)
        size = 1
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *_pos(node))
            items: list[Any] = []
            for child in node.value:
                value, n = self.build(child, depth + 1)
                items.append(value)
                size += n
            result: Any = items
        else:
            result, size = self._mapping(node, depth)
        if size > self.limits.max_nodes:
            raise YamlProblem(
                "too-many-aliases",
                f"document expands to more than {self.limits.max_nodes} nodes through "
                "aliases (a 'billion laughs' document?); it was not expanded",
                *_pos(node),
            )
        self.active.discard(key)
        self.done[key] = result
        self.sizes[key] = size
        return result, size

    def _mapping(self, node: yaml.Node, depth: int) -> tuple[dict[Any, Any], int]:
        if node.tag != _MAP:
            raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *_pos(node))
        out: dict[Any, Any] = {}
        size = 1
        for key_node, value_node in node.value:
            k = self._key(key_node)
            if k in out:
                self._duplicate(node, key_node, k)
            value, n = self.build(value_node, depth + 1)
            out[k] = value
            size += n + 1
        return out, size

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        try:
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return _CONSTRUCTOR.construct_yaml_bool(node)
            if tag == _INT:
                return _CONSTRUCTOR.construct_yaml_int(node)
            if tag == _FLOAT:
                return _CONSTRUCTOR.construct_yaml_float(node)
            if tag == _TIMESTAMP:
                value: dt.date = _CONSTRUCTOR.construct_yaml_timestamp(node)
                return value
        except (ValueError, OverflowError, yaml.YAMLError):
            raise YamlProblem(
                "yaml-syntax", f"invalid {tag.rsplit(':', 1)[-1]} '{node.value}'", *_pos(node)
            ) from None
        raise YamlProblem("yaml-syntax", f"unsupported tag '{tag}'", *_pos(node))


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
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        raise YamlProblem(
            "yaml-syntax", f"invalid YAML: character #x{char:04x} is not allowed", line, col
        ) from None
    except yaml.YAMLError as exc:
        raise _syntax(exc) from None
    finally:
        loader.dispose()
    if root is None:
        return Parsed(None, None, text)
    builder = _Builder(limits)
    # Without an anchor ('&') there can be no alias: skip the bookkeeping that bounds them.
    value = builder.build(root, 1)[0] if "&" in text else builder.plain(root, 1)
    return Parsed(value, root, text)
