"""Split a Handlebars template into literal texts and tags, as Handlebars' lexer does:
``\\{{`` escapes, triple-stash, ``{{!-- --}}`` comments, ``~`` strip marks and the tag
kinds (mustache, block open/close, inverse, else, partial)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptops.interop.translate.hbs_ast import Strip, TemplateSyntaxError, Text

__all__ = ["Tag", "scan_tags"]

_OPEN = re.compile(r"\{\{")


@dataclass
class Tag:
    kind: str  # mustache, comment, open, inverse_open, else, close, partial
    inner: str
    strip: Strip
    offset: int  # of '{{'
    inner_offset: int
    source: str


def scan_tags(text: str) -> list[Text | Tag]:
    """Split ``text`` into literal texts and tags (escapes resolved)."""
    out: list[Text | Tag] = []
    pos = 0
    buf: list[str] = []
    buf_start = 0
    while True:
        m = _OPEN.search(text, pos)
        if m is None:
            buf.append(text[pos:])
            break
        start = m.start()
        if text[start - 2 : start] == "\\\\" and start - 2 >= pos:
            # '\\{{': one literal backslash, then a real tag (Handlebars' lexer rule).
            buf.append(text[pos : start - 1])
        elif text[start - 1 : start] == "\\" and start - 1 >= pos:
            # '\{{' is literal: copy from '{{' up to the next tag or escape verbatim.
            buf.append(text[pos : start - 1])
            nxt = _OPEN.search(text, start + 2)
            end = len(text) if nxt is None else nxt.start()
            if nxt is not None:
                if text[end - 2 : end] == "\\\\" and end - 2 >= start + 2:
                    end -= 2
                elif text[end - 1 : end] == "\\" and end - 1 >= start + 2:
                    end -= 1
            buf.append(text[start:end])
            pos = end
            continue
        else:
            buf.append(text[pos:start])
        if buf and "".join(buf):
            value = "".join(buf)
            out.append(Text(value, buf_start, original=value))
        buf = []
        tag, pos = _read_tag(text, start)
        out.append(tag)
        buf_start = pos
    value = "".join(buf)
    if value:
        out.append(Text(value, buf_start, original=value))
    return out


def _read_tag(text: str, start: int) -> tuple[Tag, int]:
    if text.startswith("{{{", start):
        end = text.find("}}}", start + 3)
        if end < 0:
            raise TemplateSyntaxError("'{{{' is never closed with '}}}'", start)
        inner = text[start + 3 : end]
        strip = Strip(inner.startswith("~"), inner.endswith("~"))
        body = inner[1:] if strip.open else inner
        body = body[:-1] if strip.close else body
        return Tag("mustache", body, strip, start, start + 3, text[start : end + 3]), end + 3
    i = start + 2
    left = text.startswith("~", i)
    i += left
    if text.startswith("!--", i):
        end = text.find("--", i + 3)
        while end >= 0 and not re.match(r"--~?\}\}", text[end:]):
            end = text.find("--", end + 1)
        if end < 0:
            raise TemplateSyntaxError("comment '{{!--' is never closed with '--}}'", start)
        right = text.startswith("--~", end)
        close = end + (5 if right else 4)
        return Tag("comment", "", Strip(left, right), start, i, text[start:close]), close
    end = text.find("}}", i)
    if end < 0:
        raise TemplateSyntaxError("'{{' is never closed with '}}'", start)
    right = text[end - 1] == "~" and end - 1 >= i
    inner = text[i : end - 1] if right else text[i:end]
    source = text[start : end + 2]
    strip = Strip(left, right)
    sigil = inner[:1]
    kinds = {"!": "comment", "#": "open", "^": "inverse_open", "/": "close", ">": "partial"}
    if sigil == "&":
        return Tag("mustache", inner[1:], strip, start, i + 1, source), end + 2
    if sigil in kinds:
        kind = kinds[sigil]
        body = inner[1:]
        if kind == "open" and body[:1] in (">", "*"):
            what = "partial blocks" if body[:1] == ">" else "decorators and inline partials"
            raise TemplateSyntaxError(f"{what} ('{{{{#{body[:1]}') are not supported", start)
        if kind == "inverse_open" and not body.strip():
            kind = "else"
        return Tag(kind, body, strip, start, i + 1, source), end + 2
    if sigil == "*":
        raise TemplateSyntaxError("decorators ('{{*') are not supported", start)
    if re.match(r"\s*else(\s|$)", inner):
        return Tag("else", inner.strip()[4:], strip, start, i, source), end + 2
    return Tag("mustache", inner, strip, start, i, source), end + 2
