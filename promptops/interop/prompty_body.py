"""A Prompty body: role markers, the messages Prompty makes, and their Jinja templates.

Prompty renders the whole body with Jinja, then cuts the text into messages at lines such
as ``system:`` / ``user:`` and trims each message: Prompty 1.x strips all surrounding
whitespace (and needs a line break after the marker), 2.x only surrounding blank lines.
The import cuts the template at the same lines when they sit outside any Jinja block, and
keeps the trim exact: literal edges are trimmed in the template, and an edge that a
variable or tag produces is trimmed with Jinja's ``trim`` filter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from promptops.interop.types import Content

__all__ = ["Chunk", "Version", "message_template", "render_original", "split_body"]

Version = Literal[1, 2]
_ROLE_1 = re.compile(r"(?i)^\s*#?\s*(assistant|function|system|user)\s*:\s*$")
_ROLE_2 = re.compile(r"(?i)^\s*#?\s*(system|user|assistant|developer)\s*:\s*$")
_SPLIT_1 = re.compile(r"(?im)^\s*#?\s*(assistant|function|system|user)\s*:\s*\n")
_DYNAMIC = re.compile(r"^\s*#?\s*\{\{.*\}\}\s*:\s*$")
_OPENERS = frozenset({"if", "for", "macro", "call", "filter", "with", "block", "autoescape"})
_ENV = jinja2.Environment(keep_trailing_newline=True)


@dataclass
class Chunk:
    role: str
    text: str  # the template text between markers (marker lines removed)
    line: int  # 1-based line of the body where the text starts


def _marker_lines(body: str, version: Version) -> tuple[set[int], list[tuple[int, str]]]:
    """Body lines (1-based) that are role markers outside any block; and notes
    ``(line, kind)`` about markers Prompty would find only after rendering."""
    role = _ROLE_1 if version == 1 else _ROLE_2
    markers: set[int] = set()
    notes: list[tuple[int, str]] = []
    tokens = list(_ENV.lexer.tokeniter(body, None))
    depth = 0
    in_raw = False
    last = len(tokens) - 1
    for i, (lineno, kind, value) in enumerate(tokens):
        if kind == "raw_begin":
            in_raw = True
        elif kind == "raw_end":
            in_raw = False
        elif kind == "block_begin":
            j = i + 1
            while j < len(tokens) and tokens[j][1] == "whitespace":
                j += 1
            name = tokens[j][2] if j < len(tokens) else ""
            if name in _OPENERS:
                depth += 1
            elif name == "set":
                k = j
                while k < len(tokens) and tokens[k][1] != "block_end":
                    k += 1
                if not any(t[2] == "=" for t in tokens[j:k]):
                    depth += 1  # {% set x %}...{% endset %}
            elif isinstance(name, str) and name.startswith("end"):
                depth = max(0, depth - 1)
        elif kind == "data":
            lines = value.split("\n")
            for n, line in enumerate(lines):
                complete = (n > 0 or i == 0) and (n < len(lines) - 1 or i == last)
                if not complete:
                    continue
                at = lineno + n
                if role.match(line):
                    if depth or in_raw:
                        notes.append((at, "nested"))
                    elif version == 1 and n == len(lines) - 1:
                        pass  # 1.x needs a line break after the marker
                    else:
                        markers.add(at)
    for n, line in enumerate(body.split("\n"), 1):
        if _DYNAMIC.match(line):
            notes.append((n, "dynamic"))
    return markers, notes


def split_body(body: str, version: Version) -> tuple[list[Chunk], list[tuple[int, str]]]:
    """The body cut at its top-level role markers (text before the first: ``system``)."""
    markers, notes = _marker_lines(body, version)
    role = _ROLE_1 if version == 1 else _ROLE_2
    chunks: list[Chunk] = [Chunk("system", "", 1)]
    lines = body.split("\n")
    buf: list[str] = []
    for n, line in enumerate(lines, 1):
        if n in markers:
            chunks[-1].text = "\n".join(buf)
            m = role.match(line)
            assert m is not None
            chunks.append(Chunk(m.group(1).lower(), "", n + 1))
            buf = []
        else:
            buf.append(line)
    chunks[-1].text = "\n".join(buf)
    return chunks, notes


_EDGE_TAG = re.compile(r"^(\{\{|\{%|\{#)")
_EDGE_TAG_END = re.compile(r"(\}\}|%\}|#\})$")
_SINGLE = re.compile(r"^\{\{-?\s*(.*?)\s*-?\}\}$", re.S)


def message_template(text: str, version: Version) -> str | None:
    """Jinja whose rendering equals Prompty's trimmed message; None when the message is
    empty whatever the inputs."""
    chars = None if version == 1 else "\n"
    stripped = text.strip(chars)
    if not stripped:
        return None
    if not (_EDGE_TAG.search(stripped) or _EDGE_TAG_END.search(stripped)):
        return stripped
    arg = "" if version == 1 else '("\\n")'
    # Already trimmed at least as much as Prompty trims (a promptops prompt exported to
    # Prompty): keep it, so that export then import gives the same template.
    trims = ("", arg) if version == 2 else ("",)
    if stripped.endswith("{% endfilter %}") and any(
        stripped.startswith("{% filter trim" + a + " %}") for a in trims
    ):
        return stripped
    single = _SINGLE.match(stripped)
    if (
        single
        and stripped.startswith("{{ (")
        and any(single.group(1).endswith("| trim" + a) for a in trims)
    ):
        return stripped
    if single and "}}" not in single.group(1) and "{{" not in single.group(1):
        return "{{ (" + single.group(1) + ") | trim" + arg + " }}"
    return "{% filter trim" + arg + " %}" + stripped + "{% endfilter %}"


def _parse_1(rendered: str) -> list[tuple[str, str]]:
    """Prompty 1.x's PromptyChatParser: split, drop blank chunks, pair role and content."""
    chunks = [c for c in _SPLIT_1.split(rendered) if c.strip()]
    roles = {"assistant", "function", "system", "user"}
    if not chunks:
        return []
    if chunks[0].strip().lower() not in roles:
        chunks.insert(0, "system")
    if chunks[-1].strip().lower() in roles:
        chunks.pop()
    if len(chunks) % 2:
        raise ValueError("Invalid prompt format")
    return [(chunks[i].strip().lower(), chunks[i + 1].strip()) for i in range(0, len(chunks), 2)]


def _parse_2(rendered: str) -> list[tuple[str, str]]:
    """Prompty 2.x's chat parser: a message per marker, blank lines trimmed."""
    out: list[tuple[str, str]] = []
    role = "system"
    buf: list[str] = []
    for line in rendered.splitlines():
        m = _ROLE_2.match(line.strip())
        if m:
            if buf:
                out.append((role, "\n".join(buf).strip("\n")))
                buf = []
            role = m.group(1).lower()
            continue
        buf.append(line)
    if buf:
        out.append((role, "\n".join(buf).strip("\n")))
    return out


_MARK = re.compile("\x00promptops:(thread|image|file):([^\x00]*)\x00")


def _mark(kind: str, name: str) -> str:
    return f"\x00promptops:{kind}:{name}\x00"


def _media_url(value: Any) -> str:
    """An image or file value as the proof compares it (promptops' {url} or {data,
    media_type}, or the URL string Prompty takes)."""
    if isinstance(value, dict) and "url" in value:
        return str(value["url"])
    if isinstance(value, dict):
        return f"data:{value.get('media_type')};base64,{value.get('data')}"
    return str(value)


def _flush(role: str, parts: list[tuple[str, str]], out: list[tuple[str, Content]]) -> None:
    if len(parts) == 1 and parts[0][0] == "text":
        out.append((role, parts[0][1]))
    elif parts:
        out.append((role, tuple(parts)))
    parts.clear()


def _expand(messages: list[tuple[str, str]], inputs: dict[str, Any]) -> list[tuple[str, Content]]:
    # Prompty splits a message at a thread: the text before and after become messages of
    # their own, each trimmed and kept only when not empty, and the thread's messages go
    # in between. An image or file line makes the message's content parts.
    out: list[tuple[str, Content]] = []
    for role, content in messages:
        pieces = _MARK.split(content)
        parts: list[tuple[str, str]] = []
        if len(pieces) == 1:
            out.append((role, content))
            continue
        for i in range(0, len(pieces), 3):
            text = pieces[i].strip()
            if text:
                parts.append(("text", text))
            if i + 2 >= len(pieces):
                break
            kind, name = pieces[i + 1], pieces[i + 2]
            if kind == "thread":
                _flush(role, parts, out)
                out.extend((str(t["role"]), t["content"]) for t in inputs.get(name) or [])
            else:
                parts.append((kind, _media_url(inputs.get(name))))
        _flush(role, parts, out)
    return out


def render_original(
    body: str, inputs: dict[str, Any], version: Version, specials: dict[str, str] | None = None
) -> list[tuple[str, Content]]:
    """The messages Prompty sends for ``inputs`` (``specials``: inputs of kind thread,
    image or file, name -> kind, spliced in where the body prints them): its Jinja, lenient
    about missing inputs, then its own parser.

    Raises:
        ValueError: where Prompty itself fails (a template error, a malformed result).
    """
    marks = {n: _mark(k, n) for n, k in (specials or {}).items() if k != "audio"}
    values = {**inputs, **marks}
    try:
        if version == 1:
            rendered = jinja2.Environment().from_string(body).render(**values)
        else:
            env = ImmutableSandboxedEnvironment(keep_trailing_newline=True)
            rendered = env.from_string(body).render(**values)
    except Exception as exc:  # a template can raise anything its filters and values raise
        raise ValueError(f"Jinja fails: {exc}") from None
    messages = _parse_1(rendered) if version == 1 else _parse_2(rendered)
    return _expand(messages, inputs)
