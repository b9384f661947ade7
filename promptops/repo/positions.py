"""Find the position of a key or value in a composed YAML node graph."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from promptops.repo.types import Diagnostic, Level

__all__ = ["diagnostic_at", "find_node", "locate"]


def diagnostic_at(
    path: str,
    root: yaml.Node | None,
    loc: Sequence[object],
    level: Level,
    code: str,
    message: str,
    *,
    key: bool = False,
) -> Diagnostic:
    """A diagnostic in ``path`` at the position :func:`locate` finds for ``loc``."""
    line, col = locate(root, loc, key=key)
    return Diagnostic(path, line, col, level, code, message)


def locate(root: yaml.Node | None, loc: Sequence[object], *, key: bool = False) -> tuple[int, int]:
    """Return the 1-based (line, col) of the value at ``loc`` (or of its key with ``key``).

    Walks as far as the path exists; a missing tail yields the deepest node found, which is
    where a missing key should be added.
    """
    if root is None:
        return 1, 1
    node: yaml.Node = root
    key_node: yaml.Node | None = None
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                    key_node, nxt = k, v
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt, key_node = node.value[part], None
        if nxt is None:
            break
        node = nxt
    else:
        if key and key_node is not None:
            node = key_node
    return node.start_mark.line + 1, node.start_mark.column + 1


def find_node(root: yaml.Node | None, loc: Sequence[object]) -> yaml.Node | None:
    """The node at ``loc`` exactly, or None."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next(
                (
                    v
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                ),
                None,
            )
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
        else:
            return None
        if node is None:
            return None
    return node
