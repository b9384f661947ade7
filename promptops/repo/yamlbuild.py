"""Build Python values from a composed YAML node graph, enforcing the caps.

Duplicate keys, nesting depth and alias expansion are checked on the node graph, so a
"billion laughs" document is refused from its (small) graph and never expanded.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from promptops.repo.config import Limits

__all__ = ["Builder", "YamlProblem", "node_pos", "too_deep"]

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


class YamlProblem(Exception):
    """A document that cannot be loaded; carries a 1-based position and a code."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.col = col


def node_pos(node: yaml.Node) -> tuple[int, int]:
    """1-based (line, col) where ``node`` starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def too_deep(limits: Limits) -> str:
    """The message for a document nested beyond the cap."""
    return f"nesting deeper than {limits.max_depth} levels; flatten the document"


class Builder:
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
            raise YamlProblem("too-deep", too_deep(self.limits), *node_pos(node))
        cls = node.__class__
        if isinstance(node, yaml.ScalarNode):
            return node.value if node.tag == _STR else self._scalar(node)
        if cls is yaml.SequenceNode:
            if node.tag != _SEQ:
                raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *node_pos(node))
            return [
                c.value if c.__class__ is yaml.ScalarNode and c.tag == _STR else self.plain(c, d)
                for c, d in zip(node.value, repeat(depth + 1))
            ]
        if node.tag != _MAP:
            raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *node_pos(node))
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
            raise YamlProblem(
                "yaml-syntax", "mapping keys must be plain scalars", *node_pos(key_node)
            )
        if key_node.tag == _STR:
            return key_node.value
        if key_node.tag == _MERGE:
            raise YamlProblem(
                "yaml-syntax",
                "merge keys ('<<') are not supported; write the keys out",
                *node_pos(key_node),
            )
        k = self._scalar(key_node)
        try:
            hash(k)
        except TypeError:
            raise YamlProblem(
                "yaml-syntax", "mapping keys must be plain scalars", *node_pos(key_node)
            ) from None
        return k

    def _duplicate(self, node: yaml.Node, key_node: yaml.Node, k: Any) -> None:
        first = next(kn for kn, _ in node.value if self._key(kn) == k)
        raise YamlProblem(
            "duplicate-key",
            f"duplicate key '{k}' (first defined at line {first.start_mark.line + 1}); "
            "remove one of them",
            *node_pos(key_node),
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
                    *node_pos(node),
                )
            return self.done[key], self.sizes[key]
        if key in self.active:
            raise YamlProblem(
                "too-many-aliases", "recursive alias: a node contains itself", *node_pos(node)
            )
        if depth > self.limits.max_depth:
            raise YamlProblem("too-deep", too_deep(self.limits), *node_pos(node))
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            self.done[key] = value
            self.sizes[key] = 1
            return value, 1
        self.active.add(key)
        size = 1
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *node_pos(node))
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
                *node_pos(node),
            )
        self.active.discard(key)
        self.done[key] = result
        self.sizes[key] = size
        return result, size

    def _mapping(self, node: yaml.Node, depth: int) -> tuple[dict[Any, Any], int]:
        if node.tag != _MAP:
            raise YamlProblem("yaml-syntax", f"unsupported tag '{node.tag}'", *node_pos(node))
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
                "yaml-syntax", f"invalid {tag.rsplit(':', 1)[-1]} '{node.value}'", *node_pos(node)
            ) from None
        raise YamlProblem("yaml-syntax", f"unsupported tag '{tag}'", *node_pos(node))
