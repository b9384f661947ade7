"""The literal pieces of prompt text in Python source: strings, f-strings (each field an
input) and ``"...".format(name=...)``, followed through module constants.

Each lifted literal remembers where it sits (:class:`Site`), for the ``--rewrite`` patch.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Field", "Lifted", "LiteralModule", "Piece", "Site"]

_NAME = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(frozen=True)
class Field:
    """An f-string field: the input it becomes and the expression the call site passes."""

    name: str
    source: str  # the expression as written
    conversion: int  # -1, or ord('s'), ord('r'), ord('a')
    spec: str  # the format spec as written ('' when none)

    @property
    def argument(self) -> str:
        """What the rewritten call site passes for this input."""
        if self.conversion == -1 and not self.spec:
            return self.source
        conv = "" if self.conversion == -1 else "!" + chr(self.conversion)
        return 'f"{' + self.source + conv + (":" + self.spec if self.spec else "") + '}"'


Piece = str | Field


@dataclass
class Site:
    """One literal the rewrite replaces: a string (one message) or a message list."""

    node: ast.expr
    first: int  # index of its first message in the prompt
    count: int  # how many messages it holds
    is_list: bool


@dataclass
class Lifted:
    """One prompt found in source: its messages as literal pieces and fields."""

    name: str  # id hint: module/function[-n] or module/constant
    line: int
    col: int
    messages: list[tuple[str, list[Piece]]]
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    call: str = ""


def _input_name(node: ast.expr, taken: dict[str, str], source: str) -> str:
    text = ast.unparse(node)
    if text in taken:
        return taken[text]
    if isinstance(node, ast.Name):
        base = node.id
    elif isinstance(node, ast.Attribute | ast.Subscript):
        base = _NAME.sub("_", text).strip("_").lower()
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
        base = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
    else:
        base = "value"
    base = base if base and not base[0].isdigit() else f"value_{base}"
    name, n = base, 2
    while name in taken.values():
        name = f"{base}_{n}"
        n += 1
    taken[text] = name
    return name


class LiteralModule:
    """One module's top-level constants and the literal pieces of its text expressions."""

    def __init__(
        self,
        tree: ast.Module,
        source: str,
        module: str,
        external: Mapping[str, ast.expr] | None = None,
    ) -> None:
        self.tree = tree
        self.source = source
        self.module = module
        # Module-level constants of other modules this one imports by name.
        self.external = dict(external or {})
        self.constants: dict[str, tuple[ast.expr, int, int]] = {}
        self.problems: list[tuple[int, int, str]] = []
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                self.constants[node.targets[0].id] = (node.value, node.lineno, node.col_offset)

    def pieces(self, node: ast.expr, taken: dict[str, str], depth: int = 0) -> list[Piece] | None:
        """Literal pieces of a text expression, or None when it is built at run time."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            out: list[Piece] = []
            for value in node.values:
                if isinstance(value, ast.Constant):
                    out.append(str(value.value))
                elif isinstance(value, ast.FormattedValue):
                    spec = ""
                    if value.format_spec is not None:
                        if not all(isinstance(v, ast.Constant) for v in value.format_spec.values):  # type: ignore[attr-defined]
                            return None
                        spec = "".join(str(v.value) for v in value.format_spec.values)  # type: ignore[attr-defined]
                    out.append(
                        Field(
                            _input_name(value.value, taken, self.source),
                            ast.unparse(value.value),
                            value.conversion,
                            spec,
                        )
                    )
                else:
                    return None
            return out
        if isinstance(node, ast.Name) and node.id in self.constants and depth < 4:
            return self.pieces(self.constants[node.id][0], taken, depth + 1)
        if isinstance(node, ast.Name) and node.id in self.external and depth < 4:
            return self.pieces(self.external[node.id], taken, depth + 1)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and not node.args
            and all(k.arg for k in node.keywords)
        ):
            base = self.pieces(node.func.value, taken, depth + 1)
            if base is None or any(isinstance(p, Field) for p in base):
                return None
            return _format_pieces(
                "".join(str(p) for p in base),
                {k.arg: k.value for k in node.keywords if k.arg},
                taken,
            )
        return None

    def message_list(
        self, node: ast.expr, taken: dict[str, str]
    ) -> list[tuple[str, list[Piece]]] | None:
        if not isinstance(node, ast.List):
            return None
        out = []
        for item in node.elts:
            if not isinstance(item, ast.Dict):
                return None
            fields = {
                k.value: v
                for k, v in zip(item.keys, item.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            }
            if set(fields) != {"role", "content"} or len(item.keys) != 2:
                return None
            role = fields["role"]
            if not (
                isinstance(role, ast.Constant)
                and role.value in ("system", "user", "assistant", "developer")
            ):
                return None
            pieces = self.pieces(fields["content"], taken)
            if pieces is None:
                return None
            out.append(("system" if role.value == "developer" else str(role.value), pieces))
        return out


def _format_pieces(
    text: str, kwargs: dict[str, ast.expr], taken: dict[str, str]
) -> list[Piece] | None:
    """``str.format`` fields as pieces (only plain ``{name}`` fields; ``{{`` escapes)."""
    out: list[Piece] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        if name not in kwargs or not name.isidentifier():
            return None
        node = kwargs[name]
        out.append(
            Field(
                _input_name(node, taken, ""),
                ast.unparse(node),
                ord(conversion) if conversion else -1,
                spec or "",
            )
        )
    return out
